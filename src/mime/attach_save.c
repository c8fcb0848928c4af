/* attach_save.c - attachment bytes, safe file names, saving.
 *
 * Saving writes a temporary file in the target directory (mkstemp, mode
 * 0600: an attachment is private mail, the user can chmod it), fsyncs
 * it, then link()s it to the final name, which fails if the name exists:
 * no window where a half-written file or a replaced file can be seen.
 * With overwrite the temporary file is renamed over the name instead
 * (replacing a symlink, never writing through it). */
#include "mime/view_private.h"

#include "core/core.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SAFE_NAME_MAX 200
#define EXT_MAX 16

enum mime_view_status mime_attachment_bytes(struct mime_view *v, size_t index, GBytes **out)
{
	GMimeObject *obj;

	*out = NULL;
	if (index >= v->atts->len)
		return MIME_VIEW_ERR_INDEX;
	if (g_ptr_array_index(v->bytes, index)) {
		*out = g_bytes_ref(g_ptr_array_index(v->bytes, index));
		return MIME_VIEW_OK;
	}
	obj = g_ptr_array_index(v->objects, index);
	if (obj && GMIME_IS_PART(obj)) {
		GByteArray *b = view_part_bytes(GMIME_PART(obj), G_MAXUINT);

		*out = g_byte_array_free_to_bytes(b);
		return MIME_VIEW_OK;
	}
	if (obj && GMIME_IS_MESSAGE_PART(obj)) {
		GMimeMessage *m = g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));
		GMimeStream *mem = g_mime_stream_mem_new();
		GByteArray *b;

		if (m)
			g_mime_object_write_to_stream(GMIME_OBJECT(m), NULL, mem);
		g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(mem), FALSE);
		b = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
		g_object_unref(mem);
		*out = g_byte_array_free_to_bytes(b);
		return MIME_VIEW_OK;
	}
	return MIME_VIEW_ERR_NOT_FETCHED;
}

void mime_view_set_attachment_bytes(struct mime_view *v, size_t index, GBytes *decoded)
{
	if (index >= v->atts->len || !decoded)
		return;
	if (g_ptr_array_index(v->bytes, index))
		g_bytes_unref(g_ptr_array_index(v->bytes, index));
	g_ptr_array_index(v->bytes, index) = g_bytes_ref(decoded);
	g_array_index(v->atts, struct mime_attachment, index).fetched = true;
}

/* Cut s (valid UTF-8) to at most max bytes before a character, never
 * leaving a base without the combining marks that follow it. */
static void cut_utf8(GString *s, gsize max)
{
	const char *p;

	if (s->len <= max)
		return;
	p = s->str + max;
	while (p > s->str && ((unsigned char)*p & 0xc0) == 0x80)
		p--;
	while (p > s->str && g_unichar_ismark(g_utf8_get_char(p)))
		p = g_utf8_prev_char(p);
	g_string_truncate(s, (gsize)(p - s->str));
}

char *mime_attachment_safe_name(const char *name, size_t index)
{
	char *safe = core_safe_text(name ? name : "", (size_t)-1, false);
	GString *s = g_string_sized_new(strlen(safe));
	const char *p = safe, *dot;

	for (; *p; p++) {
		char c = *p == '/' || *p == '\\' ? '_' : *p;

		/* ".." anywhere becomes "."; leading dots, dashes, spaces go. */
		if (c == '.' && s->len > 0 && s->str[s->len - 1] == '.')
			continue;
		if (s->len == 0 && (c == '.' || c == '-' || c == ' '))
			continue;
		g_string_append_c(s, c);
	}
	g_free(safe);
	while (s->len > 0 && s->str[s->len - 1] == ' ')
		g_string_truncate(s, s->len - 1);
	if (s->len == 0) {
		g_string_free(s, TRUE);
		return g_strdup_printf("attachment-%zu", index + 1);
	}
	if (s->len > SAFE_NAME_MAX) {
		char *ext = NULL;

		dot = strrchr(s->str, '.');
		if (dot && dot != s->str && strlen(dot) <= EXT_MAX && strlen(dot) > 1)
			ext = g_strdup(dot);
		cut_utf8(s, SAFE_NAME_MAX - (ext ? strlen(ext) : 0));
		if (ext)
			g_string_append(s, ext);
		g_free(ext);
	}
	return g_string_free(s, FALSE);
}

