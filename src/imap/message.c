/* message.c - commands on messages of the selected mailbox: UID FETCH
 * (pipelined chunks, body sections), STORE, COPY, MOVE, EXPUNGE,
 * APPEND and SEARCH. */
#include "imap/imap_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* FETCH commands in flight at once. */
#define FETCH_WINDOW 4

static enum imap_status need_selected(struct imap_session *s, const volatile int *cancel)
{
	s->cancel = cancel;
	imap_clear_error(s);
	if (!s->conn || s->state != IMAP_STATE_SELECTED)
		return imap_fail(s, IMAP_ERR_STATE, NULL, NULL);
	return IMAP_OK;
}

static bool valid_set(const char *set)
{
	struct imap_range *rg;
	size_t n;
	if (!imap_seqset_parse(set, SIZE_MAX, &rg, &n))
		return false;
	g_free(rg);
	return true;
}

static void fetch_items(struct imap_session *s, const struct imap_fetch_opts *o, GString *g)
{
	g_string_append(g, "(UID");
	if (o->items & IMAP_FETCH_FLAGS)
		g_string_append(g, " FLAGS");
	if (o->items & IMAP_FETCH_INTERNALDATE)
		g_string_append(g, " INTERNALDATE");
	if (o->items & IMAP_FETCH_SIZE)
		g_string_append(g, " RFC822.SIZE");
	if (o->items & IMAP_FETCH_ENVELOPE)
		g_string_append(g, " ENVELOPE");
	if (o->items & IMAP_FETCH_BODYSTRUCTURE)
		g_string_append(g, " BODYSTRUCTURE");
	if ((o->items & IMAP_FETCH_MODSEQ) &&
		(s->caps & (IMAP_CAP_CONDSTORE | IMAP_CAP_QRESYNC)))
		g_string_append(g, " MODSEQ");
	if (o->items & IMAP_FETCH_HEADER)
		g_string_append(g, " BODY.PEEK[HEADER]");
	if ((o->items & IMAP_FETCH_HEADERS) && o->headers && o->headers[0]) {
		g_string_append(g, " BODY.PEEK[HEADER.FIELDS (");
		for (size_t i = 0; o->headers[i]; i++) {
			/* Header names are atoms; anything else is dropped. */
			const char *h = o->headers[i];
			bool ok = *h != '\0';
			for (const char *p = h; *p && ok; p++)
				ok = g_ascii_isalnum(*p) || *p == '-' || *p == '_';
			if (!ok)
				continue;
			if (g->str[g->len - 1] != '(')
				g_string_append_c(g, ' ');
			g_string_append(g, h);
		}
		g_string_append(g, ")]");
	}
	g_string_append_c(g, ')');
	if (o->changedsince && (s->caps & (IMAP_CAP_CONDSTORE | IMAP_CAP_QRESYNC))) {
		g_string_append_printf(g, " (CHANGEDSINCE %" G_GUINT64_FORMAT "%s)", o->changedsince,
			o->vanished && (s->enabled & IMAP_CAP_QRESYNC) ? " VANISHED" : "");
	}
}

enum imap_status imap_uid_fetch(struct imap_session *s, const char *const *sets, size_t n,
	const struct imap_fetch_opts *opts, imap_msg_fn fn, void *user,
	const volatile int *cancel)
{
	enum imap_status st = need_selected(s, cancel);
	if (st != IMAP_OK)
		return st;
	for (size_t i = 0; i < n; i++)
		if (!valid_set(sets[i]))
			return imap_fail(s, IMAP_ERR_MESSAGE, "invalid UID set", NULL);
	GString *items = g_string_new(NULL);
	fetch_items(s, opts, items);
	struct imap_cmd_ctx ctx = {.msg_fn = fn, .user = user, .no_status = IMAP_ERR_MESSAGE};
	unsigned *tags = g_new0(unsigned, n + 1);
	size_t sent = 0, done = 0;
	while (done < n && st == IMAP_OK) {
		/* Keep a few commands queued so the server never waits for us. */
		while (sent < n && sent - done < FETCH_WINDOW && st == IMAP_OK) {
			char *cmd = g_strdup_printf("UID FETCH %s %s", sets[sent], items->str);
			st = imap_send_simple(s, cmd, &tags[sent]);
			g_free(cmd);
			sent++;
		}
		if (st == IMAP_OK)
			st = imap_wait(s, tags[done++], &ctx);
		imap_ctx_clear(&ctx);
		if (st == IMAP_OK && imap_cancelled(s) && done < n)
			st = imap_fail(s, IMAP_ERR_CANCELLED, NULL, NULL);
	}
	g_free(tags);
	g_string_free(items, TRUE);
	return st;
}

