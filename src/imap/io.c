/* io.c - reading responses through net into the parser, sending tagged
 * commands (with synchronizing literals), and dispatching untagged data
 * to session bookkeeping, the running command and the event callback. */
#include "imap/imap_private.h"

#include "core/core.h"

#include <stdio.h>
#include <string.h>

bool imap_cancelled(const struct imap_session *s)
{
	return core_flag_raised(s->cancel);
}

static enum imap_status net_failed(struct imap_session *s, enum net_status ns,
	const struct net_error *err)
{
	s->net_err = *err;
	s->net_err.status = ns;
	enum imap_status st = IMAP_ERR_NET;
	if (ns == NET_ERR_CANCELLED)
		st = IMAP_ERR_CANCELLED;
	else if (ns == NET_ERR_CLOSED)
		st = IMAP_ERR_CLOSED;
	else if (ns == NET_ERR_NO_STARTTLS || ns == NET_ERR_TLS ||
		(ns >= NET_ERR_CERT_UNTRUSTED && ns <= NET_ERR_CERT_CHANGED))
		st = IMAP_ERR_TLS;
	return imap_fail(s, st, err->detail, NULL);
}

enum imap_status imap_read_response(struct imap_session *s, struct imap_response **out)
{
	*out = NULL;
	if (!s->conn)
		return imap_fail(s, IMAP_ERR_STATE, NULL, NULL);
	for (;;) {
		size_t used = 0, need = 0;
		enum imap_parse_result r = imap_parse(&s->parser, (const char *)s->rbuf->data,
			s->rbuf->len, out, &used, &need);
		if (r == IMAP_PARSE_DONE) {
			g_byte_array_remove_range(s->rbuf, 0, (guint)used);
			return IMAP_OK;
		}
		if (r != IMAP_PARSE_MORE) {
			if (r == IMAP_PARSE_ERR_LITERAL)
				return imap_fail(s, IMAP_ERR_TOO_BIG, "literal over the size limit",
					NULL);
			return imap_fail(s, IMAP_ERR_PROTOCOL, imap_parse_result_name(r), NULL);
		}
		if (imap_cancelled(s))
			return imap_fail(s, IMAP_ERR_CANCELLED, NULL, NULL);
		struct net_error err = {0};
		enum net_status ns;
		if (need) {
			const char *data;
			ns = net_read_exact(s->conn, need, &data, &err);
			if (ns == NET_OK)
				g_byte_array_append(s->rbuf, (const guint8 *)data, (guint)need);
		} else {
			const char *line;
			size_t len;
			ns = net_read_line(s->conn, &line, &len, &err);
			if (ns == NET_OK) {
				g_byte_array_append(s->rbuf, (const guint8 *)line, (guint)len);
				g_byte_array_append(s->rbuf, (const guint8 *)"\r\n", 2);
			}
		}
		if (ns == NET_ERR_TIMEOUT && s->idle_poll)
			return IMAP_ERR_UNAVAILABLE; /* nothing yet: the IDLE loop looks again */
		if (ns == NET_ERR_TOO_LONG)
			return imap_fail(s, IMAP_ERR_TOO_BIG, err.detail, NULL);
		if (ns != NET_OK)
			return net_failed(s, ns, &err);
	}
}

/* ---- command building -------------------------------------------------- */

static void part_free(gpointer p)
{
	g_string_free(p, TRUE);
}

GPtrArray *imap_parts_new(const char *first)
{
	GPtrArray *parts = g_ptr_array_new_with_free_func(part_free);
	g_ptr_array_add(parts, g_string_new(first));
	return parts;
}

static GString *last_part(GPtrArray *parts)
{
	return g_ptr_array_index(parts, parts->len - 1);
}

void imap_parts_append(GPtrArray *parts, const char *text)
{
	g_string_append(last_part(parts), text);
}

