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
#include <time.h>
#include <glib.h>

/* Longest line SMTP allows, without the CRLF (RFC 5321 4.5.3.1.6). */
#define MIME_MAX_LINE 998

/* g_mime_init() once; safe to call from any thread, any number of times. */
void mime_init(void);

/* A header value as a person reads it: RFC 2047 words decoded (with
 * charset fallbacks for broken ones), unfolded, terminal-safe, NFC.
 * raw may be NULL (gives "").  Owned. */
char *mime_header_decode(const char *raw);

/* Parameter name of a header's parameter list ("a=b; filename*=UTF-8''x",
 * the text after the value), decoded: RFC 2231 (name*, name*0*, ...)
 * and RFC 2047 words.  Owned UTF-8, not yet terminal-safe; NULL when
 * absent. */
char *mime_param_decode(const char *params, const char *name);

/* An RFC 5322 date as UTC seconds; 0 when it cannot be read. */
time_t mime_parse_date(const char *raw);

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
	MIME_ERR_NO_LIST,       /* reply to the list: the message has no List-Post */
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
	bool draft;       /* a postponed draft: no recipients is fine */
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
/* The same; a From added for a message without one carries from_name
 * (UTF-8, encoded as needed; NULL or "": the address alone). */
enum mime_status mime_prepare_raw_named(const char *data, size_t len, const char *envelope_from,
	const char *from_name, struct mime_outgoing **out, struct mime_error *err);

/* ---- replying, forwarding, resuming ------------------------------------ */

/* "Re: subject" with any leading "Re:", "RE:", "Re[2]:" removed first, so
 * prefixes never stack; "Fwd: subject" likewise ("Fwd:", "Fw:").  subject
 * is decoded UTF-8 (may be NULL).  Owned. */
char *mime_reply_subject(const char *subject);
char *mime_forward_subject(const char *subject);

/* A reply's References: the parent's References (or, without them, its
 * In-Reply-To) followed by the parent's Message-ID ("<id>" or "id"); ids
 * are "<...>" joined by spaces, duplicates dropped.  Any argument may be
 * NULL.  Owned ("" when there is nothing). */
char *mime_reply_references(const char *references, const char *in_reply_to,
	const char *message_id);

/* text with each line quoted: "> " before text, ">" before an empty or
 * already quoted line.  LF line ends out.  Owned. */
char *mime_quote_text(const char *text);

enum mime_reply_kind {
	MIME_REPLY_SENDER, /* Reply-To, else From */
	MIME_REPLY_ALL,    /* that, plus To and Cc of the original, minus me */
	MIME_REPLY_LIST,   /* the List-Post address (MIME_ERR_NO_LIST without one) */
};

struct mime_reply_opts {
	const char *const *me;   /* my addresses, NULL-terminated (may be NULL): left
	                            out of a reply to all */
	const char *attribution; /* line before the quote: %n the author's name,
	                            %d the original's date, %% a '%'; NULL: none.
	                            Translated by the caller (this layer does not). */
	const char *date_format; /* strftime format for %d, local time; NULL: "%Y-%m-%d %H:%M" */
};

/* A reply to the whole message raw: To/Cc by kind, Subject "Re: ...",
 * In-Reply-To and References set, body the attribution and the quoted
 * text (the first text/plain, or text/html made text; signature left
 * out).  From is left NULL for the caller.  *out owned:
 * mime_draft_free(). */
enum mime_status mime_reply_draft(const char *raw, size_t len, enum mime_reply_kind kind,
	const struct mime_reply_opts *o, struct mime_draft **out, struct mime_error *err);

/* A forward of raw: Subject "Fwd: ...".  attach_path NULL: inline, the
 * body is a blank line, banner (translated by the caller, e.g.
 * "---------- Forwarded message ----------"), the original's From, Date,
 * Subject, To, Cc and its text.  attach_path set: the caller has written
 * raw to that file (named *.eml), which becomes the only attachment
 * (sent as message/rfc822) and the body is empty.  *out owned. */
enum mime_status mime_forward_draft(const char *raw, size_t len, const char *banner,
	const char *attach_path, struct mime_draft **out, struct mime_error *err);

/* A postponed draft (a message from the Drafts folder or the outbox)
 * back into a draft: addresses, Subject, In-Reply-To, References, the
 * first text/plain part as the body; every other part is written into
 * attach_dir (which must exist and be private) under a safe name and
 * listed in attachments.  *out owned. */
enum mime_status mime_draft_from_message(const char *raw, size_t len, const char *attach_dir,
	struct mime_draft **out, struct mime_error *err);

/* A deep copy of d.  Owned. */
struct mime_draft *mime_draft_copy(const struct mime_draft *d);

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


