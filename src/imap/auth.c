/* auth.c - from TCP connect to an authenticated session: greeting,
 * STARTTLS, CAPABILITY, LOGIN or AUTHENTICATE PLAIN, ENABLE. */
#include "imap/imap_private.h"

#include "core/core.h"

#include <string.h>

static enum imap_status capability(struct imap_session *s)
{
	struct imap_cmd_ctx ctx = {.no_status = IMAP_ERR_PROTOCOL};
	s->caps = 0;
	enum imap_status st = imap_run(s, "CAPABILITY", &ctx);
	imap_ctx_clear(&ctx);
	return st;
}

static enum imap_status greeting(struct imap_session *s, bool *preauth)
{
	struct imap_response *r;
	imap_set_state(s, IMAP_STATE_GREETING);
	enum imap_status st = imap_read_response(s, &r);
	if (st != IMAP_OK)
		return st;
	enum imap_cond cond = r->kind == IMAP_RESP_UNTAGGED ? r->cond : IMAP_COND_NONE;
	if (cond != IMAP_COND_OK && cond != IMAP_COND_PREAUTH) {
		st = cond == IMAP_COND_BYE ? IMAP_ERR_UNAVAILABLE : IMAP_ERR_PROTOCOL;
		imap_fail(s, st, r->text, r->code.name);
		imap_drop(s);
		imap_response_free(r);
		return st;
	}
	s->caps = 0;
	if (r->code.kind == IMAP_CODE_CAPABILITY)
		s->caps = imap_caps_from_values(r->code.args, r->code.nargs);
	*preauth = cond == IMAP_COND_PREAUTH;
	imap_response_free(r);
	return IMAP_OK;
}

static enum imap_status login(struct imap_session *s)
{
	GPtrArray *parts = imap_parts_new("LOGIN ");
	imap_arg_string(s, parts, s->user, strlen(s->user));
	imap_parts_append(parts, " ");
	imap_arg_string(s, parts, s->password, strlen(s->password));
	struct imap_cmd_ctx ctx = {.no_status = IMAP_ERR_AUTH};
	unsigned tag;
	enum imap_status st = imap_send(s, parts, true, &ctx, &tag);
	for (guint i = 0; i < parts->len; i++) {
		GString *g = g_ptr_array_index(parts, i);
		memset(g->str, 0, g->len);
	}
	g_ptr_array_unref(parts);
	if (st == IMAP_OK)
		st = imap_wait(s, tag, &ctx);
	imap_ctx_clear(&ctx);
	return st;
}

/* AUTHENTICATE PLAIN (RFC 4616), the response inline with SASL-IR. */
static enum imap_status auth_plain(struct imap_session *s)
{
	size_t ul = strlen(s->user), pl = strlen(s->password);
	size_t rawlen = ul * 2 + pl + 2;
	char *raw = g_malloc(rawlen);
	memcpy(raw, s->user, ul);
	raw[ul] = '\0';
	memcpy(raw + ul + 1, s->user, ul);
	raw[2 * ul + 1] = '\0';
	memcpy(raw + 2 * ul + 2, s->password, pl);
	char *b64 = g_base64_encode((const guchar *)raw, rawlen);
	memset(raw, 0, rawlen);
	g_free(raw);
	core_log_add_secret(b64);

	struct imap_cmd_ctx ctx = {.no_status = IMAP_ERR_AUTH};
	enum imap_status st;
	unsigned tag;
	if (s->caps & IMAP_CAP_SASL_IR) {
		GString *cmd = g_string_new("AUTHENTICATE PLAIN ");
		g_string_append(cmd, b64);
		GPtrArray *parts = imap_parts_new(cmd->str);
		memset(cmd->str, 0, cmd->len);
		g_string_free(cmd, TRUE);
		st = imap_send(s, parts, true, &ctx, &tag);
		GString *g = g_ptr_array_index(parts, 0);
		memset(g->str, 0, g->len);
		g_ptr_array_unref(parts);
		if (st == IMAP_OK)
			st = imap_wait(s, tag, &ctx);
	} else {
		st = imap_send_simple(s, "AUTHENTICATE PLAIN", &tag);
		if (st == IMAP_OK) {
			ctx.want_continue = true;
			st = imap_wait(s, tag, &ctx);
			if (st == IMAP_OK && !ctx.got_continue)
				st = imap_fail(s, IMAP_ERR_PROTOCOL, "no challenge", NULL);
		}
		if (st == IMAP_OK) {
			struct net_error err = {0};
			GString *line = g_string_new(b64);
			g_string_append(line, "\r\n");
			enum net_status ns = net_write_sensitive(s->conn, line->str, line->len, &err);
			memset(line->str, 0, line->len);
			g_string_free(line, TRUE);
			if (ns != NET_OK) {
				s->net_err = err;
				st = imap_fail(s, IMAP_ERR_NET, err.detail, NULL);
			} else {
				ctx.want_continue = false;
				st = imap_wait(s, tag, &ctx);
			}
		}
	}
	core_wipe(b64);
	g_free(b64);
	imap_ctx_clear(&ctx);
	return st;
}

