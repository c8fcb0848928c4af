/* pop3.h - POP3 client and the downloader into a notmuch-indexed Maildir.
 *
 * Three layers, each usable alone:
 *  - the response parser: pure functions over bytes (no I/O, no globals),
 *    driven directly by unit tests and tests/fuzz/fuzz_pop3_parse.c;
 *  - the session: an explicit state machine over a net connection (STLS or
 *    implicit TLS, CAPA, AUTH PLAIN / USER+PASS / APOP, STAT, LIST, UIDL,
 *    RETR with PIPELINING, DELE, RSET, QUIT);
 *  - pop3_fetch(): download every new message (by UIDL) into the account's
 *    Maildir through src/local/, index it, record it, then DELE what the
 *    keep policy allows.
 *
 * Nothing here prints or translates: failures come back as a pop3_status
 * plus struct pop3_error (raw server text, net_error) for the front end.
 *
 * UIDL state lives in $XDG_STATE_HOME/mailtui/pop3/ (see pop3_state_dir()):
 *   <account>.uidl       "mailtui-uidl 1" then one line per message known
 *                        to be downloaded and still on the server:
 *                        "<uidl> <unix time of download>"; written with
 *                        core_atomic_write after each indexed batch.
 *   <account>.lock       flock()ed during a fetch: one fetch per account.
 * <account> is the account name with bytes outside [A-Za-z0-9._-] as %XX.
 * Files notmuch refuses to index are listed by local_unindexed_add(). */
#ifndef MAILTUI_POP3_H
#define MAILTUI_POP3_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <glib.h>

#include "net/net.h"

/* ---- response parser (pure) ------------------------------------------- */

enum pop3_parse {
	POP3_PARSE_DONE = 0,   /* a complete value was parsed */
	POP3_PARSE_NEED_MORE,  /* multi-line: feed more bytes */
	POP3_PARSE_TOO_LONG,   /* over the cap: the parser stops for good */
	POP3_PARSE_SYNTAX,     /* not a POP3 reply */
};

enum pop3_reply_kind { POP3_REPLY_OK, POP3_REPLY_ERR, POP3_REPLY_CONT };

/* RFC 2449/3206 response codes seen in "[...]" after +OK/-ERR. */
enum pop3_resp_code {
	POP3_CODE_NONE = 0,
	POP3_CODE_IN_USE,      /* mailbox locked by another session */
	POP3_CODE_LOGIN_DELAY, /* logging in too often */
	POP3_CODE_SYS_TEMP,    /* temporary server failure: try later */
	POP3_CODE_SYS_PERM,    /* permanent server failure */
	POP3_CODE_AUTH,        /* the credentials were wrong */
	POP3_CODE_UTF8,
	POP3_CODE_OTHER,       /* a code we do not know; see code text */
};

/* One status line.  Pointers borrow from the parsed line. */
struct pop3_status_line {
	enum pop3_reply_kind kind;
	enum pop3_resp_code code;
	const char *code_text; /* inside the brackets, or NULL */
	size_t code_len;
	const char *text;      /* after the code (or the status word), trimmed */
	size_t text_len;
};

/* Parse "+OK ...", "-ERR [CODE] ...", or a SASL "+ ..." continuation from
 * one line without its CRLF.  DONE or SYNTAX. */
enum pop3_parse pop3_parse_status(const char *line, size_t len,
	struct pop3_status_line *out);

/* Incremental decoder of a multi-line body (after its status line):
 * removes dot-stuffing, stops at the terminating ".", turns CRLF into LF
 * when lf is set (Maildir files use LF).  Bare CR is kept as is. */
struct pop3_ml {
	int state;
	bool lf;
	size_t cap;   /* most output bytes accepted */
	GString *out; /* decoded bytes; owned (pop3_ml_clear frees it) */
};

/* out is created; cap 0 means 64 MiB. */
void pop3_ml_init(struct pop3_ml *m, size_t cap, bool lf);
void pop3_ml_reset(struct pop3_ml *m); /* empty out, start a new body */
void pop3_ml_clear(struct pop3_ml *m);
/* Take the decoded bytes (ownership to the caller) and start afresh. */
GString *pop3_ml_steal(struct pop3_ml *m);
/* Feed len bytes; *used gets how many were consumed (all of them unless
 * DONE came earlier: the rest belongs to the next reply).  NEED_MORE,
 * DONE or TOO_LONG. */
