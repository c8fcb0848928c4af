/* query.c - reading the index: counts, the messages and threads of a
 * query.  Nothing here changes the database. */
#include "local/local.h"
#include "local/local_private.h"
#include "core/core.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <notmuch.h>

notmuch_query_t *local_query_new(struct local_db *db, const char *query, char **err)
{
	notmuch_query_t *q = NULL;
	notmuch_status_t st = notmuch_query_create_with_syntax(db->nm, query ? query : "*",
		NOTMUCH_QUERY_SYNTAX_XAPIAN, &q);
	if (st != NOTMUCH_STATUS_SUCCESS || !q) {
		*err = local_status_text(db->nm, st, NULL);
		return NULL;
	}
	/* mailtui's own config has no search.exclude_tags; be explicit
	 * so a deleted message stays visible until it is purged. */
	notmuch_query_set_omit_excluded(q, NOTMUCH_EXCLUDE_FALSE);
	return q;
}

static bool is_all(const char *q)
{
	if (!q)
		return true;
	while (*q == ' ' || *q == '\t')
		q++;
	if (*q == '*')
		q++;
	while (*q == ' ' || *q == '\t')
		q++;
	return *q == '\0';
}

char *local_query_and(const char *a, const char *b)
{
	/* notmuch reads "*" as "everything" only as the whole query. */
	bool all_a = is_all(a), all_b = is_all(b);
	if (all_a && all_b)
		return g_strdup("*");
	if (all_a)
		return g_strdup(b);
	if (all_b)
		return g_strdup(a);
	return g_strdup_printf("(%s) and (%s)", a, b);
}

/* notmuch puts a Xapian parse error in the status string, followed by
 * "Query string was: ...", but only the first exception of a database
 * handle: a later one keeps the old text, so it is used only when it is
 * about this query. */
static char *query_error(struct local_db *db, notmuch_status_t st, const char *query)
{
	const char *s = notmuch_database_status_string(db->nm);
	char *tail = g_strdup_printf("\nQuery string was: %s\n", query ? query : "*");
	const char *at = s ? strstr(s, tail) : NULL;
	char *t = at ? g_strndup(s, (gsize)(at - s)) : g_strdup(notmuch_status_to_string(st));
	g_free(tail);
	char *nl = strchr(t, '\n');
	if (nl)
		*nl = '\0';
	return t;
}

static int count(struct local_db *db, const char *query, unsigned *n, char **err)
{
	notmuch_query_t *q = local_query_new(db, query, err);
	if (!q)
		return -1;
	notmuch_status_t st = notmuch_query_count_messages(q, n);
	notmuch_query_destroy(q);
	if (st != NOTMUCH_STATUS_SUCCESS) {
		*err = query_error(db, st, query);
		return -1;
	}
	return 0;
}

int local_count(struct local_db *db, const char *query, unsigned *total, unsigned *unread,
	char **err)
{
	if (count(db, query, total, err) < 0)
		return -1;
	if (!unread)
		return 0;
	char *q = local_query_and(query, "tag:unread");
	int r = count(db, q, unread, err);
	g_free(q);
	return r;
}

void local_msg_free(void *p)
{
	struct local_msg *m = p;
	if (!m)
		return;
	g_free(m->id);
	g_free(m->path);
	g_free(m->from);
	g_free(m->subject);
	g_free(m->thread);
	g_free(m->in_reply_to);
	g_free(m->references);
	g_free(m->tags);
	g_free(m);
}

static char *tags_text(notmuch_tags_t *tags)
{
	GString *s = g_string_new("");
	for (; notmuch_tags_valid(tags); notmuch_tags_move_to_next(tags)) {
		if (s->len)
			g_string_append_c(s, ' ');
		g_string_append(s, notmuch_tags_get(tags));
	}
	notmuch_tags_destroy(tags);
	return g_string_free(s, FALSE);
}

static char *header(notmuch_message_t *m, const char *name)
{
	const char *v = notmuch_message_get_header(m, name);
	return v && *v ? g_strdup(v) : NULL;
}

static struct local_msg *msg_of(notmuch_message_t *m, unsigned what)
{
	struct local_msg *lm = g_new0(struct local_msg, 1);
	lm->id = g_strdup(notmuch_message_get_message_id(m));
	lm->path = g_strdup(notmuch_message_get_filename(m));
	lm->from = g_strdup(notmuch_message_get_header(m, "from"));
	lm->subject = g_strdup(notmuch_message_get_header(m, "subject"));
	lm->thread = g_strdup(notmuch_message_get_thread_id(m));
	lm->date = notmuch_message_get_date(m);
	lm->tags = tags_text(notmuch_message_get_tags(m));
	if (what & LOCAL_MSG_THREADING) {
		lm->in_reply_to = header(m, "in-reply-to");
		lm->references = header(m, "references");
	}
	struct stat sb;
	if (lm->path && stat(lm->path, &sb) == 0)
		lm->size = (unsigned long long)sb.st_size;
	return lm;
}

