/* imap.h - IMAP4rev1 client: a pure response parser with typed decoders,
 * modified UTF-7 mailbox names, and a session that runs the commands.
 *
 * Nothing here prints or translates: failures are an enum imap_status
 * plus the raw server text kept on the session (imap_session_text()).
 *
 * Ownership: a struct imap_response owns every byte reachable from it
 * (values, decoded envelopes, body structures); decoded structs borrow
 * from the response they were decoded from and die with it.  Callbacks
 * receive borrowed pointers valid only during the call. */
#ifndef MAILTUI_IMAP_H
#define MAILTUI_IMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include <glib.h>

#include "net/net.h"

/* ======================================================================
 * Response parser (pure: bytes in, response out; no I/O, no globals)
 * ====================================================================== */

struct imap_response;
struct imap_arena;

struct imap_limits {
	size_t max_line;    /* bytes of one line outside literals; 0: 1 MiB */
	size_t max_literal; /* bytes of one literal; 0: 64 MiB */
	size_t max_depth;   /* nesting of parenthesised lists; 0: 64 */
	size_t max_items;   /* values in one response; 0: 2,000,000 */
};

enum imap_parse_result {
	IMAP_PARSE_DONE,        /* *out holds one response of *used bytes */
	IMAP_PARSE_MORE,        /* need more bytes; *need > 0 inside a literal */
	IMAP_PARSE_ERR_SYNTAX,  /* malformed response */
	IMAP_PARSE_ERR_DEPTH,   /* lists nested deeper than max_depth */
	IMAP_PARSE_ERR_ITEMS,   /* more than max_items values */
	IMAP_PARSE_ERR_LINE,    /* a line longer than max_line */
	IMAP_PARSE_ERR_LITERAL, /* a literal larger than max_literal */
};

/* Framing state between calls, so a response that arrives in pieces is
 * scanned once.  Plain data: init it, no free needed. */
struct imap_parser {
	struct imap_limits lim;
	size_t pos;         /* bytes of the current response already framed */
	size_t line_start;  /* start of the line being framed */
	size_t lit_left;    /* literal bytes still to come */
	size_t err_offset;  /* where the last error was found */
};

void imap_parser_init(struct imap_parser *p, const struct imap_limits *lim /* NULL: defaults */);

/* Feed the bytes of the current response: buf[0..len) must start at the
 * response's first byte and hold everything received since (the caller
 * appends and calls again after MORE; after DONE it drops *used bytes
 * from the front).  On DONE *out is owned by the caller
 * (imap_response_free).  *need is the number of literal bytes still
 * missing, 0 when a line is awaited.  Errors leave the parser reset. */
enum imap_parse_result imap_parse(struct imap_parser *p, const char *buf, size_t len,
	struct imap_response **out, size_t *used, size_t *need);

/* Name of a parse result ("syntax", ...), for logs.  Static string. */
const char *imap_parse_result_name(enum imap_parse_result r);

enum imap_value_type {
	IMAP_VALUE_ATOM,   /* includes numbers, flags, "BODY[1]<0>" items */
	IMAP_VALUE_STRING, /* quoted string or literal */
	IMAP_VALUE_NIL,
	IMAP_VALUE_LIST,
};

#define IMAP_VALUE_LITERAL 1u /* string came as {n} */
#define IMAP_VALUE_BINARY  2u /* string came as ~{n} (may hold NULs) */

struct imap_value {
	enum imap_value_type type;
	unsigned flags;
	const char *str;                 /* atom/string bytes, NUL-terminated; NULL otherwise */
	size_t len;                      /* bytes in str */
	const struct imap_value *items;  /* list members */
	size_t n;                        /* number of list members */
};

enum imap_resp_kind {
	IMAP_RESP_UNTAGGED, /* "* ..." */
	IMAP_RESP_TAGGED,   /* "a1 OK ..." */
	IMAP_RESP_CONTINUE, /* "+ ..." */
};

enum imap_cond {
	IMAP_COND_NONE, /* not a status response (data: FETCH, LIST ...) */
	IMAP_COND_OK,
	IMAP_COND_NO,
	IMAP_COND_BAD,
	IMAP_COND_PREAUTH,
	IMAP_COND_BYE,
};

enum imap_code_kind {
	IMAP_CODE_NONE, /* no [code] */
	IMAP_CODE_OTHER, /* see name and raw */
	IMAP_CODE_ALERT,
	IMAP_CODE_CAPABILITY,     /* args: atoms */
	IMAP_CODE_PERMANENTFLAGS, /* args: the flags */
	IMAP_CODE_READ_ONLY,
	IMAP_CODE_READ_WRITE,
	IMAP_CODE_TRYCREATE,
	IMAP_CODE_UIDNEXT,        /* number */
	IMAP_CODE_UIDVALIDITY,    /* number */
	IMAP_CODE_UNSEEN,         /* number */
	IMAP_CODE_HIGHESTMODSEQ,  /* number */
	IMAP_CODE_NOMODSEQ,
	IMAP_CODE_APPENDUID,      /* number = uidvalidity, set1 = uid(s) */
	IMAP_CODE_COPYUID,        /* number = uidvalidity, set1 = source, set2 = dest */
	IMAP_CODE_CLOSED,
	IMAP_CODE_UIDNOTSTICKY,
	IMAP_CODE_MODIFIED,       /* set1 = uids not stored (CONDSTORE) */
};

