/* test_outbox.c - queue, send once, crash recovery, failures kept. */
#include "smtp/smtp.h"
#include "scripted.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

static const char *const rcpts[] = { "alice@example.test", "bob@example.test" };
static const char msg[] = "Subject: queued\r\nMessage-ID: <q1@example.test>\r\n\r\nbody\r\n";

struct fixture {
	char *dir;
	struct scripted *srv;
	struct smtp_outbox *ob;
	struct smtp_session *s;
};

static void setup(struct fixture *f, gconstpointer unused)
{
	struct smtp_server cfg = { .host = "127.0.0.1", .tls = SMTP_TLS_NONE, .timeout = 5 };

	(void)unused;
	f->dir = g_dir_make_tmp("outbox-XXXXXX", NULL);
	f->srv = scripted_new();
	scripted_start(f->srv);
	cfg.port = f->srv->port;
	f->ob = smtp_outbox_open(f->dir, NULL);
	g_assert_nonnull(f->ob);
	f->s = smtp_session_new(&cfg);
}

static void teardown(struct fixture *f, gconstpointer unused)
{
	GDir *d = g_dir_open(f->dir, 0, NULL);
	const char *n;

	(void)unused;
	smtp_session_free(f->s);
	smtp_outbox_close(f->ob);
	scripted_free(f->srv);
	while ((n = g_dir_read_name(d))) {
		char *p = g_build_filename(f->dir, n, NULL);

		g_unlink(p);
		g_free(p);
	}
	g_dir_close(d);
	g_rmdir(f->dir);
	g_free(f->dir);
}

static char *add(struct fixture *f)
{
	char *id = NULL;

	g_assert_cmpint(smtp_outbox_add(f->ob, "me@example.test", rcpts, 2, "q1@example.test", msg,
		sizeof msg - 1, &id), ==, 0);
	return id;
}

static enum smtp_outbox_state state_of(struct fixture *f, const char *id)
{
	struct smtp_outbox_entry *e = smtp_outbox_get(f->ob, id);
	enum smtp_outbox_state st;

	g_assert_nonnull(e);
	st = e->state;
	smtp_outbox_entry_free(e);
	return st;
}

static void test_add_and_send_once(struct fixture *f, gconstpointer unused)
{
	char *id = add(f), *data = NULL, *path;
	struct smtp_flush_summary sum;
	GPtrArray *all;
	size_t len;
	struct stat st;

	(void)unused;
	all = smtp_outbox_list(f->ob);
	g_assert_cmpuint(all->len, ==, 1);
	g_assert_cmpint(((struct smtp_outbox_entry *)all->pdata[0])->state, ==, SMTP_OUTBOX_QUEUED);
	g_assert_cmpstr(((struct smtp_outbox_entry *)all->pdata[0])->rcpts[1], ==, "bob@example.test");
	g_ptr_array_unref(all);
	g_assert_cmpint(smtp_outbox_read(f->ob, id, &data, &len), ==, 0);
	g_assert_cmpmem(data, len, msg, sizeof msg - 1);
	g_free(data);
	path = g_strconcat(f->dir, "/", id, ".eml", NULL);
	g_assert_cmpint(stat(path, &st), ==, 0);
	g_assert_cmpint(st.st_mode & 0777, ==, 0600);
	g_free(path);

	g_assert_cmpint(smtp_outbox_flush(f->ob, f->s, NULL, NULL, &sum), ==, 0);
	g_assert_cmpint(sum.sent, ==, 1);
	g_assert_cmpint(state_of(f, id), ==, SMTP_OUTBOX_ACCEPTED);
	/* a second flush sends nothing */
	g_assert_cmpint(smtp_outbox_flush(f->ob, f->s, NULL, NULL, &sum), ==, 0);
	g_assert_cmpint(sum.sent, ==, 0);
	g_assert_cmpint(scripted_count(f->srv), ==, 1);
	g_assert_cmpint(smtp_outbox_remove(f->ob, id), ==, 0);
	all = smtp_outbox_list(f->ob);
	g_assert_cmpuint(all->len, ==, 0);
	g_ptr_array_unref(all);
	g_free(id);
}

