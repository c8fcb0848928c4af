/* deliver.c - one message into the Maildir and the index in one call
 * (the pattern of notmuch-insert), and the list of files notmuch refused. */
#include "local/local.h"
#include "core/core.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

int local_deliver(struct local_db *db, const char *maildir, const char *name,
	const void *data, size_t len, const char *const *tags, enum local_index *result,
	char **path_out, char **err)
{
	char *own = name ? NULL : local_maildir_unique_name();
	const char *base = name ? name : own;
	int fd = -1;
	int r = local_maildir_ensure(maildir);

	if (r == 0)
		r = local_maildir_write_tmp(maildir, base, data, len, &fd);
	if (r == 0)
		r = local_maildir_commit(maildir, base, fd);
	if (r == 0)
		r = local_maildir_sync_new(maildir);
	if (r < 0) {
		g_free(own);
		return r;
	}
	char *path = g_build_filename(maildir, "new", base, NULL);
	*result = local_db_index(db, path, tags, err);
	if (*result == LOCAL_INDEX_NOT_MAIL) {
		char *rel = g_build_filename("new", base, NULL);
		const char *rels[] = { rel };
		r = local_unindexed_add(maildir, rels, 1);
		g_free(rel);
	} else if (*result == LOCAL_INDEX_ERROR) {
		r = -EIO;
	}
	if (path_out)
		*path_out = path;
	else
		g_free(path);
	g_free(own);
	return r;
}

char *local_unindexed_path(const char *maildir)
{
	return g_build_filename(maildir, ".notmuch", "mailtui-unindexed", NULL);
}

int local_unindexed_add(const char *maildir, const char *const *rel_paths, size_t n)
{
	if (n == 0)
		return 0;
	char *path = local_unindexed_path(maildir);
	char *old = NULL;
	size_t len = 0;
	int r = core_read_file(path, 64u << 20, &old, &len);
	if (r < 0 && r != -ENOENT) {
		g_free(path);
		return r;
	}
	GString *s = g_string_new_len(old ? old : "", old ? (gssize)len : 0);
	if (s->len && s->str[s->len - 1] != '\n')
		g_string_append_c(s, '\n');
	for (size_t i = 0; i < n; i++) {
		g_string_append(s, rel_paths[i]);
		g_string_append_c(s, '\n');
	}
	char *dir = g_path_get_dirname(path);
	r = core_mkdir_p(dir, 0700);
	if (r == 0)
		r = core_atomic_write(path, s->str, s->len, 0600);
	g_free(dir);
	g_free(old);
	g_free(path);
	g_string_free(s, TRUE);
	return r;
}

char **local_unindexed_list(const char *maildir)
{
	char *path = local_unindexed_path(maildir);
	char *data = NULL;
	GPtrArray *out = g_ptr_array_new();
	if (core_read_file(path, 64u << 20, &data, NULL) == 0) {
		char **lines = g_strsplit(data, "\n", -1);
		for (char **l = lines; *l; l++) {
			if (!**l)
				continue;
			char *full = g_build_filename(maildir, *l, NULL);
			if (access(full, F_OK) == 0)
				g_ptr_array_add(out, g_strdup(*l));
			g_free(full);
		}
		g_strfreev(lines);
	}
	g_free(data);
	g_free(path);
	g_ptr_array_add(out, NULL);
	return (char **)g_ptr_array_free(out, FALSE);
}
