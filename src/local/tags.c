/* tags.c - tags in step with Maildir flags, and purging deleted mail. */
#include "local/local.h"
#include "local/local_private.h"
#include "core/core.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <notmuch.h>

/* notmuch's own limit on a tag's length. */
#define TAG_MAX 200

char **local_tag_list(const char *words)
{
	GPtrArray *a = g_ptr_array_new();
	char **parts = g_strsplit_set(words ? words : "", " \t\n", -1);
	for (char **p = parts; *p; p++)
		if (**p)
			g_ptr_array_add(a, g_strdup(*p));
	g_strfreev(parts);
	g_ptr_array_add(a, NULL);
	return (char **)g_ptr_array_free(a, FALSE);
}

/* Space-separated lists carry tags: no spaces or controls inside one. */
static bool tag_ok(const char *t)
{
	size_t n = strlen(t);
	if (n == 0 || n > TAG_MAX || !g_utf8_validate(t, (gssize)n, NULL))
		return false;
	for (const unsigned char *p = (const unsigned char *)t; *p; p++)
		if (*p <= ' ' || *p == 0x7f)
			return false;
	return true;
}

static int find(struct local_db *db, const char *id, notmuch_message_t **out, char **err)
{
	notmuch_status_t st = notmuch_database_find_message(db->nm, id, out);
	if (st != NOTMUCH_STATUS_SUCCESS) {
		*err = local_status_text(db->nm, st, NULL);
		return -1;
	}
	return *out ? 0 : -ENOENT;
}

/* "cur/name:2,FLAGS" with 'T' set or cleared; NULL when nothing changes
 * or the name is not a Maildir one (notmuch's rule: in cur/ or new/). */
static char *with_trashed(const char *path, bool set)
{
	char *dir = g_path_get_dirname(path);
	char *sub = g_path_get_basename(dir);
	char *base = g_path_get_basename(path);
	char *out = NULL;
	bool maildir = strcmp(sub, "cur") == 0 || strcmp(sub, "new") == 0;
	const char *info = strstr(base, ":2,");
	if (maildir && (info || set)) {
		GString *flags = g_string_new(info ? info + 3 : "");
		const char *t = strchr(flags->str, 'T');
		if (set && !t) {
			size_t i = 0;
			while (i < flags->len && flags->str[i] < 'T')
				i++;
			g_string_insert_c(flags, (gssize)i, 'T');
		} else if (!set && t) {
			g_string_erase(flags, t - flags->str, 1);
		} else {
			g_string_free(flags, TRUE);
			flags = NULL;
		}
		if (flags) {
			char *stem = info ? g_strndup(base, (gsize)(info - base)) : g_strdup(base);
			char *parent = g_path_get_dirname(dir);
			char *name = g_strdup_printf("%s:2,%s", stem, flags->str);
			/* A flagged file lives in cur/, as notmuch does it. */
			out = g_build_filename(parent, "cur", name, NULL);
			g_free(name);
			g_free(parent);
			g_free(stem);
			g_string_free(flags, TRUE);
		}
	}
	g_free(base);
	g_free(sub);
	g_free(dir);
	return out;
}

/* Rename a file and tell the index: the new name first, so the message
 * is never without a file in the index. */
static int rename_indexed(struct local_db *db, const char *from, const char *to, char **err)
{
	if (rename(from, to) < 0) {
		int e = errno;
		*err = g_strdup_printf("%s: %s", from, g_strerror(e));
		return -1;
	}
	notmuch_message_t *m = NULL;
	notmuch_status_t st = notmuch_database_index_file(db->nm, to, NULL, &m);
	if (m)
		notmuch_message_destroy(m);
	if (st != NOTMUCH_STATUS_SUCCESS && st != NOTMUCH_STATUS_DUPLICATE_MESSAGE_ID) {
		*err = local_status_text(db->nm, st, NULL);
		return -1;
	}
	st = notmuch_database_remove_message(db->nm, from);
	if (st != NOTMUCH_STATUS_SUCCESS && st != NOTMUCH_STATUS_DUPLICATE_MESSAGE_ID) {
		*err = local_status_text(db->nm, st, NULL);
		return -1;
	}
	return 0;
}