/* ---- reading: display lines, attachments ---- */
/* A received message (whole, or header block plus the parts fetched so
 * far) turned into lines for the pager, and its attachments listed,
 * saved or handed to a viewer.  Every string in a view went through
 * core_safe_text: valid UTF-8, NFC, no controls, escapes or bidi
 * overrides.  A view belongs to one thread at a time; build it on a
 * worker (an HTML command may run up to 5 s) and hand it over. */

enum mime_line_kind {
	MIME_LINE_HEADER,      /* "Name: value": the first name_len bytes are "Name:" */
	MIME_LINE_HEADER_CONT, /* a long header value wrapped onto another line */
	MIME_LINE_TEXT,        /* body text */
	MIME_LINE_QUOTE,       /* a line starting with '>': level is 1..n */
	MIME_LINE_SIGNATURE,   /* "-- " and everything after it in that part */
	MIME_LINE_ATTACHMENT,  /* "[-- Attachment #2: a.pdf, application/pdf, 1.2 MB --]" */
	MIME_LINE_SEPARATOR,   /* empty: between headers and body, between parts */
};

struct mime_line {
	enum mime_line_kind kind;
	int level;        /* MIME_LINE_QUOTE: '>' count (">>", "> >" are 2); else 0 */
	int depth;        /* message/rfc822 nesting: 0 for the message itself */
	int name_len;     /* MIME_LINE_HEADER: bytes of text that are "Name:"; else 0 */
	int attachment;   /* MIME_LINE_ATTACHMENT: index for mime_view_attachments(); else -1 */
	int cols;         /* display columns of text, <= the wrap width except a
	                     lone wide character at a width of 1 */
	const char *text; /* borrowed from the view until it is rewrapped or
	                     freed; no '\n', no '\t' */
};

struct mime_view_opts {
	const char *const *headers; /* NULL-terminated names to show, in order;
	                               NULL: From To Cc Date Subject */
	const char *html_command;   /* text/html is given on stdin, stdout shown;
	                               NULL: "w3m -dump -T text/html -I UTF-8
	                               -O UTF-8" when w3m is on PATH, else the
	                               built-in tag stripper */
	bool html_no_command;       /* always use the built-in tag stripper */
	int html_timeout_ms;        /* the command is killed after; <= 0: 5000 */
	int cols;                   /* wrap width in display columns; <= 0: 80 */
};

struct mime_view;

enum mime_view_status {
	MIME_VIEW_OK = 0,
	MIME_VIEW_ERR_INDEX,       /* no attachment with that index */
	MIME_VIEW_ERR_NOT_FETCHED, /* lazy view: fetch the section, decode it with
	                              mime_decode_transfer, mime_view_set_attachment_bytes */
	MIME_VIEW_ERR_EXISTS,      /* the file exists and overwrite was false: ask */
	MIME_VIEW_ERR_IO,          /* writing failed; err has path and strerror text */
	MIME_VIEW_ERR_CHARSET,     /* unknown charset: the text came out through a
	                              fallback (UTF-8, then windows-1252) */
};

/* A whole message (a Maildir file, a full IMAP fetch).  Never NULL:
 * broken MIME gives whatever could be read (at worst the raw bytes made
 * safe).  multipart/alternative shows text/plain when there is one, else
 * text/html converted; multipart/mixed shows its inline text parts in
 * order and a marker for every other part; message/rfc822 parts are
 * shown nested (depth + 1) with their headers.  opts may be NULL (the
 * defaults); it is not kept.  Owned: mime_view_free(). */
struct mime_view *mime_view_new_from_bytes(const char *raw, size_t len,
	const struct mime_view_opts *opts);

/* One part for a lazy (IMAP) view, as the BODYSTRUCTURE describes it.
 * All pointers borrowed for the call. */
struct mime_view_part {
	const char *content_type; /* "text/plain" (parameters are ignored) */
	const char *text;         /* NUL-terminated UTF-8 from mime_decode_part, or
	                             NULL: not fetched (shown as a marker); for
	                             message/rfc822, the raw message (shown nested) */
	const char *filename;     /* decoded, or RFC 2047 encoded; NULL: none */
	int64_t size;             /* bytes (BODYSTRUCTURE size); -1: unknown */
	const char *section;      /* IMAP section: "1", "1.2" */
};

/* A view from a message's header block (up to the blank line, which may
 * be missing) and the parts to show, in order: for multipart/alternative
 * give only the chosen alternative.  Every part with text NULL, and every
 * part that is not text, becomes an attachment with its section; its
 * bytes come later through mime_view_set_attachment_bytes().  Owned:
 * mime_view_free(). */
struct mime_view *mime_view_new_from_parts(const char *header_block, size_t hlen,
	const struct mime_view_part *parts, size_t n, const struct mime_view_opts *opts);

void mime_view_free(struct mime_view *v);

/* The display lines; *n set.  Borrowed until mime_view_set_cols() or
 * mime_view_free(). */
