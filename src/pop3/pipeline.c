/* pipeline.c - commit and index threads behind a fetch (see pipeline.h). */
#include "pop3/pipeline.h"
#include "pop3/state.h"

#include "core/core.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#define BATCH_MAX 256      /* messages per fsync/rename batch */
#define QUEUE_MAX 256      /* messages waiting for the commit thread */

struct item {
	char *uidl;   /* owned, NULL without UIDL */
	GString *data;
	char *name;   /* Maildir base name, owned */
	char *rel;    /* "new/<name>" or the existing file's path, owned */
	int fd;
	bool written; /* a new file (not an existing identical one) */
};

struct pipeline {
	const struct pop3_fetch_opts *o;
	struct local_db *db;
	GHashTable *state;
	const char *state_path;
	char *prefix;
	GHashTable *existing; /* base -> rel, commit thread only */
	struct core_queue *to_commit, *to_index; /* TSan sees their locks */
	GThread *commit_thread, *index_thread;
	pthread_mutex_t lock; /* guards the fields below */
	enum pop3_status fail;
	struct pop3_error ferr;
	size_t stored, unindexed, total;
	gint stop;            /* atomic: a stage failed */
};

static struct item end_marker;
#define END (&end_marker)

static void item_free(struct item *it)
{
	if (!it || it == END)
		return;
	if (it->data)
		g_string_free(it->data, TRUE);
	g_free(it->uidl);
	g_free(it->name);
	g_free(it->rel);
	g_free(it);
}

static void fail(struct pipeline *p, enum pop3_status st, int sys_errno, const char *what,
	const char *detail)
{
	pthread_mutex_lock(&p->lock);
	if (p->fail == POP3_OK) {
		p->fail = st;
		p->ferr.sys_errno = sys_errno;
		pop3_fail(&p->ferr, st, what, detail, detail ? strlen(detail) : 0);
		p->ferr.sys_errno = sys_errno;
	}
	pthread_mutex_unlock(&p->lock);
	g_atomic_int_set(&p->stop, 1);
	core_log(CORE_LOG_POP3, "store failed at %s: %s (%s)", what, pop3_status_name(st),
		detail ? detail : g_strerror(sys_errno));
}

char *pipeline_prefix(const char *account)
{
	char *h = g_compute_checksum_for_string(G_CHECKSUM_SHA256, account, -1);
	char *p = g_strdup_printf("mailtui.%.8s.", h);
	g_free(h);
	return p;
}

static bool same_content(const char *maildir, const char *rel, const GString *data)
{
	char *path = g_build_filename(maildir, rel, NULL);
	char *old = NULL;
	size_t len = 0;
	bool same = core_read_file(path, data->len + 1, &old, &len) == 0 && len == data->len &&
		    memcmp(old, data->str, len) == 0;
	g_free(old);
	g_free(path);
	return same;
}

/* Pick the name; true when an identical file is already there. */
static bool choose_name(struct pipeline *p, struct item *it)
{
	char *key = it->uidl ? g_strconcat(p->o->account, "\n", it->uidl, NULL)
			     : g_compute_checksum_for_data(G_CHECKSUM_SHA256,
				       (const guchar *)it->data->str, it->data->len);
	char *h = g_compute_checksum_for_string(G_CHECKSUM_SHA256, key, -1);
	g_free(key);
	for (int n = 0;; n++) {
		char *name = n ? g_strdup_printf("%s%.32s-%d", p->prefix, h, n)
			       : g_strdup_printf("%s%.32s", p->prefix, h);
		const char *rel = g_hash_table_lookup(p->existing, name);
		if (!rel) {
			it->name = name;
			it->rel = g_build_filename("new", name, NULL);
			g_free(h);
			return false;
		}
		if (same_content(p->o->maildir, rel, it->data)) {
			it->name = name;
			it->rel = g_strdup(rel);
			g_free(h);
			return true;
		}
		g_free(name); /* a different message under a reused UIDL */
	}
}

