/* smtp.h - sending through libcurl, and the outbox.
 *
 * Never prints, never prompts.  Results carry a status, a retry class
 * and the server's own words (raw, untranslated: show them labelled as
 * the server's).  Blocking: call from a worker thread or a command-line
 * front end, never the UI thread.
 *
 * After a message is accepted the sent copy (IMAP APPEND to Sent, or the
 * local Maildir for POP3 accounts) is the caller's job: the outbox keeps
 * the accepted message's bytes until smtp_outbox_remove(). */
#ifndef MAILTUI_SMTP_H
#define MAILTUI_SMTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <glib.h>

/* ---- one connection ------------------------------------------------------ */

enum smtp_tls {
	SMTP_TLS_IMPLICIT, /* smtps:// */
	SMTP_TLS_STARTTLS, /* smtp:// with STARTTLS required (CURLUSESSL_ALL) */
	SMTP_TLS_NONE,     /* smtp:// in the clear: only with tls = none */
};

/* Where and how to send.  All strings borrowed for smtp_session_new()
 * only: the session keeps copies (secrets wiped on free). */
struct smtp_server {
	const char *host;
	unsigned port;
	enum smtp_tls tls;
	const char *user;        /* NULL: no AUTH */
	const char *password;    /* AUTH PLAIN or LOGIN (curl picks from EHLO) */
	const char *oauth_token; /* instead of password: XOAUTH2/OAUTHBEARER */
	const char *auth_mech;   /* NULL, or "PLAIN", "LOGIN", "XOAUTH2" to force one */
	const char *ca_file;     /* CURLOPT_CAINFO, or NULL for the system store */
	const char *pin;         /* "sha256//<base64>": replaces CA trust (a key the
	                            user accepted, or tls_fingerprint normalised) */
	int timeout;             /* seconds for connect and each reply; 0: 30 */
};

enum smtp_status {
	SMTP_OK = 0,
	SMTP_PARTIAL, /* accepted, but some recipients were refused */
	SMTP_ERR_RESOLVE,
	SMTP_ERR_CONNECT,
	SMTP_ERR_TIMEOUT,
	SMTP_ERR_NETWORK,     /* connection lost, send/receive failure */
	SMTP_ERR_TLS,         /* handshake failed */
	SMTP_ERR_CERT,        /* certificate not trusted, wrong host, pin mismatch */
	SMTP_ERR_NO_STARTTLS, /* server did not offer STARTTLS: nothing was sent */
	SMTP_ERR_AUTH,        /* credentials refused, or no usable mechanism */
	SMTP_ERR_SENDER,      /* MAIL FROM refused */
	SMTP_ERR_RECIPIENTS,  /* every recipient refused (see rcpt_failures) */
	SMTP_ERR_DATA,        /* the message itself refused (DATA or after it) */
	SMTP_ERR_PROTOCOL,    /* the server said something curl did not expect */
	SMTP_ERR_CANCELLED,   /* the progress callback or cancel flag stopped it */
	SMTP_ERR_INTERNAL,    /* libcurl setup failed */
};

/* What to do about a failure. */
enum smtp_retry {
	SMTP_RETRY_NONE,      /* success */
	SMTP_RETRY_TEMPORARY, /* network, 4xx: try again later as it is */
	SMTP_RETRY_PERMANENT, /* 5xx about this message: edit it, do not resend */
	SMTP_RETRY_ACCOUNT,   /* settings, credentials, certificate: fix the account;
	                         the message itself is fine */
};

struct smtp_rcpt_failure {
	char *address; /* owned */
	int code;      /* 550, 450, ... */
	char *reply;   /* owned: the server's text, lines joined by "\n" */
};

struct smtp_result {
	enum smtp_status status;
	enum smtp_retry retry;
	int reply_code;           /* last reply code of interest, 0 when none */
	char *reply;              /* owned: that reply's text, or NULL */
	GPtrArray *rcpt_failures; /* of struct smtp_rcpt_failure*, owned; may be empty */
	char detail[256];         /* curl's error text; raw, untranslated */
	bool auth_sent;           /* an AUTH command left the machine (tests, diagnostics) */
};