struct imap_code {
	enum imap_code_kind kind;
	const char *name;  /* the code's atom, uppercased; NULL when none */
	const char *raw;   /* text after the name up to "]", "" when none */
	uint64_t number;
	const char *set1, *set2;
	const struct imap_value *args;
	size_t nargs;
};

struct imap_response {
	enum imap_resp_kind kind;
	const char *tag;      /* tagged responses; NULL otherwise */
	enum imap_cond cond;  /* status responses; IMAP_COND_NONE for data */
	struct imap_code code;
	const char *text;     /* human text of a status or continuation response, "" if none;
	                         untrusted server bytes */
	bool has_number;      /* "* 12 FETCH": number = 12 */
	uint32_t number;
	const char *name;     /* keyword uppercased: "FETCH", "LIST", "OK", ...; "" for "+" */
	const struct imap_value *args; /* data after the keyword (not for status responses) */
	size_t nargs;
	struct imap_arena *arena_; /* private */
};

void imap_response_free(struct imap_response *r);

/* ---- value helpers --------------------------------------------------- */

/* Atom or string text; NULL for NIL and lists. Borrowed. */
const char *imap_value_str(const struct imap_value *v);
/* Case-insensitive compare of an atom or string with s. */
bool imap_value_is(const struct imap_value *v, const char *s);
/* A number that fits (digits only). */
bool imap_value_u32(const struct imap_value *v, uint32_t *out);
bool imap_value_u64(const struct imap_value *v, uint64_t *out);

/* ---- sequence sets --------------------------------------------------- */

struct imap_range {
	uint32_t lo, hi; /* lo <= hi; "*" is UINT32_MAX */
};

/* Parse "1:4,7,9:*".  *out owned (g_free).  False when malformed or when
 * there are more than max ranges. */
bool imap_seqset_parse(const char *s, size_t max, struct imap_range **out, size_t *n);
/* Format uids (any order, duplicates allowed) as a compact set "1:3,7".
 * Returns owned string (g_free), "" for n == 0. */
char *imap_seqset_format(const uint32_t *uids, size_t n);

/* ---- capabilities ---------------------------------------------------- */

enum imap_cap {
	IMAP_CAP_IMAP4REV1 = 1ull << 0,
	IMAP_CAP_STARTTLS = 1ull << 1,
	IMAP_CAP_LOGINDISABLED = 1ull << 2,
	IMAP_CAP_AUTH_PLAIN = 1ull << 3,
	IMAP_CAP_SASL_IR = 1ull << 4,
	IMAP_CAP_IDLE = 1ull << 5,
	IMAP_CAP_UIDPLUS = 1ull << 6,
	IMAP_CAP_MOVE = 1ull << 7,
	IMAP_CAP_CONDSTORE = 1ull << 8,
	IMAP_CAP_QRESYNC = 1ull << 9,
	IMAP_CAP_LITERALPLUS = 1ull << 10,
	IMAP_CAP_LITERALMINUS = 1ull << 11,
	IMAP_CAP_ENABLE = 1ull << 12,
	IMAP_CAP_SPECIAL_USE = 1ull << 13,
	IMAP_CAP_LIST_STATUS = 1ull << 14,
	IMAP_CAP_LIST_EXTENDED = 1ull << 15,
	IMAP_CAP_UTF8_ACCEPT = 1ull << 16,
	IMAP_CAP_ESEARCH = 1ull << 17,
	IMAP_CAP_BINARY = 1ull << 18,
	IMAP_CAP_NAMESPACE = 1ull << 19,
	IMAP_CAP_UNSELECT = 1ull << 20,
	IMAP_CAP_CHILDREN = 1ull << 21,
	IMAP_CAP_SORT = 1ull << 22,
	IMAP_CAP_THREAD_REFERENCES = 1ull << 23,
	IMAP_CAP_ID = 1ull << 24,
	IMAP_CAP_IMAP4REV2 = 1ull << 25,
};

/* Bits of the known capability atoms among v[0..n) (unknown ones ignored). */
uint64_t imap_caps_from_values(const struct imap_value *v, size_t n);
/* The capabilities of "* CAPABILITY ...", "* ENABLED ..." or a status
 * response with a [CAPABILITY ...] code; 0 for anything else. */
uint64_t imap_caps_decode(const struct imap_response *r);
/* Canonical name of one capability bit ("IDLE"), or NULL. Static. */
const char *imap_cap_name(uint64_t cap);

/* ---- FETCH ----------------------------------------------------------- */

/* Which FETCH items a struct imap_msg has (also what to ask for). */
enum imap_fetch_item {
	IMAP_FETCH_UID = 1u << 0,
	IMAP_FETCH_FLAGS = 1u << 1,
	IMAP_FETCH_INTERNALDATE = 1u << 2,
	IMAP_FETCH_SIZE = 1u << 3, /* RFC822.SIZE */
	IMAP_FETCH_ENVELOPE = 1u << 4,
	IMAP_FETCH_BODYSTRUCTURE = 1u << 5,
	IMAP_FETCH_HEADERS = 1u << 6, /* BODY.PEEK[HEADER.FIELDS (...)] */
	IMAP_FETCH_MODSEQ = 1u << 7,
	IMAP_FETCH_SECTIONS = 1u << 8, /* any BODY[...] / BINARY[...] data */
	IMAP_FETCH_HEADER = 1u << 9,   /* BODY.PEEK[HEADER]: the whole header block */
};