struct section_want {
	uint32_t uid;
	const char *const *sections;
	size_t n;
	size_t cap;
	GByteArray **data; /* one per section */
	bool *found;
	bool too_big;
};

static void on_section(const struct imap_msg *m, void *user)
{
	struct section_want *w = user;
	if (!(m->have & IMAP_FETCH_UID) || m->uid != w->uid)
		return;
	for (size_t i = 0; i < m->n_sections; i++) {
		const struct imap_section_data *sd = &m->sections[i];
		for (size_t k = 0; k < w->n; k++) {
			if (w->found[k] || g_ascii_strcasecmp(sd->section, w->sections[k]) != 0)
				continue;
			w->found[k] = true;
			if (sd->len > w->cap)
				w->too_big = true;
			else if (sd->data)
				g_byte_array_append(w->data[k], (const guint8 *)sd->data, (guint)sd->len);
			break;
		}
	}
}

/* UID FETCH uid (UID BODY.PEEK[s]<offset.want> ...) for every section. */
static enum imap_status fetch_sections(struct imap_session *s, uint32_t uid,
	const char *const *sections, size_t n, uint64_t offset, uint64_t length, size_t cap,
	GByteArray **outs, const volatile int *cancel)
{
	for (size_t k = 0; k < n; k++)
		outs[k] = NULL;
	enum imap_status st = need_selected(s, cancel);
	if (st != IMAP_OK)
		return st;
	for (size_t k = 0; k < n; k++)
		for (const char *p = sections[k]; *p; p++)
			if (!g_ascii_isalnum(*p) && !strchr(".-_ ()", *p))
				return imap_fail(s, IMAP_ERR_MESSAGE, "invalid section", NULL);
	/* Ask for at most cap + 1 bytes: one more than cap means too big,
	 * and the server never sends the rest. */
	uint64_t want = length && length <= cap ? length : (uint64_t)cap + 1;
	GString *cmd = g_string_new(NULL);
	g_string_printf(cmd, "UID FETCH %u (UID", uid);
	for (size_t k = 0; k < n; k++)
		g_string_append_printf(cmd, " BODY.PEEK[%s]<%" G_GUINT64_FORMAT ".%" G_GUINT64_FORMAT ">",
			sections[k], offset, want);
	g_string_append_c(cmd, ')');
	struct section_want w = {.uid = uid, .sections = sections, .n = n, .cap = cap,
		.data = g_new0(GByteArray *, n + 1), .found = g_new0(bool, n + 1)};
	for (size_t k = 0; k < n; k++)
		w.data[k] = g_byte_array_new();
	struct imap_cmd_ctx ctx = {.msg_fn = on_section, .user = &w, .no_status = IMAP_ERR_MESSAGE};
	st = imap_run(s, cmd->str, &ctx);
	imap_ctx_clear(&ctx);
	g_string_free(cmd, TRUE);
	for (size_t k = 0; k < n && st == IMAP_OK; k++)
		if (!w.found[k])
			st = imap_fail(s, IMAP_ERR_MESSAGE, "no such message", NULL);
	if (st == IMAP_OK && w.too_big)
		st = imap_fail(s, IMAP_ERR_TOO_BIG, NULL, NULL);
	for (size_t k = 0; k < n; k++) {
		if (st == IMAP_OK)
			outs[k] = w.data[k];
		else
			g_byte_array_unref(w.data[k]);
	}
	g_free(w.data);
	g_free(w.found);
	return st;
}

enum imap_status imap_fetch_section(struct imap_session *s, uint32_t uid, const char *section,
	uint64_t offset, uint64_t length, size_t cap, GByteArray **out,
	const volatile int *cancel)
{
	const char *sections[1] = { section };
	return fetch_sections(s, uid, sections, 1, offset, length, cap, out, cancel);
}