/* Free what a result holds and zero it. */
void smtp_result_clear(struct smtp_result *r);
const char *smtp_status_name(enum smtp_status st); /* "SMTP_ERR_AUTH"; static */

/* Return false to cancel the transfer. sent and total are bytes of the
 * message body being uploaded (total 0 while connecting). */
typedef bool (*smtp_progress_fn)(void *ud, uint64_t sent, uint64_t total);

struct smtp_session;

/* A session holds one libcurl handle: messages sent through it reuse the
 * open connection (no new TCP, TLS and AUTH per message).  Owned:
 * smtp_session_free(), which closes the connection.  NULL only when
 * libcurl cannot be initialised. */
struct smtp_session *smtp_session_new(const struct smtp_server *srv);
void smtp_session_free(struct smtp_session *s);

/* Progress and cancellation for the following sends.  cancel is
 * borrowed; when *cancel != 0 the transfer stops. */
void smtp_session_set_progress(struct smtp_session *s, smtp_progress_fn fn, void *ud);
void smtp_session_set_cancel(struct smtp_session *s, const volatile int *cancel);

/* Send one message: envelope sender from, recipients rcpts[0..n), data
 * the message (LF or CRLF line ends: sent as CRLF; curl dot-stuffs).
 * Each refused recipient is in res->rcpt_failures with its reply; the
 * message goes to the others (SMTP_PARTIAL).  res must be zeroed or
 * cleared; fill it even on success.  Returns res->status. */
enum smtp_status smtp_send(struct smtp_session *s, const char *from, const char *const *rcpts,
                           size_t n, const char *data, size_t len, struct smtp_result *res);

/* ---- outbox -------------------------------------------------------------
 * One directory per account: <id>.eml (the wire form) and <id>.meta (a
 * key file: state, envelope, attempts, last error), mode 0600; adding a
 * message fsyncs both.  A flush or send holds an flock on the
 * directory's .lock, so two processes never send the same message.
 *
 * Sending once: a journal (journal.c) durably claims each batch of
 * messages before they are sent and marks each transfer's start; the
 * outcome (ACCEPTED right after the server's final 250, or the failure)
 * goes into the .meta at once.  After a crash, a message whose transfer
 * had started without a recorded outcome (or, after a reboot, any
 * claimed message without one) was interrupted at an unknown point: the
 * server may have it.  It becomes INTERRUPTED and is not sent again
 * automatically; the user decides (smtp_outbox_requeue). */

enum smtp_outbox_state {
	SMTP_OUTBOX_QUEUED,      /* waiting to be sent (new, or a temporary failure) */
	SMTP_OUTBOX_SENDING,     /* not written by this version (the journal marks a
	                            transfer); treated like INTERRUPTED when found */
	SMTP_OUTBOX_ACCEPTED,    /* the server took it; waiting for the sent copy */
	SMTP_OUTBOX_FAILED,      /* refused for good (5xx): kept for editing */
	SMTP_OUTBOX_INTERRUPTED, /* SENDING found after a crash: may have been sent */
};

struct smtp_outbox_entry {
	char *id;   /* owned: file name stem */
	char *path; /* owned: the .eml file */
	enum smtp_outbox_state state;
	char *from;       /* owned: envelope sender */
	char **rcpts;     /* owned, NULL-terminated: envelope recipients */
	char *message_id; /* owned, may be NULL */
	int attempts;
	int64_t created, last_attempt; /* unix seconds */
	int last_code;                 /* reply code of the last failure, 0 if none */
	char *last_error;              /* owned: server text or curl text, or NULL */
	enum smtp_status last_status;
	char **rejected; /* owned, NULL-terminated: "addr\tcode\treply" of
	                    recipients refused when it was accepted; may be NULL */
};

