/* outbox.c - queued messages on disk, sent once.
 *
 * Each entry is <id>.eml (the bytes) and <id>.meta (a key file, the
 * commit point: an .eml without .meta is a half-written add and is
 * ignored).  State changes rewrite the .meta atomically. */
#include "smtp/smtp_private.h"
#include "core/core.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#define GROUP "message"
#define MAX_MESSAGE (256u << 20)

struct smtp_outbox {
	char *dir;
	int lock_fd; /* -1 when not locked */
};

static const char *const state_names[] = {
    [SMTP_OUTBOX_QUEUED] = "queued",           [SMTP_OUTBOX_SENDING] = "sending",
    [SMTP_OUTBOX_ACCEPTED] = "accepted",       [SMTP_OUTBOX_FAILED] = "failed",
    [SMTP_OUTBOX_INTERRUPTED] = "interrupted",
};

const char *smtp_outbox_state_name(enum smtp_outbox_state st)
{
	if ((unsigned)st < G_N_ELEMENTS(state_names))
		return state_names[st];
	return "?";
}

static enum smtp_outbox_state state_from_name(const char *s)
{
	for (size_t i = 0; i < G_N_ELEMENTS(state_names); i++)
		if (s && strcmp(s, state_names[i]) == 0)
			return (enum smtp_outbox_state)i;
	/* Unknown: be conservative, never send it automatically. */
	return SMTP_OUTBOX_INTERRUPTED;
}

void smtp_outbox_entry_free(struct smtp_outbox_entry *e)
{
	if (!e)
		return;
	g_free(e->id);
	g_free(e->path);
	g_free(e->from);
	g_strfreev(e->rcpts);
	g_free(e->message_id);
	g_free(e->last_error);
	g_strfreev(e->rejected);
	g_free(e);
}

char *smtp_outbox_default_dir(const char *account)
{
	char *rel = g_build_filename("outbox", account, NULL);
	char *dir = core_xdg_path(CORE_XDG_STATE, rel);

	g_free(rel);
	return dir;
}

struct smtp_outbox *smtp_outbox_open(const char *dir, int *err_out)
{
	int rc = core_mkdir_p(dir, 0700);
	struct smtp_outbox *ob;

	if (rc < 0) {
		if (err_out)
			*err_out = rc;
		return NULL;
	}
	ob = g_new0(struct smtp_outbox, 1);
	ob->dir = g_strdup(dir);
	ob->lock_fd = -1;
	return ob;
}

void smtp_outbox_close(struct smtp_outbox *ob)
{
	if (!ob)
		return;
	smtp_outbox_unlock(ob);
	g_free(ob->dir);
	g_free(ob);
}

int smtp_outbox_lock(struct smtp_outbox *ob)
{
	char *path;
	int fd, rc = 0;

	if (ob->lock_fd >= 0)
		return 0;
	path = g_build_filename(ob->dir, ".lock", NULL);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	g_free(path);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		rc = errno == EWOULDBLOCK ? -EWOULDBLOCK : -errno;
		close(fd);
		return rc;
	}
	ob->lock_fd = fd;
	return 0;
}

void smtp_outbox_unlock(struct smtp_outbox *ob)
{
	if (ob->lock_fd >= 0) {
		flock(ob->lock_fd, LOCK_UN);
		close(ob->lock_fd);
		ob->lock_fd = -1;
	}
}

static char *entry_path(const struct smtp_outbox *ob, const char *id, const char *ext)
{
	char *name = g_strconcat(id, ext, NULL);
	char *path = g_build_filename(ob->dir, name, NULL);

	g_free(name);
	return path;
}

static bool valid_id(const char *id)
{
	return id && *id && !strchr(id, '/') && id[0] != '.';
}

/* Atomic against a process crash (temp file and rename) but not synced:
 * for the state changes the claim journal covers (journal.c). */
static int write_fast(const char *path, const char *data, size_t len)
{
	char *tmp = g_strconcat(path, ".tmp", NULL);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	int rc = 0;

	if (fd < 0)
		rc = -errno;
	else if (write(fd, data, len) != (ssize_t)len)
		rc = errno ? -errno : -EIO;
	if (fd >= 0 && close(fd) < 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && rename(tmp, path) < 0)
		rc = -errno;
	if (rc < 0)
		unlink(tmp);
	g_free(tmp);
	return rc;
}