enum imap_status imap_fetch_sections(struct imap_session *s, uint32_t uid,
	const char *const *sections, size_t n, size_t cap, GByteArray **outs,
	const volatile int *cancel)
{
	return fetch_sections(s, uid, sections, n, 0, 0, cap, outs, cancel);
}

static bool valid_flags(const char *flags)
{
	for (const char *p = flags; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c < 0x20 || c >= 0x7f || strchr("(){\"%*]", c))
			return false;
	}
	return true;
}

enum imap_status imap_uid_store(struct imap_session *s, const char *uid_set,
	enum imap_store_op op, const char *flags, bool silent, const volatile int *cancel)
{
	enum imap_status st = need_selected(s, cancel);
	if (st != IMAP_OK)
		return st;
	if (!valid_set(uid_set) || !valid_flags(flags))
		return imap_fail(s, IMAP_ERR_MESSAGE, "invalid UID set or flags", NULL);
	static const char *ops[] = {"+", "-", ""};
	char *cmd = g_strdup_printf("UID STORE %s %sFLAGS%s (%s)", uid_set, ops[op],
		silent ? ".SILENT" : "", flags);
	struct imap_cmd_ctx ctx = {.no_status = IMAP_ERR_MESSAGE};
	st = imap_run(s, cmd, &ctx);
	imap_ctx_clear(&ctx);
	g_free(cmd);
	return st;
}

/* "UID COPY set mailbox" or MOVE; COPYUID goes to res. */
static enum imap_status copy_or_move(struct imap_session *s, const char *verb, const char *set,
	const char *dest, struct imap_copy_result *res)
{
	if (!valid_set(set))
		return imap_fail(s, IMAP_ERR_MESSAGE, "invalid UID set", NULL);
	char *head = g_strdup_printf("UID %s %s ", verb, set);
	GPtrArray *parts = imap_parts_new(head);
	g_free(head);
	if (!imap_arg_mailbox(s, parts, dest)) {
		g_ptr_array_unref(parts);
		return imap_fail(s, IMAP_ERR_MAILBOX, "invalid mailbox name", NULL);
	}
	struct imap_cmd_ctx ctx = {.no_status = IMAP_ERR_MAILBOX};
	unsigned tag;
	enum imap_status st = imap_send(s, parts, false, &ctx, &tag);
	g_ptr_array_unref(parts);
	if (st == IMAP_OK)
		st = imap_wait(s, tag, &ctx);
	if (st == IMAP_OK && res && ctx.done_code.kind == IMAP_CODE_COPYUID) {
		res->uidvalidity = (uint32_t)ctx.done_code.number;
		res->src_uids = g_strdup(ctx.done_set1);
		res->dst_uids = g_strdup(ctx.done_set2);
	}
	imap_ctx_clear(&ctx);
	return st;
}

/* MOVE reports COPYUID in an untagged OK before the expunges. */
static void on_move(struct imap_session *s, struct imap_response *r, void *user)
{
	(void)s;
	struct imap_copy_result *res = user;
	if (res && r->cond == IMAP_COND_OK && r->code.kind == IMAP_CODE_COPYUID) {
		imap_copy_result_clear(res);
		res->uidvalidity = (uint32_t)r->code.number;
		res->src_uids = g_strdup(r->code.set1);
		res->dst_uids = g_strdup(r->code.set2);
	}
}

enum imap_status imap_uid_copy(struct imap_session *s, const char *uid_set, const char *dest,
	struct imap_copy_result *res, const volatile int *cancel)
{
	enum imap_status st = need_selected(s, cancel);
	if (res)
		memset(res, 0, sizeof *res);
	if (st != IMAP_OK)
		return st;
	return copy_or_move(s, "COPY", uid_set, dest, res);
}

enum imap_status imap_uid_expunge(struct imap_session *s, const char *uid_set,
	const volatile int *cancel)
{
	enum imap_status st = need_selected(s, cancel);
	if (st != IMAP_OK)
		return st;
	if (!(s->caps & IMAP_CAP_UIDPLUS))
		return imap_fail(s, IMAP_ERR_UNSUPPORTED, NULL, "UIDPLUS");
	if (!valid_set(uid_set))
		return imap_fail(s, IMAP_ERR_MESSAGE, "invalid UID set", NULL);
	char *cmd = g_strdup_printf("UID EXPUNGE %s", uid_set);
	struct imap_cmd_ctx ctx = {.no_status = IMAP_ERR_MAILBOX};
	st = imap_run(s, cmd, &ctx);
	imap_ctx_clear(&ctx);
	g_free(cmd);
	return st;
}

