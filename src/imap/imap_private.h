/* imap_private.h - shared inside src/imap only; nothing outside includes it. */
#ifndef MAILTUI_IMAP_PRIVATE_H
#define MAILTUI_IMAP_PRIVATE_H

#include "imap/imap.h"

#include <glib.h>

/* ---- arena: every allocation of one response, freed at once ---------- */

struct imap_arena;

struct imap_arena *imap_arena_new(void);
void imap_arena_free(struct imap_arena *a);
/* Zeroed, 8-byte aligned; never NULL (aborts like g_malloc). */
void *imap_arena_alloc(struct imap_arena *a, size_t size);
/* Copy of len bytes plus a NUL. */
char *imap_arena_strndup(struct imap_arena *a, const char *s, size_t len);

/* Allocate count elements of type T from r's arena. */
#define IMAP_RNEW(r, T, count) ((T *)imap_arena_alloc((r)->arena_, sizeof(T) * (count)))

/* Parse a complete, framed response (buf ends with its final LF). */
enum imap_parse_result imap_parse_framed(const struct imap_limits *lim, const char *buf,
	size_t len, struct imap_response **out, size_t *err_offset);

/* Parse values of a response code's arguments into r's arena. */
bool imap_parse_values(struct imap_response *r, const struct imap_limits *lim,
	const char *s, size_t len, const struct imap_value **items, size_t *n);

/* Decode a mailbox name value to UTF-8 into r's arena (NULL if invalid). */
const char *imap_decode_mailbox(struct imap_response *r, const char *raw, bool utf8);

/* Parse an RFC 3501 date-time ("17-Jul-1996 02:44:25 -0700"); 0 on failure. */
time_t imap_parse_date_time(const char *s);

/* ======================================================================
 * Session internals
 * ====================================================================== */

/* One command's view of the responses that arrive while it runs. */
struct imap_cmd_ctx {
	/* Untagged data the command asked for (LIST, STATUS, SEARCH ...);
	 * called after the session's own bookkeeping. */
	void (*untagged)(struct imap_session *s, struct imap_response *r, void *user);
	imap_msg_fn msg_fn;  /* FETCH responses, when set (else events) */
	void *user;
	enum imap_status no_status; /* what a tagged NO means for this command */
	struct imap_code done_code; /* code of the tagged completion (strings g_strdup'ed) */
	char *done_set1, *done_set2;
	bool want_continue;  /* return IMAP_OK at a "+" instead of failing */
	bool got_continue;
	char *continue_text; /* text of the "+" line (owned) */
};

struct imap_session {
	struct imap_opts opts; /* strings below are the owned copies */
	char *host, *ca_file, *pin, *trust_file, *accept_once, *user, *password;
	struct net_conn *conn;
	enum imap_state state;
	uint64_t caps, enabled;
	unsigned caps_gen; /* bumped whenever caps are learnt */
	unsigned next_tag;
	GByteArray *rbuf;
	struct imap_parser parser;
	imap_event_fn ev_fn;
	void *ev_user;
	const volatile int *cancel; /* of the running call */
	bool idle_poll;             /* a read timeout is "nothing yet", not a failure */
	/* last failure */
	char *text, *code;
	struct net_error net_err;
	/* selected mailbox */
	bool selected;
	struct imap_mailbox mbox;
	struct imap_select_opts sel_opts; /* what the selection was made with */
	char *sel_known;
};

/* state.c */
void imap_set_state(struct imap_session *s, enum imap_state st);
/* Record a failure with server text (may be NULL) and code (may be NULL). */
enum imap_status imap_fail(struct imap_session *s, enum imap_status st, const char *text,
	const char *code);
/* Close the connection after a connection-level failure. */
void imap_drop(struct imap_session *s);
void imap_clear_error(struct imap_session *s);

/* io.c */
/* Read one response.  Untagged ones are not dispatched here. */
enum imap_status imap_read_response(struct imap_session *s, struct imap_response **out);
/* Send one command: "tag " + text + CRLF; text may be split at
 * synchronizing literals: parts[i] ends with "{n}\r\n" for i < n - 1, and
 * the server's "+" is awaited before the next part.  sensitive: logged
 * as the command word only.  *tag receives the tag number. */
enum imap_status imap_send(struct imap_session *s, GPtrArray *parts, bool sensitive,
	struct imap_cmd_ctx *ctx, unsigned *tag);
/* Simple form: one part, no literals. */
enum imap_status imap_send_simple(struct imap_session *s, const char *text, unsigned *tag);
/* Read until tag completes, dispatching untagged responses. */
enum imap_status imap_wait(struct imap_session *s, unsigned tag, struct imap_cmd_ctx *ctx);
/* imap_send_simple + imap_wait. */
enum imap_status imap_run(struct imap_session *s, const char *text, struct imap_cmd_ctx *ctx);
/* Session bookkeeping and events for one untagged response. */
void imap_dispatch(struct imap_session *s, struct imap_response *r, struct imap_cmd_ctx *ctx);
void imap_ctx_clear(struct imap_cmd_ctx *ctx);
bool imap_cancelled(const struct imap_session *s);

/* Command building: append an astring (quoted, or a literal that starts
 * a new part), and a mailbox name (UTF-8 in, wire form out). */
void imap_arg_string(struct imap_session *s, GPtrArray *parts, const char *str, size_t len);
bool imap_arg_mailbox(struct imap_session *s, GPtrArray *parts, const char *utf8);
GPtrArray *imap_parts_new(const char *first);
void imap_parts_append(GPtrArray *parts, const char *text);

/* auth.c */
enum imap_status imap_open(struct imap_session *s);

/* mailbox.c */
enum imap_status imap_select_internal(struct imap_session *s, const char *name,
	const struct imap_select_opts *o);

#endif
