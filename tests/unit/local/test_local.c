/* test_local.c - the reading side of src/local on a real notmuch database
 * in a temporary Maildir: queries and counts, messages and threads,
 * tags in step with the flags in file names, purge, unindexed files. */
#include "local/local.h"

#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>
#include "testfs.h"

static const char *const delivery_tags[] = { "inbox", "unread", "work", NULL };

static const char m1[] = "From: Alice <alice@example.test>\n"
			 "To: bob@example.test\n"
			 "Subject: Hello there\n"
			 "Date: Fri, 01 Mar 2024 10:00:00 +0000\n"
			 "Message-ID: <m1@example.test>\n"
			 "\n"
			 "First message.\n";
static const char m2[] = "From: =?UTF-8?B?Tmd1eeG7hW4gVsSDbiBBbg==?= <an@example.test>\n"
			 "To: bob@example.test\n"
			 "Subject: =?UTF-8?Q?Th=C6=B0_v=E1=BB=81_cu=E1=BB=99c_h=E1=BB=8Dp?=\n"
			 "Date: Sat, 02 Mar 2024 10:00:00 +0000\n"
			 "Message-ID: <m2@example.test>\n"
			 "In-Reply-To: <m1@example.test>\n"
			 "References: <m1@example.test>\n"
			 "Content-Type: text/plain; charset=utf-8\n"
			 "Content-Transfer-Encoding: 8bit\n"
			 "\n"
			 "Chào Bob, hẹn gặp ở phòng họp.\n";
static const char m3[] = "From: Carol <carol@example.test>\n"
			 "To: bob@example.test\n"
			 "Subject: Report attached\n"
			 "Date: Sun, 03 Mar 2024 10:00:00 +0000\n"
			 "Message-ID: <m3@example.test>\n"
			 "MIME-Version: 1.0\n"
			 "Content-Type: multipart/mixed; boundary=\"b\"\n"
			 "\n"
			 "--b\n"
			 "Content-Type: text/plain\n"
			 "\n"
			 "See the report.\n"
			 "--b\n"
			 "Content-Type: application/pdf\n"
			 "Content-Disposition: attachment; filename=report.pdf\n"
			 "Content-Transfer-Encoding: base64\n"
			 "\n"
			 "JVBERi0xLjQK\n"
			 "--b--\n";
static const char junk[] = "\x01\x02\x03\xff binary junk, no header at all\n";

struct fixture {
	char *dir;
	struct local_db *db;
};

static void deliver(struct fixture *f, const char *data, enum local_index want)
{
	enum local_index res;
	char *err = NULL;
	int r = local_deliver(f->db, f->dir, NULL, data, strlen(data), delivery_tags, &res, NULL,
		&err);
	g_assert_cmpint(r, ==, 0);
	g_assert_null(err);
	g_assert_cmpint(res, ==, want);
}

static void setup(struct fixture *f, gconstpointer data)
{
	(void)data;
	GError *gerr = NULL;
	f->dir = g_dir_make_tmp("local-XXXXXX", &gerr);
	g_assert_no_error(gerr);
	char *err = NULL;
	g_assert_cmpint(local_maildir_ensure(f->dir), ==, 0);
	g_assert_cmpint(local_db_open(f->dir, &f->db, &err), ==, 0);
	deliver(f, m1, LOCAL_INDEX_NEW);
	deliver(f, m2, LOCAL_INDEX_NEW);
	deliver(f, m3, LOCAL_INDEX_NEW);
	deliver(f, junk, LOCAL_INDEX_NOT_MAIL);
}

static void teardown(struct fixture *f, gconstpointer data)
{
	(void)data;
	local_db_close(f->db);
	testfs_rm_rf(f->dir);
	g_free(f->dir);
}

static unsigned count(struct fixture *f, const char *q)
{
	unsigned n = 0;
	char *err = NULL;
	int r = local_count(f->db, q, &n, NULL, &err);
	if (r < 0)
		g_error("count %s: %s", q, err);
	return n;
}

static void test_counts(struct fixture *f, gconstpointer data)
{
	(void)data;
	unsigned total = 0, unread = 0;
	char *err = NULL;
	g_assert_cmpint(local_count(f->db, "*", &total, &unread, &err), ==, 0);
	g_assert_cmpuint(total, ==, 3);
	g_assert_cmpuint(unread, ==, 3);
	g_assert_cmpuint(count(f, "tag:inbox and tag:work"), ==, 3);
	g_assert_cmpuint(count(f, "from:an@example.test"), ==, 1);
	g_assert_cmpuint(count(f, "from:Alice"), ==, 1);
	g_assert_cmpuint(count(f, "subject:report"), ==, 1);
	g_assert_cmpuint(count(f, "họp"), ==, 1); /* free text, in the body */
	g_assert_cmpuint(count(f, "subject:\"cuộc họp\""), ==, 1);
	g_assert_cmpuint(count(f, "date:2024-03-02..2024-03-03"), ==, 2);
	g_assert_cmpuint(count(f, "tag:attachment"), ==, 1); /* notmuch tags it */
	g_assert_cmpuint(count(f, "tag:nosuchtag"), ==, 0);
}

