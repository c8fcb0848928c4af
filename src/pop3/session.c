/* session.c - the POP3 session: state machine, reading replies, connect
 * (greeting, STLS, CAPA, login), QUIT and close. */
#include "pop3/pop3_private.h"

#include <string.h>

static const char *const state_names[] = {
	[POP3_ST_CONNECT] = "CONNECT",
	[POP3_ST_GREETING] = "GREETING",
	[POP3_ST_STLS] = "STLS",
	[POP3_ST_CAPA] = "CAPA",
	[POP3_ST_AUTH] = "AUTH",
	[POP3_ST_TRANSACTION] = "TRANSACTION",
	[POP3_ST_UPDATE] = "UPDATE",
	[POP3_ST_DONE] = "DONE",
	[POP3_ST_BROKEN] = "BROKEN",
};

const char *pop3_state_name(enum pop3_state st)
{
	return (unsigned)st < G_N_ELEMENTS(state_names) ? state_names[st] : "?";
}

void pop3_set_state(struct pop3_session *s, enum pop3_state to)
{
	if (s->state != to)
		core_log(CORE_LOG_POP3, "state %s -> %s", pop3_state_name(s->state),
			pop3_state_name(to));
	s->state = to;
}

static const char *const status_names[] = {
	[POP3_OK] = "ok",
	[POP3_ERR_NET] = "network",
	[POP3_ERR_PROTOCOL] = "protocol",
	[POP3_ERR_SERVER] = "server refused",
	[POP3_ERR_AUTH] = "authentication failed",
	[POP3_ERR_NO_AUTH] = "no common login method",
	[POP3_ERR_INSECURE] = "insecure",
	[POP3_ERR_IN_USE] = "mailbox in use",
	[POP3_ERR_NO_UIDL] = "no UIDL",
	[POP3_ERR_TOO_LONG] = "reply too long",
	[POP3_ERR_DISK] = "disk",
	[POP3_ERR_INDEX] = "index",
	[POP3_ERR_LOCKED] = "locked",
	[POP3_ERR_CANCELLED] = "cancelled",
};

const char *pop3_status_name(enum pop3_status s)
{
	return (unsigned)s < G_N_ELEMENTS(status_names) ? status_names[s] : "?";
}

enum pop3_status pop3_fail(struct pop3_error *err, enum pop3_status st, const char *cmd,
	const char *text, size_t len)
{
	if (!err)
		return st;
	err->status = st;
	g_strlcpy(err->command, cmd ? cmd : "", sizeof err->command);
	if (len >= sizeof err->text)
		len = sizeof err->text - 1;
	if (text)
		memcpy(err->text, text, len);
	err->text[text ? len : 0] = '\0';
	return st;
}

enum pop3_status pop3_fail_net(struct pop3_session *s, enum net_status ns,
	const struct net_error *ne, struct pop3_error *err)
{
	if (s)
		pop3_set_state(s, POP3_ST_BROKEN);
	if (ns == NET_ERR_CANCELLED)
		return pop3_fail(err, POP3_ERR_CANCELLED, NULL, NULL, 0);
	if (err) {
		err->net = *ne;
		err->net.status = ns;
	}
	return pop3_fail(err, ns == NET_ERR_TOO_LONG ? POP3_ERR_TOO_LONG : POP3_ERR_NET, NULL,
		ne->detail, strlen(ne->detail));
}

enum pop3_status pop3_send(struct pop3_session *s, const char *cmd, bool sensitive,
	struct pop3_error *err)
{
	struct net_error ne;
	char *line = g_strconcat(cmd, "\r\n", NULL);
	size_t len = strlen(line);
	enum net_status ns = sensitive ? net_write_sensitive(s->conn, line, len, &ne)
				       : net_write(s->conn, line, len, &ne);
	if (sensitive)
		explicit_bzero(line, len);
	g_free(line);
	if (ns != NET_OK)
		return pop3_fail_net(s, ns, &ne, err);
	return POP3_OK;
}

