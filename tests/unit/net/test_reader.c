/* test_reader.c - the buffered reader and writer over a socketpair:
 * line endings, split lines, the line cap, literals, timeouts, peer
 * close and the cancel flag. */
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "core/core.h"
#include "net/net.h"

struct pair {
	struct net_conn *c;
	int peer;
};

static void pair_open(struct pair *p, const struct net_opts *opts)
{
	int sv[2];
	g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), ==, 0);
	struct net_opts def = {.host = "test", .read_timeout_ms = 5000};
	struct net_error err;
	g_assert_cmpint(net_adopt_fd(sv[0], opts ? opts : &def, &p->c, &err), ==, NET_OK);
	p->peer = sv[1];
}

static void pair_close(struct pair *p)
{
	net_close(p->c);
	if (p->peer >= 0)
		close(p->peer);
}

static void peer_send(struct pair *p, const char *s, size_t n)
{
	g_assert_cmpint(write(p->peer, s, n), ==, (ssize_t)n);
}

static void expect_line(struct net_conn *c, const char *want)
{
	const char *line;
	size_t len;
	struct net_error err;
	g_assert_cmpint(net_read_line(c, &line, &len, &err), ==, NET_OK);
	g_assert_cmpstr(line, ==, want);
	g_assert_cmpuint(len, ==, strlen(want));
}

static void test_line_endings(void)
{
	struct pair p;
	pair_open(&p, NULL);
	static const char data[] = "a\r\nb\n\r\nx\ry\r\n\nlast\r\n";
	peer_send(&p, data, sizeof data - 1);
	static const char *const want[] = {"a", "b", "", "x\ry", "", "last"};
	for (size_t i = 0; i < G_N_ELEMENTS(want); i++)
		expect_line(p.c, want[i]);
	g_assert_cmpuint(net_buffered(p.c), ==, 0);
	g_assert_cmpuint(net_bytes_read(p.c), ==, sizeof data - 1);
	pair_close(&p);
}

static void test_buffered(void)
{
	struct pair p;
	pair_open(&p, NULL);
	peer_send(&p, "one\r\ntwo\r\n", 10);
	expect_line(p.c, "one");
	g_assert_cmpuint(net_buffered(p.c), ==, 5);
	expect_line(p.c, "two");
	g_assert_cmpuint(net_buffered(p.c), ==, 0);
	pair_close(&p);
}

struct script {
	int fd;
	const char *const *parts; /* NULL-terminated, sent with a pause between */
	int pause_ms;
};

static gpointer script_thread(gpointer data)
{
	struct script *s = data;
	for (const char *const *q = s->parts; *q; q++) {
		g_usleep((gulong)s->pause_ms * 1000);
		size_t n = strlen(*q);
		if (write(s->fd, *q, n) != (ssize_t)n)
			break;
	}
	return NULL;
}

static void test_split_line(void)
{
	struct pair p;
	pair_open(&p, NULL);
	/* The CR and the LF arrive in different writes too. */
	static const char *const parts[] = {"hel", "lo wor", "ld\r", "\nnext", "\n", NULL};
	struct script s = {p.peer, parts, 30};
	GThread *t = g_thread_new("peer", script_thread, &s);
	expect_line(p.c, "hello world");
	expect_line(p.c, "next");
	g_thread_join(t);
	pair_close(&p);
}

static void test_line_cap(void)
{
	struct net_opts o = {.host = "test", .read_timeout_ms = 30000, .max_line = 16};
	struct pair p;
	struct net_error err;
	const char *line;
	size_t len;

	pair_open(&p, &o);
	peer_send(&p, "0123456789abcdef\r\n", 18); /* exactly the cap */
	expect_line(p.c, "0123456789abcdef");
	peer_send(&p, "0123456789abcdefg\r\n", 19);
	g_assert_cmpint(net_read_line(p.c, &line, &len, &err), ==, NET_ERR_TOO_LONG);
	g_assert_cmpint(err.status, ==, NET_ERR_TOO_LONG);
	pair_close(&p);

	/* Without a line end it must fail at once, not wait for the timeout. */
	pair_open(&p, &o);
	char big[200];
	memset(big, 'x', sizeof big);
	peer_send(&p, big, sizeof big);
	gint64 t0 = g_get_monotonic_time();
	g_assert_cmpint(net_read_line(p.c, &line, &len, &err), ==, NET_ERR_TOO_LONG);
	/* Far below the 30 s timeout it would otherwise wait for. */
	g_assert_cmpint(g_get_monotonic_time() - t0, <, 15 * G_USEC_PER_SEC);
	pair_close(&p);
}

static void test_literal(void)
{
	struct pair p;
	struct net_error err;
	const char *data;
	pair_open(&p, NULL);
	static const char wire[] =
	    "* 1 FETCH (BODY[] {5}\r\nhello)\r\n* 2 FETCH (BODY[] {0}\r\n)\r\n";
	peer_send(&p, wire, sizeof wire - 1);
	expect_line(p.c, "* 1 FETCH (BODY[] {5}");
	g_assert_cmpint(net_read_exact(p.c, 5, &data, &err), ==, NET_OK);
	g_assert_cmpstr(data, ==, "hello"); /* NUL-terminated in the buffer */
	/* The byte the NUL covered must come back for the next read. */
	expect_line(p.c, ")");
	expect_line(p.c, "* 2 FETCH (BODY[] {0}");
	g_assert_cmpint(net_read_exact(p.c, 0, &data, &err), ==, NET_OK);
	g_assert_cmpstr(data, ==, "");
	expect_line(p.c, ")");
	pair_close(&p);
}

