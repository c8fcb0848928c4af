/* test_cache.c - the header cache: round trips, changes, and every kind
 * of damage (each byte flipped, every truncation, a foreign owner)
 * refused as a whole. */
#include "imap/imap.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#define KEY "acct\nINBOX"

static void test_hash_vectors(void)
{
	/* Reference values of XXH64 (seed 0), from libxxhash 0.8.1. */
	g_assert_cmphex(imap_cache_hash("", 0), ==, 0xef46db3751d8e999ull);
	g_assert_cmphex(imap_cache_hash("a", 1), ==, 0xd24ec4f1a98c6e5bull);
	g_assert_cmphex(imap_cache_hash("abc", 3), ==, 0x44bc2cf5ad770999ull);
	const char *l = "0123456789abcdef0123456789abcdef0123456789abcdefXYZ";
	g_assert_cmphex(imap_cache_hash(l, strlen(l)), ==, 0x2068b5be32b6d8dcull);
}

static struct imap_cache *sample(unsigned n)
{
	struct imap_cache *c = imap_cache_new(KEY, 777);
	for (unsigned i = 1; i <= n; i++) {
		char *subject = g_strdup_printf("Thư số %u", i);
		char *mid = g_strdup_printf("<m%u@example.test>", i);
		char *parent = i > 1 ? g_strdup_printf("<m%u@example.test>", i - 1) : NULL;
		struct imap_cache_msg m = {
		    .uid = i * 3,
		    .flags = i % 2 ? IMAP_FLAG_SEEN : IMAP_CACHE_ATTACHMENT,
		    .date = 1700000000 + i,
		    .size = 1000 + i,
		    .from = i % 5 ? "Nguyễn Văn An" : NULL,
		    .subject = subject,
		    .message_id = mid,
		    .in_reply_to = parent,
		    .references = parent,
		};
		imap_cache_put(c, &m);
		g_free(subject);
		g_free(mid);
		g_free(parent);
	}
	imap_cache_set_sync(c, n * 3 + 1, 4242);
	return c;
}

static void assert_same(const struct imap_cache *a, const struct imap_cache *b)
{
	g_assert_cmpuint(imap_cache_count(a), ==, imap_cache_count(b));
	g_assert_cmpuint(imap_cache_uidvalidity(a), ==, imap_cache_uidvalidity(b));
	g_assert_cmpuint(imap_cache_uidnext(a), ==, imap_cache_uidnext(b));
	g_assert_cmpuint(imap_cache_modseq(a), ==, imap_cache_modseq(b));
	for (size_t i = 0; i < imap_cache_count(a); i++) {
		struct imap_cache_msg x, y;
		imap_cache_get(a, i, &x);
		imap_cache_get(b, i, &y);
		g_assert_cmpuint(x.uid, ==, y.uid);
		g_assert_cmpuint(x.flags, ==, y.flags);
		g_assert_cmpint(x.date, ==, y.date);
		g_assert_cmpuint(x.size, ==, y.size);
		g_assert_cmpstr(x.from, ==, y.from);
		g_assert_cmpstr(x.subject, ==, y.subject);
		g_assert_cmpstr(x.message_id, ==, y.message_id);
		g_assert_cmpstr(x.in_reply_to, ==, y.in_reply_to);
		g_assert_cmpstr(x.references, ==, y.references);
	}
}

