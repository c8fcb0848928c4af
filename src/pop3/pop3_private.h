/* pop3_private.h - shared inside src/pop3 only. */
#ifndef MAILTUI_POP3_PRIVATE_H
#define MAILTUI_POP3_PRIVATE_H

#include "pop3/pop3.h"
#include "core/core.h"

/* Session states (RFC 1939 plus the TLS and CAPA steps). */
enum pop3_state {
	POP3_ST_CONNECT,
	POP3_ST_GREETING,
	POP3_ST_STLS,
	POP3_ST_CAPA,
	POP3_ST_AUTH,
	POP3_ST_TRANSACTION,
	POP3_ST_UPDATE, /* QUIT sent: the server commits deletions */
	POP3_ST_DONE,
	POP3_ST_BROKEN, /* out of step or transport failed: only close */
};

struct pop3_session {
	struct net_conn *conn;
	enum pop3_state state;
	struct pop3_caps caps;
	char *timestamp;          /* APOP timestamp from the greeting, owned */
	struct pop3_ml ml;        /* body decoder, reused */
	unsigned window;
	bool pipelining;
	const volatile int *cancel;
};

void pop3_set_state(struct pop3_session *s, enum pop3_state to);
const char *pop3_state_name(enum pop3_state st);

/* Fill err from a net failure and mark the session broken. */
enum pop3_status pop3_fail_net(struct pop3_session *s, enum net_status ns,
	const struct net_error *ne, struct pop3_error *err);
/* Fill err with status, command and text. */
enum pop3_status pop3_fail(struct pop3_error *err, enum pop3_status st, const char *cmd,
	const char *text, size_t len);

/* Send one command line (CRLF added); sensitive ones are logged redacted. */
enum pop3_status pop3_send(struct pop3_session *s, const char *cmd, bool sensitive,
	struct pop3_error *err);
/* Read one status line.  *st borrows from the connection's buffer until
 * the next read.  A line that is not a status breaks the session. */
enum pop3_status pop3_read_status(struct pop3_session *s, const char *cmd,
	struct pop3_status_line *st, struct pop3_error *err);
/* Read a multi-line body into s->ml (cap bytes), LF line ends when lf. */
enum pop3_status pop3_read_body(struct pop3_session *s, const char *cmd, size_t cap, bool lf,
	struct pop3_error *err);
/* Send cmd, read "+OK"; -ERR gives POP3_ERR_SERVER with the text. */
enum pop3_status pop3_simple(struct pop3_session *s, const char *cmd, struct pop3_error *err);
/* CAPA into s->caps (a -ERR leaves caps.known false). */
enum pop3_status pop3_capa(struct pop3_session *s, struct pop3_error *err);

/* auth.c: log in with what the server offers. */
enum pop3_status pop3_login(struct pop3_session *s, const struct pop3_opts *o,
	struct pop3_error *err);

#endif