/* A crash after "sending" was written: the server may have the message. */
static void test_interrupted_not_resent(struct fixture *f, gconstpointer unused)
{
	char *id = add(f);
	char *meta = g_strconcat(f->dir, "/", id, ".meta", NULL), *text;
	struct smtp_flush_summary sum;
	GString *s;

	(void)unused;
	g_assert_true(g_file_get_contents(meta, &text, NULL, NULL));
	s = g_string_new(text);
	g_assert_cmpint(g_string_replace(s, "state=queued", "state=sending", 1), ==, 1);
	g_assert_true(g_file_set_contents(meta, s->str, (gssize)s->len, NULL));
	g_assert_cmpint(smtp_outbox_flush(f->ob, f->s, NULL, NULL, &sum), ==, 0);
	g_assert_cmpint(sum.sent, ==, 0);
	g_assert_cmpint(sum.interrupted, ==, 1);
	g_assert_cmpint(scripted_count(f->srv), ==, 0);
	g_assert_cmpint(state_of(f, id), ==, SMTP_OUTBOX_INTERRUPTED);
	/* the user decides to send it again */
	g_assert_cmpint(smtp_outbox_requeue(f->ob, id), ==, 0);
	g_assert_cmpint(smtp_outbox_flush(f->ob, f->s, NULL, NULL, &sum), ==, 0);
	g_assert_cmpint(sum.sent, ==, 1);
	g_assert_cmpint(scripted_count(f->srv), ==, 1);
	g_string_free(s, TRUE);
	g_free(text);
	g_free(meta);
	g_free(id);
}

static char *boot_id(void)
{
	char *b = NULL;

	g_assert_true(g_file_get_contents("/proc/sys/kernel/random/boot_id", &b, NULL, NULL));
	return g_strstrip(b);
}

/* A journal left by a crash: what each mark means for the next flush. */
static const struct {
	const char *name;
	bool same_boot;
	const char *marks; /* lines after the claim, %s = id */
	bool resent;
} journal_cases[] = {
	{ "claimed-not-started", true, "", true },
	{ "started-no-outcome", true, "S %s\n", false },
	{ "outcome-recorded", true, "S %s\nD %s\n", true },
	{ "claimed-before-reboot", false, "", false },
};

static void test_journal_recovery(struct fixture *f, gconstpointer unused)
{
	char *boot = boot_id();

	(void)unused;
	for (size_t i = 0; i < G_N_ELEMENTS(journal_cases); i++) {
		char *id = add(f), *path = g_build_filename(f->dir, "journal", NULL);
		char *marks = g_strdup_printf(journal_cases[i].marks, id, id);
		char *text = g_strdup_printf("B %s %s\n%s", journal_cases[i].same_boot ? boot :
			"00000000-0000-0000-0000-000000000000", id, marks);
		struct smtp_flush_summary sum;
		int before = scripted_count(f->srv);

		g_assert_true(g_file_set_contents(path, text, -1, NULL));
		g_assert_cmpint(smtp_outbox_flush(f->ob, f->s, NULL, NULL, &sum), ==, 0);
		if (journal_cases[i].resent != (scripted_count(f->srv) == before + 1))
			g_error("%s: sent %d", journal_cases[i].name, scripted_count(f->srv) - before);
		g_assert_cmpint(state_of(f, id), ==, journal_cases[i].resent ?
			SMTP_OUTBOX_ACCEPTED : SMTP_OUTBOX_INTERRUPTED);
		g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
		g_assert_cmpint(smtp_outbox_remove(f->ob, id), ==, 0);
		g_free(text);
		g_free(marks);
		g_free(path);
		g_free(id);
	}
	g_free(boot);
}

static void test_permanent_kept(struct fixture *f, gconstpointer unused)
{
	char *id;
	struct smtp_flush_summary sum;
	struct smtp_outbox_entry *e;

	(void)unused;
	f->srv->data_reply = "554 5.7.1 content rejected";
	id = add(f);
	g_assert_cmpint(smtp_outbox_flush(f->ob, f->s, NULL, NULL, &sum), ==, 0);
	g_assert_cmpint(sum.failed, ==, 1);
	e = smtp_outbox_get(f->ob, id);
	g_assert_cmpint(e->state, ==, SMTP_OUTBOX_FAILED);
	g_assert_cmpint(e->last_code, ==, 554);
	g_assert_cmpstr(e->last_error, ==, "554 5.7.1 content rejected");
	g_assert_cmpint(e->attempts, ==, 1);
	smtp_outbox_entry_free(e);
	/* not retried automatically */
	g_assert_cmpint(smtp_outbox_flush(f->ob, f->s, NULL, NULL, &sum), ==, 0);
	g_assert_cmpint(sum.failed + sum.sent + sum.deferred, ==, 0);
	g_free(id);
}

static void test_temporary_stays_queued(struct fixture *f, gconstpointer unused)
{
	char *id;
	struct smtp_flush_summary sum;
	struct smtp_outbox_entry *e;

	(void)unused;
	f->srv->data_reply = "451 4.3.0 local problem";
	id = add(f);
	g_assert_cmpint(smtp_outbox_flush(f->ob, f->s, NULL, NULL, &sum), ==, 0);
	g_assert_cmpint(sum.deferred, ==, 1);
	e = smtp_outbox_get(f->ob, id);
	g_assert_cmpint(e->state, ==, SMTP_OUTBOX_QUEUED);
	g_assert_cmpint(e->attempts, ==, 1);
	g_assert_cmpstr(e->last_error, ==, "451 4.3.0 local problem");
	smtp_outbox_entry_free(e);
	f->srv->data_reply = NULL;
	g_assert_cmpint(smtp_outbox_flush(f->ob, f->s, NULL, NULL, &sum), ==, 0);
	g_assert_cmpint(sum.sent, ==, 1);
	g_free(id);
}