static void test_bad_query(struct fixture *f, gconstpointer data)
{
	(void)data;
	unsigned n = 0;
	char *err = NULL;
	g_assert_cmpint(local_count(f->db, "date:garbage", &n, NULL, &err), <, 0);
	g_assert_nonnull(strstr(err, "garbage"));
	g_assert_null(strchr(err, '\n'));
	g_free(err);
	err = NULL;
	GPtrArray *ids = NULL;
	/* A second bad query on the same handle: notmuch reports only the
	 * first, so no stale text about the other query comes back. */
	g_assert_cmpint(local_message_ids(f->db, "a AND", &ids, &err), <, 0);
	g_assert_null(strstr(err, "garbage"));
	g_free(err);
	/* A fresh handle says what is wrong. */
	struct local_db *ro = NULL;
	g_assert_cmpint(local_db_open_read(f->dir, &ro, &err), ==, 0);
	g_assert_cmpint(local_message_ids(ro, "a AND", &ids, &err), <, 0);
	g_assert_nonnull(strstr(err, "Syntax"));
	g_free(err);
	local_db_close(ro);
}

static bool collect(void *ctx, struct local_msg *m)
{
	g_ptr_array_add(ctx, m);
	return true;
}

static void test_messages_newest_first(struct fixture *f, gconstpointer data)
{
	(void)data;
	GPtrArray *a = g_ptr_array_new_with_free_func(local_msg_free);
	char *err = NULL;
	g_assert_cmpint(local_messages(f->db, "*", LOCAL_MSG_THREADING, collect, a, &err), ==, 0);
	g_assert_cmpuint(a->len, ==, 3);
	const struct local_msg *x = a->pdata[0], *y = a->pdata[1], *z = a->pdata[2];
	g_assert_cmpstr(x->id, ==, "m3@example.test");
	g_assert_cmpstr(y->id, ==, "m2@example.test");
	g_assert_cmpstr(z->id, ==, "m1@example.test");
	g_assert_cmpstr(y->from, ==, "Nguyễn Văn An <an@example.test>");
	g_assert_cmpstr(y->subject, ==, "Thư về cuộc họp");
	g_assert_cmpstr(y->in_reply_to, ==, "<m1@example.test>");
	g_assert_cmpstr(y->references, ==, "<m1@example.test>");
	g_assert_cmpstr(y->thread, ==, z->thread);
	g_assert_cmpstr(x->tags, ==, "attachment inbox unread work");
	g_assert_cmpint(z->date, ==, 1709287200);
	g_assert_true(g_file_test(x->path, G_FILE_TEST_IS_REGULAR));
	g_assert_cmpuint(x->size, ==, strlen(m3));
	g_assert_null(z->in_reply_to);

	/* The ids come in the same order, so positions agree. */
	GPtrArray *ids = NULL;
	g_assert_cmpint(local_message_ids(f->db, "*", &ids, &err), ==, 0);
	g_assert_cmpuint(ids->len, ==, 3);
	for (guint i = 0; i < 3; i++)
		g_assert_cmpstr(ids->pdata[i], ==, ((struct local_msg *)a->pdata[i])->id);
	g_ptr_array_unref(ids);
	g_ptr_array_unref(a);
}

static bool stop_after_one(void *ctx, struct local_msg *m)
{
	(*(int *)ctx)++;
	local_msg_free(m);
	return false;
}

static void test_messages_stop(struct fixture *f, gconstpointer data)
{
	(void)data;
	int n = 0;
	char *err = NULL;
	g_assert_cmpint(local_messages(f->db, "*", 0, stop_after_one, &n, &err), ==, 0);
	g_assert_cmpint(n, ==, 1);
}