void imap_arg_string(struct imap_session *s, GPtrArray *parts, const char *str, size_t len)
{
	bool utf8 = s->enabled & IMAP_CAP_UTF8_ACCEPT;
	bool quotable = len < 1024;
	for (size_t i = 0; quotable && i < len; i++) {
		unsigned char c = (unsigned char)str[i];
		if (c == '\0' || c == '\r' || c == '\n' || (c >= 0x80 && !utf8))
			quotable = false;
	}
	GString *cur = last_part(parts);
	if (quotable) {
		g_string_append_c(cur, '"');
		for (size_t i = 0; i < len; i++) {
			if (str[i] == '"' || str[i] == '\\')
				g_string_append_c(cur, '\\');
			g_string_append_c(cur, str[i]);
		}
		g_string_append_c(cur, '"');
		return;
	}
	bool nonsync = (s->caps & IMAP_CAP_LITERALPLUS) ||
		((s->caps & IMAP_CAP_LITERALMINUS) && len <= 4096);
	g_string_append_printf(cur, "{%zu%s}\r\n", len, nonsync ? "+" : "");
	if (!nonsync) {
		/* The server's "+" comes before the data: a new part. */
		g_ptr_array_add(parts, g_string_new(NULL));
		cur = last_part(parts);
	}
	g_string_append_len(cur, str, (gssize)len);
}

bool imap_arg_mailbox(struct imap_session *s, GPtrArray *parts, const char *utf8)
{
	if (g_ascii_strcasecmp(utf8, "INBOX") == 0) {
		imap_parts_append(parts, "INBOX");
		return true;
	}
	if (!g_utf8_validate(utf8, -1, NULL))
		return false;
	if (s->enabled & IMAP_CAP_UTF8_ACCEPT) {
		imap_arg_string(s, parts, utf8, strlen(utf8));
		return true;
	}
	char *m = imap_utf7_encode(utf8);
	imap_arg_string(s, parts, m, strlen(m));
	g_free(m);
	return true;
}

/* ---- sending ------------------------------------------------------------ */

static enum imap_status write_all(struct imap_session *s, const GString *g, bool sensitive)
{
	struct net_error err = {0};
	enum net_status ns = sensitive ? net_write_sensitive(s->conn, g->str, g->len, &err)
				       : net_write(s->conn, g->str, g->len, &err);
	return ns == NET_OK ? IMAP_OK : net_failed(s, ns, &err);
}

enum imap_status imap_send(struct imap_session *s, GPtrArray *parts, bool sensitive,
	struct imap_cmd_ctx *ctx, unsigned *tag)
{
	if (!s->conn)
		return imap_fail(s, IMAP_ERR_STATE, NULL, NULL);
	if (imap_cancelled(s))
		return imap_fail(s, IMAP_ERR_CANCELLED, NULL, NULL);
	*tag = s->next_tag++;
	GString *first = g_ptr_array_index(parts, 0);
	char *prefix = g_strdup_printf("m%u ", *tag);
	g_string_prepend(first, prefix);
	g_free(prefix);
	g_string_append(last_part(parts), "\r\n");
	for (guint i = 0; i < parts->len; i++) {
		enum imap_status st = write_all(s, g_ptr_array_index(parts, i), sensitive);
		if (st != IMAP_OK)
			return st;
		if (i + 1 == parts->len)
			break;
		/* Synchronizing literal: wait for "+" (or the tagged refusal). */
		struct imap_cmd_ctx wait_ctx = *ctx;
		wait_ctx.want_continue = true;
		wait_ctx.got_continue = false;
		st = imap_wait(s, *tag, &wait_ctx);
		ctx->done_code = wait_ctx.done_code;
		ctx->done_set1 = wait_ctx.done_set1;
		ctx->done_set2 = wait_ctx.done_set2;
		g_free(wait_ctx.continue_text);
		if (st != IMAP_OK)
			return st;
		if (!wait_ctx.got_continue) /* completed without "+": refused */
			return imap_fail(s, IMAP_ERR_PROTOCOL, "command completed before its literal",
				NULL);
	}
	return IMAP_OK;
}

enum imap_status imap_send_simple(struct imap_session *s, const char *text, unsigned *tag)
{
	GPtrArray *parts = imap_parts_new(text);
	struct imap_cmd_ctx ctx = {0};
	enum imap_status st = imap_send(s, parts, false, &ctx, tag);
	g_ptr_array_unref(parts);
	return st;
}

/* ---- dispatch ------------------------------------------------------------ */

static void emit(struct imap_session *s, const struct imap_event *ev)
{
	if (s->ev_fn)
		s->ev_fn(ev, s->ev_user);
}

static uint32_t set_count(const char *set)
{
	struct imap_range *rg;
	size_t n;
	uint64_t total = 0;
	if (!imap_seqset_parse(set, 100000, &rg, &n))
		return 0;
	for (size_t i = 0; i < n; i++)
		total += (uint64_t)rg[i].hi - rg[i].lo + 1;
	g_free(rg);
	return total > UINT32_MAX ? UINT32_MAX : (uint32_t)total;
}

