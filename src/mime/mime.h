/* mime.h - GMime glue: building outgoing messages (this part), and later
 * the reading side (display lines, attachments, reply quoting).
 *
 * Pure functions over memory and files; nothing here prints or touches
 * the network.  Failures come back as a mime_status plus a struct
 * mime_error whose detail is raw (an address, a path, strerror text):
 * the caller turns the status into translated words. */
#ifndef MAILTUI_MIME_H
#define MAILTUI_MIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <glib.h>

/* Longest line SMTP allows, without the CRLF (RFC 5321 4.5.3.1.6). */
#define MIME_MAX_LINE 998

/* g_mime_init() once; safe to call from any thread, any number of times. */
void mime_init(void);

enum mime_status {
	MIME_OK = 0,
	MIME_ERR_ADDRESS,       /* an address did not parse; detail: the text */
	MIME_ERR_NO_RECIPIENTS, /* To, Cc and Bcc are all empty */
	MIME_ERR_NO_FROM,       /* neither the draft nor the options give a sender */
	MIME_ERR_HEADER,        /* malformed or forbidden header line; line set */
	MIME_ERR_NOT_UTF8,      /* edit text is not UTF-8; line set */
	MIME_ERR_ATTACHMENT,    /* attachment unreadable; detail: path and errno text */
	MIME_ERR_LINE_TOO_LONG, /* a line over MIME_MAX_LINE octets; line set */
	MIME_ERR_NUL,           /* a NUL byte in a message given as text; line set */
	MIME_ERR_INTERNAL,      /* GMime failed to serialise */
};

struct mime_error {
	enum mime_status status;
	int line;          /* 1-based line in the input, 0 when not about a line */
	char detail[512];  /* raw, untranslated; may be empty */
};

/* Name of a status for logs ("MIME_ERR_ADDRESS"); static string. */
const char *mime_status_name(enum mime_status st);

/* ---- drafts -------------------------------------------------------------
 * What the user writes.  Every string field is owned by the draft (g_free),
 * UTF-8, and may be NULL for "absent". */

struct mime_header {
	char *name;  /* owned */
	char *value; /* owned, UTF-8, unfolded */
};

struct mime_draft {
	char *from;          /* "Name <addr>"; NULL: the build options' account */
	char *to, *cc, *bcc; /* address lists as typed, comma separated */
	char *reply_to;
	char *subject;
	char *in_reply_to;   /* "<id@host>": set by reply, not shown for editing */
	char *references;    /* "<a@b> <c@d>": likewise */
	char *body;          /* text, LF or CRLF line ends */
	GPtrArray *attachments;   /* of char* paths, owned */
	GPtrArray *extra_headers; /* of struct mime_header*, owned (X-..., etc.) */
};

/* Empty draft.  Owned: mime_draft_free(). */
struct mime_draft *mime_draft_new(void);
void mime_draft_free(struct mime_draft *d);

/* ---- the editable-header text (what $EDITOR sees) ----------------------
 *   From: Name <me@example.org>
 *   To: a@example.org, "Bé Ba" <b@example.org>
 *   Cc:
 *   Bcc:
 *   Subject: ...
 *   Attach: /path/to/file          (one line per attachment, optional)
 *   <blank line>
 *   body...
 * Header names are case-insensitive; a line starting with space or tab
 * continues the previous header.  Reply-To and other headers (X-...) are
 * kept; Date, Message-ID, MIME-Version and Content-* are refused since
 * the builder owns them.  In-Reply-To and References are not shown: they
 * stay in the draft untouched. */

/* Text for the editor: the header block with From/To/Cc/Bcc/Subject always
 * present (empty when unset), then Reply-To, extras, Attach lines, a blank
 * line and the body (LF line ends).  Owned. */
char *mime_draft_to_edit_text(const struct mime_draft *d);

/* Read the edited text back into d: from, to, cc, bcc, reply_to, subject,
 * body, attachments and extra_headers are replaced; in_reply_to and
 * references are kept.  On failure d is unchanged and err says where
 * (MIME_ERR_NOT_UTF8, MIME_ERR_HEADER with line). */
enum mime_status mime_draft_apply_edit_text(struct mime_draft *d, const char *text,
	size_t len, struct mime_error *err);

/* ---- building ------------------------------------------------------------ */

struct mime_build_opts {
	const char *from_address; /* the account's address: envelope sender, and
	                             From when the draft has none.  Borrowed. */
	const char *from_name;    /* the account's display name, or NULL */
	bool eight_bit;   /* server offers 8BITMIME: UTF-8 text may go as 8bit */
	int64_t date;     /* seconds since the epoch; 0: now */
	const char *message_id; /* "<id>" or "id" to use, NULL: generated @ from domain */
};

/* A message ready for the wire.  All fields owned by the struct. */
struct mime_outgoing {
	char *wire;         /* CRLF, every line <= MIME_MAX_LINE, no Bcc: the DATA */
	size_t wire_len;
	char *copy;         /* CRLF, the same message with its Bcc header: for the
	                       Sent copy and drafts (NULL from mime_prepare_raw
	                       when the input had no Bcc: then use wire) */
	size_t copy_len;
	char *message_id;   /* without angle brackets */
	char *envelope_from;/* bare address */
	GPtrArray *recipients; /* of char*, bare addresses of To + Cc + Bcc,
	                          duplicates (case-insensitive) removed */
};

void mime_outgoing_free(struct mime_outgoing *m);

/* Build an RFC 5322 message from a draft: Date, Message-ID, MIME-Version;
 * names and subject as RFC 2047 encoded words; text/plain; charset=utf-8 in
 * 7bit (ASCII), 8bit (eight_bit and short lines) or quoted-printable;
 * multipart/mixed with base64 attachments (type from content and
 * extension, RFC 2231 filename).  *out owned: mime_outgoing_free(). */
enum mime_status mime_build(const struct mime_draft *d, const struct mime_build_opts *o,
	struct mime_outgoing **out, struct mime_error *err);

/* A prepared message from a script (sendmail-like): recipients from To, Cc
 * and Bcc; Bcc fields removed; Date and Message-ID added when missing (From
 * too, as envelope_from); LF, CR or CRLF line ends become CRLF.  The body
 * is not re-encoded: a line over MIME_MAX_LINE octets or a NUL byte is
 * refused with its line number.  *out owned: mime_outgoing_free(). */
enum mime_status mime_prepare_raw(const char *data, size_t len, const char *envelope_from,
	struct mime_outgoing **out, struct mime_error *err);

/* ---- helpers shared with the sending side ------------------------------- */

/* Copy of data with every line end (LF, CR, CRLF) made CRLF.  Owned;
 * *out_len set. */
char *mime_to_crlf(const char *data, size_t len, size_t *out_len);

/* 1-based number of the first line longer than max octets (line ends not
 * counted), or 0 when there is none. */
int mime_find_long_line(const char *data, size_t len, size_t max);

/* MIME type for an attachment: "image/png", "application/pdf", ...; from
 * the content's first bytes, then the name's extension, else text/plain
 * for UTF-8 text without NULs, else application/octet-stream.  Static. */
const char *mime_guess_type(const char *name, const void *data, size_t len);

#endif