int local_each_message(struct local_db *db, const char *query,
	bool (*fn)(void *ctx, notmuch_message_t *m), void *ctx, char **err)
{
	notmuch_query_t *q = local_query_new(db, query, err);
	if (!q)
		return -1;
	notmuch_query_set_sort(q, NOTMUCH_SORT_NEWEST_FIRST);
	notmuch_messages_t *msgs = NULL;
	notmuch_status_t st = notmuch_query_search_messages(q, &msgs);
	if (st != NOTMUCH_STATUS_SUCCESS) {
		*err = query_error(db, st, query);
		notmuch_query_destroy(q);
		return -1;
	}
	for (; notmuch_messages_valid(msgs); notmuch_messages_move_to_next(msgs)) {
		notmuch_message_t *m = notmuch_messages_get(msgs);
		bool more = fn(ctx, m);
		notmuch_message_destroy(m);
		if (!more)
			break;
	}
	notmuch_messages_destroy(msgs);
	notmuch_query_destroy(q);
	return 0;
}

struct msgs_ctx {
	unsigned what;
	local_msg_cb cb;
	void *ctx;
};

static bool one_msg(void *p, notmuch_message_t *m)
{
	struct msgs_ctx *c = p;
	return c->cb(c->ctx, msg_of(m, c->what));
}

int local_messages(struct local_db *db, const char *query, unsigned what, local_msg_cb cb,
	void *ctx, char **err)
{
	struct msgs_ctx c = { what, cb, ctx };
	return local_each_message(db, query, one_msg, &c, err);
}

static bool one_id(void *p, notmuch_message_t *m)
{
	g_ptr_array_add(p, g_strdup(notmuch_message_get_message_id(m)));
	return true;
}

int local_message_ids(struct local_db *db, const char *query, GPtrArray **ids, char **err)
{
	GPtrArray *a = g_ptr_array_new_with_free_func(g_free);
	if (local_each_message(db, query, one_id, a, err) < 0) {
		g_ptr_array_unref(a);
		return -1;
	}
	*ids = a;
	return 0;
}

int local_id_of_file(struct local_db *db, const char *path, char **id, char **err)
{
	notmuch_message_t *m = NULL;
	notmuch_status_t st = notmuch_database_find_message_by_filename(db->nm, path, &m);
	if (st != NOTMUCH_STATUS_SUCCESS) {
		*err = local_status_text(db->nm, st, NULL);
		return -1;
	}
	if (!m)
		return -ENOENT;
	*id = g_strdup(notmuch_message_get_message_id(m));
	notmuch_message_destroy(m);
	return 0;
}

void local_thread_free(void *p)
{
	struct local_thread *t = p;
	if (!t)
		return;
	g_free(t->id);
	g_free(t->subject);
	g_free(t->authors);
	g_free(t->tags);
	g_free(t);
}

int local_threads(struct local_db *db, const char *query, GPtrArray **out, char **err)
{
	notmuch_query_t *q = local_query_new(db, query, err);
	if (!q)
		return -1;
	notmuch_query_set_sort(q, NOTMUCH_SORT_NEWEST_FIRST);
	notmuch_threads_t *threads = NULL;
	notmuch_status_t st = notmuch_query_search_threads(q, &threads);
	if (st != NOTMUCH_STATUS_SUCCESS) {
		*err = query_error(db, st, query);
		notmuch_query_destroy(q);
		return -1;
	}
	GPtrArray *a = g_ptr_array_new_with_free_func(local_thread_free);
	for (; notmuch_threads_valid(threads); notmuch_threads_move_to_next(threads)) {
		notmuch_thread_t *t = notmuch_threads_get(threads);
		struct local_thread *lt = g_new0(struct local_thread, 1);
		lt->id = g_strdup(notmuch_thread_get_thread_id(t));
		lt->subject = g_strdup(notmuch_thread_get_subject(t));
		lt->authors = g_strdup(notmuch_thread_get_authors(t));
		lt->tags = tags_text(notmuch_thread_get_tags(t));
		lt->oldest = notmuch_thread_get_oldest_date(t);
		lt->newest = notmuch_thread_get_newest_date(t);
		lt->total = (unsigned)notmuch_thread_get_total_messages(t);
		lt->matched = (unsigned)notmuch_thread_get_matched_messages(t);
		g_ptr_array_add(a, lt);
		notmuch_thread_destroy(t);
	}
	notmuch_threads_destroy(threads);
	notmuch_query_destroy(q);
	*out = a;
	return 0;
}