static void test_round_trip(void)
{
	struct imap_cache *c = sample(50);
	GByteArray *img = imap_cache_serialize(c);
	struct imap_cache *d = NULL;
	g_assert_cmpint(imap_cache_parse(KEY, img->data, img->len, &d), ==, IMAP_CACHE_OK);
	assert_same(c, d);
	struct imap_cache_msg m;
	imap_cache_get(d, 4, &m);
	g_assert_cmpuint(m.uid, ==, 15);
	g_assert_null(m.from); /* absent stays absent, not "" */
	g_assert_cmpstr(m.subject, ==, "Thư số 5");
	g_assert_cmpuint(imap_cache_max_uid(d), ==, 150);

	/* The same through a file, loaded by mapping. */
	char *dir = g_dir_make_tmp("mailtui-cache-XXXXXX", NULL);
	char *path = g_build_filename(dir, "sub", "f.hcache", NULL);
	g_assert_cmpint(imap_cache_save(c, path), ==, 0);
	struct imap_cache *e = NULL;
	g_assert_cmpint(imap_cache_load(path, KEY, &e), ==, IMAP_CACHE_OK);
	assert_same(c, e);
	/* What was saved is byte for byte the serialized image. */
	gchar *file;
	gsize flen;
	g_assert_true(g_file_get_contents(path, &file, &flen, NULL));
	g_assert_cmpuint(flen, ==, img->len);
	g_assert_cmpint(memcmp(file, img->data, flen), ==, 0);
	g_free(file);
	imap_cache_free(e);
	g_assert_cmpint(imap_cache_load("/nonexistent/x", KEY, &e), ==, IMAP_CACHE_MISSING);
	g_assert_null(e);

	g_unlink(path);
	char *sub = g_path_get_dirname(path);
	g_rmdir(sub);
	g_rmdir(dir);
	g_free(sub);
	g_free(path);
	g_free(dir);
	imap_cache_free(d);
	g_byte_array_unref(img);
	imap_cache_free(c);

	/* An empty folder is a valid cache too. */
	c = imap_cache_new(KEY, 9);
	img = imap_cache_serialize(c);
	g_assert_cmpint(imap_cache_parse(KEY, img->data, img->len, &d), ==, IMAP_CACHE_OK);
	g_assert_cmpuint(imap_cache_count(d), ==, 0);
	g_assert_cmpuint(imap_cache_uidvalidity(d), ==, 9);
	imap_cache_free(d);
	g_byte_array_unref(img);
	imap_cache_free(c);
}

/* A folder loads newest first: puts in descending order, and the same
 * UID twice (the later put wins), come out ascending and unique. */
static void test_out_of_order(void)
{
	struct imap_cache *c = imap_cache_new(KEY, 1);
	for (uint32_t uid = 1000; uid >= 10; uid -= 10) {
		struct imap_cache_msg m = {.uid = uid, .subject = "first"};
		imap_cache_put(c, &m);
	}
	struct imap_cache_msg again = {.uid = 500, .subject = "second"};
	imap_cache_put(c, &again);
	g_assert_cmpuint(imap_cache_count(c), ==, 100);
	for (size_t i = 0; i < 100; i++) {
		struct imap_cache_msg m;
		imap_cache_get(c, i, &m);
		g_assert_cmpuint(m.uid, ==, (i + 1) * 10);
		g_assert_cmpstr(m.subject, ==, m.uid == 500 ? "second" : "first");
	}
	GByteArray *img = imap_cache_serialize(c);
	struct imap_cache *d = NULL;
	g_assert_cmpint(imap_cache_parse(KEY, img->data, img->len, &d), ==, IMAP_CACHE_OK);
	assert_same(c, d);
	imap_cache_free(d);
	g_byte_array_unref(img);
	imap_cache_free(c);
}