/* System flags as bits; every flag is also in flags[]. */
enum imap_flag {
	IMAP_FLAG_SEEN = 1u << 0,
	IMAP_FLAG_ANSWERED = 1u << 1,
	IMAP_FLAG_FLAGGED = 1u << 2,
	IMAP_FLAG_DELETED = 1u << 3,
	IMAP_FLAG_DRAFT = 1u << 4,
	IMAP_FLAG_RECENT = 1u << 5,
	IMAP_FLAG_FORWARDED = 1u << 6, /* $Forwarded */
};

/* Raw server strings (RFC 2047 words left encoded: decoding is mime's
 * job); NULL where the server sent NIL. */
struct imap_address {
	const char *name, *adl, *mailbox, *host; /* host NULL: group start/end (RFC 3501) */
};

struct imap_envelope {
	const char *date, *subject, *in_reply_to, *message_id;
	const struct imap_address *from, *sender, *reply_to, *to, *cc, *bcc;
	size_t n_from, n_sender, n_reply_to, n_to, n_cc, n_bcc;
};

struct imap_param {
	const char *name, *value;
};

struct imap_body {
	const char *type, *subtype; /* as sent (compare case-insensitively) */
	const char *section;        /* "1", "2.1"; "" for the top multipart */
	const struct imap_param *params;
	size_t n_params;
	const char *id, *description, *encoding; /* NULL when NIL */
	uint32_t size;  /* octets of the encoded part */
	uint32_t lines; /* TEXT and MESSAGE/RFC822 parts */
	const char *md5, *disposition, *language, *location; /* extension data, may be NULL */
	const struct imap_param *disp_params;
	size_t n_disp_params;
	const struct imap_envelope *envelope; /* message/rfc822 */
	const struct imap_body *message;      /* message/rfc822: its body */
	const struct imap_body *parts;        /* multipart children */
	size_t n_parts;
};

struct imap_section_data {
	const char *section; /* inside the brackets: "1", "HEADER.FIELDS (SUBJECT)", "" */
	bool binary;         /* BINARY[...] rather than BODY[...] */
	bool has_origin;
	uint32_t origin;     /* "<origin>" of a partial fetch */
	const char *data;    /* NULL when NIL */
	size_t len;
};

struct imap_msg {
	uint32_t seq;
	unsigned have; /* enum imap_fetch_item bits present */
	uint32_t uid;
	const char *const *flags;
	size_t n_flags;
	unsigned flag_bits; /* enum imap_flag */
	const char *internaldate; /* as sent */
	time_t internaldate_t;    /* parsed, UTC seconds; 0 if unparseable */
	uint64_t size;
	uint64_t modseq;
	const struct imap_envelope *envelope;
	const struct imap_body *body;
	const struct imap_section_data *sections;
	size_t n_sections;
};

/* Decode "* n FETCH (...)".  False when r is not a FETCH or is malformed.
 * *out borrows from r. */
bool imap_fetch_decode(struct imap_response *r, struct imap_msg *out);
/* The data of the section whose name matches (case-insensitive), or NULL. */
const struct imap_section_data *imap_msg_section(const struct imap_msg *m, const char *section);
/* Flag bits of one flag name ("\\Seen" -> IMAP_FLAG_SEEN), 0 for others. */
unsigned imap_flag_bit(const char *flag);

/* ---- LIST / LSUB / STATUS / SEARCH / ESEARCH / VANISHED --------------- */

enum imap_mbox_attr {
	IMAP_MBX_NOSELECT = 1u << 0,
	IMAP_MBX_NOINFERIORS = 1u << 1,
	IMAP_MBX_HASCHILDREN = 1u << 2,
	IMAP_MBX_HASNOCHILDREN = 1u << 3,
	IMAP_MBX_MARKED = 1u << 4,
	IMAP_MBX_UNMARKED = 1u << 5,
	IMAP_MBX_NONEXISTENT = 1u << 6,
	IMAP_MBX_SUBSCRIBED = 1u << 7,
	IMAP_MBX_REMOTE = 1u << 8,
	/* RFC 6154 special use */
	IMAP_MBX_ALL = 1u << 9,
	IMAP_MBX_ARCHIVE = 1u << 10,
	IMAP_MBX_DRAFTS = 1u << 11,
	IMAP_MBX_FLAGGED = 1u << 12,
	IMAP_MBX_JUNK = 1u << 13,
	IMAP_MBX_SENT = 1u << 14,
	IMAP_MBX_TRASH = 1u << 15,
};
#define IMAP_MBX_SPECIAL_USE_MASK 0xfe00u

struct imap_list {
	unsigned attrs;          /* enum imap_mbox_attr */
	char delim;              /* hierarchy delimiter, 0 when NIL */
	const char *raw_name;    /* as on the wire (mUTF-7 unless UTF8=ACCEPT) */
	const char *name;        /* UTF-8; NULL when the wire name is not valid */
};

