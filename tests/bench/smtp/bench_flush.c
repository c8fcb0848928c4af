/* bench_flush.c - flush an outbox of 200 queued 10 KB messages to the
 * SMTP server of tests/servers/start (STARTTLS + AUTH), over one
 * connection; then, for comparison, 50 with a new connection each.
 * Prints the times.  Recipients are outside example.test, so the server
 * takes and logs the messages without filling a Maildir.
 *
 *   bench-smtp-flush [COUNT]      (needs MAILTUI_TEST_* from DIR/env) */
#include "smtp/smtp.h"
#include "testenv.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#define SIZE 10240

static const char *const rcpt[] = { "bench@elsewhere.test" };

static char *message(int i)
{
	GString *s = g_string_new(NULL);

	g_string_append_printf(s, "From: <alice@example.test>\r\nTo: <bench@elsewhere.test>\r\n"
		"Subject: bench %d\r\nMessage-ID: <bench.%d.%d@example.test>\r\n\r\n", i, i,
		(int)getpid());
	while (s->len < SIZE - 80)
		g_string_append(s, "0123456789 abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ\r\n");
	return g_string_free(s, FALSE);
}

static void fill(struct smtp_outbox *ob, int n)
{
	for (int i = 0; i < n; i++) {
		char *m = message(i);

		if (smtp_outbox_add(ob, "alice@example.test", rcpt, 1, NULL, m, strlen(m), NULL) < 0) {
			fprintf(stderr, "cannot queue\n");
			exit(1);
		}
		g_free(m);
	}
}

static void empty(const char *dir)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *n;

	while (d && (n = g_dir_read_name(d))) {
		char *p = g_build_filename(dir, n, NULL);

		g_unlink(p);
		g_free(p);
	}
	if (d)
		g_dir_close(d);
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 200;
	struct smtp_server srv = {
		.host = "127.0.0.1",
		.port = testenv_port("SMTP_PORT"),
		.tls = SMTP_TLS_STARTTLS,
		.user = testenv_get("USER"),
		.password = testenv_get("PASS"),
		.ca_file = testenv_get("CA"),
	};
	char *dir = g_dir_make_tmp("bench-outbox-XXXXXX", NULL);
	struct smtp_outbox *ob = smtp_outbox_open(dir, NULL);
	struct smtp_flush_summary sum;
	struct smtp_session *s;
	gint64 t0, t1;
	double one, per;

	fill(ob, n);
	s = smtp_session_new(&srv);
	t0 = g_get_monotonic_time();
	if (smtp_outbox_flush(ob, s, NULL, NULL, &sum) < 0 || sum.sent != n) {
		fprintf(stderr, "flush failed: %d sent of %d\n", sum.sent, n);
		return 1;
	}
	smtp_session_free(s); /* QUIT included in the time */
	t1 = g_get_monotonic_time();
	one = (double)(t1 - t0) / 1e6;
	printf("smtp flush: %d messages of 10 KB over one connection (STARTTLS, AUTH): "
		"%.3f s (%.2f ms/message; target <= 1.5 s)\n", n, one, one * 1000 / n);

	/* One connection per message, for comparison (fewer: it is slow). */
	n = n < 50 ? n : 50;
	empty(dir);
	fill(ob, n);
	t0 = g_get_monotonic_time();
	{
		GPtrArray *all = smtp_outbox_list(ob);

		smtp_outbox_lock(ob);
		for (guint i = 0; i < all->len; i++) {
			struct smtp_outbox_entry *e = all->pdata[i];
			struct smtp_result res = { 0 };

			s = smtp_session_new(&srv);
			smtp_outbox_send(ob, s, e->id, &res);
			smtp_session_free(s);
			smtp_result_clear(&res);
		}
		g_ptr_array_unref(all);
	}
	t1 = g_get_monotonic_time();
	per = (double)(t1 - t0) / 1e6;
	printf("smtp send: %d messages of 10 KB, one connection each: %.3f s (%.2f ms/message)\n",
		n, per, per * 1000 / n);
	empty(dir);
	smtp_outbox_close(ob);
	g_rmdir(dir);
	g_free(dir);
	return 0;
}