/* durable: fsync'ed (core_atomic_write); else write_fast. */
static int save_meta(struct smtp_outbox *ob, const struct smtp_outbox_entry *e, bool durable)
{
	GKeyFile *kf = g_key_file_new();
	char *path = entry_path(ob, e->id, ".meta");
	gsize len;
	char *data;
	int rc;

	g_key_file_set_string(kf, GROUP, "state", smtp_outbox_state_name(e->state));
	g_key_file_set_string(kf, GROUP, "from", e->from ? e->from : "");
	g_key_file_set_string_list(kf, GROUP, "recipients", (const char *const *)e->rcpts,
	                           e->rcpts ? g_strv_length(e->rcpts) : 0);
	if (e->message_id)
		g_key_file_set_string(kf, GROUP, "message-id", e->message_id);
	g_key_file_set_integer(kf, GROUP, "attempts", e->attempts);
	g_key_file_set_int64(kf, GROUP, "created", e->created);
	g_key_file_set_int64(kf, GROUP, "last-attempt", e->last_attempt);
	g_key_file_set_integer(kf, GROUP, "last-status", (int)e->last_status);
	g_key_file_set_integer(kf, GROUP, "last-code", e->last_code);
	if (e->last_error)
		g_key_file_set_string(kf, GROUP, "last-error", e->last_error);
	if (e->rejected)
		g_key_file_set_string_list(kf, GROUP, "rejected", (const char *const *)e->rejected,
		                           g_strv_length(e->rejected));
	data = g_key_file_to_data(kf, &len, NULL);
	rc = durable ? core_atomic_write(path, data, len, 0600) : write_fast(path, data, len);
	g_free(data);
	g_free(path);
	g_key_file_free(kf);
	return rc;
}

struct smtp_outbox_entry *smtp_outbox_get(struct smtp_outbox *ob, const char *id)
{
	GKeyFile *kf;
	char *path;
	struct smtp_outbox_entry *e;
	char *state;

	if (!valid_id(id))
		return NULL;
	kf = g_key_file_new();
	path = entry_path(ob, id, ".meta");
	if (!g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, NULL)) {
		g_free(path);
		g_key_file_free(kf);
		return NULL;
	}
	g_free(path);
	e = g_new0(struct smtp_outbox_entry, 1);
	e->id = g_strdup(id);
	e->path = entry_path(ob, id, ".eml");
	state = g_key_file_get_string(kf, GROUP, "state", NULL);
	e->state = state_from_name(state);
	g_free(state);
	e->from = g_key_file_get_string(kf, GROUP, "from", NULL);
	e->rcpts = g_key_file_get_string_list(kf, GROUP, "recipients", NULL, NULL);
	if (!e->rcpts)
		e->rcpts = g_new0(char *, 1);
	e->message_id = g_key_file_get_string(kf, GROUP, "message-id", NULL);
	e->attempts = g_key_file_get_integer(kf, GROUP, "attempts", NULL);
	e->created = g_key_file_get_int64(kf, GROUP, "created", NULL);
	e->last_attempt = g_key_file_get_int64(kf, GROUP, "last-attempt", NULL);
	e->last_status = (enum smtp_status)g_key_file_get_integer(kf, GROUP, "last-status", NULL);
	e->last_code = g_key_file_get_integer(kf, GROUP, "last-code", NULL);
	e->last_error = g_key_file_get_string(kf, GROUP, "last-error", NULL);
	e->rejected = g_key_file_get_string_list(kf, GROUP, "rejected", NULL, NULL);
	g_key_file_free(kf);
	return e;
}