/* Codes that update the selected mailbox, in any response. */
static void note_code(struct imap_session *s, const struct imap_code *c)
{
	struct imap_mailbox *m = &s->mbox;
	switch (c->kind) {
	case IMAP_CODE_UIDVALIDITY:
		m->uidvalidity = (uint32_t)c->number;
		break;
	case IMAP_CODE_UIDNEXT:
		m->uidnext = (uint32_t)c->number;
		break;
	case IMAP_CODE_UNSEEN:
		m->unseen = (uint32_t)c->number;
		break;
	case IMAP_CODE_HIGHESTMODSEQ:
		m->highestmodseq = c->number;
		break;
	case IMAP_CODE_NOMODSEQ:
		m->highestmodseq = 0;
		break;
	case IMAP_CODE_READ_ONLY:
		m->read_only = true;
		break;
	case IMAP_CODE_READ_WRITE:
		m->read_only = false;
		break;
	case IMAP_CODE_PERMANENTFLAGS:
		m->permanent_flags = 0;
		m->permanent_keywords = false;
		for (size_t i = 0; i < c->nargs; i++) {
			const char *f = imap_value_str(&c->args[i]);
			if (!f)
				continue;
			if (strcmp(f, "\\*") == 0)
				m->permanent_keywords = true;
			else
				m->permanent_flags |= imap_flag_bit(f);
		}
		break;
	case IMAP_CODE_CAPABILITY:
		s->caps = imap_caps_from_values(c->args, c->nargs);
		s->caps_gen++;
		break;
	default:
		break;
	}
}

void imap_dispatch(struct imap_session *s, struct imap_response *r, struct imap_cmd_ctx *ctx)
{
	struct imap_event ev = {0};
	if (r->cond != IMAP_COND_NONE) {
		note_code(s, &r->code);
		if (r->code.kind == IMAP_CODE_ALERT) {
			ev.kind = IMAP_EVENT_ALERT;
			ev.text = r->text;
			emit(s, &ev);
		}
		if (r->cond == IMAP_COND_BYE) {
			g_free(s->text);
			s->text = g_strdup(r->text);
		}
		if (ctx && ctx->untagged) /* MOVE's COPYUID comes in an untagged OK */
			ctx->untagged(s, r, ctx->user);
		return;
	}
	const char *n = r->name;
	if (!r->has_number && (strcmp(n, "CAPABILITY") == 0)) {
		s->caps = imap_caps_decode(r);
		s->caps_gen++;
	} else if (!r->has_number && strcmp(n, "ENABLED") == 0) {
		s->enabled |= imap_caps_decode(r);
	} else if (r->has_number && strcmp(n, "EXISTS") == 0) {
		s->mbox.exists = r->number;
		ev.kind = IMAP_EVENT_EXISTS;
		ev.number = r->number;
		emit(s, &ev);
	} else if (r->has_number && strcmp(n, "RECENT") == 0) {
		s->mbox.recent = r->number;
	} else if (r->has_number && strcmp(n, "EXPUNGE") == 0) {
		if (s->mbox.exists)
			s->mbox.exists--;
		ev.kind = IMAP_EVENT_EXPUNGE;
		ev.number = r->number;
		emit(s, &ev);
	} else if (strcmp(n, "VANISHED") == 0) {
		if (imap_vanished_decode(r, &ev.earlier, &ev.uids)) {
			if (!ev.earlier) {
				uint32_t c = set_count(ev.uids);
				s->mbox.exists = c > s->mbox.exists ? 0 : s->mbox.exists - c;
			}
			ev.kind = IMAP_EVENT_VANISHED;
			emit(s, &ev);
		}
	} else if (r->has_number && strcmp(n, "FETCH") == 0) {
		struct imap_msg m;
		if (!imap_fetch_decode(r, &m)) {
			core_log(CORE_LOG_IMAP, "%s: undecodable FETCH for %u skipped", s->host,
				r->number);
			return;
		}
		if (m.have & IMAP_FETCH_MODSEQ && m.modseq > s->mbox.highestmodseq &&
			s->mbox.highestmodseq)
			s->mbox.highestmodseq = m.modseq;
		if (ctx && ctx->msg_fn) {
			ctx->msg_fn(&m, ctx->user);
		} else {
			ev.kind = IMAP_EVENT_FETCH;
			ev.number = m.seq;
			ev.msg = &m;
			emit(s, &ev);
		}
		return;
	}
	if (ctx && ctx->untagged)
		ctx->untagged(s, r, ctx->user);
}

