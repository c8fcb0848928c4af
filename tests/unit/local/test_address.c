/* test_address.c - local_addresses on a real notmuch database in a
 * temporary Maildir: senders and recipients (From, To, Cc, Bcc, groups,
 * encoded names with commas), one per address ignoring case, most
 * frequent first, the same counts as `notmuch address`, prefixes that
 * ignore case and diacritics, the limit, cancelling. */
#include "local/local.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>
#include "testfs.h"

static const char *const tags[] = { "inbox", "unread", NULL };

static const char *const msgs[] = {
	"From: Alice <alice@example.test>\n"
	"To: bob@example.test\n"
	"Cc: \"Doe, John\" <john@example.test>\n"
	"Subject: a\nDate: Fri, 01 Mar 2024 10:00:00 +0000\nMessage-ID: <a1@example.test>\n"
	"\nx\n",
	"From: =?UTF-8?B?Tmd1eeG7hW4gVsSDbiBBbg==?= <an@example.test>\n"
	"To: Bob <BOB@example.test>\n"
	"Cc: =?UTF-8?Q?Tr=E1=BA=A7n=2C_B?= <tran@example.test>\n"
	"Subject: b\nDate: Sat, 02 Mar 2024 10:00:00 +0000\nMessage-ID: <a2@example.test>\n"
	"\nx\n",
	"From: Carol <carol@example.test>\n"
	"To: team: Bob <bob@example.test>, =?UTF-8?Q?=C4=90=E1=BB=A9c?= <duc@example.test>;\n"
	"Bcc: hidden@example.test\n"
	"Subject: c\nDate: Sun, 03 Mar 2024 10:00:00 +0000\nMessage-ID: <a3@example.test>\n"
	"\nx\n",
	/* The newest: alice without a name keeps her older one; duc gets
	 * this newer name. */
	"From: alice@example.test\n"
	"To: \"=?UTF-8?Q?=C4=90=E1=BA=B7ng_=C4=90=E1=BB=A9c?=\" <duc@example.test>,"
	" undisclosed-recipients:;, not an address, \"x\" <bad address@example.test>\n"
	"Subject: d\nDate: Mon, 04 Mar 2024 10:00:00 +0000\nMessage-ID: <a4@example.test>\n"
	"\nx\n",
};

/* Every address, most frequent first, ties by address. */
static const struct {
	const char *addr, *name;
	unsigned count;
} want_all[] = {
	{ "bob@example.test", "Bob", 3 },
	{ "alice@example.test", "Alice", 2 },
	{ "duc@example.test", "Đặng Đức", 2 },
	{ "an@example.test", "Nguyễn Văn An", 1 },
	{ "carol@example.test", "Carol", 1 },
	{ "hidden@example.test", NULL, 1 },
	{ "john@example.test", "Doe, John", 1 },
	{ "tran@example.test", "Trần, B", 1 },
};

struct fixture {
	char *dir;
	struct local_db *db;
};

static void setup(struct fixture *f, gconstpointer data)
{
	(void)data;
	GError *gerr = NULL;
	f->dir = g_dir_make_tmp("local-addr-XXXXXX", &gerr);
	g_assert_no_error(gerr);
	char *err = NULL;
	g_assert_cmpint(local_maildir_ensure(f->dir), ==, 0);
	g_assert_cmpint(local_db_open(f->dir, &f->db, &err), ==, 0);
	for (size_t i = 0; i < G_N_ELEMENTS(msgs); i++) {
		enum local_index res;
		g_assert_cmpint(local_deliver(f->db, f->dir, NULL, msgs[i], strlen(msgs[i]), tags,
					&res, NULL, &err),
			==, 0);
		g_assert_cmpint(res, ==, LOCAL_INDEX_NEW);
	}
}

static void teardown(struct fixture *f, gconstpointer data)
{
	(void)data;
	local_db_close(f->db);
	testfs_rm_rf(f->dir);
	g_free(f->dir);
}

static GPtrArray *addresses(struct fixture *f, const char *prefix, size_t limit)
{
	GPtrArray *out = NULL;
	char *err = NULL;
	int r = local_addresses(f->db, prefix, limit, NULL, &out, &err);
	if (r != 0)
		g_error("local_addresses(%s): %d %s", prefix ? prefix : "NULL", r, err);
	return out;
}

static void test_all(struct fixture *f, gconstpointer data)
{
	(void)data;
	GPtrArray *a = addresses(f, NULL, 0);
	g_assert_cmpuint(a->len, ==, G_N_ELEMENTS(want_all));
	for (guint i = 0; i < a->len; i++) {
		const struct local_address *got = a->pdata[i];
		g_assert_cmpstr(got->addr, ==, want_all[i].addr);
		g_assert_cmpstr(got->name, ==, want_all[i].name);
		g_assert_cmpuint(got->count, ==, want_all[i].count);
	}
	g_ptr_array_unref(a);
	/* "" is every address too. */
	a = addresses(f, "", 0);
	g_assert_cmpuint(a->len, ==, G_N_ELEMENTS(want_all));
	g_ptr_array_unref(a);
}

