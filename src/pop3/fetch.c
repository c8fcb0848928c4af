/* fetch.c - one fetch of a POP3 account: list, download what is new into
 * the store pipeline, then DELE what the keep policy allows and QUIT.
 * Deletions are forgotten from the state only after QUIT's +OK. */
#include "pop3/pipeline.h"
#include "pop3/state.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

struct retr_ctx {
	struct pipeline *p;
	GArray *msgs;   /* struct pop3_msg, borrowed */
	const unsigned *idx; /* index into msgs for each RETR */
};

static bool on_message(void *data, size_t i, GString *body)
{
	struct retr_ctx *c = data;
	const struct pop3_msg *m = &g_array_index(c->msgs, struct pop3_msg, c->idx[i]);
	return pipeline_push(c->p, m->uidl, body);
}

static enum pop3_status disk_error(struct pop3_error *err, int neg_errno, const char *what)
{
	pop3_fail(err, POP3_ERR_DISK, what, NULL, 0);
	err->sys_errno = -neg_errno;
	return POP3_ERR_DISK;
}

/* Which messages to DELE now, as message numbers. */
static GArray *dele_candidates(const struct pop3_fetch_opts *o, GArray *msgs, GHashTable *state,
	bool with_uidl)
{
	GArray *nums = g_array_new(FALSE, FALSE, sizeof(unsigned));
	gint64 now = g_get_real_time() / G_USEC_PER_SEC;
	if (o->keep == POP3_KEEP_YES)
		return nums;
	for (guint i = 0; i < msgs->len; i++) {
		const struct pop3_msg *m = &g_array_index(msgs, struct pop3_msg, i);
		gpointer when;
		if (!with_uidl) {
			g_array_append_val(nums, m->num); /* all stored: see caller */
			continue;
		}
		if (!g_hash_table_lookup_extended(state, m->uidl, NULL, &when))
			continue;
		if (o->keep == POP3_KEEP_NO ||
		    now - (gint64)GPOINTER_TO_SIZE(when) >= (gint64)o->keep_days * 86400)
			g_array_append_val(nums, m->num);
	}
	return nums;
}

/* Forget UIDLs the server no longer has (deleted elsewhere or expired). */
static bool prune_state(GHashTable *state, GArray *msgs)
{
	GHashTable *on_server = g_hash_table_new(g_str_hash, g_str_equal);
	for (guint i = 0; i < msgs->len; i++)
		g_hash_table_add(on_server, g_array_index(msgs, struct pop3_msg, i).uidl);
	GHashTableIter it;
	gpointer k;
	bool changed = false;
	g_hash_table_iter_init(&it, state);
	while (g_hash_table_iter_next(&it, &k, NULL))
		if (!g_hash_table_contains(on_server, k)) {
			g_hash_table_iter_remove(&it);
			changed = true;
		}
	g_hash_table_destroy(on_server);
	return changed;
}

static enum pop3_status download(const struct pop3_fetch_opts *o, struct pop3_session *s,
	struct local_db *db, GArray *msgs, GHashTable *state, const char *state_path,
	bool with_uidl, struct pop3_fetch_result *res, struct pop3_error *err)
{
	GArray *idx = g_array_new(FALSE, FALSE, sizeof(unsigned));
	GArray *nums = g_array_new(FALSE, FALSE, sizeof(unsigned));
	for (guint i = 0; i < msgs->len; i++) {
		const struct pop3_msg *m = &g_array_index(msgs, struct pop3_msg, i);
		if (with_uidl && g_hash_table_contains(state, m->uidl))
			continue;
		g_array_append_val(idx, i);
		g_array_append_val(nums, m->num);
	}
	res->total_new = nums->len;
	core_log(CORE_LOG_POP3, "%u messages on the server, %u new", msgs->len, nums->len);
	if (o->progress)
		o->progress(o->progress_ctx, 0, nums->len);

	enum pop3_status r = POP3_OK;
	if (nums->len) {
		struct pipeline *p = pipeline_start(o, db, state, with_uidl ? state_path : NULL,
			nums->len);
		struct retr_ctx c = { p, msgs, (const unsigned *)idx->data };
		struct pop3_error rerr;
		memset(&rerr, 0, sizeof rerr);
		r = pop3_retr_many(s, (const unsigned *)nums->data, nums->len, on_message, &c, &rerr);
		/* Whatever arrived whole is stored and recorded, even after a drop. */
		enum pop3_status ps = pipeline_finish(p, &res->fetched, &res->unindexed, err);
		if (ps != POP3_OK)
			r = ps; /* the store failed: that is the cause */
		else if (r != POP3_OK)
			*err = rerr;
	}
	g_array_free(idx, TRUE);
	g_array_free(nums, TRUE);
	return r;
}