int smtp_outbox_add(struct smtp_outbox *ob, const char *from, const char *const *rcpts, size_t n,
                    const char *message_id, const char *data, size_t len, char **id_out)
{
	struct smtp_outbox_entry e = {0};
	char *eml;
	int rc;

	/* Zero-padded microseconds first: names sort in queue order. */
	e.id = g_strdup_printf("%016" PRId64 "-%d-%08x", g_get_real_time(), (int)getpid(),
	                       g_random_int());
	e.state = SMTP_OUTBOX_QUEUED;
	e.from = g_strdup(from);
	e.rcpts = g_new0(char *, n + 1);
	for (size_t i = 0; i < n; i++)
		e.rcpts[i] = g_strdup(rcpts[i]);
	e.message_id = g_strdup(message_id);
	e.created = g_get_real_time() / G_USEC_PER_SEC;
	eml = entry_path(ob, e.id, ".eml");
	rc = core_atomic_write(eml, data, len, 0600);
	if (rc == 0) {
		rc = save_meta(ob, &e, true);
		if (rc < 0)
			unlink(eml);
	}
	g_free(eml);
	if (rc == 0 && id_out)
		*id_out = g_strdup(e.id);
	g_free(e.id);
	g_free(e.from);
	g_strfreev(e.rcpts);
	g_free(e.message_id);
	return rc;
}

static gint by_id(gconstpointer a, gconstpointer b)
{
	const struct smtp_outbox_entry *x = *(struct smtp_outbox_entry *const *)a;
	const struct smtp_outbox_entry *y = *(struct smtp_outbox_entry *const *)b;

	if (x->created != y->created)
		return x->created < y->created ? -1 : 1;
	return strcmp(x->id, y->id);
}

GPtrArray *smtp_outbox_list(struct smtp_outbox *ob)
{
	GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)smtp_outbox_entry_free);
	GDir *d = g_dir_open(ob->dir, 0, NULL);
	const char *name;

	if (!d)
		return out;
	while ((name = g_dir_read_name(d))) {
		char *id;
		struct smtp_outbox_entry *e;

		if (!g_str_has_suffix(name, ".meta") || name[0] == '.')
			continue;
		id = g_strndup(name, strlen(name) - 5);
		e = smtp_outbox_get(ob, id);
		if (e)
			g_ptr_array_add(out, e);
		g_free(id);
	}
	g_dir_close(d);
	g_ptr_array_sort(out, by_id);
	return out;
}

int smtp_outbox_read(struct smtp_outbox *ob, const char *id, char **data, size_t *len)
{
	char *path;
	int rc;

	if (!valid_id(id))
		return -EINVAL;
	path = entry_path(ob, id, ".eml");
	rc = core_read_file(path, MAX_MESSAGE, data, len);
	g_free(path);
	return rc;
}

int smtp_outbox_remove(struct smtp_outbox *ob, const char *id)
{
	char *meta, *eml;
	int rc = 0;

	if (!valid_id(id))
		return -EINVAL;
	meta = entry_path(ob, id, ".meta");
	eml = entry_path(ob, id, ".eml");
	/* The .meta first: without it the entry no longer exists. */
	if (unlink(meta) < 0)
		rc = -errno;
	if (unlink(eml) < 0 && rc == 0 && errno != ENOENT)
		rc = -errno;
	g_free(meta);
	g_free(eml);
	return rc;
}

int smtp_outbox_requeue(struct smtp_outbox *ob, const char *id)
{
	struct smtp_outbox_entry *e = smtp_outbox_get(ob, id);
	int rc;

	if (!e)
		return -ENOENT;
	if (e->state != SMTP_OUTBOX_FAILED && e->state != SMTP_OUTBOX_INTERRUPTED) {
		smtp_outbox_entry_free(e);
		return -EINVAL;
	}
	e->state = SMTP_OUTBOX_QUEUED;
	rc = save_meta(ob, e, true);
	smtp_outbox_entry_free(e);
	return rc;
}