static void test_threads(struct fixture *f, gconstpointer data)
{
	(void)data;
	GPtrArray *t = NULL;
	char *err = NULL;
	g_assert_cmpint(local_threads(f->db, "*", &t, &err), ==, 0);
	g_assert_cmpuint(t->len, ==, 2);
	const struct local_thread *newest = t->pdata[0], *older = t->pdata[1];
	g_assert_cmpuint(newest->total, ==, 1);
	g_assert_cmpstr(newest->subject, ==, "Report attached");
	g_assert_cmpuint(older->total, ==, 2);
	g_assert_cmpuint(older->matched, ==, 2);
	g_assert_nonnull(strstr(older->authors, "Nguyễn Văn An"));
	g_ptr_array_unref(t);
	/* Matched counts follow the query. */
	g_assert_cmpint(local_threads(f->db, "from:an@example.test", &t, &err), ==, 0);
	g_assert_cmpuint(t->len, ==, 1);
	g_assert_cmpuint(((struct local_thread *)t->pdata[0])->total, ==, 2);
	g_assert_cmpuint(((struct local_thread *)t->pdata[0])->matched, ==, 1);
	g_ptr_array_unref(t);
}

/* The name in cur/ or new/ of the one file whose name contains stem. */
static char *file_of(struct fixture *f, const char *id)
{
	GPtrArray *a = g_ptr_array_new_with_free_func(local_msg_free);
	char *err = NULL;
	char *q = g_strdup_printf("id:%s", id);
	g_assert_cmpint(local_messages(f->db, q, 0, collect, a, &err), ==, 0);
	g_assert_cmpuint(a->len, ==, 1);
	char *path = g_strdup(((struct local_msg *)a->pdata[0])->path);
	g_free(q);
	g_ptr_array_unref(a);
	g_assert_true(g_file_test(path, G_FILE_TEST_IS_REGULAR));
	char *dir = g_path_get_dirname(path);
	char *sub = g_path_get_basename(dir);
	char *base = g_path_get_basename(path);
	const char *info = strstr(base, ":2,");
	char *out = g_strdup_printf("%s %s", sub, info ? info + 3 : "-");
	g_free(dir);
	g_free(sub);
	g_free(base);
	g_free(path);
	return out;
}

static void tag(struct fixture *f, const char *id, const char *add, const char *remove,
	const char *want_file)
{
	char **a = local_tag_list(add), **r = local_tag_list(remove);
	char *tags = NULL, *path = NULL, *err = NULL;
	int rc = local_tag(f->db, id, (const char *const *)a, (const char *const *)r, &tags, &path,
		&err);
	if (rc != 0)
		g_error("local_tag: %d %s", rc, err ? err : "");
	g_assert_nonnull(tags);
	g_assert_true(g_file_test(path, G_FILE_TEST_IS_REGULAR));
	char *file = file_of(f, id);
	g_assert_cmpstr(file, ==, want_file);
	/* The returned path is the current file. */
	char *base = g_path_get_basename(path);
	g_assert_nonnull(strstr(file, strstr(base, ":2,") ? strstr(base, ":2,") + 3 : "-"));
	g_free(base);
	g_free(file);
	g_free(tags);
	g_free(path);
	g_strfreev(a);
	g_strfreev(r);
}

static void test_tags_follow_flags(struct fixture *f, gconstpointer data)
{
	(void)data;
	const char *id = "m1@example.test";
	char *file = file_of(f, id);
	g_assert_cmpstr(file, ==, "new -");
	g_free(file);
	tag(f, id, NULL, "unread", "cur S");
	tag(f, id, "flagged", NULL, "cur FS");
	tag(f, id, "replied", NULL, "cur FRS");
	tag(f, id, "deleted", NULL, "cur FRST");
	tag(f, id, "draft", "flagged", "cur DRST");
	tag(f, id, "unread", "deleted draft replied", "cur ");
	/* A plain tag leaves the name alone. */
	tag(f, id, "project-x", NULL, "cur ");
	g_assert_cmpuint(count(f, "tag:project-x"), ==, 1);
	/* Tags reported back after a change. */
	char *tags = NULL, *err = NULL;
	const char *add[] = { "flagged", NULL };
	g_assert_cmpint(local_tag(f->db, id, add, NULL, &tags, NULL, &err), ==, 0);
	g_assert_cmpstr(tags, ==, "flagged inbox project-x unread work");
	g_free(tags);
	/* The index still finds it by every tag, through its new name. */
	g_assert_cmpuint(count(f, "tag:flagged and tag:unread"), ==, 1);
	g_assert_cmpuint(count(f, "*"), ==, 3);
}

static void test_tag_errors(struct fixture *f, gconstpointer data)
{
	(void)data;
	char *err = NULL;
	const char *bad[] = { "two words", NULL };
	const char *ctl[] = { "a\x1b[31m", NULL };
	const char *empty[] = { "", NULL };
	const char *ok[] = { "x", NULL };
	g_assert_cmpint(local_tag(f->db, "m1@example.test", bad, NULL, NULL, NULL, &err), ==,
		-EINVAL);
	g_assert_cmpint(local_tag(f->db, "m1@example.test", ctl, NULL, NULL, NULL, &err), ==,
		-EINVAL);
	g_assert_cmpint(local_tag(f->db, "m1@example.test", NULL, empty, NULL, NULL, &err), ==,
		-EINVAL);
	g_assert_cmpint(local_tag(f->db, "nobody@example.test", ok, NULL, NULL, NULL, &err), ==,
		-ENOENT);
	g_assert_null(err);
	char **l = local_tag_list("  a  b\tc ");
	g_assert_cmpuint(g_strv_length(l), ==, 3);
	g_assert_cmpstr(l[2], ==, "c");
	g_strfreev(l);
}

