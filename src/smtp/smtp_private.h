/* smtp_private.h - shared inside src/smtp only. */
#ifndef MAILTUI_SMTP_PRIVATE_H
#define MAILTUI_SMTP_PRIVATE_H

#include "smtp/smtp.h"

enum smtp_cmd {
	SMTP_CMD_NONE, /* before the first command: the greeting */
	SMTP_CMD_EHLO,
	SMTP_CMD_STARTTLS,
	SMTP_CMD_AUTH, /* and its continuation lines */
	SMTP_CMD_MAIL,
	SMTP_CMD_RCPT,
	SMTP_CMD_DATA,
	SMTP_CMD_OTHER,
};

/* Follows one transfer's dialogue as libcurl's debug callback shows it
 * (commands out, reply lines in), so replies can be tied to commands:
 * curl says "RCPT failed: 550" but not for which address, nor the text.
 * Pure: fed bytes, no I/O. */
struct smtp_trace {
	enum smtp_cmd cmd;
	char *rcpt;       /* address of the RCPT in flight */
	GString *partial; /* an incomplete reply line */
	GString *lines;   /* lines of the reply being read */
	int data_replies;
	bool auth_sent;
	bool starttls_offered;
	int auth_code, mail_code, data_code, last_code;
	char *auth_reply, *mail_reply, *data_reply, *last_reply;
	int rcpt_ok;
	GPtrArray *rcpt_failures; /* of struct smtp_rcpt_failure* */
};

void smtp_trace_init(struct smtp_trace *t);
void smtp_trace_clear(struct smtp_trace *t);
/* A command line the client sent (CURLINFO_HEADER_OUT). */
void smtp_trace_out(struct smtp_trace *t, const char *data, size_t len);
/* Reply bytes from the server (CURLINFO_HEADER_IN), any chunking. */
void smtp_trace_in(struct smtp_trace *t, const char *data, size_t len);
/* Whether the last command out was part of AUTH (for log redaction). */
bool smtp_trace_in_auth(const struct smtp_trace *t);

void smtp_rcpt_failure_free(gpointer p);

/* ---- the outbox's journal (journal.c) ---- */

/* This boot's id (/proc/sys/kernel/random/boot_id) or "unknown". Owned. */
char *smtp_boot_id(void);

struct smtp_journal;
/* Open (create) <dir>/journal for appending.  NULL with *err = -errno. */
struct smtp_journal *smtp_journal_open(const char *dir, int *err);
/* Durably record that ids[0..n) are about to be sent.  0 or -errno. */
int smtp_journal_claim(struct smtp_journal *j, const char *const *ids, size_t n);
/* 'S' (transfer starts) or 'D' (outcome recorded), not synced. */
int smtp_journal_mark(struct smtp_journal *j, char what, const char *id);
/* Make everything written since the claims durable (syncfs), remove the
 * journal and free j.  0 or -errno. */
int smtp_journal_finish(struct smtp_journal *j);
/* Remove a journal left over (after recovery). */
void smtp_journal_forget(const char *dir);
/* id -> last mark ('B', 'S' or 'D' as GINT_TO_POINTER), owned; NULL when
 * there is no journal.  *same_boot false when a claim predates the last
 * reboot (or the boot id is unknown). */
GHashTable *smtp_journal_read(const char *dir, bool *same_boot);

#endif
