/* msgcache.c - the body cache: what opening one message needed (its
 * parts as BODYSTRUCTURE listed them, its header, the raw bytes of the
 * text parts shown), one file per message.  A message's bytes never
 * change under one UIDVALIDITY and UID, so an entry is valid until it is
 * evicted; flags are not kept here.
 *
 * Layout (integers little endian):
 *
 *   0  magic "\x89MTBC\r\n\x1a"      8 u32 version (1)
 *  12  u32 number of parts
 *  16  parts: content type, section, encoding, charset, filename
 *      (strings), i64 size, u8 shown, then the part's bytes (a blob)
 *      header (a blob)
 *      u64 XXH64 of everything before it
 *
 * A string or blob is a u32 length and its bytes; 0xffffffff is absent.
 * Attachments are never here: their bytes are fetched when asked for. */
#include "imap/imap_private.h"

#include "core/core.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#define FORMAT_VERSION 1u
#define ABSENT 0xffffffffu
#define MAX_PARTS 4096u

static const unsigned char magic[8] = {0x89, 'M', 'T', 'B', 'C', '\r', '\n', 0x1a};

void imap_msgcache_part_clear(struct imap_msgcache_part *p)
{
	g_free(p->content_type);
	g_free(p->section);
	g_free(p->encoding);
	g_free(p->charset);
	g_free(p->filename);
	if (p->data)
		g_bytes_unref(p->data);
	memset(p, 0, sizeof *p);
}

void imap_msgcache_entry_free(struct imap_msgcache_entry *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->n_parts; i++)
		imap_msgcache_part_clear(&e->parts[i]);
	g_free(e->parts);
	if (e->header)
		g_bytes_unref(e->header);
	g_free(e);
}

/* ---- writing -------------------------------------------------------- */

static void put_u32(GByteArray *b, uint32_t v)
{
	guint8 x[4] = { (guint8)v, (guint8)(v >> 8), (guint8)(v >> 16), (guint8)(v >> 24) };
	g_byte_array_append(b, x, 4);
}

static void put_u64(GByteArray *b, uint64_t v)
{
	put_u32(b, (uint32_t)v);
	put_u32(b, (uint32_t)(v >> 32));
}

static void put_blob(GByteArray *b, const void *data, size_t len, bool present)
{
	if (!present || len >= ABSENT) {
		put_u32(b, ABSENT);
		return;
	}
	put_u32(b, (uint32_t)len);
	g_byte_array_append(b, data, (guint)len);
}

static void put_str(GByteArray *b, const char *s)
{
	put_blob(b, s, s ? strlen(s) : 0, s != NULL);
}

static void put_bytes(GByteArray *b, GBytes *bytes)
{
	gsize len = 0;
	const void *data = bytes ? g_bytes_get_data(bytes, &len) : NULL;
	put_blob(b, data, len, bytes != NULL);
}

GByteArray *imap_msgcache_serialize(const struct imap_msgcache_entry *e)
{
	GByteArray *b = g_byte_array_new();
	g_byte_array_append(b, magic, sizeof magic);
	put_u32(b, FORMAT_VERSION);
	put_u32(b, (uint32_t)e->n_parts);
	for (size_t i = 0; i < e->n_parts; i++) {
		const struct imap_msgcache_part *p = &e->parts[i];
		put_str(b, p->content_type);
		put_str(b, p->section);
		put_str(b, p->encoding);
		put_str(b, p->charset);
		put_str(b, p->filename);
		put_u64(b, (uint64_t)p->size);
		guint8 shown = p->shown;
		g_byte_array_append(b, &shown, 1);
		put_bytes(b, p->data);
	}
	put_bytes(b, e->header);
	put_u64(b, imap_cache_hash(b->data, b->len));
	return b;
}

/* ---- reading -------------------------------------------------------- */

struct reader {
	const guint8 *p, *end;
	bool bad;
};

static uint32_t get_u32(struct reader *r)
{
	if (r->end - r->p < 4) {
		r->bad = true;
		return 0;
	}
	uint32_t v = (uint32_t)r->p[0] | (uint32_t)r->p[1] << 8 | (uint32_t)r->p[2] << 16 |
		     (uint32_t)r->p[3] << 24;
	r->p += 4;
	return v;
}

static uint64_t get_u64(struct reader *r)
{
	uint64_t lo = get_u32(r);
	return lo | (uint64_t)get_u32(r) << 32;
}

/* A blob's bytes (borrowed from the image) and length; NULL when absent
 * or when the length runs past the end (then r->bad). */
static const guint8 *get_blob(struct reader *r, size_t *len)
{
	uint32_t n = get_u32(r);
	*len = 0;
	if (r->bad || n == ABSENT)
		return NULL;
	if ((size_t)(r->end - r->p) < n) {
		r->bad = true;
		return NULL;
	}
	const guint8 *at = r->p;
	r->p += n;
	*len = n;
	return at;
}

/* A string: no NUL inside (the reader of a crafted file must not get a
 * shorter string than the record says). */
static char *get_str(struct reader *r)
{
	size_t len;
	const guint8 *at = get_blob(r, &len);
	if (!at)
		return NULL;
	if (memchr(at, '\0', len)) {
		r->bad = true;
		return NULL;
	}
	return g_strndup((const char *)at, len);
}

static GBytes *get_bytes(struct reader *r)
{
	size_t len;
	const guint8 *at = get_blob(r, &len);
	return at ? g_bytes_new(at, len) : NULL;
}