static void test_changes(void)
{
	struct imap_cache *c = sample(20);
	g_assert_true(imap_cache_set_flags(c, 6, IMAP_FLAG_FLAGGED));
	g_assert_false(imap_cache_set_flags(c, 7, IMAP_FLAG_FLAGGED));
	uint32_t gone[] = {60, 3, 1000, 30};
	g_assert_cmpuint(imap_cache_remove(c, gone, G_N_ELEMENTS(gone)), ==, 3);
	g_assert_cmpuint(imap_cache_count(c), ==, 17);
	g_assert_cmpint(imap_cache_find(c, 3), ==, -1);
	g_assert_cmpint(imap_cache_find(c, 6), ==, 0);
	/* Insert in the middle, replace, append. */
	struct imap_cache_msg m = {.uid = 4, .subject = "middle"};
	imap_cache_put(c, &m);
	m = (struct imap_cache_msg){.uid = 9, .subject = "replaced", .flags = IMAP_FLAG_DRAFT};
	imap_cache_put(c, &m);
	m = (struct imap_cache_msg){.uid = 500, .subject = "new"};
	imap_cache_put(c, &m);
	g_assert_cmpint(imap_cache_find(c, 4), ==, 0);
	g_assert_cmpuint(imap_cache_max_uid(c), ==, 500);

	GByteArray *img = imap_cache_serialize(c);
	struct imap_cache *d = NULL;
	g_assert_cmpint(imap_cache_parse(KEY, img->data, img->len, &d), ==, IMAP_CACHE_OK);
	assert_same(c, d);
	struct imap_cache_msg x;
	imap_cache_get(d, (size_t)imap_cache_find(d, 6), &x);
	g_assert_cmpuint(x.flags, ==, IMAP_FLAG_FLAGGED); /* the new flags were written */
	imap_cache_get(d, (size_t)imap_cache_find(d, 9), &x);
	g_assert_cmpstr(x.subject, ==, "replaced");
	g_assert_cmpuint(x.flags, ==, IMAP_FLAG_DRAFT);
	/* A changed loaded cache (records in its image) saves again. */
	g_assert_true(imap_cache_set_flags(d, 12, IMAP_FLAG_ANSWERED));
	uint32_t more[] = {500};
	imap_cache_remove(d, more, 1);
	GByteArray *img2 = imap_cache_serialize(d);
	struct imap_cache *e = NULL;
	g_assert_cmpint(imap_cache_parse(KEY, img2->data, img2->len, &e), ==, IMAP_CACHE_OK);
	assert_same(d, e);
	imap_cache_free(e);
	g_byte_array_unref(img2);
	imap_cache_free(d);
	g_byte_array_unref(img);

	/* Over-long strings are cut on a character boundary. */
	GString *big = g_string_new(NULL);
	while (big->len < 70000)
		g_string_append(big, "ư");
	m = (struct imap_cache_msg){.uid = 600, .references = big->str};
	imap_cache_put(c, &m);
	imap_cache_get(c, (size_t)imap_cache_find(c, 600), &x);
	g_assert_cmpuint(strlen(x.references), <=, 65534);
	g_assert_true(g_utf8_validate(x.references, -1, NULL));
	g_string_free(big, TRUE);
	imap_cache_free(c);
}

/* The same puts into a cache in memory and into one that spills to a
 * file (chunks newest first, as a folder loads; a record too large for
 * the write buffer; changes on top) give the same cache and file. */
static void fill_like_a_load(struct imap_cache *c, const char *big)
{
	for (uint32_t top = 5000; top > 0; top -= 1000) {
		for (uint32_t uid = top - 999; uid <= top; uid++) {
			char *subject = g_strdup_printf("Chủ đề %u", uid);
			char *mid = g_strdup_printf("<s%u@example.test>", uid);
			struct imap_cache_msg m = {
			    .uid = uid * 2,
			    .flags = uid % 3 ? IMAP_FLAG_SEEN : 0,
			    .date = 1700000000 + uid,
			    .size = uid,
			    .from = uid % 7 ? "Trần Thị Bình\x1f" "binh@example.test" : NULL,
			    .subject = subject,
			    .message_id = mid,
			};
			if (uid == 4321) /* five long strings: over the write buffer */
				m.from = m.subject = m.message_id = m.in_reply_to = m.references = big;
			imap_cache_put(c, &m);
			g_free(subject);
			g_free(mid);
		}
	}
	struct imap_cache_msg again = {.uid = 200, .subject = "again"};
	imap_cache_put(c, &again);
	g_assert_true(imap_cache_set_flags(c, 400, IMAP_FLAG_FLAGGED));
	uint32_t gone[] = {2, 9998, 5000};
	g_assert_cmpuint(imap_cache_remove(c, gone, G_N_ELEMENTS(gone)), ==, 3);
	imap_cache_set_sync(c, 10001, 77);
}