/* "* LIST" or "* LSUB".  utf8: UTF8=ACCEPT is enabled (names are UTF-8). */
bool imap_list_decode(struct imap_response *r, bool utf8, struct imap_list *out);

enum imap_status_item {
	IMAP_STATUS_MESSAGES = 1u << 0,
	IMAP_STATUS_RECENT = 1u << 1,
	IMAP_STATUS_UIDNEXT = 1u << 2,
	IMAP_STATUS_UIDVALIDITY = 1u << 3,
	IMAP_STATUS_UNSEEN = 1u << 4,
	IMAP_STATUS_HIGHESTMODSEQ = 1u << 5,
};

struct imap_mbox_status {
	const char *raw_name, *name; /* as in struct imap_list */
	unsigned have;               /* enum imap_status_item */
	uint32_t messages, recent, uidnext, uidvalidity, unseen;
	uint64_t highestmodseq;
};

bool imap_status_decode(struct imap_response *r, bool utf8, struct imap_mbox_status *out);

struct imap_search {
	bool esearch;        /* ESEARCH form */
	const char *tag;     /* ESEARCH (TAG "x"), or NULL */
	bool uid;            /* ESEARCH ... UID */
	bool has_min, has_max, has_count;
	uint32_t min, max, count;
	const char *all;     /* ESEARCH ALL set, or NULL */
	const uint32_t *nums; /* SEARCH numbers */
	size_t n_nums;
	uint64_t modseq;     /* (MODSEQ n) / MODSEQ n, 0 when absent */
};

bool imap_search_decode(struct imap_response *r, struct imap_search *out);

/* "* VANISHED [(EARLIER)] set": *set borrowed from r. */
bool imap_vanished_decode(const struct imap_response *r, bool *earlier, const char **set);

/* ======================================================================
 * Mailbox names: modified UTF-7 (RFC 3501 5.1.3)
 * ====================================================================== */

/* UTF-8 to modified UTF-7.  Owned (g_free); NULL when utf8 is not valid UTF-8. */
char *imap_utf7_encode(const char *utf8);
/* Modified UTF-7 to UTF-8.  Owned (g_free); NULL when the input is not
 * valid modified UTF-7 (bad base64, non-canonical, raw 8-bit, bad UTF-16). */
char *imap_utf7_decode(const char *mutf7);

/* ======================================================================
 * Session
 *
 * One connection, one thread at a time.  Every call that talks to the
 * server blocks until the command completes, and takes a cancel flag: it
 * is checked between responses; a blocked read sees only the session's
 * own flag (opts.net.cancel, handed to net at connect).  A cancelled or
 * failed command leaves the connection out of step, so the session
 * closes it: the caller may imap_session_reconnect().
 * ====================================================================== */

/* Scope says what a failure spoils, retry what may help (like isync's
 * DRV_MSG_BAD / DRV_BOX_BAD / DRV_STORE_BAD). */
enum imap_status {
	IMAP_OK = 0,
	IMAP_ERR_NET,         /* connection: transport failed, see imap_session_net_error(); temporary */
	IMAP_ERR_TLS,         /* connection: certificate or STARTTLS refused (net error); final */
	IMAP_ERR_CLOSED,      /* connection: server said BYE or hung up; temporary */
	IMAP_ERR_PROTOCOL,    /* connection: a response we cannot parse; temporary (reconnect) */
	IMAP_ERR_CANCELLED,   /* connection: cancelled, connection dropped; temporary */
	IMAP_ERR_PLAINTEXT,   /* connection: credentials would cross in clear, or the
	                         server refuses login here (LOGINDISABLED); final */
	IMAP_ERR_AUTH,        /* connection: credentials rejected; final */
	IMAP_ERR_UNAVAILABLE, /* any: server says try later ([UNAVAILABLE], [INUSE]...); temporary */
	IMAP_ERR_MAILBOX,     /* mailbox: NO to SELECT/STATUS/APPEND/COPY target ...; final */
	IMAP_ERR_MESSAGE,     /* message: NO to FETCH/STORE/COPY of messages; final */
	IMAP_ERR_TOO_BIG,     /* message: more than the caller's cap; final */
	IMAP_ERR_BAD,         /* command: server answered BAD; final */
	IMAP_ERR_UNSUPPORTED, /* command: the server lacks what this needs; final */
	IMAP_ERR_STATE,       /* command: not connected, or no mailbox selected; final */
};

enum imap_scope {
	IMAP_SCOPE_NONE,
	IMAP_SCOPE_CONNECTION, /* the session is closed: reconnect */
	IMAP_SCOPE_MAILBOX,    /* this mailbox; others may work */
	IMAP_SCOPE_MESSAGE,    /* these messages; the rest of the mailbox works */
	IMAP_SCOPE_COMMAND,    /* only this request */
};

enum imap_retry {
	IMAP_RETRY_NONE,      /* success */
	IMAP_RETRY_TEMPORARY, /* the same request may work later / after reconnecting */
	IMAP_RETRY_FINAL,     /* do not retry without a change (credentials, config, name) */
};