enum imap_cache_result imap_msgcache_parse(const void *data, size_t len,
	struct imap_msgcache_entry **out)
{
	*out = NULL;
	if (len < sizeof magic + 8 + 8)
		return IMAP_CACHE_SHORT;
	if (memcmp(data, magic, sizeof magic) != 0)
		return IMAP_CACHE_MAGIC;
	struct reader r = { .p = (const guint8 *)data + len - 8, .end = (const guint8 *)data + len };
	if (get_u64(&r) != imap_cache_hash(data, len - 8))
		return IMAP_CACHE_CHECKSUM;
	r = (struct reader){ .p = (const guint8 *)data + sizeof magic,
			     .end = (const guint8 *)data + len - 8 };
	if (get_u32(&r) != FORMAT_VERSION)
		return IMAP_CACHE_MAGIC;
	uint32_t n = get_u32(&r);
	if (n > MAX_PARTS)
		return IMAP_CACHE_RECORD;
	struct imap_msgcache_entry *e = g_new0(struct imap_msgcache_entry, 1);
	e->parts = g_new0(struct imap_msgcache_part, n ? n : 1);
	for (uint32_t i = 0; i < n && !r.bad; i++) {
		struct imap_msgcache_part *p = &e->parts[i];
		e->n_parts = i + 1;
		p->content_type = get_str(&r);
		p->section = get_str(&r);
		p->encoding = get_str(&r);
		p->charset = get_str(&r);
		p->filename = get_str(&r);
		p->size = (int64_t)get_u64(&r);
		if (r.p >= r.end) {
			r.bad = true;
			break;
		}
		if (*r.p > 1) { /* one spelling for each value: the image is canonical */
			r.bad = true;
			break;
		}
		p->shown = *r.p++ != 0;
		p->data = get_bytes(&r);
		/* Every part has a type and a section to fetch it by. */
		if (!p->content_type || !p->section)
			r.bad = true;
	}
	if (!r.bad)
		e->header = get_bytes(&r);
	if (r.bad || !e->header || r.p != r.end) {
		imap_msgcache_entry_free(e);
		return IMAP_CACHE_RECORD;
	}
	*out = e;
	return IMAP_CACHE_OK;
}

enum imap_cache_result imap_msgcache_load(const char *path, struct imap_msgcache_entry **out)
{
	*out = NULL;
	gchar *data = NULL;
	gsize len = 0;
	GError *err = NULL;
	if (!g_file_get_contents(path, &data, &len, &err)) {
		bool missing = g_error_matches(err, G_FILE_ERROR, G_FILE_ERROR_NOENT);
		g_error_free(err);
		return missing ? IMAP_CACHE_MISSING : IMAP_CACHE_IO;
	}
	enum imap_cache_result res = imap_msgcache_parse(data, len, out);
	g_free(data);
	if (res != IMAP_CACHE_OK && res != IMAP_CACHE_IO)
		g_unlink(path); /* never trusted, never read again */
	return res;
}

int imap_msgcache_save(const struct imap_msgcache_entry *e, const char *path)
{
	char *dir = g_path_get_dirname(path);
	int r = core_mkdir_p(dir, 0700);
	g_free(dir);
	if (r < 0)
		return r;
	GByteArray *b = imap_msgcache_serialize(e);
	r = core_atomic_write(path, b->data, b->len, 0600);
	g_byte_array_unref(b);
	return r;
}

/* ---- eviction -------------------------------------------------------- */

struct cached_file {
	char *path;
	gint64 mtime;
	goffset size;
};

static void cached_file_free(void *p)
{
	struct cached_file *f = p;
	g_free(f->path);
	g_free(f);
}

static void collect(const char *dir, GPtrArray *files, int depth)
{
	GDir *d = depth < 4 ? g_dir_open(dir, 0, NULL) : NULL;
	if (!d)
		return;
	const char *name;
	while ((name = g_dir_read_name(d))) {
		char *path = g_build_filename(dir, name, NULL);
		struct stat st;
		if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
			collect(path, files, depth + 1);
			g_free(path);
		} else if (S_ISREG(st.st_mode)) {
			struct cached_file *f = g_new0(struct cached_file, 1);
			f->path = path;
			f->mtime = (gint64)st.st_mtime;
			f->size = st.st_size;
			g_ptr_array_add(files, f);
		} else {
			g_free(path);
		}
	}
	g_dir_close(d);
}

static int older_first(gconstpointer a, gconstpointer b)
{
	const struct cached_file *x = *(const struct cached_file *const *)a;
	const struct cached_file *y = *(const struct cached_file *const *)b;
	return x->mtime < y->mtime ? -1 : x->mtime > y->mtime;
}

uint64_t imap_msgcache_trim(const char *root, uint64_t max_bytes)
{
	GPtrArray *files = g_ptr_array_new_with_free_func(cached_file_free);
	collect(root, files, 0);
	uint64_t total = 0;
	for (guint i = 0; i < files->len; i++)
		total += (uint64_t)((struct cached_file *)files->pdata[i])->size;
	g_ptr_array_sort(files, older_first);
	for (guint i = 0; i < files->len && total > max_bytes; i++) {
		const struct cached_file *f = files->pdata[i];
		if (g_unlink(f->path) == 0)
			total -= (uint64_t)f->size;
	}
	g_ptr_array_unref(files);
	return total;
}