int smtp_outbox_recover(struct smtp_outbox *ob)
{
	GPtrArray *all;
	GHashTable *marks;
	bool same_boot = true;
	int n = 0;

	if (ob->lock_fd < 0)
		return -ENOLCK;
	marks = smtp_journal_read(ob->dir, &same_boot);
	all = smtp_outbox_list(ob);
	for (guint i = 0; i < all->len; i++) {
		struct smtp_outbox_entry *e = all->pdata[i];
		int mark = marks ? GPOINTER_TO_INT(g_hash_table_lookup(marks, e->id)) : 0;
		bool lost = e->state == SMTP_OUTBOX_SENDING;

		/* We hold the lock, so no live process is sending.  "S" without
		 * "D": the transfer was under way.  After a reboot the unsynced
		 * outcome may have vanished: any claimed entry still QUEUED may
		 * have been sent. */
		if (e->state == SMTP_OUTBOX_QUEUED && (mark == 'S' || (!same_boot && mark)))
			lost = true;
		if (!lost)
			continue;
		e->state = SMTP_OUTBOX_INTERRUPTED;
		if (save_meta(ob, e, true) == 0)
			n++;
	}
	g_ptr_array_unref(all);
	if (marks) {
		smtp_journal_forget(ob->dir);
		g_hash_table_unref(marks);
	}
	return n;
}

static char *failure_line(const struct smtp_rcpt_failure *f)
{
	return g_strdup_printf("%s\t%d\t%s", f->address, f->code, f->reply ? f->reply : "");
}

/* After acceptance: keep the refusals, and queue again for 4xx ones. */
static void after_accept(struct smtp_outbox *ob, struct smtp_outbox_entry *e,
                         const struct smtp_result *res, const char *data, size_t len)
{
	GPtrArray *retry = g_ptr_array_new();
	guint n = res->rcpt_failures->len;

	for (guint i = 0; i < n; i++) {
		const struct smtp_rcpt_failure *f = res->rcpt_failures->pdata[i];

		if (f->code >= 400 && f->code < 500)
			g_ptr_array_add(retry, f->address);
	}
	if (retry->len)
		smtp_outbox_add(ob, e->from, (const char *const *)retry->pdata, retry->len,
		                e->message_id, data, len, NULL);
	g_ptr_array_unref(retry);
}

/* Send one claimed QUEUED entry; see smtp_outbox_send. */
static int send_claimed(struct smtp_outbox *ob, struct smtp_session *s, struct smtp_journal *j,
                        const char *id, struct smtp_result *res)
{
	struct smtp_outbox_entry *e = smtp_outbox_get(ob, id);
	char *data = NULL;
	size_t len = 0;
	int rc;

	if (!e)
		return -ENOENT;
	if (e->state != SMTP_OUTBOX_QUEUED) {
		smtp_outbox_entry_free(e);
		return -EINVAL;
	}
	rc = smtp_outbox_read(ob, id, &data, &len);
	/* Not marked as started, not sent: a crash must find the mark. */
	if (rc == 0)
		rc = smtp_journal_mark(j, 'S', id);
	e->attempts++;
	e->last_attempt = g_get_real_time() / G_USEC_PER_SEC;
	if (rc < 0) {
		g_free(data);
		smtp_outbox_entry_free(e);
		return rc;
	}
	smtp_send(s, e->from, (const char *const *)e->rcpts, g_strv_length(e->rcpts), data, len,
	          res);
	if (res->status == SMTP_OK || res->status == SMTP_PARTIAL) {
		guint n = res->rcpt_failures->len;

		e->state = SMTP_OUTBOX_ACCEPTED;
		e->last_status = res->status;
		e->last_code = res->reply_code;
		if (n) {
			e->rejected = g_new0(char *, n + 1);
			for (guint i = 0; i < n; i++)
				e->rejected[i] = failure_line(res->rcpt_failures->pdata[i]);
		}
		/* The server has it: record that before anything else. */
		rc = save_meta(ob, e, false);
		after_accept(ob, e, res, data, len);
	} else {
		e->state =
		    res->retry == SMTP_RETRY_PERMANENT ? SMTP_OUTBOX_FAILED : SMTP_OUTBOX_QUEUED;
		e->last_status = res->status;
		e->last_code = res->reply_code;
		g_free(e->last_error);
		e->last_error = g_strdup(res->reply ? res->reply : res->detail);
		rc = save_meta(ob, e, false);
	}
	if (rc == 0)
		rc = smtp_journal_mark(j, 'D', id);
	g_free(data);
	smtp_outbox_entry_free(e);
	return rc < 0 ? rc : 0;
}

int smtp_outbox_send(struct smtp_outbox *ob, struct smtp_session *s, const char *id,
                     struct smtp_result *res)
{
	struct smtp_outbox_entry *e;
	struct smtp_journal *j;
	int rc;