static void test_purge(struct fixture *f, gconstpointer data)
{
	(void)data;
	char *err = NULL;
	size_t removed = 99;
	char *path = NULL;
	const char *del[] = { "deleted", NULL };
	g_assert_cmpint(local_tag(f->db, "m3@example.test", del, NULL, NULL, &path, &err), ==, 0);
	g_assert_cmpint(local_tag(f->db, "m1@example.test", del, NULL, NULL, NULL, &err), ==, 0);
	/* Scoped to a folder's query: only m3 has an attachment. */
	g_assert_cmpint(local_purge(f->db, "tag:attachment", &removed, &err), ==, 0);
	g_assert_cmpuint(removed, ==, 1);
	g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
	g_assert_cmpuint(count(f, "*"), ==, 2);
	g_assert_cmpuint(count(f, "id:m3@example.test"), ==, 0);
	g_assert_cmpint(local_purge(f->db, NULL, &removed, &err), ==, 0);
	g_assert_cmpuint(removed, ==, 1);
	g_assert_cmpuint(count(f, "*"), ==, 1);
	g_assert_cmpint(local_purge(f->db, NULL, &removed, &err), ==, 0);
	g_assert_cmpuint(removed, ==, 0);
	g_free(path);
}

static void test_unindexed_reachable(struct fixture *f, gconstpointer data)
{
	(void)data;
	char **l = local_unindexed_list(f->dir);
	g_assert_cmpuint(g_strv_length(l), ==, 1);
	g_assert_true(g_str_has_prefix(l[0], "new/"));
	char *full = g_build_filename(f->dir, l[0], NULL);
	char *data2 = NULL;
	gsize len = 0;
	g_assert_true(g_file_get_contents(full, &data2, &len, NULL));
	g_assert_cmpmem(data2, len, junk, strlen(junk));
	g_free(data2);
	g_free(full);
	g_strfreev(l);
}

static void test_reader_beside_writer(struct fixture *f, gconstpointer data)
{
	(void)data;
	/* f->db holds the write lock: a reader still works... */
	struct local_db *ro = NULL, *rw = NULL;
	char *err = NULL;
	g_assert_cmpint(local_db_open_read(f->dir, &ro, &err), ==, 0);
	unsigned n = 0;
	g_assert_cmpint(local_count(ro, "*", &n, NULL, &err), ==, 0);
	g_assert_cmpuint(n, ==, 3);
	local_db_close(ro);
	/* ...and a second writer gives up with EBUSY, not a hang. */
	g_assert_cmpint(local_db_open(f->dir, &rw, &err), ==, -EBUSY);
	g_assert_nonnull(err);
	g_free(err);
	g_assert_null(rw);
}

static void test_reader_creates(void)
{
	GError *gerr = NULL;
	char *dir = g_dir_make_tmp("local-empty-XXXXXX", &gerr);
	g_assert_no_error(gerr);
	g_assert_cmpint(local_maildir_ensure(dir), ==, 0);
	struct local_db *ro = NULL;
	char *err = NULL;
	g_assert_cmpint(local_db_open_read(dir, &ro, &err), ==, 0);
	unsigned n = 99, u = 99;
	g_assert_cmpint(local_count(ro, "tag:inbox", &n, &u, &err), ==, 0);
	g_assert_cmpuint(n, ==, 0);
	g_assert_cmpuint(u, ==, 0);
	local_db_close(ro);
	testfs_rm_rf(dir);
	g_free(dir);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define T(name, fn) g_test_add(name, struct fixture, NULL, setup, fn, teardown)
	T("/local/counts", test_counts);
	T("/local/bad-query", test_bad_query);
	T("/local/messages-newest-first", test_messages_newest_first);
	T("/local/messages-stop", test_messages_stop);
	T("/local/threads", test_threads);
	T("/local/tags-follow-flags", test_tags_follow_flags);
	T("/local/tag-errors", test_tag_errors);
	T("/local/purge", test_purge);
	T("/local/unindexed", test_unindexed_reachable);
	T("/local/reader-beside-writer", test_reader_beside_writer);
	g_test_add_func("/local/reader-creates", test_reader_creates);
	return g_test_run();
}
