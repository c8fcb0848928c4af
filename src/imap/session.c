/* session.c - the session object: life cycle, the state machine's one
 * transition function, failure bookkeeping and status classes. */
#include "imap/imap_private.h"

#include "core/core.h"

#include <string.h>

static const char *const state_names[] = {
	[IMAP_STATE_DISCONNECTED] = "disconnected",
	[IMAP_STATE_GREETING] = "greeting",
	[IMAP_STATE_STARTTLS] = "starttls",
	[IMAP_STATE_NOT_AUTHENTICATED] = "not-authenticated",
	[IMAP_STATE_AUTHENTICATING] = "authenticating",
	[IMAP_STATE_AUTHENTICATED] = "authenticated",
	[IMAP_STATE_SELECTED] = "selected",
	[IMAP_STATE_IDLE] = "idle",
	[IMAP_STATE_LOGOUT] = "logout",
};

const char *imap_state_name(enum imap_state st)
{
	if ((size_t)st < G_N_ELEMENTS(state_names) && state_names[st])
		return state_names[st];
	return "?";
}

void imap_set_state(struct imap_session *s, enum imap_state st)
{
	if (s->state == st)
		return;
	core_log(CORE_LOG_IMAP, "%s: state %s -> %s", s->host, imap_state_name(s->state),
		imap_state_name(st));
	s->state = st;
}

static const struct {
	const char *name;
	enum imap_scope scope;
	enum imap_retry retry;
} status_info[] = {
	[IMAP_OK] = {"ok", IMAP_SCOPE_NONE, IMAP_RETRY_NONE},
	[IMAP_ERR_NET] = {"net", IMAP_SCOPE_CONNECTION, IMAP_RETRY_TEMPORARY},
	[IMAP_ERR_TLS] = {"tls", IMAP_SCOPE_CONNECTION, IMAP_RETRY_FINAL},
	[IMAP_ERR_CLOSED] = {"closed", IMAP_SCOPE_CONNECTION, IMAP_RETRY_TEMPORARY},
	[IMAP_ERR_PROTOCOL] = {"protocol", IMAP_SCOPE_CONNECTION, IMAP_RETRY_TEMPORARY},
	[IMAP_ERR_CANCELLED] = {"cancelled", IMAP_SCOPE_CONNECTION, IMAP_RETRY_TEMPORARY},
	[IMAP_ERR_PLAINTEXT] = {"plaintext", IMAP_SCOPE_CONNECTION, IMAP_RETRY_FINAL},
	[IMAP_ERR_AUTH] = {"auth", IMAP_SCOPE_CONNECTION, IMAP_RETRY_FINAL},
	[IMAP_ERR_UNAVAILABLE] = {"unavailable", IMAP_SCOPE_COMMAND, IMAP_RETRY_TEMPORARY},
	[IMAP_ERR_MAILBOX] = {"mailbox", IMAP_SCOPE_MAILBOX, IMAP_RETRY_FINAL},
	[IMAP_ERR_MESSAGE] = {"message", IMAP_SCOPE_MESSAGE, IMAP_RETRY_FINAL},
	[IMAP_ERR_TOO_BIG] = {"too-big", IMAP_SCOPE_MESSAGE, IMAP_RETRY_FINAL},
	[IMAP_ERR_BAD] = {"bad", IMAP_SCOPE_COMMAND, IMAP_RETRY_FINAL},
	[IMAP_ERR_UNSUPPORTED] = {"unsupported", IMAP_SCOPE_COMMAND, IMAP_RETRY_FINAL},
	[IMAP_ERR_STATE] = {"state", IMAP_SCOPE_COMMAND, IMAP_RETRY_FINAL},
};

enum imap_scope imap_status_scope(enum imap_status st)
{
	return (size_t)st < G_N_ELEMENTS(status_info) ? status_info[st].scope : IMAP_SCOPE_COMMAND;
}

enum imap_retry imap_status_retry(enum imap_status st)
{
	return (size_t)st < G_N_ELEMENTS(status_info) ? status_info[st].retry : IMAP_RETRY_FINAL;
}

const char *imap_status_name(enum imap_status st)
{
	return (size_t)st < G_N_ELEMENTS(status_info) ? status_info[st].name : "?";
}

struct imap_session *imap_session_new(const struct imap_opts *opts)
{
	struct imap_session *s = g_new0(struct imap_session, 1);
	s->opts = *opts;
	s->host = g_strdup(opts->net.host ? opts->net.host : "");
	s->ca_file = g_strdup(opts->net.ca_file);
	s->pin = g_strdup(opts->net.pin);
	s->trust_file = g_strdup(opts->net.trust_file);
	s->accept_once = g_strdup(opts->net.accept_once);
	s->user = g_strdup(opts->user ? opts->user : "");
	s->password = g_strdup(opts->password ? opts->password : "");
	s->opts.net.host = s->host;
	s->opts.net.ca_file = s->ca_file;
	s->opts.net.pin = s->pin;
	s->opts.net.trust_file = s->trust_file;
	s->opts.net.accept_once = s->accept_once;
	s->opts.user = s->user;
	s->opts.password = s->password;
	if (!s->opts.max_literal)
		s->opts.max_literal = 64u << 20;
	if (!s->opts.net.max_literal)
		s->opts.net.max_literal = s->opts.max_literal;
	if (*s->password)
		core_log_add_secret(s->password);
	struct imap_limits lim = {.max_line = s->opts.net.max_line,
		.max_literal = s->opts.max_literal};
	imap_parser_init(&s->parser, &lim);
	s->rbuf = g_byte_array_new();
	s->text = g_strdup("");
	s->code = g_strdup("");
	s->next_tag = 1;
	return s;
}