enum pop3_status pop3_read_status(struct pop3_session *s, const char *cmd,
	struct pop3_status_line *st, struct pop3_error *err)
{
	struct net_error ne;
	const char *line;
	size_t len;
	enum net_status ns = net_read_line(s->conn, &line, &len, &ne);
	if (ns != NET_OK)
		return pop3_fail_net(s, ns, &ne, err);
	if (pop3_parse_status(line, len, st) != POP3_PARSE_DONE) {
		pop3_set_state(s, POP3_ST_BROKEN);
		return pop3_fail(err, POP3_ERR_PROTOCOL, cmd, line, len);
	}
	return POP3_OK;
}

enum pop3_status pop3_read_body(struct pop3_session *s, const char *cmd, size_t cap, bool lf,
	struct pop3_error *err)
{
	struct net_error ne;
	s->ml.cap = cap ? cap : 64u << 20;
	s->ml.lf = lf;
	pop3_ml_reset(&s->ml);
	/* Bodies are logged as a size, not line by line. */
	net_set_log(s->conn, -1);
	for (;;) {
		const char *line;
		size_t len, used;
		enum net_status ns = net_read_line(s->conn, &line, &len, &ne);
		if (ns != NET_OK) {
			net_set_log(s->conn, CORE_LOG_POP3);
			return pop3_fail_net(s, ns, &ne, err);
		}
		/* The reader strips the line end; give the decoder CRLF back. */
		enum pop3_parse r = pop3_ml_feed(&s->ml, line, len, &used);
		if (r == POP3_PARSE_NEED_MORE)
			r = pop3_ml_feed(&s->ml, "\r\n", 2, &used);
		if (r == POP3_PARSE_DONE) {
			net_set_log(s->conn, CORE_LOG_POP3);
			if (core_log_enabled())
				core_log(CORE_LOG_POP3, "S: <%s body, %zu bytes>", cmd, s->ml.out->len);
			return POP3_OK;
		}
		if (r == POP3_PARSE_TOO_LONG) {
			net_set_log(s->conn, CORE_LOG_POP3);
			pop3_set_state(s, POP3_ST_BROKEN);
			return pop3_fail(err, POP3_ERR_TOO_LONG, cmd, NULL, 0);
		}
	}
}

/* -ERR as a status, with the response code deciding the class. */
static enum pop3_status refused(const struct pop3_status_line *st, const char *cmd,
	struct pop3_error *err)
{
	enum pop3_status cls = POP3_ERR_SERVER;
	if (st->code == POP3_CODE_IN_USE || st->code == POP3_CODE_LOGIN_DELAY)
		cls = POP3_ERR_IN_USE;
	if (err)
		err->code = st->code;
	return pop3_fail(err, cls, cmd, st->text, st->text_len);
}

enum pop3_status pop3_simple(struct pop3_session *s, const char *cmd, struct pop3_error *err)
{
	struct pop3_status_line st;
	enum pop3_status r = pop3_send(s, cmd, false, err);
	if (r == POP3_OK)
		r = pop3_read_status(s, cmd, &st, err);
	if (r != POP3_OK)
		return r;
	if (st.kind != POP3_REPLY_OK)
		return refused(&st, cmd, err);
	return POP3_OK;
}

enum pop3_status pop3_capa(struct pop3_session *s, struct pop3_error *err)
{
	struct pop3_status_line st;
	enum pop3_status r = pop3_send(s, "CAPA", false, err);
	if (r == POP3_OK)
		r = pop3_read_status(s, "CAPA", &st, err);
	if (r != POP3_OK)
		return r;
	pop3_caps_clear(&s->caps);
	if (st.kind != POP3_REPLY_OK)
		return POP3_OK; /* an RFC 1939 server: no CAPA */
	r = pop3_read_body(s, "CAPA", 1u << 20, true, err);
	if (r == POP3_OK)
		pop3_parse_capa(s->ml.out->str, s->ml.out->len, &s->caps);
	return r;
}

