/* maildir.c - Maildir delivery in steps: tmp/, fsync, rename into new/,
 * fsync the directory (so a crash can never leave a half message in new/). */
#include "local/local.h"
#include "core/core.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

static char *sub_path(const char *maildir, const char *sub, const char *name)
{
	return g_build_filename(maildir, sub, name, NULL);
}

int local_maildir_ensure(const char *maildir)
{
	static const char *const subs[] = { "cur", "new", "tmp" };
	for (size_t i = 0; i < G_N_ELEMENTS(subs); i++) {
		char *p = sub_path(maildir, subs[i], NULL);
		int r = core_mkdir_p(p, 0700);
		g_free(p);
		if (r < 0)
			return r;
	}
	return 0;
}

int local_maildir_clean_tmp(const char *maildir, const char *prefix)
{
	char *dir = sub_path(maildir, "tmp", NULL);
	DIR *d = opendir(dir);
	int n = 0;
	if (!d) {
		int e = errno;
		g_free(dir);
		return e == ENOENT ? 0 : -e;
	}
	size_t pl = strlen(prefix);
	struct dirent *e;
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, prefix, pl) != 0)
			continue;
		if (unlinkat(dirfd(d), e->d_name, 0) == 0)
			n++;
	}
	closedir(d);
	g_free(dir);
	return n;
}

static void scan(GHashTable *names, const char *maildir, const char *sub, const char *prefix)
{
	char *dir = sub_path(maildir, sub, NULL);
	DIR *d = opendir(dir);
	g_free(dir);
	if (!d)
		return;
	size_t pl = strlen(prefix);
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || strncmp(e->d_name, prefix, pl) != 0)
			continue;
		const char *colon = strchr(e->d_name, ':');
		char *base = colon ? g_strndup(e->d_name, (size_t)(colon - e->d_name))
				   : g_strdup(e->d_name);
		g_hash_table_replace(names, base, g_build_filename(sub, e->d_name, NULL));
	}
	closedir(d);
}

GHashTable *local_maildir_names(const char *maildir, const char *prefix)
{
	GHashTable *names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	scan(names, maildir, "new", prefix);
	scan(names, maildir, "cur", prefix);
	return names;
}

int local_maildir_write_tmp(const char *maildir, const char *name, const void *data,
	size_t len, int *fd_out)
{
	char *path = sub_path(maildir, "tmp", name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	int r = fd < 0 ? -errno : core_write_all(fd, data, len);
	if (r < 0) {
		if (fd >= 0)
			close(fd);
		unlink(path);
		g_free(path);
		return r;
	}
	g_free(path);
	*fd_out = fd;
	return 0;
}

void local_maildir_abort(const char *maildir, const char *name, int fd)
{
	if (fd >= 0)
		close(fd);
	char *path = sub_path(maildir, "tmp", name);
	unlink(path);
	g_free(path);
}

int local_maildir_commit(const char *maildir, const char *name, int fd)
{
	int r = 0;
	if (fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r < 0) {
		local_maildir_abort(maildir, name, -1);
		return r;
	}
	char *from = sub_path(maildir, "tmp", name);
	char *to = sub_path(maildir, "new", name);
	if (rename(from, to) < 0) {
		r = -errno;
		unlink(from);
	}
	g_free(from);
	g_free(to);
	return r;
}

int local_maildir_sync_new(const char *maildir)
{
	char *dir = sub_path(maildir, "new", NULL);
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int r = 0;
	g_free(dir);
	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0 && errno != EINVAL)
		r = -errno;
	close(fd);
	return r;
}

char *local_maildir_unique_name(void)
{
	static gint counter;
	struct timeval tv;
	char host[256] = "localhost";

	gettimeofday(&tv, NULL);
	gethostname(host, sizeof host - 1);
	host[sizeof host - 1] = '\0';
	/* '/' and ':' would break the name (Maildir info starts at ':'). */
	for (char *p = host; *p; p++)
		if (*p == '/' || *p == ':')
			*p = '_';
	return g_strdup_printf("%ld.M%ldP%dQ%d.%s", (long)tv.tv_sec, (long)tv.tv_usec,
		(int)getpid(), g_atomic_int_add(&counter, 1) + 1, host);
}