static void test_server_down_stops_flush(struct fixture *f, gconstpointer unused)
{
	char *ids[3];
	struct smtp_flush_summary sum;

	(void)unused;
	for (int i = 0; i < 3; i++)
		ids[i] = add(f);
	scripted_stop(f->srv);
	g_assert_cmpint(smtp_outbox_flush(f->ob, f->s, NULL, NULL, &sum), ==, 0);
	g_assert_cmpint(sum.deferred, ==, 3);
	g_assert_cmpint(sum.sent, ==, 0);
	for (int i = 0; i < 3; i++) {
		struct smtp_outbox_entry *e = smtp_outbox_get(f->ob, ids[i]);

		g_assert_cmpint(e->state, ==, SMTP_OUTBOX_QUEUED);
		/* only the first one was tried */
		g_assert_cmpint(e->attempts, ==, i == 0 ? 1 : 0);
		if (i == 0)
			g_assert_cmpint(e->last_status, ==, SMTP_ERR_CONNECT);
		smtp_outbox_entry_free(e);
		g_free(ids[i]);
	}
}

static void test_partial_requeues_4xx(struct fixture *f, gconstpointer unused)
{
	char *id;
	struct smtp_flush_summary sum;
	struct smtp_outbox_entry *e;
	GPtrArray *all;

	(void)unused;
	g_hash_table_insert(f->srv->rcpt_replies, g_strdup("bob@example.test"),
		g_strdup("452 4.2.2 mailbox full"));
	id = add(f);
	g_assert_cmpint(smtp_outbox_flush(f->ob, f->s, NULL, NULL, &sum), ==, 0);
	g_assert_cmpint(sum.sent, ==, 1);
	e = smtp_outbox_get(f->ob, id);
	g_assert_cmpint(e->state, ==, SMTP_OUTBOX_ACCEPTED);
	g_assert_nonnull(e->rejected);
	g_assert_cmpstr(e->rejected[0], ==, "bob@example.test\t452\t452 4.2.2 mailbox full");
	smtp_outbox_entry_free(e);
	all = smtp_outbox_list(f->ob);
	g_assert_cmpuint(all->len, ==, 2);
	e = all->pdata[1];
	g_assert_cmpint(e->state, ==, SMTP_OUTBOX_QUEUED);
	g_assert_cmpstr(e->rcpts[0], ==, "bob@example.test");
	g_assert_null(e->rcpts[1]);
	g_assert_cmpstr(e->message_id, ==, "q1@example.test");
	g_ptr_array_unref(all);
	g_free(id);
}

static void test_lock(struct fixture *f, gconstpointer unused)
{
	struct smtp_outbox *other = smtp_outbox_open(f->dir, NULL);
	struct smtp_result res = { 0 };
	char *id = add(f);

	(void)unused;
	g_assert_cmpint(smtp_outbox_send(f->ob, f->s, id, &res), ==, -ENOLCK);
	g_assert_cmpint(smtp_outbox_lock(other), ==, 0);
	g_assert_cmpint(smtp_outbox_lock(f->ob), ==, -EWOULDBLOCK);
	g_assert_cmpint(smtp_outbox_flush(f->ob, f->s, NULL, NULL, NULL), ==, -EWOULDBLOCK);
	smtp_outbox_close(other);
	g_assert_cmpint(smtp_outbox_lock(f->ob), ==, 0);
	g_assert_cmpint(smtp_outbox_send(f->ob, f->s, id, &res), ==, 0);
	g_assert_cmpint(res.status, ==, SMTP_OK);
	/* not QUEUED any more */
	g_assert_cmpint(smtp_outbox_send(f->ob, f->s, id, &res), ==, -EINVAL);
	smtp_result_clear(&res);
	g_free(id);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) g_test_add(path, struct fixture, NULL, setup, fn, teardown)
	ADD("/smtp/outbox/add-and-send-once", test_add_and_send_once);
	ADD("/smtp/outbox/interrupted-not-resent", test_interrupted_not_resent);
	ADD("/smtp/outbox/journal-recovery", test_journal_recovery);
	ADD("/smtp/outbox/permanent-kept", test_permanent_kept);
	ADD("/smtp/outbox/temporary-stays-queued", test_temporary_stays_queued);
	ADD("/smtp/outbox/server-down-stops-flush", test_server_down_stops_flush);
	ADD("/smtp/outbox/partial-requeues-4xx", test_partial_requeues_4xx);
	ADD("/smtp/outbox/lock", test_lock);
	return g_test_run();
}