enum imap_scope imap_status_scope(enum imap_status st);
enum imap_retry imap_status_retry(enum imap_status st);
/* "net", "auth", ... for logs and tests.  Static, never translated. */
const char *imap_status_name(enum imap_status st);

enum imap_state {
	IMAP_STATE_DISCONNECTED,
	IMAP_STATE_GREETING,      /* connected, waiting for the greeting */
	IMAP_STATE_STARTTLS,      /* negotiating TLS */
	IMAP_STATE_NOT_AUTHENTICATED,
	IMAP_STATE_AUTHENTICATING,
	IMAP_STATE_AUTHENTICATED,
	IMAP_STATE_SELECTED,
	IMAP_STATE_IDLE,
	IMAP_STATE_LOGOUT,
};

const char *imap_state_name(enum imap_state st); /* static */

struct imap_opts {
	struct net_opts net;  /* host, port, tls, timeouts, CA, pin, trust file; strings copied.
	                         net.cancel is the session-wide cancel flag (borrowed for the
	                         session's life); net.max_literal defaults to max_literal */
	const char *user;     /* copied */
	const char *password; /* copied; the copy is wiped when the session is freed */
	size_t max_literal;   /* largest literal accepted from the server; 0: 64 MiB */
};

struct imap_session;

/* What the server says without being asked: delivered during any call
 * (and during imap_idle) to the event callback.  Pointers borrowed for
 * the call. */
enum imap_event_kind {
	IMAP_EVENT_EXISTS,   /* number = new message count */
	IMAP_EVENT_EXPUNGE,  /* number = sequence number removed */
	IMAP_EVENT_VANISHED, /* uids = UID set removed; earlier = QRESYNC catch-up */
	IMAP_EVENT_FETCH,    /* msg: flag (or other) changes not asked for by a fetch call */
	IMAP_EVENT_ALERT,    /* text: [ALERT] text the user must see */
};

struct imap_event {
	enum imap_event_kind kind;
	uint32_t number;
	const char *uids;
	bool earlier;
	const struct imap_msg *msg;
	const char *text;
};

typedef void (*imap_event_fn)(const struct imap_event *ev, void *user);
/* Called once per FETCH response as it arrives (so a caller can draw
 * the first screen before the rest is in).  m borrowed for the call. */
typedef void (*imap_msg_fn)(const struct imap_msg *m, void *user);

/* A new, unconnected session.  Owned: imap_session_free(). */
struct imap_session *imap_session_new(const struct imap_opts *opts);
/* Closes the connection without LOGOUT (use imap_logout first to be polite). */
void imap_session_free(struct imap_session *s);

void imap_session_set_event_cb(struct imap_session *s, imap_event_fn fn, void *user);

/* Connect, read the greeting, STARTTLS (net_starttls) when opts ask for
 * it, CAPABILITY, authenticate (AUTHENTICATE PLAIN with SASL-IR where
 * offered, else LOGIN; never in clear unless tls is NET_TLS_NONE),
 * CAPABILITY again, ENABLE QRESYNC CONDSTORE UTF8=ACCEPT where offered. */
enum imap_status imap_session_connect(struct imap_session *s, const volatile int *cancel);
/* Drop the connection, connect and log in again, and re-select the
 * mailbox that was selected (same mode; QRESYNC with what was known, so
 * changes meanwhile arrive as events). */
enum imap_status imap_session_reconnect(struct imap_session *s, const volatile int *cancel);
/* Read what the server sent while nobody asked (a BYE before a restart,
 * the end of the stream, untagged updates, which go to the event
 * callback) without waiting for more: one poll() when nothing came.
 * IMAP_OK when the connection is still usable; IMAP_ERR_CLOSED (or the
 * transport's error) with the session disconnected when it is gone, so
 * the caller reconnects before its command instead of failing it. */
enum imap_status imap_session_check(struct imap_session *s);
/* LOGOUT and close.  The session can connect again afterwards. */
enum imap_status imap_logout(struct imap_session *s, const volatile int *cancel);

enum imap_state imap_session_state(const struct imap_session *s);
uint64_t imap_session_caps(const struct imap_session *s);    /* enum imap_cap bits */
uint64_t imap_session_enabled(const struct imap_session *s); /* ENABLEd extensions */
/* Server text of the last failure ("" if none): untrusted raw bytes,
 * borrowed until the next call on s.  Pass through core_safe_text. */
const char *imap_session_text(const struct imap_session *s);
/* Response code name of the last failure ("AUTHENTICATIONFAILED"), or "". */
const char *imap_session_code(const struct imap_session *s);
/* The transport error behind IMAP_ERR_NET / IMAP_ERR_TLS.  Borrowed. */
const struct net_error *imap_session_net_error(const struct imap_session *s);
/* Bytes received on the current connection (0 when none). */
unsigned long long imap_session_bytes_read(const struct imap_session *s);

/* ---- folders --------------------------------------------------------- */

enum imap_special {
	IMAP_SPECIAL_NONE,
	IMAP_SPECIAL_INBOX,
	IMAP_SPECIAL_DRAFTS,
	IMAP_SPECIAL_SENT,
	IMAP_SPECIAL_TRASH,
	IMAP_SPECIAL_JUNK,
	IMAP_SPECIAL_ARCHIVE,
	IMAP_SPECIAL_ALL,
	IMAP_SPECIAL_FLAGGED,
};