static enum pop3_status finish_session(const struct pop3_fetch_opts *o, struct pop3_session *s,
	GArray *msgs, GHashTable *state, const char *state_path, bool with_uidl,
	struct pop3_fetch_result *res, struct pop3_error *err)
{
	int wr = 0;
	if (with_uidl && prune_state(state, msgs))
		wr = pop3_state_save(state_path, state);
	if (wr < 0)
		return disk_error(err, wr, "state");

	GArray *nums = dele_candidates(o, msgs, state, with_uidl);
	bool *ok = g_new0(bool, nums->len + 1);
	enum pop3_status r = POP3_OK;
	if (nums->len)
		r = pop3_dele_many(s, (const unsigned *)nums->data, nums->len, ok, err);
	if (r == POP3_OK)
		r = pop3_quit(s, err);
	if (r == POP3_OK) {
		/* QUIT +OK: the server has removed them; forget them. */
		for (guint i = 0; i < nums->len; i++) {
			if (!ok[i]) {
				res->dele_refused++;
				continue;
			}
			res->deleted++;
			unsigned num = g_array_index(nums, unsigned, i);
			for (guint j = 0; with_uidl && j < msgs->len; j++) {
				const struct pop3_msg *m = &g_array_index(msgs, struct pop3_msg, j);
				if (m->num == num)
					g_hash_table_remove(state, m->uidl);
			}
		}
		if (with_uidl && res->deleted)
			wr = pop3_state_save(state_path, state);
		if (wr < 0)
			r = disk_error(err, wr, "state");
	} else if (nums->len) {
		/* Nothing counts as deleted: they stay recorded as on the server. */
		res->quit_failed = true;
	}
	g_free(ok);
	g_array_free(nums, TRUE);
	return r;
}

enum pop3_status pop3_fetch(const struct pop3_fetch_opts *o, struct pop3_fetch_result *res,
	struct pop3_error *err)
{
	char *dir = o->state_dir ? g_strdup(o->state_dir) : pop3_state_dir();
	char *lock_path = pop3_state_file(dir, o->account, ".lock");
	char *state_path = pop3_state_file(dir, o->account, ".uidl");
	GHashTable *state = NULL;
	struct local_db *db = NULL;
	struct pop3_session *s = NULL;
	GArray *msgs = NULL;
	enum pop3_status r = POP3_OK;
	int lockfd, e;

	memset(res, 0, sizeof *res);
	memset(err, 0, sizeof *err);
	lockfd = pop3_state_lock(lock_path);
	if (lockfd == -EWOULDBLOCK) {
		r = pop3_fail(err, POP3_ERR_LOCKED, NULL, NULL, 0);
		goto out;
	}
	if (lockfd < 0) {
		r = disk_error(err, lockfd, "lock");
		goto out;
	}
	if ((e = pop3_state_load(state_path, &state)) < 0) {
		r = disk_error(err, e, "state");
		goto out;
	}
	if ((e = local_maildir_ensure(o->maildir)) < 0) {
		r = disk_error(err, e, "maildir");
		goto out;
	}
	char *prefix = pipeline_prefix(o->account);
	e = local_maildir_clean_tmp(o->maildir, prefix);
	g_free(prefix);
	if (e > 0)
		core_log(CORE_LOG_POP3, "removed %d stale files from tmp/", e);
	char *dberr = NULL;
	if (local_db_open(o->maildir, &db, &dberr) < 0) {
		r = pop3_fail(err, POP3_ERR_INDEX, "notmuch", dberr, strlen(dberr));
		g_free(dberr);
		goto out;
	}

	r = pop3_connect(&o->conn, &s, err);
	if (r != POP3_OK)
		goto out;
	bool with_uidl = true;
	r = pop3_list(s, true, &msgs, err);
	if (r == POP3_ERR_NO_UIDL && o->keep == POP3_KEEP_NO) {
		/* Without UIDL every message is new, and is deleted once stored. */
		core_log(CORE_LOG_POP3, "no UIDL: downloading all, then deleting");
		with_uidl = false;
		r = pop3_list(s, false, &msgs, err);
	}
	if (r == POP3_ERR_NO_UIDL) {
		struct pop3_error qe;
		pop3_quit(s, &qe);
	}
	if (r != POP3_OK)
		goto out;

	r = download(o, s, db, msgs, state, state_path, with_uidl, res, err);
	if (r == POP3_OK)
		r = finish_session(o, s, msgs, state, state_path, with_uidl, res, err);
	else if (r != POP3_ERR_NET && r != POP3_ERR_TOO_LONG && r != POP3_ERR_CANCELLED) {
		struct pop3_error qe; /* leave politely; nothing was deleted */
		pop3_quit(s, &qe);
	}
out:
	pop3_close(s);
	pop3_msgs_free(msgs);
	local_db_close(db);
	if (state)
		g_hash_table_destroy(state);
	if (lockfd >= 0)
		close(lockfd);
	g_free(lock_path);
	g_free(state_path);
	g_free(dir);
	return r;
}