static void commit_batch(struct pipeline *p, GPtrArray *batch)
{
	const char *md = p->o->maildir;
	int r = 0;
	guint i;

	for (i = 0; i < batch->len && r == 0; i++) {
		struct item *it = batch->pdata[i];
		it->fd = -1;
		if (choose_name(p, it))
			continue;
		r = local_maildir_write_tmp(md, it->name, it->data->str, it->data->len, &it->fd);
		if (r == 0) {
			it->written = true;
			g_hash_table_replace(p->existing, g_strdup(it->name), g_strdup(it->rel));
		}
	}
	/* fsync after all writes so the kernel can write them back together. */
	for (guint j = 0; j < batch->len; j++) {
		struct item *it = batch->pdata[j];
		g_string_free(it->data, TRUE);
		it->data = NULL;
		if (!it->written)
			continue;
		if (r == 0)
			r = local_maildir_commit(md, it->name, it->fd);
		else
			local_maildir_abort(md, it->name, it->fd);
		if (r != 0)
			g_hash_table_remove(p->existing, it->name);
	}
	if (r == 0)
		r = local_maildir_sync_new(md);
	if (r < 0) {
		fail(p, POP3_ERR_DISK, -r, "maildir", NULL);
		g_ptr_array_free(batch, TRUE);
		return;
	}
	core_queue_push(p->to_index, batch);
}

static gpointer commit_main(gpointer data)
{
	struct pipeline *p = data;
	bool end = false;
	while (!end) {
		GPtrArray *batch = g_ptr_array_new_with_free_func((GDestroyNotify)item_free);
		struct item *it = core_queue_pop(p->to_commit);
		while (it) {
			if (it == END) {
				end = true;
				break;
			}
			g_ptr_array_add(batch, it);
			if (batch->len >= BATCH_MAX)
				break;
			it = core_queue_try_pop(p->to_commit);
		}
		if (batch->len && !g_atomic_int_get(&p->stop))
			commit_batch(p, batch);
		else
			g_ptr_array_free(batch, TRUE);
	}
	core_queue_push(p->to_index, END);
	return NULL;
}

/* The index stage keeps one notmuch atomic section open over a "group" of
 * batches and closes it (our config makes that a real commit) every
 * GROUP_MAX messages or GROUP_USEC, or when input stops: only then are the
 * group's UIDLs recorded.  Committing per small batch costs a Xapian flush
 * each time; a crash loses at most one group, which the next fetch
 * downloads again and finds already in new/. */
#define GROUP_MAX 2000
#define GROUP_USEC (3 * G_USEC_PER_SEC)

struct group {
	GPtrArray *items;     /* indexed, not yet recorded (owns them) */
	GPtrArray *unindexed; /* rel paths borrowed from items */
	bool open;            /* atomic section begun */
	gint64 since;
	size_t indexed;       /* for progress */
};

static void group_flush(struct pipeline *p, struct group *g)
{
	char *err = NULL;
	if (g->open && local_db_end(p->db, &err) < 0) {
		g->open = false;
		fail(p, POP3_ERR_INDEX, 0, "notmuch", err);
		g_free(err);
		goto out;
	}
	g->open = false;
	int r = local_unindexed_add(p->o->maildir, (const char *const *)g->unindexed->pdata,
		g->unindexed->len);
	gint64 now = g_get_real_time() / G_USEC_PER_SEC;
	for (guint i = 0; i < g->items->len && r == 0; i++) {
		struct item *it = g->items->pdata[i];
		if (it->uidl)
			g_hash_table_replace(p->state, g_strdup(it->uidl), GSIZE_TO_POINTER((gsize)now));
	}
	if (r == 0 && p->state_path && g->items->len)
		r = pop3_state_save(p->state_path, p->state);
	if (r < 0) {
		fail(p, POP3_ERR_DISK, -r, "state", NULL);
		goto out;
	}
	pthread_mutex_lock(&p->lock);
	p->stored += g->items->len;
	p->unindexed += g->unindexed->len;
	pthread_mutex_unlock(&p->lock);
out:
	g_ptr_array_set_size(g->unindexed, 0);
	g_ptr_array_set_size(g->items, 0);
}

static void index_batch(struct pipeline *p, struct group *g, GPtrArray *batch)
{
	const char *tags[] = { "inbox", "unread", p->o->account, NULL };
	char *err = NULL;
	guint i;

	if (!g->open) {
		if (local_db_begin(p->db, &err) < 0) {
			fail(p, POP3_ERR_INDEX, 0, "notmuch", err);
			g_free(err);
			g_ptr_array_free(batch, TRUE);
			return;
		}
		g->open = true;
		g->since = g_get_monotonic_time();
	}
	g_ptr_array_set_free_func(batch, NULL);
	for (i = 0; i < batch->len; i++) {
		struct item *it = batch->pdata[i];
		char *path = g_build_filename(p->o->maildir, it->rel, NULL);
		enum local_index r = local_db_index(p->db, path, tags, &err);
		g_free(path);
		if (r == LOCAL_INDEX_ERROR)
			break;
		g_ptr_array_add(g->items, it);
		if (r == LOCAL_INDEX_NOT_MAIL) {
			core_log(CORE_LOG_POP3, "not mail, kept unindexed: %s", it->rel);
			g_ptr_array_add(g->unindexed, it->rel);
		}
	}
	for (guint j = i; j < batch->len; j++)
		item_free(batch->pdata[j]);
	g_ptr_array_free(batch, TRUE);
	g->indexed += i;
	if (p->o->progress) {
		pthread_mutex_lock(&p->lock);
		p->o->progress(p->o->progress_ctx, g->indexed, p->total);
		pthread_mutex_unlock(&p->lock);
	}
	if (err) {
		/* Record what was indexed before the failure, then stop. */
		group_flush(p, g);
		fail(p, POP3_ERR_INDEX, 0, "notmuch", err);
		g_free(err);
	}
}