const struct mime_line *mime_view_lines(const struct mime_view *v, size_t *n);

/* Rewrap at a new width (after SIGWINCH); cols <= 0: 80.  Cheap: the
 * message is not decoded again and no HTML command runs. */
void mime_view_set_cols(struct mime_view *v, int cols);

/* Undo a transfer encoding (base64, quoted-printable, x-uuencode; others,
 * and NULL, are taken as they are) and convert charset (NULL: unknown)
 * to UTF-8 through GMime's filters.  *utf8_out is always set: owned,
 * valid UTF-8 (not yet terminal safe: the view does that).
 * MIME_VIEW_OK, or MIME_VIEW_ERR_CHARSET when a fallback was used. */
enum mime_view_status mime_decode_part(const char *bytes, size_t len,
	const char *transfer_encoding, const char *charset, char **utf8_out);

/* Undo a transfer encoding only (an attachment's bytes).  Owned. */
GBytes *mime_decode_transfer(const char *bytes, size_t len, const char *transfer_encoding);

struct mime_attachment {
	size_t index;             /* position in the list; markers say #index+1 */
	const char *filename;     /* decoded (RFC 2047/2231), terminal safe; NULL: none */
	const char *content_type; /* "type/subtype", lower case, terminal safe */
	int64_t size;             /* decoded bytes (base64 estimated from its
	                             length); -1: unknown */
	const char *section;      /* IMAP section ("1", "2.1") */
	bool shown;               /* its text is shown inline in the view */
	bool fetched;             /* bytes available: mime_attachment_bytes works */
};

/* Every leaf part of the message in order (a message/rfc822 part is one
 * entry, followed by its own parts).  Borrowed from the view; *n set. */
const struct mime_attachment *mime_view_attachments(const struct mime_view *v, size_t *n);

/* The decoded bytes of attachment index.  *out owned (g_bytes_unref).
 * MIME_VIEW_ERR_INDEX, MIME_VIEW_ERR_NOT_FETCHED. */
enum mime_view_status mime_attachment_bytes(struct mime_view *v, size_t index, GBytes **out);

/* Give a lazy view the decoded bytes of attachment index (takes a
 * reference).  Ignored for a bad index. */
void mime_view_set_attachment_bytes(struct mime_view *v, size_t index, GBytes *decoded);

/* A file name safe to create in a directory: controls, escapes and bidi
 * overrides removed, '/' and '\\' made '_', ".." runs made ".", no
 * leading '.', '-' or space, at most 200 bytes (the extension kept,
 * UTF-8 never cut inside a character); empty gives "attachment-<index+1>".
 * Owned. */
char *mime_attachment_safe_name(const char *name, size_t index);

/* For a file or type handed to a shell command (mailcap, the viewer
 * command): only ASCII letters, digits and . _ - + (a type also '/'), so
 * no quoting context of the command can be broken out of, whatever the
 * message says; the name keeps its extension for the viewer.  Quoting
 * alone is not enough: a mailcap entry may put %s inside its own quotes
 * ("sh -c 'cat %s'").  Owned. */
char *mime_shell_safe_name(const char *name, size_t index);
char *mime_shell_safe_type(const char *type);

/* Save attachment index into dir under its sanitised filename, or
 * name_override (sanitised the same way) when not NULL.  The file is
 * written to a temporary file, fsynced and then linked into place, mode
 * 0600 (an attachment is private mail).  An existing file is never
 * replaced unless overwrite: MIME_VIEW_ERR_EXISTS (with *saved_path set)
 * lets the UI ask and call again.  *saved_path (may be NULL) and *err
 * (may be NULL; raw "path: strerror" text) are owned; NULL when unset. */
enum mime_view_status mime_attachment_save(struct mime_view *v, size_t index, const char *dir,
	const char *name_override, bool overwrite, char **saved_path, char **err);

/* mailcap flags of the entry found. */
#define MIME_MAILCAP_NEEDSTERMINAL 1u /* leave curses while it runs */
#define MIME_MAILCAP_COPIOUSOUTPUT 2u /* its stdout is text for the pager */

/* The view command for content_type from the first matching entry of
 * the mailcap files (NULL-terminated list of paths; missing files are
 * skipped).  "type/subtype", a subtype of "*" and a bare "type" match,
 * case-insensitive; an entry with test= matches when its test command
 * exits 0.  %s becomes path shell-quoted, %t the type; without %s the
 * file is given on stdin.
 * *flags (may be NULL) gets MIME_MAILCAP_*.  Owned, or NULL when nothing
 * matches. */
char *mime_mailcap_lookup(const char *content_type, const char *path,
	const char *const *files, unsigned *flags);

/* mime_mailcap_lookup over ~/.mailcap and /etc/mailcap. */
char *mime_mailcap_command(const char *content_type, const char *path);

#endif