void imap_ctx_clear(struct imap_cmd_ctx *ctx)
{
	g_free(ctx->done_set1);
	g_free(ctx->done_set2);
	g_free(ctx->continue_text);
	ctx->done_set1 = ctx->done_set2 = ctx->continue_text = NULL;
}

/* A tagged NO or BAD, classified. */
static enum imap_status tagged_failure(struct imap_session *s, const struct imap_response *r,
	const struct imap_cmd_ctx *ctx)
{
	enum imap_status st = r->cond == IMAP_COND_BAD ? IMAP_ERR_BAD : ctx->no_status;
	const char *code = r->code.name;
	if (r->cond == IMAP_COND_NO && code &&
		(strcmp(code, "UNAVAILABLE") == 0 || strcmp(code, "INUSE") == 0 ||
			strcmp(code, "LIMIT") == 0 || strcmp(code, "SERVERBUG") == 0 ||
			strcmp(code, "OVERQUOTA") == 0 || strcmp(code, "EXPUNGEISSUED") == 0))
		st = strcmp(code, "EXPUNGEISSUED") == 0 ? IMAP_ERR_MESSAGE : IMAP_ERR_UNAVAILABLE;
	if (r->cond == IMAP_COND_NO && code && strcmp(code, "AUTHENTICATIONFAILED") == 0)
		st = IMAP_ERR_AUTH;
	if (st == IMAP_OK)
		st = IMAP_ERR_BAD;
	return imap_fail(s, st, r->text, code ? code : "");
}

enum imap_status imap_wait(struct imap_session *s, unsigned tag, struct imap_cmd_ctx *ctx)
{
	char want[16];
	snprintf(want, sizeof want, "m%u", tag);
	for (;;) {
		struct imap_response *r;
		enum imap_status st = imap_read_response(s, &r);
		if (st != IMAP_OK)
			return st;
		if (r->kind == IMAP_RESP_CONTINUE) {
			if (ctx->want_continue) {
				ctx->got_continue = true;
				g_free(ctx->continue_text);
				ctx->continue_text = g_strdup(r->text);
				imap_response_free(r);
				return IMAP_OK;
			}
			imap_response_free(r);
			return imap_fail(s, IMAP_ERR_PROTOCOL, "unexpected continuation", NULL);
		}
		if (r->kind == IMAP_RESP_UNTAGGED) {
			bool bye = r->cond == IMAP_COND_BYE;
			imap_dispatch(s, r, ctx);
			imap_response_free(r);
			/* After BYE the server closes; LOGOUT still gets its OK. */
			if (bye && s->state != IMAP_STATE_LOGOUT)
				return imap_fail(s, IMAP_ERR_CLOSED, NULL, "BYE");
			continue;
		}
		if (strcmp(r->tag, want) != 0) {
			/* A pipelined command finished out of order: not expected
			 * for what we pipeline; treat it as fatal. */
			imap_response_free(r);
			return imap_fail(s, IMAP_ERR_PROTOCOL, "unexpected tag", NULL);
		}
		note_code(s, &r->code);
		if (r->cond == IMAP_COND_OK) {
			ctx->done_code = r->code;
			ctx->done_code.name = NULL;
			ctx->done_code.raw = NULL;
			ctx->done_code.args = NULL;
			ctx->done_code.nargs = 0;
			ctx->done_set1 = g_strdup(r->code.set1);
			ctx->done_set2 = g_strdup(r->code.set2);
			ctx->done_code.set1 = ctx->done_set1;
			ctx->done_code.set2 = ctx->done_set2;
			imap_response_free(r);
			return IMAP_OK;
		}
		st = tagged_failure(s, r, ctx);
		imap_response_free(r);
		return st;
	}
}

enum imap_status imap_run(struct imap_session *s, const char *text, struct imap_cmd_ctx *ctx)
{
	unsigned tag;
	enum imap_status st = imap_send_simple(s, text, &tag);
	if (st != IMAP_OK)
		return st;
	return imap_wait(s, tag, ctx);
}