static void mailbox_forget(struct imap_session *s)
{
	g_free(s->mbox.name);
	g_free(s->sel_known);
	s->sel_known = NULL;
	memset(&s->mbox, 0, sizeof s->mbox);
	s->selected = false;
}

void imap_session_free(struct imap_session *s)
{
	if (!s)
		return;
	net_close(s->conn);
	mailbox_forget(s);
	g_byte_array_unref(s->rbuf);
	g_free(s->host);
	g_free(s->ca_file);
	g_free(s->pin);
	g_free(s->trust_file);
	g_free(s->accept_once);
	g_free(s->user);
	core_wipe(s->password);
	g_free(s->password);
	g_free(s->text);
	g_free(s->code);
	g_free(s);
}

void imap_session_set_event_cb(struct imap_session *s, imap_event_fn fn, void *user)
{
	s->ev_fn = fn;
	s->ev_user = user;
}

void imap_clear_error(struct imap_session *s)
{
	g_free(s->text);
	g_free(s->code);
	s->text = g_strdup("");
	s->code = g_strdup("");
	memset(&s->net_err, 0, sizeof s->net_err);
}

enum imap_status imap_fail(struct imap_session *s, enum imap_status st, const char *text,
	const char *code)
{
	if (text) {
		g_free(s->text);
		s->text = g_strdup(text);
	}
	if (code) {
		g_free(s->code);
		s->code = g_strdup(code);
	}
	core_log(CORE_LOG_IMAP, "%s: %s%s%s", s->host, imap_status_name(st), *s->code ? " " : "",
		s->code);
	if (imap_status_scope(st) == IMAP_SCOPE_CONNECTION)
		imap_drop(s);
	return st;
}

void imap_drop(struct imap_session *s)
{
	if (s->conn) {
		net_close(s->conn);
		s->conn = NULL;
	}
	g_byte_array_set_size(s->rbuf, 0);
	imap_parser_init(&s->parser, &s->parser.lim);
	imap_set_state(s, IMAP_STATE_DISCONNECTED);
}

enum imap_state imap_session_state(const struct imap_session *s)
{
	return s->state;
}

uint64_t imap_session_caps(const struct imap_session *s)
{
	return s->caps;
}

uint64_t imap_session_enabled(const struct imap_session *s)
{
	return s->enabled;
}

const char *imap_session_text(const struct imap_session *s)
{
	return s->text;
}

const char *imap_session_code(const struct imap_session *s)
{
	return s->code;
}

const struct net_error *imap_session_net_error(const struct imap_session *s)
{
	return &s->net_err;
}

unsigned long long imap_session_bytes_read(const struct imap_session *s)
{
	return s->conn ? net_bytes_read(s->conn) : 0;
}

const struct imap_mailbox *imap_session_mailbox(const struct imap_session *s)
{
	return s->selected ? &s->mbox : NULL;
}

enum imap_status imap_session_connect(struct imap_session *s, const volatile int *cancel)
{
	s->cancel = cancel;
	imap_clear_error(s);
	if (s->conn)
		imap_drop(s);
	return imap_open(s);
}

enum imap_status imap_session_reconnect(struct imap_session *s, const volatile int *cancel)
{
	char *name = s->selected ? g_strdup(s->mbox.name) : NULL;
	struct imap_select_opts o = {
		.read_only = s->mbox.read_only,
		.uidvalidity = s->mbox.uidvalidity,
		.modseq = s->mbox.highestmodseq,
	};
	enum imap_status st = imap_session_connect(s, cancel);
	if (st == IMAP_OK && name)
		st = imap_select_internal(s, name, &o);
	g_free(name);
	return st;
}

enum imap_status imap_logout(struct imap_session *s, const volatile int *cancel)
{
	s->cancel = cancel;
	if (!s->conn)
		return IMAP_OK;
	imap_set_state(s, IMAP_STATE_LOGOUT);
	struct imap_cmd_ctx ctx = {.no_status = IMAP_ERR_BAD};
	enum imap_status st = imap_run(s, "LOGOUT", &ctx);
	imap_ctx_clear(&ctx);
	mailbox_forget(s);
	imap_drop(s);
	return st == IMAP_ERR_CLOSED ? IMAP_OK : st;
}

void imap_copy_result_clear(struct imap_copy_result *r)
{
	if (!r)
		return;
	g_free(r->src_uids);
	g_free(r->dst_uids);
	memset(r, 0, sizeof *r);
}