enum pop3_parse pop3_ml_feed(struct pop3_ml *m, const char *buf, size_t len,
	size_t *used);

/* CAPA (RFC 2449) lines of interest. */
struct pop3_caps {
	bool known;      /* CAPA answered +OK */
	bool stls, user, uidl, top, pipelining, resp_codes, auth_resp_code;
	bool sasl_plain;
	int login_delay; /* seconds, -1 unknown */
	int expire;      /* days, -1 unknown or NEVER, 0 = deleted at QUIT */
	char *sasl;      /* the SASL line's mechanisms, owned, or NULL */
	char *implementation; /* owned or NULL */
};

/* Parse a decoded CAPA body (LF or CRLF lines).  Never fails: unknown
 * lines are ignored.  pop3_caps_clear frees the strings. */
void pop3_parse_capa(const char *body, size_t len, struct pop3_caps *out);
void pop3_caps_clear(struct pop3_caps *c);

struct pop3_msg {
	unsigned num;   /* message number in this session */
	uint64_t size;  /* from LIST, 0 when unknown */
	char *uidl;     /* owned, NULL when the server has no UIDL */
};

/* "N SIZE" (LIST) and "N UID" (UIDL) lines.  A unique id is 1..70 bytes
 * of 0x21..0x7E.  *uid borrows from line.  DONE or SYNTAX. */
enum pop3_parse pop3_parse_list_line(const char *line, size_t len,
	unsigned *num, uint64_t *size);
enum pop3_parse pop3_parse_uidl_line(const char *line, size_t len,
	unsigned *num, const char **uid, size_t *uid_len);
bool pop3_uidl_valid(const char *uid, size_t len);

/* The APOP timestamp "<...@...>" of a greeting's text, owned, or NULL. */
char *pop3_greeting_timestamp(const char *text, size_t len);

/* ---- session ------------------------------------------------------------ */

enum pop3_status {
	POP3_OK = 0,
	POP3_ERR_NET,        /* transport failed: see err->net */
	POP3_ERR_PROTOCOL,   /* a reply that makes no sense (server text kept) */
	POP3_ERR_SERVER,     /* -ERR to a command (server text and code kept) */
	POP3_ERR_AUTH,       /* the server refused the credentials */
	POP3_ERR_NO_AUTH,    /* no login method both sides accept */
	POP3_ERR_INSECURE,   /* credentials would cross a plaintext link */
	POP3_ERR_IN_USE,     /* mailbox locked ([IN-USE]) or [LOGIN-DELAY] */
	POP3_ERR_NO_UIDL,    /* server has no UIDL and the account keeps mail */
	POP3_ERR_TOO_LONG,   /* a reply over its cap */
	POP3_ERR_DISK,       /* writing the Maildir or the state: err->sys_errno */
	POP3_ERR_INDEX,      /* notmuch failed (detail in err->text) */
	POP3_ERR_LOCKED,     /* another fetch of this account is running */
	POP3_ERR_CANCELLED,
};

struct pop3_error {
	enum pop3_status status;
	struct net_error net;       /* with POP3_ERR_NET */
	enum pop3_resp_code code;   /* with server replies */
	char text[512];             /* raw server text or local detail; untrusted */
	char command[16];           /* the command that failed, "RETR" say */
	int sys_errno;              /* with POP3_ERR_DISK */
};

/* Short English name of a status for logs (not for people). */
const char *pop3_status_name(enum pop3_status s);

struct pop3_opts {
	const char *host;        /* borrowed for the call */
	unsigned port;
	enum net_tls tls;        /* NET_TLS_NONE only with tls = none */
	const char *user;
	const char *password;    /* borrowed; never logged */
	int timeout_ms;          /* connect and each read; 0: 30000 */
	const char *ca_file, *pin, *trust_file, *accept_once; /* as net_opts */
	const volatile int *cancel;
	unsigned window;         /* RETRs in flight with PIPELINING; 0: 32 */
	bool no_pipelining;      /* tests: ignore PIPELINING */
};