struct imap_folder {
	char *name;        /* UTF-8 ("INBOX" for the inbox); the raw name when undecodable */
	char *raw_name;    /* as on the wire */
	bool name_valid;   /* false: name is the raw, undecodable wire name */
	char delim;        /* hierarchy delimiter, 0 when flat */
	unsigned attrs;    /* enum imap_mbox_attr */
	enum imap_special special;
	bool has_status;   /* counts below are filled */
	uint32_t messages, unseen, uidnext, uidvalidity;
};

void imap_folder_free(struct imap_folder *f);

/* LIST "" "*" (with RETURN (SPECIAL-USE STATUS (...)) where LIST-STATUS
 * is offered, else LIST then pipelined STATUS when with_counts).
 * *out: owned array of owned struct imap_folder * (g_ptr_array_unref
 * frees them), in server order. */
enum imap_status imap_list_folders(struct imap_session *s, bool with_counts, GPtrArray **out,
	const volatile int *cancel);

/* STATUS of one mailbox (name UTF-8). */
enum imap_status imap_mailbox_status(struct imap_session *s, const char *name,
	struct imap_folder *counts /* fields has_status..uidvalidity filled */,
	const volatile int *cancel);

/* ---- selected mailbox ------------------------------------------------ */

struct imap_mailbox {
	char *name;          /* UTF-8; owned by the session */
	bool read_only;
	uint32_t exists, recent, uidvalidity, uidnext, unseen;
	uint64_t highestmodseq; /* 0 with NOMODSEQ or without CONDSTORE */
	unsigned permanent_flags; /* enum imap_flag bits that stick */
	bool permanent_keywords;  /* "\*": new keywords may be stored */
	bool uidvalidity_changed; /* differed from imap_select_opts.uidvalidity */
};

struct imap_select_opts {
	bool read_only;         /* EXAMINE */
	uint32_t uidvalidity;   /* what the caller's cache has; 0: nothing */
	uint64_t modseq;        /* with uidvalidity and QRESYNC: SELECT ... (QRESYNC (v m [uids])) */
	const char *known_uids; /* optional known UIDs for QRESYNC */
};

/* SELECT or EXAMINE (name UTF-8).  QRESYNC catch-up (VANISHED (EARLIER),
 * FETCH) arrives as events.  opts may be NULL. */
enum imap_status imap_select(struct imap_session *s, const char *name,
	const struct imap_select_opts *opts, const volatile int *cancel);
/* The selected mailbox, kept current by EXISTS/EXPUNGE/VANISHED.
 * Borrowed until the next call on s; NULL when none is selected. */
const struct imap_mailbox *imap_session_mailbox(const struct imap_session *s);

struct imap_fetch_opts {
	unsigned items;              /* enum imap_fetch_item (UID always added; SECTIONS ignored) */
	const char *const *headers;  /* NULL-terminated names for IMAP_FETCH_HEADERS */
	uint64_t changedsince;       /* CONDSTORE: only what changed since; 0: everything */
	bool vanished;               /* QRESYNC with changedsince: report VANISHED (EARLIER) */
};

/* UID FETCH each of sets[0..n) (e.g. "1:500", "501:1000"), pipelined,
 * calling fn for every message as it arrives, in server order. */
enum imap_status imap_uid_fetch(struct imap_session *s, const char *const *sets, size_t n,
	const struct imap_fetch_opts *opts, imap_msg_fn fn, void *user,
	const volatile int *cancel);

/* UID FETCH uid BODY.PEEK[section]<offset.length> (length 0: to the end),
 * at most cap bytes.  *out owned (g_byte_array_unref).  More than cap:
 * IMAP_ERR_TOO_BIG (only cap + 1 bytes were asked for).  A UID that is
 * gone: IMAP_ERR_MESSAGE. */
enum imap_status imap_fetch_section(struct imap_session *s, uint32_t uid, const char *section,
	uint64_t offset, uint64_t length, size_t cap, GByteArray **out,
	const volatile int *cancel);
/* The whole of sections[0..n) of uid in one command (one round trip for
 * the text parts of a message), each at most cap bytes.  outs[i] owned;
 * all NULL unless IMAP_OK. */
enum imap_status imap_fetch_sections(struct imap_session *s, uint32_t uid,
	const char *const *sections, size_t n, size_t cap, GByteArray **outs,
	const volatile int *cancel);

enum imap_store_op {
	IMAP_STORE_ADD,    /* +FLAGS */
	IMAP_STORE_REMOVE, /* -FLAGS */
	IMAP_STORE_SET,    /* FLAGS */
};

/* UID STORE set op (flags), flags space-separated ("\\Seen \\Flagged").
 * Without silent the new flags come back as IMAP_EVENT_FETCH. */
enum imap_status imap_uid_store(struct imap_session *s, const char *uid_set,
	enum imap_store_op op, const char *flags, bool silent, const volatile int *cancel);

/* What COPYUID/APPENDUID said; zero when the server has no UIDPLUS.
 * Strings owned (g_free) by the caller. */
