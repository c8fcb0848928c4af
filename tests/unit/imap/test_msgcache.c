/* test_msgcache.c - the body cache: a round trip with every kind of
 * field, every kind of damage refused (and the damaged file removed),
 * eviction of the oldest files, and file names. */
#include "imap/imap.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <utime.h>

#include "testfs.h"

static struct imap_msgcache_entry *sample(void)
{
	struct imap_msgcache_entry *e = g_new0(struct imap_msgcache_entry, 1);
	e->n_parts = 3;
	e->parts = g_new0(struct imap_msgcache_part, 3);
	e->parts[0] = (struct imap_msgcache_part){
		.content_type = g_strdup("text/plain"), .section = g_strdup("1"),
		.encoding = g_strdup("quoted-printable"), .charset = g_strdup("utf-8"),
		.size = 14, .shown = true,
		.data = g_bytes_new_static("Xin ch=C3=A0o\r\n", 15),
	};
	e->parts[1] = (struct imap_msgcache_part){
		.content_type = g_strdup("application/pdf"), .section = g_strdup("2"),
		.encoding = g_strdup("base64"), .filename = g_strdup("báo cáo.pdf"),
		.size = 5 << 20,
	};
	e->parts[2] = (struct imap_msgcache_part){ /* shown, but empty */
		.content_type = g_strdup("text/html"), .section = g_strdup("3"), .size = -1,
		.shown = true, .data = g_bytes_new_static("", 0),
	};
	e->header = g_bytes_new_static("From: An <an@example.test>\r\nSubject: x\r\n\r\n", 42);
	return e;
}

static void assert_part(const struct imap_msgcache_part *a, const struct imap_msgcache_part *b)
{
	g_assert_cmpstr(a->content_type, ==, b->content_type);
	g_assert_cmpstr(a->section, ==, b->section);
	g_assert_cmpstr(a->encoding, ==, b->encoding);
	g_assert_cmpstr(a->charset, ==, b->charset);
	g_assert_cmpstr(a->filename, ==, b->filename);
	g_assert_cmpint(a->size, ==, b->size);
	g_assert_cmpint(a->shown, ==, b->shown);
	g_assert_cmpint(!a->data, ==, !b->data);
	if (a->data)
		g_assert_true(g_bytes_equal(a->data, b->data));
}

static void test_round_trip(void)
{
	struct imap_msgcache_entry *e = sample();
	GByteArray *img = imap_msgcache_serialize(e);
	struct imap_msgcache_entry *back = NULL;
	g_assert_cmpint(imap_msgcache_parse(img->data, img->len, &back), ==, IMAP_CACHE_OK);
	g_assert_cmpuint(back->n_parts, ==, e->n_parts);
	for (size_t i = 0; i < e->n_parts; i++)
		assert_part(&e->parts[i], &back->parts[i]);
	g_assert_true(g_bytes_equal(e->header, back->header));
	GByteArray *again = imap_msgcache_serialize(back);
	g_assert_cmpmem(again->data, again->len, img->data, img->len);
	g_byte_array_unref(again);
	g_byte_array_unref(img);
	imap_msgcache_entry_free(back);
	imap_msgcache_entry_free(e);
}

/* Any changed bit, any truncation, anything appended: refused whole. */
static void test_damage(void)
{
	struct imap_msgcache_entry *e = sample();
	GByteArray *img = imap_msgcache_serialize(e);
	guint8 *copy = g_memdup2(img->data, img->len);
	struct imap_msgcache_entry *d;
	for (guint i = 0; i < img->len; i++) {
		for (int bit = 0; bit < 8; bit += 3) {
			copy[i] ^= (guint8)(1u << bit);
			if (imap_msgcache_parse(copy, img->len, &d) == IMAP_CACHE_OK)
				g_error("flipping bit %d of byte %u was not noticed", bit, i);
			g_assert_null(d);
			copy[i] = img->data[i];
		}
	}
	for (guint len = 0; len < img->len; len++) {
		g_assert_cmpint(imap_msgcache_parse(img->data, len, &d), !=, IMAP_CACHE_OK);
		g_assert_null(d);
	}
	g_byte_array_append(img, (const guint8 *)"x", 1);
	g_assert_cmpint(imap_msgcache_parse(img->data, img->len, &d), !=, IMAP_CACHE_OK);
	g_free(copy);
	g_byte_array_unref(img);
	imap_msgcache_entry_free(e);
}

/* A file with a right hash but wrong insides (crafted): a length past
 * the end, a NUL inside a string, a part without a section. */