static gpointer index_main(gpointer data)
{
	struct pipeline *p = data;
	struct group g = {
		g_ptr_array_new_with_free_func((GDestroyNotify)item_free),
		g_ptr_array_new(), false, 0, 0,
	};
	for (;;) {
		/* Wake up now and then so that a stalled download still commits. */
		GPtrArray *batch = core_queue_timeout_pop(p->to_index, GROUP_USEC / 4);
		if (!batch) {
			if (g.open && !g_atomic_int_get(&p->stop))
				group_flush(p, &g);
			continue;
		}
		if ((gpointer)batch == (gpointer)END)
			break;
		if (!g_atomic_int_get(&p->stop))
			index_batch(p, &g, batch);
		else
			g_ptr_array_free(batch, TRUE);
		if (g.open && !g_atomic_int_get(&p->stop) &&
		    (g.items->len >= GROUP_MAX || g_get_monotonic_time() - g.since >= GROUP_USEC))
			group_flush(p, &g);
	}
	if (g.open && !g_atomic_int_get(&p->stop))
		group_flush(p, &g);
	else if (g.open) {
		/* A later stage failed: still record what is indexed. */
		group_flush(p, &g);
	}
	g_ptr_array_free(g.items, TRUE);
	g_ptr_array_free(g.unindexed, TRUE);
	return NULL;
}

struct pipeline *pipeline_start(const struct pop3_fetch_opts *o, struct local_db *db,
	GHashTable *state, const char *state_path, size_t total)
{
	struct pipeline *p = g_new0(struct pipeline, 1);
	p->o = o;
	p->db = db;
	p->state = state;
	p->state_path = state_path;
	p->total = total;
	p->prefix = pipeline_prefix(o->account);
	p->existing = local_maildir_names(o->maildir, p->prefix);
	p->to_commit = core_queue_new();
	p->to_index = core_queue_new();
	pthread_mutex_init(&p->lock, NULL);
	p->commit_thread = g_thread_new("pop3-commit", commit_main, p);
	p->index_thread = g_thread_new("pop3-index", index_main, p);
	return p;
}

bool pipeline_push(struct pipeline *p, const char *uidl, GString *data)
{
	if (g_atomic_int_get(&p->stop)) {
		g_string_free(data, TRUE);
		return false;
	}
	struct item *it = g_new0(struct item, 1);
	it->uidl = g_strdup(uidl);
	it->data = data;
	it->fd = -1;
	core_queue_push(p->to_commit, it);
	/* Bound the memory held by messages not yet written. */
	while (core_queue_length(p->to_commit) > QUEUE_MAX && !g_atomic_int_get(&p->stop))
		g_usleep(500);
	return !g_atomic_int_get(&p->stop);
}

enum pop3_status pipeline_finish(struct pipeline *p, size_t *stored, size_t *unindexed,
	struct pop3_error *err)
{
	core_queue_push(p->to_commit, END);
	g_thread_join(p->commit_thread);
	g_thread_join(p->index_thread);
	/* Anything left after a failure was never committed: drop it. */
	struct item *it;
	while ((it = core_queue_try_pop(p->to_commit)))
		item_free(it);
	GPtrArray *b;
	while ((b = core_queue_try_pop(p->to_index)))
		if ((gpointer)b != (gpointer)END)
			g_ptr_array_free(b, TRUE);
	enum pop3_status st = p->fail;
	if (st != POP3_OK && err)
		*err = p->ferr;
	*stored = p->stored;
	*unindexed = p->unindexed;
	core_queue_free(p->to_commit);
	core_queue_free(p->to_index);
	g_hash_table_destroy(p->existing);
	pthread_mutex_destroy(&p->lock);
	g_free(p->prefix);
	g_free(p);
	return st;
}