struct bulk {
	int fd;
	const char *data;
	size_t len;
};

static gpointer bulk_writer(gpointer d)
{
	struct bulk *b = d;
	size_t off = 0;
	while (off < b->len) {
		ssize_t n = write(b->fd, b->data + off, b->len - off);
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	return NULL;
}

static void test_big_literal(void)
{
	struct pair p;
	struct net_error err;
	const char *data;
	const size_t n = 3 * 1024 * 1024 + 7;
	pair_open(&p, NULL);
	GString *src = g_string_new("* 3 FETCH (BODY[] {3145735}\r\n");
	size_t head = src->len;
	for (size_t i = 0; i < n; i++)
		g_string_append_c(src, (char)('a' + i % 23));
	g_string_append(src, ")\r\n");
	struct bulk b = {p.peer, src->str, src->len};
	GThread *t = g_thread_new("peer", bulk_writer, &b);
	expect_line(p.c, "* 3 FETCH (BODY[] {3145735}");
	g_assert_cmpint(net_read_exact(p.c, n, &data, &err), ==, NET_OK);
	g_assert_true(memcmp(data, src->str + head, n) == 0);
	g_assert_cmpint(data[n], ==, '\0');
	expect_line(p.c, ")");
	g_assert_cmpuint(net_bytes_read(p.c), ==, src->len);
	g_thread_join(t);
	g_string_free(src, TRUE);
	pair_close(&p);
}

static void test_literal_cap(void)
{
	struct net_opts o = {.host = "test", .read_timeout_ms = 2000, .max_literal = 100};
	struct pair p;
	struct net_error err;
	const char *data;
	pair_open(&p, &o);
	g_assert_cmpint(net_read_exact(p.c, 101, &data, &err), ==, NET_ERR_TOO_LONG);
	pair_close(&p);
}

static gpointer bulk_reader(gpointer d)
{
	struct bulk *b = d;
	GString *got = g_string_new(NULL);
	char buf[65536];
	ssize_t n;
	while ((n = read(b->fd, buf, sizeof buf)) > 0)
		g_string_append_len(got, buf, n);
	return got;
}

static void test_write_all(void)
{
	struct pair p;
	struct net_error err;
	pair_open(&p, NULL);
	const size_t n = 4 * 1024 * 1024;
	char *src = g_malloc(n);
	for (size_t i = 0; i < n; i++)
		src[i] = (char)(i * 7);
	struct bulk b = {p.peer, NULL, 0};
	GThread *t = g_thread_new("peer", bulk_reader, &b);
	g_assert_cmpint(net_write(p.c, src, n, &err), ==, NET_OK);
	g_assert_cmpint(net_write_sensitive(p.c, "PASS x\r\n", 8, &err), ==, NET_OK);
	net_close(p.c);
	p.c = NULL;
	GString *got = g_thread_join(t);
	g_assert_cmpuint(got->len, ==, n + 8);
	g_assert_true(memcmp(got->str, src, n) == 0);
	g_assert_true(memcmp(got->str + n, "PASS x\r\n", 8) == 0);
	g_string_free(got, TRUE);
	g_free(src);
	pair_close(&p);
}

static void test_timeout(void)
{
	struct net_opts o = {.host = "test", .read_timeout_ms = 300};
	struct pair p;
	struct net_error err;
	const char *line;
	size_t len;
	pair_open(&p, &o);
	gint64 t0 = g_get_monotonic_time();
	g_assert_cmpint(net_read_line(p.c, &line, &len, &err), ==, NET_ERR_TIMEOUT);
	g_assert_cmpint((g_get_monotonic_time() - t0) / 1000, >=, 290);
	pair_close(&p);

	/* A changed timeout applies to the next read: 60 s becomes 200 ms.
	 * The bounds only tell the two apart; they measure nothing. */
	o.read_timeout_ms = 60000;
	pair_open(&p, &o);
	net_set_read_timeout(p.c, 200);
	t0 = g_get_monotonic_time();
	g_assert_cmpint(net_read_line(p.c, &line, &len, &err), ==, NET_ERR_TIMEOUT);
	gint64 ms = (g_get_monotonic_time() - t0) / 1000;
	g_assert_cmpint(ms, >=, 190);
	g_assert_cmpint(ms, <, 30000);
	pair_close(&p);
}

static void test_closed(void)
{
	struct pair p;
	struct net_error err;
	const char *line, *data;
	size_t len;
	pair_open(&p, NULL);
	peer_send(&p, "partial", 7);
	close(p.peer);
	p.peer = -1;
	g_assert_cmpint(net_read_line(p.c, &line, &len, &err), ==, NET_ERR_CLOSED);
	g_assert_cmpint(err.status, ==, NET_ERR_CLOSED);
	g_assert_cmpint(net_read_exact(p.c, 10, &data, &err), ==, NET_ERR_CLOSED);
	pair_close(&p);
}

static gpointer raise_flag(gpointer d)
{
	g_usleep(150 * 1000);
	__atomic_store_n((volatile int *)d, 1, __ATOMIC_RELAXED);
	return NULL;
}

static void test_cancel(void)
{
	static volatile int flag;
	flag = 0;
	struct net_opts o = {.host = "test", .read_timeout_ms = 30000, .cancel = &flag};
	struct pair p;
	struct net_error err;
	const char *line;
	size_t len;
	pair_open(&p, &o);
	GThread *t = g_thread_new("cancel", raise_flag, (gpointer)&flag);
	gint64 t0 = g_get_monotonic_time();
	g_assert_cmpint(net_read_line(p.c, &line, &len, &err), ==, NET_ERR_CANCELLED);
	/* Cancelled, not timed out: well under the 30 s read timeout. */
	g_assert_cmpint((g_get_monotonic_time() - t0) / 1000, <, 15000);
	g_thread_join(t);
	/* Still raised: writes refuse too. */
	g_assert_cmpint(net_write(p.c, "x", 1, &err), ==, NET_ERR_CANCELLED);
	pair_close(&p);
}

/* A silent peer: the handshake ends at connect_timeout_ms, or as soon
 * as the cancel flag goes up. */
static void test_handshake_timeout_cancel(void)
{
	struct net_opts o = {.host = "localhost", .connect_timeout_ms = 300};
	struct pair p;
	struct net_error err;
	pair_open(&p, &o);
	gint64 t0 = g_get_monotonic_time();
	g_assert_cmpint(net_start_tls(p.c, &err), ==, NET_ERR_TIMEOUT);
	g_assert_cmpint((g_get_monotonic_time() - t0) / 1000, >=, 290);
	g_assert_false(net_is_tls(p.c));
	pair_close(&p);

	static volatile int flag;
	flag = 0;
	struct net_opts q = {.host = "localhost", .connect_timeout_ms = 30000, .cancel = &flag};
	pair_open(&p, &q);
	GThread *t = g_thread_new("cancel", raise_flag, (gpointer)&flag);
	t0 = g_get_monotonic_time();
	g_assert_cmpint(net_start_tls(p.c, &err), ==, NET_ERR_CANCELLED);
	g_assert_cmpint((g_get_monotonic_time() - t0) / 1000, <, 15000);
	g_thread_join(t);
	pair_close(&p);
}

/* Traffic goes to the log through core_log_wire; secrets do not. */
static void test_wire_log(void)
{
	gchar *dir = g_dir_make_tmp("net-log-XXXXXX", NULL);
	gchar *path = g_build_filename(dir, "log", NULL);
	g_assert_cmpint(core_log_open(path), ==, 0);
	struct pair p;
	struct net_error err;
	pair_open(&p, NULL);
	net_set_log(p.c, CORE_LOG_IMAP);
	g_assert_cmpint(net_write(p.c, "a1 CAPABILITY\r\n", 15, &err), ==, NET_OK);
	g_assert_cmpint(net_write_sensitive(p.c, "a2 LOGIN alice s3cr3t-pw\r\n", 26, &err), ==,
	                NET_OK);
	peer_send(&p, "* OK greeting-line\r\n", 20);
	expect_line(p.c, "* OK greeting-line");
	net_set_log(p.c, -1);
	g_assert_cmpint(net_write(p.c, "a3 NOT-LOGGED\r\n", 15, &err), ==, NET_OK);
	pair_close(&p);
	core_log_close();
	gchar *text = NULL;
	g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
	g_assert_nonnull(strstr(text, "a1 CAPABILITY"));
	g_assert_nonnull(strstr(text, "greeting-line"));
	g_assert_nonnull(strstr(text, "LOGIN"));
	g_assert_null(strstr(text, "s3cr3t-pw"));
	g_assert_null(strstr(text, "NOT-LOGGED"));
	g_free(text);
	g_remove(path);
	g_rmdir(dir);
	g_free(path);
	g_free(dir);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/net/reader/line_endings", test_line_endings);
	g_test_add_func("/net/reader/buffered", test_buffered);
	g_test_add_func("/net/reader/split_line", test_split_line);
	g_test_add_func("/net/reader/line_cap", test_line_cap);
	g_test_add_func("/net/reader/literal", test_literal);
	g_test_add_func("/net/reader/big_literal", test_big_literal);
	g_test_add_func("/net/reader/literal_cap", test_literal_cap);
	g_test_add_func("/net/reader/timeout", test_timeout);
	g_test_add_func("/net/reader/closed", test_closed);
	g_test_add_func("/net/reader/cancel", test_cancel);
	g_test_add_func("/net/writer/write_all", test_write_all);
	g_test_add_func("/net/log/wire", test_wire_log);
	g_test_add_func("/net/tls/handshake_timeout_cancel", test_handshake_timeout_cancel);
	return g_test_run();
}