static void test_spill(void)
{
	char *dir = g_dir_make_tmp("mailtui-spill-XXXXXX", NULL);
	g_assert_nonnull(dir);
	char *sub = g_build_filename(dir, "made", "here", NULL);
	GString *big = g_string_new(NULL);
	while (big->len < 65534)
		g_string_append(big, "xyz");

	struct imap_cache *mem = imap_cache_new(KEY, 5);
	struct imap_cache *sp = imap_cache_new(KEY, 5);
	g_assert_false(imap_cache_spilled(sp));
	g_assert_cmpint(imap_cache_spill(sp, sub), ==, 0);
	g_assert_true(imap_cache_spilled(sp));
	fill_like_a_load(mem, big->str);
	fill_like_a_load(sp, big->str);
	/* Records are read back one at a time while more are put. */
	struct imap_cache_msg x;
	imap_cache_get(sp, (size_t)imap_cache_find(sp, 200), &x);
	g_assert_cmpstr(x.subject, ==, "again");
	imap_cache_get(sp, (size_t)imap_cache_find(sp, 8642), &x);
	g_assert_cmpuint(strlen(x.references), ==, 65534);
	g_assert_cmpuint(strlen(x.from), ==, 65534);
	struct imap_cache_msg late = {.uid = 20000, .subject = "late"};
	imap_cache_put(mem, &late);
	imap_cache_put(sp, &late);
	imap_cache_get(sp, imap_cache_count(sp) - 1, &x);
	g_assert_cmpstr(x.subject, ==, "late");
	assert_same(mem, sp);

	GByteArray *a = imap_cache_serialize(mem);
	GByteArray *b = imap_cache_serialize(sp);
	g_assert_cmpuint(a->len, ==, b->len);
	g_assert_true(memcmp(a->data, b->data, a->len) == 0);
	/* The spill file is unlinked: nothing is left in its directory. */
	GDir *d = g_dir_open(sub, 0, NULL);
	g_assert_nonnull(d);
	g_assert_null(g_dir_read_name(d));
	g_dir_close(d);
	char *path = g_build_filename(dir, "f.hcache", NULL);
	g_assert_cmpint(imap_cache_save(sp, path), ==, 0);
	struct imap_cache *back = NULL;
	g_assert_cmpint(imap_cache_load(path, KEY, &back), ==, IMAP_CACHE_OK);
	assert_same(mem, back);
	imap_cache_free(back);
	g_unlink(path);
	g_free(path);

	g_byte_array_unref(a);
	g_byte_array_unref(b);
	imap_cache_free(mem);
	imap_cache_free(sp);
	g_string_free(big, TRUE);
	g_rmdir(sub);
	char *made = g_path_get_dirname(sub);
	g_rmdir(made);
	g_free(made);
	g_rmdir(dir);
	g_free(sub);
	g_free(dir);
}

/* Any single changed byte, any truncation, anything appended: refused. */
static void test_damage(void)
{
	struct imap_cache *c = sample(30);
	GByteArray *img = imap_cache_serialize(c);
	guint8 *copy = g_memdup2(img->data, img->len);
	struct imap_cache *d;
	for (guint i = 0; i < img->len; i++) {
		for (int bit = 0; bit < 8; bit += 3) {
			copy[i] ^= (guint8)(1u << bit);
			enum imap_cache_result r = imap_cache_parse(KEY, copy, img->len, &d);
			if (r == IMAP_CACHE_OK)
				g_error("flipping bit %d of byte %u was not noticed", bit, i);
			g_assert_null(d);
			copy[i] = img->data[i];
		}
	}
	for (guint len = 0; len < img->len; len++) {
		g_assert_cmpint(imap_cache_parse(KEY, img->data, len, &d), !=, IMAP_CACHE_OK);
		g_assert_null(d);
	}
	g_assert_cmpint(imap_cache_parse(KEY, img->data, img->len > 64 ? 64 : 0, &d), ==,
	                IMAP_CACHE_SHORT);
	GByteArray *longer = g_byte_array_new();
	g_byte_array_append(longer, img->data, img->len);
	g_byte_array_append(longer, (const guint8 *)"x", 1);
	g_assert_cmpint(imap_cache_parse(KEY, longer->data, longer->len, &d), ==, IMAP_CACHE_SHORT);
	g_byte_array_unref(longer);
	/* Another account's or folder's cache, intact, is not ours. */
	g_assert_cmpint(imap_cache_parse("acct\nArchive", img->data, img->len, &d), ==,
	                IMAP_CACHE_FOREIGN);
	g_assert_cmpint(imap_cache_parse(KEY,
	                                 "not a cache file at all, just some text here, "
	                                 "long enough to hold a header of sixty-four bytes",
	                                 95, &d),
	                ==, IMAP_CACHE_MAGIC);
	g_free(copy);
	g_byte_array_unref(img);
	imap_cache_free(c);
}

/* A file whose hashes are right but whose records lie (crafted, not
 * damaged) is refused too: the hashes are recomputed after the edit. */