static bool has_tag(notmuch_message_t *m, const char *tag)
{
	bool found = false;
	notmuch_tags_t *tags = notmuch_message_get_tags(m);
	for (; notmuch_tags_valid(tags) && !found; notmuch_tags_move_to_next(tags))
		found = strcmp(notmuch_tags_get(tags), tag) == 0;
	notmuch_tags_destroy(tags);
	return found;
}

/* notmuch's flags, then T for "deleted". */
static int sync_flags(struct local_db *db, const char *id, char **err)
{
	notmuch_message_t *m = NULL;
	int r = find(db, id, &m, err);
	if (r < 0)
		return r;
	notmuch_status_t st = notmuch_message_tags_to_maildir_flags(m);
	notmuch_message_destroy(m);
	if (st != NOTMUCH_STATUS_SUCCESS) {
		*err = local_status_text(db->nm, st, NULL);
		return -1;
	}
	/* Found again: the renames above changed its file names. */
	if ((r = find(db, id, &m, err)) < 0)
		return r;
	bool deleted = has_tag(m, "deleted");
	GPtrArray *renames = g_ptr_array_new_with_free_func(g_free);
	notmuch_filenames_t *fn = notmuch_message_get_filenames(m);
	for (; notmuch_filenames_valid(fn); notmuch_filenames_move_to_next(fn)) {
		const char *path = notmuch_filenames_get(fn);
		char *to = with_trashed(path, deleted);
		if (to) {
			g_ptr_array_add(renames, g_strdup(path));
			g_ptr_array_add(renames, to);
		}
	}
	notmuch_filenames_destroy(fn);
	notmuch_message_destroy(m);
	for (guint i = 0; i + 1 < renames->len && r == 0; i += 2)
		r = rename_indexed(db, renames->pdata[i], renames->pdata[i + 1], err);
	g_ptr_array_unref(renames);
	return r;
}

int local_sync_flags(struct local_db *db, const char *id, char **err)
{
	if (local_db_begin(db, err) < 0)
		return -1;
	int r = sync_flags(db, id, err);
	char *e2 = NULL;
	if (local_db_end(db, r == 0 ? err : &e2) < 0 && r == 0)
		r = -1;
	g_free(e2);
	return r;
}

static char *tags_text(notmuch_message_t *m)
{
	GString *s = g_string_new("");
	notmuch_tags_t *tags = notmuch_message_get_tags(m);
	for (; notmuch_tags_valid(tags); notmuch_tags_move_to_next(tags)) {
		if (s->len)
			g_string_append_c(s, ' ');
		g_string_append(s, notmuch_tags_get(tags));
	}
	notmuch_tags_destroy(tags);
	return g_string_free(s, FALSE);
}

static int edit_tags(struct local_db *db, const char *id, const char *const *add,
	const char *const *remove, char **err)
{
	notmuch_message_t *m = NULL;
	int r = find(db, id, &m, err);
	if (r < 0)
		return r;
	notmuch_status_t st = notmuch_message_freeze(m);
	for (const char *const *t = add; t && *t && st == NOTMUCH_STATUS_SUCCESS; t++)
		st = notmuch_message_add_tag(m, *t);
	for (const char *const *t = remove; t && *t && st == NOTMUCH_STATUS_SUCCESS; t++)
		st = notmuch_message_remove_tag(m, *t);
	if (st == NOTMUCH_STATUS_SUCCESS)
		st = notmuch_message_thaw(m);
	notmuch_message_destroy(m);
	if (st != NOTMUCH_STATUS_SUCCESS) {
		*err = local_status_text(db->nm, st, NULL);
		return -1;
	}
	return 0;
}

