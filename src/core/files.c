/* files.c - atomic writes, mkdir -p, bounded whole-file reads. */
#include "core/core.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>

/* fsync the directory holding path so a rename into it survives a crash. */
static int fsync_parent(const char *path)
{
	char *dir = g_path_get_dirname(path);
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int ret = 0;

	g_free(dir);
	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0 && errno != EINVAL)
		ret = -errno;
	close(fd);
	return ret;
}

int core_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int core_atomic_write_with(const char *path, mode_t mode, int (*fill)(int fd, void *user),
	void *user)
{
	char *tmp = g_strconcat(path, ".tmp.XXXXXX", NULL);
	int fd = mkostemp(tmp, O_CLOEXEC);
	int ret;

	if (fd < 0) {
		ret = -errno;
		g_free(tmp);
		return ret;
	}
	ret = fill(fd, user);
	if (ret == 0 && fsync(fd) < 0)
		ret = -errno;
	if (ret == 0 && fchmod(fd, mode) < 0)
		ret = -errno;
	if (close(fd) < 0 && ret == 0)
		ret = -errno;
	if (ret == 0 && rename(tmp, path) < 0)
		ret = -errno;
	if (ret != 0) {
		unlink(tmp);
		g_free(tmp);
		return ret;
	}
	g_free(tmp);
	return fsync_parent(path);
}

struct bytes {
	const void *data;
	size_t len;
};

static int write_bytes(int fd, void *user)
{
	const struct bytes *b = user;
	return core_write_all(fd, b->data, b->len);
}

int core_atomic_write(const char *path, const void *data, size_t len, mode_t mode)
{
	struct bytes b = {data, len};
	return core_atomic_write_with(path, mode, write_bytes, &b);
}

int core_mkdir_p(const char *path, mode_t mode)
{
	char *copy;
	size_t i, n;
	int ret = 0;

	if (!path || !*path)
		return -EINVAL;
	copy = g_strdup(path);
	n = strlen(copy);
	/* Create each prefix ending before a '/', then the whole path. */
	for (i = 1; i <= n && ret == 0; i++) {
		if (copy[i] != '/' && copy[i] != '\0')
			continue;
		if (copy[i - 1] == '/')
			continue;
		char saved = copy[i];

		copy[i] = '\0';
		if (mkdir(copy, mode) < 0) {
			struct stat st;

			/* An existing component is fine only if it is a directory. */
			if (errno != EEXIST)
				ret = -errno;
			else if (stat(copy, &st) < 0)
				ret = -errno;
			else if (!S_ISDIR(st.st_mode))
				ret = -ENOTDIR;
		}
		copy[i] = saved;
	}
	g_free(copy);
	return ret;
}

int core_read_file(const char *path, size_t max, char **out, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	GByteArray *buf;
	int ret = 0;

	*out = NULL;
	if (len)
		*len = 0;
	if (fd < 0)
		return -errno;
	buf = g_byte_array_new();
	for (;;) {
		guint8 chunk[65536];
		ssize_t n = read(fd, chunk, sizeof chunk);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			break;
		}
		if (n == 0)
			break;
		if (buf->len + (size_t)n > max) {
			ret = -EFBIG;
			break;
		}
		g_byte_array_append(buf, chunk, (guint)n);
	}
	close(fd);
	if (ret != 0) {
		g_byte_array_free(buf, TRUE);
		return ret;
	}
	if (len)
		*len = buf->len;
	g_byte_array_append(buf, (const guint8 *)"", 1);
	*out = (char *)g_byte_array_free(buf, FALSE);
	return 0;
}