enum imap_status imap_expunge(struct imap_session *s, const volatile int *cancel)
{
	enum imap_status st = need_selected(s, cancel);
	if (st != IMAP_OK)
		return st;
	struct imap_cmd_ctx ctx = {.no_status = IMAP_ERR_MAILBOX};
	st = imap_run(s, "EXPUNGE", &ctx);
	imap_ctx_clear(&ctx);
	return st;
}

enum imap_status imap_uid_move(struct imap_session *s, const char *uid_set, const char *dest,
	struct imap_copy_result *res, const volatile int *cancel)
{
	enum imap_status st = need_selected(s, cancel);
	if (res)
		memset(res, 0, sizeof *res);
	if (st != IMAP_OK)
		return st;
	if (s->caps & IMAP_CAP_MOVE) {
		if (!valid_set(uid_set))
			return imap_fail(s, IMAP_ERR_MESSAGE, "invalid UID set", NULL);
		char *head = g_strdup_printf("UID MOVE %s ", uid_set);
		GPtrArray *parts = imap_parts_new(head);
		g_free(head);
		if (!imap_arg_mailbox(s, parts, dest)) {
			g_ptr_array_unref(parts);
			return imap_fail(s, IMAP_ERR_MAILBOX, "invalid mailbox name", NULL);
		}
		struct imap_cmd_ctx ctx = {.untagged = on_move, .user = res,
			.no_status = IMAP_ERR_MAILBOX};
		unsigned tag;
		st = imap_send(s, parts, false, &ctx, &tag);
		g_ptr_array_unref(parts);
		if (st == IMAP_OK)
			st = imap_wait(s, tag, &ctx);
		if (st == IMAP_OK && res && !res->src_uids &&
			ctx.done_code.kind == IMAP_CODE_COPYUID) {
			res->uidvalidity = (uint32_t)ctx.done_code.number;
			res->src_uids = g_strdup(ctx.done_set1);
			res->dst_uids = g_strdup(ctx.done_set2);
		}
		imap_ctx_clear(&ctx);
		return st;
	}
	st = copy_or_move(s, "COPY", uid_set, dest, res);
	if (st == IMAP_OK)
		st = imap_uid_store(s, uid_set, IMAP_STORE_ADD, "\\Deleted", true, cancel);
	if (st == IMAP_OK)
		st = (s->caps & IMAP_CAP_UIDPLUS) ? imap_uid_expunge(s, uid_set, cancel)
						  : imap_expunge(s, cancel);
	return st;
}