int local_tag(struct local_db *db, const char *id, const char *const *add,
	const char *const *remove, char **tags_out, char **path_out, char **err)
{
	for (const char *const *t = add; t && *t; t++)
		if (!tag_ok(*t))
			return -EINVAL;
	for (const char *const *t = remove; t && *t; t++)
		if (!tag_ok(*t))
			return -EINVAL;
	if (local_db_begin(db, err) < 0)
		return -1;
	int r = edit_tags(db, id, add, remove, err);
	if (r == 0)
		r = sync_flags(db, id, err);
	char *e2 = NULL;
	if (local_db_end(db, r == 0 ? err : &e2) < 0 && r == 0)
		r = -1;
	g_free(e2);
	if (r < 0)
		return r;
	notmuch_message_t *m = NULL;
	if ((r = find(db, id, &m, err)) < 0)
		return r;
	if (tags_out)
		*tags_out = tags_text(m);
	if (path_out)
		*path_out = g_strdup(notmuch_message_get_filename(m));
	notmuch_message_destroy(m);
	core_log(CORE_LOG_LOCAL, "tags changed on <%s>", id);
	return 0;
}

int local_purge(struct local_db *db, const char *query, size_t *removed, char **err)
{
	char *q = local_query_and(query, "tag:deleted");
	notmuch_query_t *nq = local_query_new(db, q, err);
	g_free(q);
	if (removed)
		*removed = 0;
	if (!nq)
		return -1;
	/* Collect first: the results must not change under the iterator. */
	GPtrArray *files = g_ptr_array_new_with_free_func(g_free);
	GArray *per_msg = g_array_new(FALSE, FALSE, sizeof(guint));
	notmuch_messages_t *msgs = NULL;
	notmuch_status_t st = notmuch_query_search_messages(nq, &msgs);
	if (st != NOTMUCH_STATUS_SUCCESS) {
		*err = local_status_text(db->nm, st, NULL);
		notmuch_query_destroy(nq);
		g_ptr_array_unref(files);
		g_array_free(per_msg, TRUE);
		return -1;
	}
	for (; notmuch_messages_valid(msgs); notmuch_messages_move_to_next(msgs)) {
		notmuch_message_t *m = notmuch_messages_get(msgs);
		notmuch_filenames_t *fn = notmuch_message_get_filenames(m);
		guint n = 0;
		for (; notmuch_filenames_valid(fn); notmuch_filenames_move_to_next(fn), n++)
			g_ptr_array_add(files, g_strdup(notmuch_filenames_get(fn)));
		notmuch_filenames_destroy(fn);
		notmuch_message_destroy(m);
		g_array_append_val(per_msg, n);
	}
	notmuch_messages_destroy(msgs);
	notmuch_query_destroy(nq);

	int r = local_db_begin(db, err);
	guint f = 0;
	for (guint i = 0; i < per_msg->len && r == 0; i++) {
		guint n = g_array_index(per_msg, guint, i);
		for (guint k = 0; k < n && r == 0; k++, f++) {
			const char *path = files->pdata[f];
			/* The file goes first: an index entry without its file is
			 * harmless (notmuch new drops it), a file without its entry
			 * would come back as new mail. */
			if (unlink(path) < 0 && errno != ENOENT) {
				int e = errno;
				*err = g_strdup_printf("%s: %s", path, g_strerror(e));
				r = -1;
				break;
			}
			st = notmuch_database_remove_message(db->nm, path);
			if (st != NOTMUCH_STATUS_SUCCESS &&
			    st != NOTMUCH_STATUS_DUPLICATE_MESSAGE_ID) {
				*err = local_status_text(db->nm, st, NULL);
				r = -1;
			}
		}
		if (r == 0 && removed)
			(*removed)++;
	}
	char *e2 = NULL;
	if (db->atomic > 0 && local_db_end(db, r == 0 ? err : &e2) < 0 && r == 0)
		r = -1;
	g_free(e2);
	g_ptr_array_unref(files);
	g_array_free(per_msg, TRUE);
	core_log(CORE_LOG_LOCAL, "purged %zu messages", removed ? *removed : (size_t)0);
	return r;
}