static void test_crafted(void)
{
	static const guint8 magic[8] = {0x89, 'M', 'T', 'B', 'C', '\r', '\n', 0x1a};
	const char *const bodies[] = {
		"\x01\0\0\0\x01\0\0\0\xff\0\0\0",             /* 1 part, type 255 bytes long */
		"\x01\0\0\0\x01\0\0\0\x03\0\0\0a\0b",          /* NUL inside the type */
		"\x01\0\0\0\x01\0\0\0\x01\0\0\0a\xff\xff\xff\xff", /* no section */
		"\x01\0\0\0\xff\xff\0\0",                      /* 65535 parts */
		"\x02\0\0\0\0\0\0\0\0\0\0\0",                  /* another version */
		/* a part whose "shown" byte is 2, not 0 or 1 */
		"\x01\0\0\0\x01\0\0\0\x01\0\0\0a\x01\0\0\0" "1"
		"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"
		"\0\0\0\0\0\0\0\0\x02\xff\xff\xff\xff\0\0\0\0",
	};
	const size_t lens[] = {12, 15, 17, 8, 12, 47};
	for (size_t k = 0; k < G_N_ELEMENTS(bodies); k++) {
		GByteArray *b = g_byte_array_new();
		g_byte_array_append(b, magic, sizeof magic);
		g_byte_array_append(b, (const guint8 *)bodies[k], (guint)lens[k]);
		guint64 h = imap_cache_hash(b->data, b->len);
		guint8 le[8];
		for (int i = 0; i < 8; i++)
			le[i] = (guint8)(h >> (8 * i));
		g_byte_array_append(b, le, 8);
		struct imap_msgcache_entry *d = NULL;
		g_assert_cmpint(imap_msgcache_parse(b->data, b->len, &d), !=, IMAP_CACHE_OK);
		g_assert_cmpint(imap_msgcache_parse(b->data, b->len, &d), !=, IMAP_CACHE_CHECKSUM);
		g_assert_null(d);
		g_byte_array_unref(b);
	}
}

static void test_files(void)
{
	char *dir = g_dir_make_tmp("msgcache-XXXXXX", NULL);
	g_setenv("XDG_CACHE_HOME", dir, TRUE);
	char *path = imap_msgcache_path("work", "INBOX", 7, 42);
	char *want = g_build_filename(dir, "mailtui", "work", "bodies", "INBOX", "7", "42", NULL);
	g_assert_cmpstr(path, ==, want);
	struct imap_msgcache_entry *e = sample(), *back = NULL;
	g_assert_cmpint(imap_msgcache_load(path, &back), ==, IMAP_CACHE_MISSING);
	g_assert_cmpint(imap_msgcache_save(e, path), ==, 0);
	struct stat st;
	g_assert_cmpint(g_stat(path, &st), ==, 0);
	g_assert_cmpint(st.st_mode & 0777, ==, 0600);
	char *parent = g_path_get_dirname(path);
	g_assert_cmpint(g_stat(parent, &st), ==, 0);
	g_assert_cmpint(st.st_mode & 0777, ==, 0700);
	g_assert_cmpint(imap_msgcache_load(path, &back), ==, IMAP_CACHE_OK);
	imap_msgcache_entry_free(back);

	/* A damaged file is removed, so it is fetched and written anew. */
	gchar *data;
	gsize len;
	g_assert_true(g_file_get_contents(path, &data, &len, NULL));
	data[len / 2] ^= 1;
	g_assert_true(g_file_set_contents(path, data, (gssize)len, NULL));
	g_free(data);
	back = NULL;
	g_assert_cmpint(imap_msgcache_load(path, &back), ==, IMAP_CACHE_CHECKSUM);
	g_assert_null(back);
	g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));

	/* A folder name cannot climb out of the cache. */
	char *odd = imap_msgcache_path("work", "../x", 1, 1);
	g_assert_null(strstr(odd, "/../"));
	g_free(odd);

	imap_msgcache_entry_free(e);
	g_free(parent);
	g_free(want);
	g_free(path);
	testfs_rm_rf(dir);
	g_free(dir);
}

/* Over the limit, the files written longest ago go first. */
static void test_trim(void)
{
	char *dir = g_dir_make_tmp("msgcache-XXXXXX", NULL);
	g_setenv("XDG_CACHE_HOME", dir, TRUE);
	struct imap_msgcache_entry *e = sample();
	GByteArray *img = imap_msgcache_serialize(e);
	char *paths[6];
	for (int i = 0; i < 6; i++) {
		paths[i] = imap_msgcache_path("acct", i < 3 ? "INBOX" : "Archive", 1, (uint32_t)i + 1);
		g_assert_cmpint(imap_msgcache_save(e, paths[i]), ==, 0);
		struct utimbuf t = { .actime = 1000000 + i * 60, .modtime = 1000000 + i * 60 };
		g_assert_cmpint(utime(paths[i], &t), ==, 0);
	}
	char *root = imap_msgcache_root("acct");
	/* Room for four: the two written first go. */
	uint64_t left = imap_msgcache_trim(root, 4 * (uint64_t)img->len + 10);
	g_assert_cmpuint(left, ==, 4 * (uint64_t)img->len);
	for (int i = 0; i < 6; i++)
		g_assert_cmpint(g_file_test(paths[i], G_FILE_TEST_EXISTS), ==, i >= 2);
	g_assert_cmpuint(imap_msgcache_trim(root, 0), ==, 0);
	for (int i = 0; i < 6; i++) {
		g_assert_false(g_file_test(paths[i], G_FILE_TEST_EXISTS));
		g_free(paths[i]);
	}
	g_free(root);
	g_byte_array_unref(img);
	imap_msgcache_entry_free(e);
	testfs_rm_rf(dir);
	g_free(dir);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/imap/msgcache/round-trip", test_round_trip);
	g_test_add_func("/imap/msgcache/damage", test_damage);
	g_test_add_func("/imap/msgcache/crafted", test_crafted);
	g_test_add_func("/imap/msgcache/files", test_files);
	g_test_add_func("/imap/msgcache/trim", test_trim);
	return g_test_run();
}