enum imap_status imap_append(struct imap_session *s, const char *mailbox, const char *flags,
	time_t date, const char *data, size_t len, uint32_t *uidvalidity, uint32_t *uid,
	const volatile int *cancel)
{
	s->cancel = cancel;
	imap_clear_error(s);
	if (uidvalidity)
		*uidvalidity = 0;
	if (uid)
		*uid = 0;
	if (!s->conn || s->state < IMAP_STATE_AUTHENTICATED)
		return imap_fail(s, IMAP_ERR_STATE, NULL, NULL);
	if (flags && !valid_flags(flags))
		return imap_fail(s, IMAP_ERR_MESSAGE, "invalid flags", NULL);
	GPtrArray *parts = imap_parts_new("APPEND ");
	if (!imap_arg_mailbox(s, parts, mailbox)) {
		g_ptr_array_unref(parts);
		return imap_fail(s, IMAP_ERR_MAILBOX, "invalid mailbox name", NULL);
	}
	if (flags && *flags) {
		imap_parts_append(parts, " (");
		imap_parts_append(parts, flags);
		imap_parts_append(parts, ")");
	}
	if (date) {
		static const char *mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul",
			"Aug", "Sep", "Oct", "Nov", "Dec"};
		struct tm tm;
		gmtime_r(&date, &tm);
		char buf[64];
		snprintf(buf, sizeof buf, " \"%2d-%s-%04d %02d:%02d:%02d +0000\"", tm.tm_mday,
			mon[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
		imap_parts_append(parts, buf);
	}
	/* The message is always a literal (it has line ends). */
	bool nonsync = (s->caps & IMAP_CAP_LITERALPLUS) ||
		((s->caps & IMAP_CAP_LITERALMINUS) && len <= 4096);
	char head[48];
	snprintf(head, sizeof head, " {%zu%s}\r\n", len, nonsync ? "+" : "");
	imap_parts_append(parts, head);
	if (!nonsync)
		g_ptr_array_add(parts, g_string_new(NULL));
	GString *last = g_ptr_array_index(parts, parts->len - 1);
	g_string_append_len(last, data, (gssize)len);
	struct imap_cmd_ctx ctx = {.no_status = IMAP_ERR_MAILBOX};
	unsigned tag;
	enum imap_status st = imap_send(s, parts, false, &ctx, &tag);
	g_ptr_array_unref(parts);
	if (st == IMAP_OK)
		st = imap_wait(s, tag, &ctx);
	if (st == IMAP_OK && ctx.done_code.kind == IMAP_CODE_APPENDUID) {
		if (uidvalidity)
			*uidvalidity = (uint32_t)ctx.done_code.number;
		if (uid && ctx.done_set1)
			*uid = (uint32_t)strtoul(ctx.done_set1, NULL, 10);
	}
	imap_ctx_clear(&ctx);
	return st;
}

static void on_search(struct imap_session *s, struct imap_response *r, void *user)
{
	(void)s;
	GArray *uids = user;
	struct imap_search sr;
	if (!imap_search_decode(r, &sr))
		return;
	if (sr.nums)
		g_array_append_vals(uids, sr.nums, (guint)sr.n_nums);
	if (sr.all) {
		struct imap_range *rg;
		size_t n;
		if (imap_seqset_parse(sr.all, 1u << 20, &rg, &n)) {
			for (size_t i = 0; i < n; i++)
				for (uint64_t u = rg[i].lo; u <= rg[i].hi && uids->len < (1u << 24); u++) {
					uint32_t v = (uint32_t)u;
					g_array_append_val(uids, v);
				}
			g_free(rg);
		}
	}
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

enum imap_status imap_uid_search_text(struct imap_session *s, const char *text, uint32_t **uids,
	size_t *n, const volatile int *cancel)
{
	*uids = NULL;
	*n = 0;
	enum imap_status st = need_selected(s, cancel);
	if (st != IMAP_OK)
		return st;
	bool ascii = true;
	for (const char *p = text; *p; p++)
		if ((unsigned char)*p >= 0x80)
			ascii = false;
	if (!g_utf8_validate(text, -1, NULL))
		return imap_fail(s, IMAP_ERR_BAD, "search text is not UTF-8", NULL);
	GPtrArray *parts = imap_parts_new(ascii || (s->enabled & IMAP_CAP_UTF8_ACCEPT)
			? "UID SEARCH TEXT "
			: "UID SEARCH CHARSET UTF-8 TEXT ");
	if (!ascii && !(s->enabled & IMAP_CAP_UTF8_ACCEPT)) {
		/* 8-bit text outside UTF8=ACCEPT must be a literal. */
		bool nonsync = s->caps & (IMAP_CAP_LITERALPLUS | IMAP_CAP_LITERALMINUS);
		char head[32];
		snprintf(head, sizeof head, "{%zu%s}\r\n", strlen(text), nonsync ? "+" : "");
		imap_parts_append(parts, head);
		if (!nonsync)
			g_ptr_array_add(parts, g_string_new(NULL));
		imap_parts_append(parts, text);
	} else {
		imap_arg_string(s, parts, text, strlen(text));
	}
	GArray *found = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	struct imap_cmd_ctx ctx = {.untagged = on_search, .user = found, .no_status = IMAP_ERR_BAD};
	unsigned tag;
	st = imap_send(s, parts, false, &ctx, &tag);
	g_ptr_array_unref(parts);
	if (st == IMAP_OK)
		st = imap_wait(s, tag, &ctx);
	imap_ctx_clear(&ctx);
	if (st != IMAP_OK) {
		g_array_free(found, TRUE);
		return st;
	}
	if (found->len)
		qsort(found->data, found->len, sizeof(uint32_t), cmp_u32);
	*n = found->len;
	*uids = (uint32_t *)(void *)g_array_free(found, FALSE);
	return IMAP_OK;
}