void smtp_outbox_entry_free(struct smtp_outbox_entry *e);
const char *smtp_outbox_state_name(enum smtp_outbox_state st); /* "queued"; static */

struct smtp_outbox;

/* Default directory for an account: $XDG_STATE_HOME/mailtui/outbox/<account>.
 * Owned. */
char *smtp_outbox_default_dir(const char *account);

/* Open (creating it, mode 0700) the outbox in dir.  Owned:
 * smtp_outbox_close().  NULL with *err_out = -errno on failure. */
struct smtp_outbox *smtp_outbox_open(const char *dir, int *err_out);
void smtp_outbox_close(struct smtp_outbox *ob);

/* Take the directory lock (non-blocking).  0, -EWOULDBLOCK when another
 * process holds it, or -errno.  Sending and flushing need it; adding,
 * listing and reading do not.  Released by smtp_outbox_close() or: */
int smtp_outbox_lock(struct smtp_outbox *ob);
void smtp_outbox_unlock(struct smtp_outbox *ob);

/* Queue a message (data should be the CRLF wire form).  *id_out (owned,
 * may be NULL) names the entry.  0 or -errno; nothing is left behind on
 * failure. */
int smtp_outbox_add(struct smtp_outbox *ob, const char *from, const char *const *rcpts, size_t n,
                    const char *message_id, const char *data, size_t len, char **id_out);

/* All entries, oldest first (by creation time, then id).  Owned array
 * (free func set).  Entries whose .meta is unreadable are skipped. */
GPtrArray *smtp_outbox_list(struct smtp_outbox *ob);

/* One entry or NULL.  Owned. */
struct smtp_outbox_entry *smtp_outbox_get(struct smtp_outbox *ob, const char *id);

/* The stored message.  *data owned.  0 or -errno. */
int smtp_outbox_read(struct smtp_outbox *ob, const char *id, char **data, size_t *len);

/* Delete an entry (after the sent copy is stored, or the user discards
 * it).  0 or -errno. */
int smtp_outbox_remove(struct smtp_outbox *ob, const char *id);

/* FAILED or INTERRUPTED back to QUEUED (the user said "send again").
 * 0, -EINVAL for other states, or -errno. */
int smtp_outbox_requeue(struct smtp_outbox *ob, const char *id);

/* Send one QUEUED entry through s (lock required: -ENOLCK otherwise).
 * Claims it in the journal, sends, then records ACCEPTED / QUEUED
 * (temporary or account trouble) / FAILED (permanent).  Recipients refused with 4xx while the
 * others got the message are queued again as a new entry with the same
 * bytes and only those recipients.  res receives the result.  0 when the
 * transfer was attempted (look at res), or -errno / -EINVAL (not QUEUED). */
int smtp_outbox_send(struct smtp_outbox *ob, struct smtp_session *s, const char *id,
                     struct smtp_result *res);

/* Called after each message of a flush. */
typedef void (*smtp_flush_fn)(void *ud, const struct smtp_outbox_entry *e,
                              const struct smtp_result *res);

struct smtp_flush_summary {
	int sent;        /* accepted (including partial) */
	int failed;      /* permanent failures */
	int deferred;    /* temporary failures, or left after a connection failure */
	int interrupted; /* found SENDING from an earlier crash (not sent) */
};

/* Send every QUEUED entry, oldest first, over session s (one connection).
 * Takes the lock (-EWOULDBLOCK if busy).  A failure that concerns the
 * connection or the account (connect, TLS, AUTH) stops the flush: the
 * rest stay QUEUED untouched.  0 or -errno. */
int smtp_outbox_flush(struct smtp_outbox *ob, struct smtp_session *s, smtp_flush_fn fn, void *ud,
                      struct smtp_flush_summary *sum);

/* After a crash: mark entries whose transfer may have happened (see
 * above) INTERRUPTED and drop the journal (lock required).  Number
 * marked, or -ENOLCK.  Flush does this itself; the UI calls it at
 * start-up to show them. */
int smtp_outbox_recover(struct smtp_outbox *ob);

#endif