static enum imap_status enable(struct imap_session *s)
{
	s->enabled = 0;
	if (!(s->caps & IMAP_CAP_ENABLE))
		return IMAP_OK;
	GString *cmd = g_string_new("ENABLE");
	if (s->caps & IMAP_CAP_QRESYNC)
		g_string_append(cmd, " QRESYNC");
	if (s->caps & IMAP_CAP_CONDSTORE)
		g_string_append(cmd, " CONDSTORE");
	if (s->caps & IMAP_CAP_UTF8_ACCEPT)
		g_string_append(cmd, " UTF8=ACCEPT");
	enum imap_status st = IMAP_OK;
	if (cmd->len > strlen("ENABLE")) {
		struct imap_cmd_ctx ctx = {.no_status = IMAP_ERR_BAD};
		st = imap_run(s, cmd->str, &ctx);
		imap_ctx_clear(&ctx);
		/* A refused ENABLE is not fatal: we just do without. */
		if (st == IMAP_ERR_BAD)
			st = IMAP_OK;
	}
	g_string_free(cmd, TRUE);
	return st;
}

enum imap_status imap_open(struct imap_session *s)
{
	struct net_error err = {0};
	enum net_status ns = net_connect(&s->opts.net, &s->conn, &err);
	if (ns != NET_OK) {
		s->conn = NULL;
		s->net_err = err;
		enum imap_status st = ns == NET_ERR_CANCELLED ? IMAP_ERR_CANCELLED
			: (ns >= NET_ERR_CERT_UNTRUSTED && ns <= NET_ERR_CERT_CHANGED) ||
					ns == NET_ERR_TLS
				? IMAP_ERR_TLS
				: IMAP_ERR_NET;
		return imap_fail(s, st, err.detail, NULL);
	}
	net_set_log(s->conn, CORE_LOG_IMAP);
	g_byte_array_set_size(s->rbuf, 0);
	imap_parser_init(&s->parser, &s->parser.lim);
	s->enabled = 0;
	bool preauth = false;
	enum imap_status st = greeting(s, &preauth);
	if (st != IMAP_OK)
		return st;
	if (s->opts.net.tls == NET_TLS_STARTTLS) {
		if (preauth) /* RFC 3501: no STARTTLS after PREAUTH */
			return imap_fail(s, IMAP_ERR_TLS, "PREAUTH greeting on a STARTTLS connection",
				NULL);
		imap_set_state(s, IMAP_STATE_STARTTLS);
		ns = net_starttls(s->conn, NET_STARTTLS_IMAP, &err);
		if (ns != NET_OK) {
			s->net_err = err;
			return imap_fail(s, ns == NET_ERR_NO_STARTTLS || ns == NET_ERR_TLS ||
						    (ns >= NET_ERR_CERT_UNTRUSTED &&
							    ns <= NET_ERR_CERT_CHANGED)
					? IMAP_ERR_TLS
					: IMAP_ERR_NET,
				err.detail, NULL);
		}
		s->caps = 0; /* what was said in clear is not trusted */
	}
	imap_set_state(s, preauth ? IMAP_STATE_AUTHENTICATED : IMAP_STATE_NOT_AUTHENTICATED);
	if (!s->caps && (st = capability(s)) != IMAP_OK)
		return st;
	if (!preauth) {
		if (!net_is_tls(s->conn) && s->opts.net.tls != NET_TLS_NONE)
			return imap_fail(s, IMAP_ERR_PLAINTEXT, NULL, NULL);
		imap_set_state(s, IMAP_STATE_AUTHENTICATING);
		unsigned gen = s->caps_gen;
		if (s->caps & IMAP_CAP_AUTH_PLAIN)
			st = auth_plain(s);
		else if (s->caps & IMAP_CAP_LOGINDISABLED)
			return imap_fail(s, IMAP_ERR_PLAINTEXT, "LOGINDISABLED", "LOGINDISABLED");
		else
			st = login(s);
		if (st != IMAP_OK) {
			if (imap_status_scope(st) != IMAP_SCOPE_CONNECTION)
				imap_drop(s);
			return st == IMAP_ERR_BAD ? IMAP_ERR_AUTH : st;
		}
		imap_set_state(s, IMAP_STATE_AUTHENTICATED);
		/* The tagged OK may carry [CAPABILITY]; otherwise ask: the list
		 * grows after login. */
		if (s->caps_gen == gen && (st = capability(s)) != IMAP_OK)
			return st;
	}
	return enable(s);
}