	if (ob->lock_fd < 0)
		return -ENOLCK;
	e = smtp_outbox_get(ob, id);
	if (!e)
		return -ENOENT;
	rc = e->state == SMTP_OUTBOX_QUEUED ? 0 : -EINVAL;
	smtp_outbox_entry_free(e);
	if (rc < 0)
		return rc;
	j = smtp_journal_open(ob->dir, &rc);
	if (j)
		rc = smtp_journal_claim(j, &id, 1);
	if (rc == 0)
		rc = send_claimed(ob, s, j, id, res);
	if (j) {
		int frc = smtp_journal_finish(j);

		if (rc == 0)
			rc = frc;
	}
	return rc;
}

/* Failures about the connection or the account: the next message would
 * fail the same way, so the flush stops. */
static bool stops_flush(const struct smtp_result *r)
{
	switch (r->status) {
	case SMTP_ERR_RESOLVE:
	case SMTP_ERR_CONNECT:
	case SMTP_ERR_TIMEOUT:
	case SMTP_ERR_TLS:
	case SMTP_ERR_CANCELLED:
		return true;
	default:
		return r->retry == SMTP_RETRY_ACCOUNT;
	}
}

#define CLAIM_BATCH 32

/* Claim the next QUEUED entries from index i on (at most CLAIM_BATCH):
 * one durable journal line for all of them.  *end: index after the last. */
static int claim_batch(struct smtp_journal *j, GPtrArray *all, guint i, guint *end)
{
	GPtrArray *ids = g_ptr_array_new();
	int rc;

	for (; i < all->len && ids->len < CLAIM_BATCH; i++) {
		struct smtp_outbox_entry *e = all->pdata[i];

		if (e->state == SMTP_OUTBOX_QUEUED)
			g_ptr_array_add(ids, e->id);
	}
	*end = i;
	rc = smtp_journal_claim(j, (const char *const *)ids->pdata, ids->len);
	g_ptr_array_unref(ids);
	return rc;
}

int smtp_outbox_flush(struct smtp_outbox *ob, struct smtp_session *s, smtp_flush_fn fn, void *ud,
                      struct smtp_flush_summary *sum)
{
	struct smtp_flush_summary local = {0};
	GPtrArray *all;
	struct smtp_journal *j = NULL;
	bool stop = false;
	guint claimed_to = 0;
	int rc = smtp_outbox_lock(ob);

	if (!sum)
		sum = &local;
	memset(sum, 0, sizeof *sum);
	if (rc < 0)
		return rc;
	smtp_outbox_recover(ob);
	all = smtp_outbox_list(ob);
	for (guint i = 0; i < all->len; i++) {
		struct smtp_outbox_entry *e = all->pdata[i];
		struct smtp_result res = {0};

		if (e->state == SMTP_OUTBOX_INTERRUPTED)
			sum->interrupted++;
		if (e->state != SMTP_OUTBOX_QUEUED)
			continue;
		if (stop) {
			sum->deferred++;
			continue;
		}
		if (!j && !(j = smtp_journal_open(ob->dir, &rc)))
			break;
		if (i >= claimed_to) {
			rc = claim_batch(j, all, i, &claimed_to);
			if (rc < 0)
				break;
		}
		rc = send_claimed(ob, s, j, e->id, &res);
		if (rc < 0) {
			smtp_result_clear(&res);
			break;
		}
		if (res.status == SMTP_OK || res.status == SMTP_PARTIAL)
			sum->sent++;
		else if (res.retry == SMTP_RETRY_PERMANENT)
			sum->failed++;
		else
			sum->deferred++;
		if (fn) {
			struct smtp_outbox_entry *now = smtp_outbox_get(ob, e->id);

			fn(ud, now ? now : e, &res);
			smtp_outbox_entry_free(now);
		}
		stop = stops_flush(&res);
		smtp_result_clear(&res);
	}
	if (j) {
		int frc = smtp_journal_finish(j);

		if (rc == 0)
			rc = frc;
	}
	g_ptr_array_unref(all);
	return rc < 0 ? rc : 0;
}