static enum pop3_status greeting(struct pop3_session *s, struct pop3_error *err)
{
	struct pop3_status_line st;
	enum pop3_status r = pop3_read_status(s, "greeting", &st, err);
	if (r != POP3_OK)
		return r;
	if (st.kind != POP3_REPLY_OK)
		return refused(&st, "greeting", err);
	s->timestamp = pop3_greeting_timestamp(st.text, st.text_len);
	return POP3_OK;
}

enum pop3_status pop3_connect(const struct pop3_opts *o, struct pop3_session **out,
	struct pop3_error *err)
{
	struct pop3_session *s = g_new0(struct pop3_session, 1);
	struct net_error ne;
	int tmo = o->timeout_ms > 0 ? o->timeout_ms : 30000;
	struct net_opts no = {
		.host = o->host,
		.port = o->port,
		.tls = o->tls,
		.connect_timeout_ms = tmo,
		.read_timeout_ms = tmo,
		.ca_file = o->ca_file,
		.pin = o->pin,
		.trust_file = o->trust_file,
		.accept_once = o->accept_once,
		.cancel = o->cancel,
		.max_line = 16u << 20,
	};
	enum pop3_status r;

	if (err)
		memset(err, 0, sizeof *err);
	pop3_caps_clear(&s->caps);
	pop3_ml_init(&s->ml, 0, true);
	s->window = o->window ? o->window : 32;
	s->cancel = o->cancel;
	s->state = POP3_ST_CONNECT;
	core_log(CORE_LOG_POP3, "connecting to %s:%u", o->host, o->port);
	enum net_status ns = net_connect(&no, &s->conn, &ne);
	if (ns != NET_OK) {
		r = pop3_fail_net(s, ns, &ne, err);
		goto fail;
	}
	net_set_log(s->conn, CORE_LOG_POP3);
	pop3_set_state(s, POP3_ST_GREETING);
	r = greeting(s, err);
	if (r != POP3_OK)
		goto fail;
	if (o->tls == NET_TLS_STARTTLS) {
		pop3_set_state(s, POP3_ST_STLS);
		ns = net_starttls(s->conn, NET_STARTTLS_POP3, &ne);
		if (ns != NET_OK) {
			r = pop3_fail_net(s, ns, &ne, err);
			goto fail;
		}
	}
	pop3_set_state(s, POP3_ST_CAPA);
	r = pop3_capa(s, err);
	if (r != POP3_OK)
		goto fail;
	pop3_set_state(s, POP3_ST_AUTH);
	r = pop3_login(s, o, err);
	if (r != POP3_OK)
		goto fail;
	/* Capabilities may change after login (RFC 2449): ask again. */
	r = pop3_capa(s, err);
	if (r != POP3_OK)
		goto fail;
	s->pipelining = s->caps.pipelining && !o->no_pipelining;
	pop3_set_state(s, POP3_ST_TRANSACTION);
	*out = s;
	return POP3_OK;
fail:
	pop3_close(s);
	*out = NULL;
	return r;
}

const struct pop3_caps *pop3_caps(const struct pop3_session *s)
{
	return &s->caps;
}

enum pop3_status pop3_quit(struct pop3_session *s, struct pop3_error *err)
{
	pop3_set_state(s, POP3_ST_UPDATE);
	enum pop3_status r = pop3_simple(s, "QUIT", err);
	pop3_set_state(s, r == POP3_OK ? POP3_ST_DONE : POP3_ST_BROKEN);
	return r;
}

void pop3_close(struct pop3_session *s)
{
	if (!s)
		return;
	net_close(s->conn);
	pop3_caps_clear(&s->caps);
	pop3_ml_clear(&s->ml);
	g_free(s->timestamp);
	g_free(s);
}