struct pop3_session;

/* Connect, read the greeting, CAPA, STLS when tls is STARTTLS (an error
 * when not offered), CAPA again, then log in: AUTH PLAIN when SASL PLAIN
 * is offered, else USER/PASS, else APOP when the greeting has a timestamp
 * (APOP first on a plaintext link).  *out owned (pop3_close). */
enum pop3_status pop3_connect(const struct pop3_opts *o, struct pop3_session **out,
	struct pop3_error *err);

/* Capabilities after login.  Borrowed until pop3_close. */
const struct pop3_caps *pop3_caps(const struct pop3_session *s);

enum pop3_status pop3_stat(struct pop3_session *s, unsigned *count, uint64_t *octets,
	struct pop3_error *err);

/* LIST then UIDL (when with_uidl): *msgs gets a GArray of struct pop3_msg,
 * owned; free with pop3_msgs_free.  A -ERR to UIDL is POP3_ERR_NO_UIDL. */
enum pop3_status pop3_list(struct pop3_session *s, bool with_uidl, GArray **msgs,
	struct pop3_error *err);
void pop3_msgs_free(GArray *msgs);

/* Called once per message retrieved, in order.  data is LF-terminated
 * lines, dot-unstuffed; ownership passes to the callee.  Return false to
 * stop (the remaining replies are drained).  */
typedef bool (*pop3_retr_cb)(void *ctx, size_t index, GString *data);

/* RETR each of nums[0..n-1]; pipelined (window) when PIPELINING is offered.
 * Stops at the first failure; messages already passed to cb are the
 * caller's. */
enum pop3_status pop3_retr_many(struct pop3_session *s, const unsigned *nums, size_t n,
	pop3_retr_cb cb, void *ctx, struct pop3_error *err);

/* DELE each of nums; ok[i] tells which got +OK (a refusal is not an
 * error of the call; a broken connection is). */
enum pop3_status pop3_dele_many(struct pop3_session *s, const unsigned *nums, size_t n,
	bool *ok, struct pop3_error *err);

enum pop3_status pop3_rset(struct pop3_session *s, struct pop3_error *err);
/* QUIT: POP3_OK only when the server answered +OK, i.e. the deletions of
 * this session are done. */
enum pop3_status pop3_quit(struct pop3_session *s, struct pop3_error *err);
/* Close without QUIT (nothing marked deleted is removed).  NULL is fine. */
void pop3_close(struct pop3_session *s);

/* ---- fetch: download into Maildir + notmuch ---------------------------- */

enum pop3_keep { POP3_KEEP_NO, POP3_KEEP_YES, POP3_KEEP_DAYS };

struct pop3_fetch_opts {
	struct pop3_opts conn;
	const char *account;    /* name: a tag on every message, state file name */
	const char *maildir;    /* root; created with cur/ new/ tmp/ and notmuch */
	enum pop3_keep keep;
	int keep_days;
	const char *state_dir;  /* NULL: pop3_state_dir() */
	/* Progress: done of total messages safely stored.  Called from the
	 * fetch's worker threads, one call at a time. */
	void (*progress)(void *ctx, size_t done, size_t total);
	void *progress_ctx;
};

struct pop3_fetch_result {
	size_t total_new;    /* new messages found on the server */
	size_t fetched;      /* stored, indexed and recorded */
	size_t deleted;      /* deleted from the server (QUIT succeeded) */
	size_t dele_refused; /* DELE answered -ERR: kept, retried next time */
	size_t unindexed;    /* kept in the Maildir, refused by notmuch */
	bool quit_failed;    /* deletions not done: still recorded as on server */
};

/* One whole fetch.  POP3_OK or the first failure; res says what was
 * achieved either way (messages stored before a failure stay recorded). */
enum pop3_status pop3_fetch(const struct pop3_fetch_opts *o, struct pop3_fetch_result *res,
	struct pop3_error *err);

/* $XDG_STATE_HOME/mailtui/pop3, owned. */
char *pop3_state_dir(void);

#endif
