/* state.c - per-account UIDL state: which messages were downloaded and
 * when, written atomically; and the lock that keeps one fetch per account. */
#include "pop3/pop3_private.h"
#include "pop3/state.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#define STATE_MAGIC "mailtui-uidl 1\n"

char *pop3_state_dir(void)
{
	return core_xdg_path(CORE_XDG_STATE, "pop3");
}

char *pop3_state_file(const char *dir, const char *account, const char *ext)
{
	GString *s = g_string_new(NULL);
	for (const char *p = account; *p; p++) {
		if (g_ascii_isalnum(*p) || *p == '.' || *p == '_' || *p == '-')
			g_string_append_c(s, *p);
		else
			g_string_append_printf(s, "%%%02X", (unsigned char)*p);
	}
	if (s->str[0] == '.')
		g_string_prepend(s, "%2E");
	g_string_append(s, ext);
	char *path = g_build_filename(dir, s->str, NULL);
	g_string_free(s, TRUE);
	return path;
}

int pop3_state_load(const char *path, GHashTable **out)
{
	GHashTable *t = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	char *data = NULL;
	size_t len;
	int r = core_read_file(path, 256u << 20, &data, &len);
	*out = t;
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	if (strncmp(data, STATE_MAGIC, strlen(STATE_MAGIC)) != 0) {
		g_free(data);
		return -EINVAL;
	}
	char **lines = g_strsplit(data + strlen(STATE_MAGIC), "\n", -1);
	for (char **l = lines; *l; l++) {
		char *sp = strchr(*l, ' ');
		if (!sp || !pop3_uidl_valid(sp + 1, strlen(sp + 1)))
			continue;
		gint64 when = g_ascii_strtoll(*l, NULL, 10);
		g_hash_table_replace(t, g_strdup(sp + 1), GSIZE_TO_POINTER((gsize)when));
	}
	g_strfreev(lines);
	g_free(data);
	return 0;
}

int pop3_state_save(const char *path, GHashTable *t)
{
	GString *s = g_string_sized_new(64 + g_hash_table_size(t) * 40);
	GHashTableIter it;
	gpointer k, v;
	g_string_append(s, STATE_MAGIC);
	g_hash_table_iter_init(&it, t);
	while (g_hash_table_iter_next(&it, &k, &v))
		g_string_append_printf(s, "%" G_GINT64_FORMAT " %s\n", (gint64)GPOINTER_TO_SIZE(v),
			(const char *)k);
	char *dir = g_path_get_dirname(path);
	int r = core_mkdir_p(dir, 0700);
	g_free(dir);
	if (r == 0)
		r = core_atomic_write(path, s->str, s->len, 0600);
	g_string_free(s, TRUE);
	return r;
}

int pop3_state_lock(const char *path)
{
	char *dir = g_path_get_dirname(path);
	int r = core_mkdir_p(dir, 0700);
	g_free(dir);
	if (r < 0)
		return r;
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		r = errno == EWOULDBLOCK ? -EWOULDBLOCK : -errno;
		close(fd);
		return r;
	}
	return fd;
}