/* The same addresses and counts as the notmuch command line. */
static void test_like_notmuch(struct fixture *f, gconstpointer data)
{
	(void)data;
	char *nm = g_find_program_in_path("notmuch");
	if (!nm) {
		g_test_skip("no notmuch command");
		return;
	}
	char *conf = g_build_filename(f->dir, "nm.conf", NULL);
	char *text = g_strdup_printf("[database]\npath=%s\n", f->dir);
	g_assert_true(g_file_set_contents(conf, text, -1, NULL));
	char *opt = g_strconcat("--config=", conf, NULL);
	const char *argv[] = { nm, opt, "address", "--output=sender", "--output=recipients",
		"--output=count", "--output=address", "--deduplicate=address", "*", NULL };
	char *out = NULL;
	int status = -1;
	GError *gerr = NULL;
	g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL,
		NULL, &out, NULL, &status, &gerr));
	g_assert_no_error(gerr);
	g_assert_cmpint(status, ==, 0);
	GHashTable *counts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	char **lines = g_strsplit(out, "\n", -1);
	for (char **l = lines; *l; l++) {
		char *tab = strchr(*l, '\t');
		if (tab)
			g_hash_table_insert(counts, g_ascii_strdown(tab + 1, -1),
				GUINT_TO_POINTER((guint)atoi(*l)));
	}
	GPtrArray *a = addresses(f, NULL, 0);
	g_assert_cmpuint(a->len, ==, g_hash_table_size(counts));
	for (guint i = 0; i < a->len; i++) {
		const struct local_address *got = a->pdata[i];
		char *k = g_ascii_strdown(got->addr, -1);
		g_assert_cmpuint(GPOINTER_TO_UINT(g_hash_table_lookup(counts, k)), ==, got->count);
		g_free(k);
	}
	g_ptr_array_unref(a);
	g_strfreev(lines);
	g_hash_table_unref(counts);
	g_free(out);
	g_free(opt);
	g_free(text);
	g_free(conf);
	g_free(nm);
}

static char *joined(GPtrArray *a)
{
	GString *s = g_string_new(NULL);
	for (guint i = 0; i < a->len; i++) {
		const struct local_address *x = a->pdata[i];
		g_string_append_printf(s, "%s%s", s->len ? " " : "", x->addr);
	}
	return g_string_free(s, FALSE);
}

static void test_prefix(struct fixture *f, gconstpointer data)
{
	(void)data;
	static const struct {
		const char *prefix, *want;
	} cases[] = {
		{ "bo", "bob@example.test" },
		{ "BO", "bob@example.test" },
		{ "nguyễn", "an@example.test" },
		{ "nguyen", "an@example.test" },
		{ "dang", "duc@example.test" },
		{ "văn", "an@example.test" },
		{ "Đặng", "duc@example.test" },
		{ "đức", "duc@example.test" },
		{ "du", "duc@example.test" },
		{ "do", "john@example.test" },
		{ "john", "john@example.test" },
		{ "tr", "tran@example.test" },
		{ "a", "alice@example.test an@example.test" },
		{ "hidden@ex", "hidden@example.test" },
		{ "zz", "" },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		GPtrArray *a = addresses(f, cases[i].prefix, 0);
		char *got = joined(a);
		g_assert_cmpstr(got, ==, cases[i].want);
		g_free(got);
		g_ptr_array_unref(a);
	}
}

static void test_limit_and_cancel(struct fixture *f, gconstpointer data)
{
	(void)data;
	GPtrArray *a = addresses(f, NULL, 2);
	char *got = joined(a);
	g_assert_cmpstr(got, ==, "bob@example.test alice@example.test");
	g_free(got);
	g_ptr_array_unref(a);

	volatile int cancel = 1;
	GPtrArray *out = NULL;
	char *err = NULL;
	g_assert_cmpint(local_addresses(f->db, NULL, 0, &cancel, &out, &err), ==, -ECANCELED);
	g_assert_null(out);
	g_assert_null(err);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define T(name, fn) g_test_add(name, struct fixture, NULL, setup, fn, teardown)
	T("/local/addresses/all", test_all);
	T("/local/addresses/like-notmuch", test_like_notmuch);
	T("/local/addresses/prefix", test_prefix);
	T("/local/addresses/limit-cancel", test_limit_and_cancel);
	return g_test_run();
}