/* Bytes a shell never treats specially, in any quoting context. */
static bool shell_inert(char c)
{
	return g_ascii_isalnum(c) || c == '.' || c == '_' || c == '-' || c == '+';
}

char *mime_shell_safe_name(const char *name, size_t index)
{
	char *safe = mime_attachment_safe_name(name, index);
	GString *s = g_string_sized_new(strlen(safe));
	for (const char *p = safe; *p; p++) {
		char c = shell_inert(*p) ? *p : '_';
		/* One '_' for a run of replaced bytes (a Vietnamese letter is
		 * two or three). */
		if (c == '_' && s->len && s->str[s->len - 1] == '_')
			continue;
		g_string_append_c(s, c);
	}
	g_free(safe);
	if (s->len == 0 || s->str[0] == '-' || s->str[0] == '.')
		g_string_prepend(s, "attachment");
	return g_string_free(s, FALSE);
}

char *mime_shell_safe_type(const char *type)
{
	GString *s = g_string_new(NULL);
	for (const char *p = type ? type : ""; *p; p++)
		g_string_append_c(s, shell_inert(*p) || *p == '/' ? g_ascii_tolower(*p) : '_');
	if (!s->len)
		g_string_append(s, "application/octet-stream");
	return g_string_free(s, FALSE);
}

static int write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		data += n;
		len -= (size_t)n;
	}
	return fsync(fd) < 0 ? -errno : 0;
}

static enum mime_view_status io_error(char **err, const char *path, int e)
{
	if (err)
		*err = g_strdup_printf("%s: %s", path, g_strerror(e));
	return MIME_VIEW_ERR_IO;
}

/* The file system cannot link (vfat...): create the name exclusively. */
static int write_exclusive(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	int r;

	if (fd < 0)
		return -errno;
	r = write_all(fd, data, len);
	close(fd);
	if (r < 0)
		unlink(path);
	return r;
}

static enum mime_view_status save_bytes(const char *dir, const char *path, GBytes *bytes,
                                        bool overwrite, char **err)
{
	char *tmp = g_build_filename(dir, ".mailtui-save-XXXXXX", NULL);
	gsize len;
	const char *data = g_bytes_get_data(bytes, &len);
	int fd = g_mkstemp_full(tmp, O_WRONLY | O_CLOEXEC, 0600);
	int r;

	if (fd < 0) {
		r = errno;
		g_free(tmp);
		return io_error(err, dir, r);
	}
	r = write_all(fd, data, len);
	close(fd);
	if (r == 0 && overwrite)
		r = rename(tmp, path) < 0 ? -errno : 0;
	else if (r == 0 && link(tmp, path) < 0) {
		r = -errno;
		if (r != -EEXIST)
			r = write_exclusive(path, data, len);
	}
	unlink(tmp);
	g_free(tmp);
	if (r == -EEXIST)
		return MIME_VIEW_ERR_EXISTS;
	return r < 0 ? io_error(err, path, -r) : MIME_VIEW_OK;
}

enum mime_view_status mime_attachment_save(struct mime_view *v, size_t index, const char *dir,
                                           const char *name_override, bool overwrite,
                                           char **saved_path, char **err)
{
	const struct mime_attachment *a;
	enum mime_view_status st;
	GBytes *bytes;
	char *name, *path;
	struct stat sb;

	if (saved_path)
		*saved_path = NULL;
	if (err)
		*err = NULL;
	st = mime_attachment_bytes(v, index, &bytes);
	if (st != MIME_VIEW_OK)
		return st;
	a = &g_array_index(v->atts, struct mime_attachment, index);
	name = mime_attachment_safe_name(name_override ? name_override : a->filename, index);
	path = g_build_filename(dir && *dir ? dir : ".", name, NULL);
	if (!overwrite && lstat(path, &sb) == 0)
		st = MIME_VIEW_ERR_EXISTS;
	else
		st = save_bytes(dir && *dir ? dir : ".", path, bytes, overwrite, err);
	g_bytes_unref(bytes);
	g_free(name);
	if (saved_path && (st == MIME_VIEW_OK || st == MIME_VIEW_ERR_EXISTS))
		*saved_path = path;
	else
		g_free(path);
	return st;
}