static void rehash(guint8 *d, size_t len)
{
	uint64_t h = imap_cache_hash(d + 64, len - 64);
	for (int i = 0; i < 8; i++)
		d[48 + i] = (guint8)(h >> (8 * i));
	h = imap_cache_hash(d, 56);
	for (int i = 0; i < 8; i++)
		d[56 + i] = (guint8)(h >> (8 * i));
}

static void test_crafted(void)
{
	struct imap_cache *c = sample(3);
	GByteArray *img = imap_cache_serialize(c);
	struct imap_cache *d;
	/* UIDs out of order: the second record's uid below the first's. */
	guint8 *x = g_memdup2(img->data, img->len);
	size_t second = 64;
	{
		struct imap_cache_msg m;
		imap_cache_get(c, 0, &m);
		second += 34;
		const char *s[5] = {m.from, m.subject, m.message_id, m.in_reply_to, m.references};
		for (int k = 0; k < 5; k++)
			if (s[k])
				second += strlen(s[k]) + 1;
	}
	x[second] = 1;
	x[second + 1] = x[second + 2] = x[second + 3] = 0;
	rehash(x, img->len);
	g_assert_cmpint(imap_cache_parse(KEY, x, img->len, &d), ==, IMAP_CACHE_RECORD);
	/* A string length running past the end. */
	memcpy(x, img->data, img->len);
	x[64 + 26] = 0xfe;
	x[64 + 27] = 0xff;
	rehash(x, img->len);
	g_assert_cmpint(imap_cache_parse(KEY, x, img->len, &d), ==, IMAP_CACHE_RECORD);
	/* A count larger than the records. */
	memcpy(x, img->data, img->len);
	x[12] = 4;
	rehash(x, img->len);
	g_assert_cmpint(imap_cache_parse(KEY, x, img->len, &d), ==, IMAP_CACHE_RECORD);
	/* A NUL inside a string. */
	memcpy(x, img->data, img->len);
	x[64 + 34 + 1] = 0;
	rehash(x, img->len);
	g_assert_cmpint(imap_cache_parse(KEY, x, img->len, &d), ==, IMAP_CACHE_RECORD);
	g_free(x);
	g_byte_array_unref(img);
	imap_cache_free(c);
}

static void test_paths(void)
{
	g_setenv("XDG_CACHE_HOME", "/tmp/xdg-cache", TRUE);
	char *p = imap_cache_path("work", "INBOX");
	g_assert_cmpstr(p, ==, "/tmp/xdg-cache/mailtui/work/INBOX.hcache");
	g_free(p);
	p = imap_cache_path("work", "Thư mục/../x");
	g_assert_cmpstr(p, ==,
	                "/tmp/xdg-cache/mailtui/work/Th%C6%B0%20m%E1%BB%A5c%2F..%2Fx.hcache");
	g_free(p);
	p = imap_cache_path("..", ".hidden");
	g_assert_cmpstr(p, ==, "/tmp/xdg-cache/mailtui/%2E./%2Ehidden.hcache");
	g_free(p);
	/* Distinct names stay distinct, even "%41" and "A". */
	char *a = imap_cache_path("w", "%41"), *b = imap_cache_path("w", "A");
	g_assert_cmpstr(a, !=, b);
	g_free(a);
	g_free(b);
	GString *lg = g_string_new(NULL);
	for (int i = 0; i < 300; i++)
		g_string_append_c(lg, 'a' + i % 26);
	p = imap_cache_path("w", lg->str);
	g_assert_cmpuint(strlen(strrchr(p, '/') + 1), <, 255);
	g_free(p);
	g_string_free(lg, TRUE);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/imap/cache/hash", test_hash_vectors);
	g_test_add_func("/imap/cache/round-trip", test_round_trip);
	g_test_add_func("/imap/cache/changes", test_changes);
	g_test_add_func("/imap/cache/out-of-order", test_out_of_order);
	g_test_add_func("/imap/cache/spill", test_spill);
	g_test_add_func("/imap/cache/damage", test_damage);
	g_test_add_func("/imap/cache/crafted", test_crafted);
	g_test_add_func("/imap/cache/paths", test_paths);
	return g_test_run();
}
