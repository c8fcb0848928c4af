/* auth.c - logging in: AUTH PLAIN with an initial response (RFC 5034),
 * USER/PASS, APOP.  Credentials never cross a plaintext link unless the
 * account said tls = none. */
#include "pop3/pop3_private.h"

#include <string.h>

static enum pop3_status login_refused(const struct pop3_status_line *st, const char *cmd,
	struct pop3_error *err)
{
	enum pop3_status cls = POP3_ERR_AUTH;
	if (st->code == POP3_CODE_IN_USE || st->code == POP3_CODE_LOGIN_DELAY)
		cls = POP3_ERR_IN_USE;
	else if (st->code == POP3_CODE_SYS_TEMP || st->code == POP3_CODE_SYS_PERM)
		cls = POP3_ERR_SERVER;
	if (err)
		err->code = st->code;
	return pop3_fail(err, cls, cmd, st->text, st->text_len);
}

/* Send a secret command and read its status. */
static enum pop3_status secret_cmd(struct pop3_session *s, const char *shown, char *line,
	struct pop3_status_line *st, struct pop3_error *err)
{
	enum pop3_status r = pop3_send(s, line, true, err);
	core_wipe(line);
	g_free(line);
	if (r == POP3_OK)
		r = pop3_read_status(s, shown, st, err);
	return r;
}

static enum pop3_status auth_plain(struct pop3_session *s, const struct pop3_opts *o,
	bool *fallback, struct pop3_error *err)
{
	size_t ul = strlen(o->user), pl = strlen(o->password);
	size_t n = ul + pl + 2;
	char *raw = g_malloc(n);
	raw[0] = '\0';
	memcpy(raw + 1, o->user, ul);
	raw[1 + ul] = '\0';
	memcpy(raw + 2 + ul, o->password, pl);
	char *b64 = g_base64_encode((const guchar *)raw, n);
	explicit_bzero(raw, n);
	g_free(raw);
	core_log_add_secret(b64);

	struct pop3_status_line st;
	enum pop3_status r = secret_cmd(s, "AUTH", g_strconcat("AUTH PLAIN ", b64, NULL), &st, err);
	core_wipe(b64);
	g_free(b64);
	if (r != POP3_OK)
		return r;
	if (st.kind == POP3_REPLY_CONT) {
		/* The initial response was not taken: cancel, try USER/PASS. */
		r = pop3_send(s, "*", false, err);
		if (r == POP3_OK)
			r = pop3_read_status(s, "AUTH", &st, err);
		if (r != POP3_OK)
			return r;
		*fallback = true;
		return POP3_ERR_AUTH;
	}
	if (st.kind != POP3_REPLY_OK)
		return login_refused(&st, "AUTH", err);
	return POP3_OK;
}

static enum pop3_status user_pass(struct pop3_session *s, const struct pop3_opts *o,
	struct pop3_error *err)
{
	struct pop3_status_line st;
	char *cmd = g_strconcat("USER ", o->user, NULL);
	enum pop3_status r = pop3_send(s, cmd, false, err);
	g_free(cmd);
	if (r == POP3_OK)
		r = pop3_read_status(s, "USER", &st, err);
	if (r != POP3_OK)
		return r;
	if (st.kind != POP3_REPLY_OK)
		return login_refused(&st, "USER", err);
	r = secret_cmd(s, "PASS", g_strconcat("PASS ", o->password, NULL), &st, err);
	if (r != POP3_OK)
		return r;
	if (st.kind != POP3_REPLY_OK)
		return login_refused(&st, "PASS", err);
	return POP3_OK;
}

static enum pop3_status apop(struct pop3_session *s, const struct pop3_opts *o,
	struct pop3_error *err)
{
	char *seed = g_strconcat(s->timestamp, o->password, NULL);
	char *digest = g_compute_checksum_for_string(G_CHECKSUM_MD5, seed, -1);
	core_wipe(seed);
	g_free(seed);
	struct pop3_status_line st;
	enum pop3_status r = secret_cmd(s, "APOP",
		g_strdup_printf("APOP %s %s", o->user, digest), &st, err);
	g_free(digest);
	if (r != POP3_OK)
		return r;
	if (st.kind != POP3_REPLY_OK)
		return login_refused(&st, "APOP", err);
	return POP3_OK;
}

enum pop3_status pop3_login(struct pop3_session *s, const struct pop3_opts *o,
	struct pop3_error *err)
{
	const struct pop3_caps *c = &s->caps;
	bool tls = net_is_tls(s->conn);
	bool fallback = false;
	enum pop3_status r;

	if (!o->user || !o->password)
		return pop3_fail(err, POP3_ERR_NO_AUTH, "USER", NULL, 0);
	if (!tls && o->tls != NET_TLS_NONE)
		return pop3_fail(err, POP3_ERR_INSECURE, "USER", NULL, 0);
	core_log_add_secret(o->password);

	/* On a plaintext link APOP at least hides the password. */
	if (!tls && s->timestamp) {
		core_log(CORE_LOG_POP3, "login with APOP (plaintext link)");
		return apop(s, o, err);
	}
	if (c->sasl_plain) {
		core_log(CORE_LOG_POP3, "login with AUTH PLAIN");
		r = auth_plain(s, o, &fallback, err);
		if (r == POP3_OK || !fallback)
			return r;
	}
	if (c->user || !c->known) {
		core_log(CORE_LOG_POP3, "login with USER/PASS");
		return user_pass(s, o, err);
	}
	if (s->timestamp) {
		core_log(CORE_LOG_POP3, "login with APOP");
		return apop(s, o, err);
	}
	return pop3_fail(err, POP3_ERR_NO_AUTH, "AUTH", c->sasl, c->sasl ? strlen(c->sasl) : 0);
}
