/* commands.c - transaction-state commands: STAT, LIST, UIDL, RETR (with
 * PIPELINING), DELE, RSET.  Replies are read in the order sent. */
#include "pop3/pop3_private.h"

#include <stdio.h>
#include <string.h>

enum pop3_status pop3_rset(struct pop3_session *s, struct pop3_error *err)
{
	return pop3_simple(s, "RSET", err);
}

enum pop3_status pop3_stat(struct pop3_session *s, unsigned *count, uint64_t *octets,
	struct pop3_error *err)
{
	struct pop3_status_line st;
	enum pop3_status r = pop3_send(s, "STAT", false, err);
	if (r == POP3_OK)
		r = pop3_read_status(s, "STAT", &st, err);
	if (r != POP3_OK)
		return r;
	if (st.kind != POP3_REPLY_OK)
		return pop3_fail(err, POP3_ERR_SERVER, "STAT", st.text, st.text_len);
	if (pop3_parse_list_line(st.text, st.text_len, count, octets) == POP3_PARSE_DONE)
		return POP3_OK;
	/* "+OK 0 0": the list-line parser wants a message number >= 1. */
	unsigned long long c, o;
	char tail;
	char *t = g_strndup(st.text, st.text_len);
	int n = sscanf(t, "%llu %llu%c", &c, &o, &tail);
	g_free(t);
	if (n < 2)
		return pop3_fail(err, POP3_ERR_PROTOCOL, "STAT", st.text, st.text_len);
	*count = (unsigned)c;
	*octets = o;
	return POP3_OK;
}

void pop3_msgs_free(GArray *msgs)
{
	if (!msgs)
		return;
	for (guint i = 0; i < msgs->len; i++)
		g_free(g_array_index(msgs, struct pop3_msg, i).uidl);
	g_array_free(msgs, TRUE);
}

/* Multi-line listing after "+OK"; each line to fn. */
static enum pop3_status listing(struct pop3_session *s, const char *cmd,
	enum pop3_status on_err, bool (*fn)(GArray *, const char *, size_t), GArray *msgs,
	struct pop3_error *err)
{
	struct pop3_status_line st;
	enum pop3_status r = pop3_read_status(s, cmd, &st, err);
	if (r != POP3_OK)
		return r;
	if (st.kind != POP3_REPLY_OK)
		return pop3_fail(err, on_err, cmd, st.text, st.text_len);
	r = pop3_read_body(s, cmd, 256u << 20, true, err);
	if (r != POP3_OK)
		return r;
	const char *p = s->ml.out->str, *end = p + s->ml.out->len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (len && !fn(msgs, p, len))
			return pop3_fail(err, POP3_ERR_PROTOCOL, cmd, p, len);
		p += len + 1;
	}
	return POP3_OK;
}

static bool add_list(GArray *msgs, const char *line, size_t len)
{
	struct pop3_msg m = { 0 };
	if (pop3_parse_list_line(line, len, &m.num, &m.size) != POP3_PARSE_DONE)
		return false;
	g_array_append_val(msgs, m);
	return true;
}

static bool add_uidl(GArray *msgs, const char *line, size_t len)
{
	unsigned num;
	const char *uid;
	size_t ul;
	if (pop3_parse_uidl_line(line, len, &num, &uid, &ul) != POP3_PARSE_DONE)
		return false;
	/* LIST came first and is in order; fall back to a search otherwise. */
	for (guint i = 0; i < msgs->len; i++) {
		guint k = (num - 1 + i) % msgs->len;
		struct pop3_msg *m = &g_array_index(msgs, struct pop3_msg, k);
		if (m->num == num) {
			if (m->uidl)
				return false;
			m->uidl = g_strndup(uid, ul);
			return true;
		}
	}
	return false; /* a UIDL for a message LIST did not show */
}