struct imap_copy_result {
	uint32_t uidvalidity;
	char *src_uids, *dst_uids;
};
void imap_copy_result_clear(struct imap_copy_result *r);

/* UID COPY to dest (UTF-8). res may be NULL. */
enum imap_status imap_uid_copy(struct imap_session *s, const char *uid_set, const char *dest,
	struct imap_copy_result *res, const volatile int *cancel);
/* UID MOVE, or without MOVE: UID COPY, UID STORE +FLAGS.SILENT (\Deleted),
 * then UID EXPUNGE (UIDPLUS) or EXPUNGE (which also removes other
 * messages already marked \Deleted). res may be NULL. */
enum imap_status imap_uid_move(struct imap_session *s, const char *uid_set, const char *dest,
	struct imap_copy_result *res, const volatile int *cancel);
enum imap_status imap_expunge(struct imap_session *s, const volatile int *cancel);
/* UID EXPUNGE (needs UIDPLUS). */
enum imap_status imap_uid_expunge(struct imap_session *s, const char *uid_set,
	const volatile int *cancel);

/* APPEND a message (LITERAL+ where offered, else waits for "+").
 * flags may be NULL, date 0 for "now".  uidvalidity/uid may be NULL;
 * they are 0 when the server has no UIDPLUS. */
enum imap_status imap_append(struct imap_session *s, const char *mailbox, const char *flags,
	time_t date, const char *data, size_t len, uint32_t *uidvalidity, uint32_t *uid,
	const volatile int *cancel);

/* UID SEARCH for text in the selected mailbox (CHARSET UTF-8 TEXT when
 * text is not ASCII).  *uids owned (g_free), ascending. */
enum imap_status imap_uid_search_text(struct imap_session *s, const char *text, uint32_t **uids,
	size_t *n, const volatile int *cancel);

/* Wait for changes in the selected mailbox: IDLE (DONE when leaving), or
 * NOOP every poll_ms (0: 30000) when the server has no IDLE.  Changes
 * arrive at the event callback.  Returns IMAP_OK after max_ms, or soon
 * (within about 250 ms) after *stop becomes non-zero; stop may be NULL.
 * Servers drop IDLE after 30 minutes: keep max_ms under 29 minutes. */
enum imap_status imap_idle(struct imap_session *s, int max_ms, int poll_ms,
	const volatile int *stop, const volatile int *cancel);

/* ======================================================================
 * Header cache: what an index shows of each message of one folder, kept
 * on disk between runs and keyed by UIDVALIDITY.
 *
 * File format (little endian; doc in cache.c): a 64-byte header (magic,
 * version, UIDVALIDITY, UIDNEXT, HIGHESTMODSEQ, record count, a hash of
 * the owner key, an XXH64 of the records and one of the header), then
 * one record per message in ascending UID order.  Anything that does not
 * check out (short, long, foreign key, bad hash, bad record) is refused
 * as a whole: a cache is rebuilt, never half trusted.  Strings are kept
 * as bytes; making them safe for a terminal is the reader's job.
 * ====================================================================== */

/* Not an IMAP flag: the message has attachments (kept with the flags). */
#define IMAP_CACHE_ATTACHMENT (1u << 16)

/* One message.  Strings may be NULL; in a struct filled by the cache
 * they are borrowed until the next change to it. */
struct imap_cache_msg {
	uint32_t uid;
	uint32_t flags; /* enum imap_flag bits | IMAP_CACHE_ATTACHMENT */
	int64_t date;   /* UTC seconds */
	uint64_t size;
	const char *from, *subject, *message_id, *in_reply_to, *references;
};

enum imap_cache_result {
	IMAP_CACHE_OK,
	IMAP_CACHE_MISSING,   /* no file */
	IMAP_CACHE_IO,        /* could not read it */
	IMAP_CACHE_SHORT,     /* truncated, or longer than its header says */
	IMAP_CACHE_MAGIC,     /* not a cache file, or another version */
	IMAP_CACHE_FOREIGN,   /* written for another account or folder */
	IMAP_CACHE_CHECKSUM,  /* header or records do not match their hash */
	IMAP_CACHE_RECORD,    /* a record is malformed (crafted file) */
};

struct imap_cache;

/* Name of a result ("checksum"), for logs.  Static. */
const char *imap_cache_result_name(enum imap_cache_result r);

/* An empty cache for owner key (e.g. "account\nfolder"; copied). */
struct imap_cache *imap_cache_new(const char *key, uint32_t uidvalidity);
void imap_cache_free(struct imap_cache *c);

/* Check and adopt a cache image (pure: no I/O).  data is copied.  On
 * anything but IMAP_CACHE_OK *out is NULL. */
enum imap_cache_result imap_cache_parse(const char *key, const void *data, size_t len,
	struct imap_cache **out);
/* Load the file at path (mapped, not read into memory; records are
 * copied only when changed).  Owned *out, NULL unless IMAP_CACHE_OK. */
enum imap_cache_result imap_cache_load(const char *path, const char *key,
	struct imap_cache **out);
/* The image imap_cache_parse accepts.  Owned (g_byte_array_unref). */
GByteArray *imap_cache_serialize(const struct imap_cache *c);
/* Write atomically (core_atomic_write, mode 0600), creating the
 * directory.  0 or -errno. */
int imap_cache_save(const struct imap_cache *c, const char *path);

/* "<$XDG_CACHE_HOME>/mailtui/<account>/<folder>.hcache" with both names
 * made safe for a file system (%XX for anything but letters, digits,
 * "-", "_" and a "." that is not first).  Owned. */
char *imap_cache_path(const char *account, const char *folder);

uint32_t imap_cache_uidvalidity(const struct imap_cache *c);
uint32_t imap_cache_uidnext(const struct imap_cache *c);
uint64_t imap_cache_modseq(const struct imap_cache *c);
/* What the folder was at the last full resync. */
void imap_cache_set_sync(struct imap_cache *c, uint32_t uidnext, uint64_t modseq);

/* Messages, ascending by UID: i in [0, count). */
size_t imap_cache_count(const struct imap_cache *c);
void imap_cache_get(const struct imap_cache *c, size_t i, struct imap_cache_msg *out);
/* A loaded cache is a read-only mapping of its file: after a pass over
 * every message, hand its pages back (they stay in the page cache and
 * come back when read again), so the rows are not in memory twice. */
void imap_cache_release_pages(const struct imap_cache *c);
/* Index of uid, or -1. */
ssize_t imap_cache_find(const struct imap_cache *c, uint32_t uid);
/* The highest UID held, 0 when empty. */
uint32_t imap_cache_max_uid(const struct imap_cache *c);

/* From now on keep the records of puts in an unlinked temporary file in
 * dir (created when missing) instead of memory: a cache filled from the
 * network then costs about 24 bytes a message until it is saved.  Strings
 * imap_cache_get gives for such records are borrowed until the next call
 * on the cache.  0 or -errno (the records then stay in memory). */
int imap_cache_spill(struct imap_cache *c, const char *dir);
bool imap_cache_spilled(const struct imap_cache *c);
/* Add or replace a message (strings copied; each cut to 65534 bytes). */
void imap_cache_put(struct imap_cache *c, const struct imap_cache_msg *m);
/* New flags for uid; false when it is not held. */
bool imap_cache_set_flags(struct imap_cache *c, uint32_t uid, uint32_t flags);
/* Drop these UIDs (any order; unknown ones ignored).  Returns how many went. */
size_t imap_cache_remove(struct imap_cache *c, const uint32_t *uids, size_t n);

/* XXH64 of data (seed 0): the cache's checksum, exposed for tests. */
uint64_t imap_cache_hash(const void *data, size_t len);

/* ======================================================================
 * The body cache (msgcache.c): per message, what opening it needed: the
 * parts BODYSTRUCTURE listed, the header, and the raw bytes of the text
 * parts shown.  Keyed by folder, UIDVALIDITY and UID (a message's bytes
 * never change under those), so no network is needed to show it again.
 * ====================================================================== */

struct imap_msgcache_part {
	char *content_type; /* "text/plain", lower case */
	char *section;      /* "1", "2.1", "TEXT" */
	char *encoding;     /* Content-Transfer-Encoding, or NULL */
	char *charset;      /* or NULL */
	char *filename;     /* decoded, or NULL */
	int64_t size;       /* decoded bytes, about; -1 unknown */
	bool shown;         /* a text part the pager shows */
	GBytes *data;       /* its raw (still encoded) bytes; NULL: not kept */
};

struct imap_msgcache_entry {
	struct imap_msgcache_part *parts; /* owned */
	size_t n_parts;
	GBytes *header; /* the raw header block */
};

void imap_msgcache_part_clear(struct imap_msgcache_part *p);
void imap_msgcache_entry_free(struct imap_msgcache_entry *e);

/* The file image of e (imap_msgcache_parse reads it).  Owned. */
GByteArray *imap_msgcache_serialize(const struct imap_msgcache_entry *e);
/* Check and copy an image (pure: no I/O): IMAP_CACHE_SHORT, _MAGIC,
 * _CHECKSUM or _RECORD for anything damaged or crafted.  Owned *out,
 * NULL unless IMAP_CACHE_OK. */
enum imap_cache_result imap_msgcache_parse(const void *data, size_t len,
	struct imap_msgcache_entry **out);
/* Read path; a damaged file is removed, never trusted. */
enum imap_cache_result imap_msgcache_load(const char *path, struct imap_msgcache_entry **out);
/* Write atomically, mode 0600, directories 0700.  0 or -errno. */
int imap_msgcache_save(const struct imap_msgcache_entry *e, const char *path);
/* "<$XDG_CACHE_HOME>/mailtui/<account>/bodies": every body of the
 * account below it.  Owned. */
char *imap_msgcache_root(const char *account);
/* "<root>/<folder>/<uidvalidity>/<uid>", names made safe as for
 * imap_cache_path.  Owned. */
char *imap_msgcache_path(const char *account, const char *folder, uint32_t uidvalidity,
	uint32_t uid);
/* Remove the oldest files below root (by modification time) until the
 * rest take at most max_bytes; returns what is left, in bytes. */
uint64_t imap_msgcache_trim(const char *root, uint64_t max_bytes);

#endif