enum pop3_status pop3_list(struct pop3_session *s, bool with_uidl, GArray **out,
	struct pop3_error *err)
{
	GArray *msgs = g_array_new(FALSE, TRUE, sizeof(struct pop3_msg));
	enum pop3_status r = pop3_send(s, "LIST", false, err);
	/* With PIPELINING both listings go out in one round trip. */
	if (r == POP3_OK && with_uidl && s->pipelining)
		r = pop3_send(s, "UIDL", false, err);
	if (r == POP3_OK)
		r = listing(s, "LIST", POP3_ERR_SERVER, add_list, msgs, err);
	if (r == POP3_OK && with_uidl && !s->pipelining)
		r = pop3_send(s, "UIDL", false, err);
	if (r == POP3_OK && with_uidl)
		r = listing(s, "UIDL", POP3_ERR_NO_UIDL, add_uidl, msgs, err);
	for (guint i = 0; r == POP3_OK && with_uidl && i < msgs->len; i++)
		if (!g_array_index(msgs, struct pop3_msg, i).uidl)
			r = pop3_fail(err, POP3_ERR_PROTOCOL, "UIDL", NULL, 0);
	if (r != POP3_OK) {
		pop3_msgs_free(msgs);
		return r;
	}
	*out = msgs;
	return POP3_OK;
}

/* Read the replies of sent commands we no longer care about, so that the
 * session stays in step for QUIT. */
static enum pop3_status drain(struct pop3_session *s, const char *cmd, size_t n, bool multi)
{
	struct pop3_error e;
	for (size_t i = 0; i < n; i++) {
		struct pop3_status_line st;
		enum pop3_status r = pop3_read_status(s, cmd, &st, &e);
		if (r == POP3_OK && multi && st.kind == POP3_REPLY_OK)
			r = pop3_read_body(s, cmd, 0, true, &e);
		if (r != POP3_OK)
			return r;
	}
	return POP3_OK;
}

static enum pop3_status send_num(struct pop3_session *s, const char *verb, unsigned num,
	struct pop3_error *err)
{
	char cmd[32];
	snprintf(cmd, sizeof cmd, "%s %u", verb, num);
	return pop3_send(s, cmd, false, err);
}

enum pop3_status pop3_retr_many(struct pop3_session *s, const unsigned *nums, size_t n,
	pop3_retr_cb cb, void *ctx, struct pop3_error *err)
{
	size_t window = s->pipelining ? s->window : 1;
	size_t sent = 0, got = 0;
	enum pop3_status r = POP3_OK;

	while (got < n) {
		while (sent < n && sent - got < window) {
			r = send_num(s, "RETR", nums[sent], err);
			if (r != POP3_OK)
				return r;
			sent++;
		}
		struct pop3_status_line st;
		r = pop3_read_status(s, "RETR", &st, err);
		if (r != POP3_OK)
			return r;
		if (st.kind != POP3_REPLY_OK) {
			pop3_fail(err, POP3_ERR_SERVER, "RETR", st.text, st.text_len);
			if (err)
				err->code = st.code;
			got++;
			return drain(s, "RETR", sent - got, true) == POP3_OK ? POP3_ERR_SERVER
									   : POP3_ERR_NET;
		}
		/* No cap beyond the reader's: a mailbox holds what it holds. */
		r = pop3_read_body(s, "RETR", (size_t)1 << 31, true, err);
		if (r != POP3_OK)
			return r;
		size_t idx = got++;
		if (!cb(ctx, idx, pop3_ml_steal(&s->ml))) {
			if (drain(s, "RETR", sent - got, true) != POP3_OK)
				return pop3_fail(err, POP3_ERR_NET, "RETR", NULL, 0);
			return pop3_fail(err, POP3_ERR_CANCELLED, "RETR", NULL, 0);
		}
	}
	return POP3_OK;
}

enum pop3_status pop3_dele_many(struct pop3_session *s, const unsigned *nums, size_t n,
	bool *ok, struct pop3_error *err)
{
	size_t window = s->pipelining ? s->window * 4 : 1;
	size_t sent = 0, got = 0;

	while (got < n) {
		while (sent < n && sent - got < window) {
			enum pop3_status r = send_num(s, "DELE", nums[sent], err);
			if (r != POP3_OK)
				return r;
			sent++;
		}
		struct pop3_status_line st;
		enum pop3_status r = pop3_read_status(s, "DELE", &st, err);
		if (r != POP3_OK)
			return r;
		ok[got] = st.kind == POP3_REPLY_OK;
		if (!ok[got])
			core_log(CORE_LOG_POP3, "DELE %u refused", nums[got]);
		got++;
	}
	return POP3_OK;
}
