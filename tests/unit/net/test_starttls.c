/* test_starttls.c - net_starttls against scripted peers: a server that
 * does not offer STARTTLS/STLS gets nothing after the capability query. */
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib.h>

#include "net/net.h"

struct peer {
	int fd;
	const char *const *replies; /* one per received line, NULL-terminated */
	bool hang_up;               /* close after the last reply */
	GString *got;               /* every byte received */
};

static gpointer peer_run(gpointer d)
{
	struct peer *p = d;
	const char *const *r = p->replies;
	char buf[4096];
	size_t line_start = 0;
	ssize_t n;
	while ((n = read(p->fd, buf, sizeof buf)) > 0) {
		g_string_append_len(p->got, buf, n);
		char *nl;
		while (*r &&
		       (nl = memchr(p->got->str + line_start, '\n', p->got->len - line_start))) {
			line_start = (size_t)(nl - p->got->str) + 1;
			size_t len = strlen(*r);
			if (write(p->fd, *r, len) != (ssize_t)len)
				return NULL;
			r++;
			if (!*r && p->hang_up) {
				shutdown(p->fd, SHUT_RDWR);
				return NULL;
			}
		}
	}
	return NULL;
}

struct run {
	enum net_status st;
	struct net_error err;
	GString *got;
};

static void run_script(enum net_starttls_proto proto, const char *const *replies, bool hang_up,
                       struct run *out)
{
	int sv[2];
	g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), ==, 0);
	struct net_opts o = {
	    .host = "localhost", .read_timeout_ms = 3000, .connect_timeout_ms = 3000};
	struct net_conn *c;
	g_assert_cmpint(net_adopt_fd(sv[0], &o, &c, &out->err), ==, NET_OK);
	struct peer p = {sv[1], replies, hang_up, g_string_new(NULL)};
	GThread *t = g_thread_new("peer", peer_run, &p);
	out->st = net_starttls(c, proto, &out->err);
	if (out->st != NET_OK) {
		/* A careless caller that sends its login anyway gets nowhere. */
		struct net_error e2;
		g_assert_cmpint(net_write(c, "a LOGIN u p\r\n", 13, &e2), ==, NET_ERR_TLS);
		g_assert_cmpint(net_write_sensitive(c, "PASS p\r\n", 8, &e2), ==, NET_ERR_TLS);
	}
	net_close(c);
	g_thread_join(t);
	close(sv[1]);
	out->got = p.got;
}

static void test_imap_not_offered(void)
{
	static const char *const replies[] = {
	    "* CAPABILITY IMAP4rev1 XSTARTTLS STARTTLSX AUTH=PLAIN\r\n"
	    "* OK STARTTLS mentioned in text only\r\n"
	    "S1 OK STARTTLS is not a capability here\r\n",
	    NULL};
	struct run r;
	run_script(NET_STARTTLS_IMAP, replies, false, &r);
	g_assert_cmpint(r.st, ==, NET_ERR_NO_STARTTLS);
	g_assert_cmpint(r.err.status, ==, NET_ERR_NO_STARTTLS);
	g_assert_nonnull(strstr(r.err.detail, "CAPABILITY IMAP4rev1 XSTARTTLS"));
	g_assert_cmpstr(r.got->str, ==, "S1 CAPABILITY\r\n");
	g_string_free(r.got, TRUE);
}

static void test_imap_refused(void)
{
	static const char *const replies[] = {
	    "* CAPABILITY IMAP4rev1 starttls LOGINDISABLED\r\nS1 OK done\r\n", "S2 NO not now\r\n",
	    NULL};
	struct run r;
	run_script(NET_STARTTLS_IMAP, replies, false, &r);
	g_assert_cmpint(r.st, ==, NET_ERR_NO_STARTTLS);
	g_assert_nonnull(strstr(r.err.detail, "S2 NO not now"));
	g_assert_cmpstr(r.got->str, ==, "S1 CAPABILITY\r\nS2 STARTTLS\r\n");
	g_string_free(r.got, TRUE);
}

static void test_imap_capability_bad(void)
{
	static const char *const replies[] = {"S1 BAD what\r\n", NULL};
	struct run r;
	run_script(NET_STARTTLS_IMAP, replies, false, &r);
	g_assert_cmpint(r.st, ==, NET_ERR_NO_STARTTLS);
	g_assert_cmpstr(r.got->str, ==, "S1 CAPABILITY\r\n");
	g_string_free(r.got, TRUE);
}

/* Offered in the tagged reply's response code; then the peer hangs up
 * instead of a handshake: the upgrade must fail, not carry on. */
static void test_imap_code_then_hangup(void)
{
	static const char *const replies[] = {"S1 OK [CAPABILITY IMAP4rev1 STARTTLS] done\r\n",
	                                      "S2 OK go ahead\r\n", NULL};
	struct run r;
	run_script(NET_STARTTLS_IMAP, replies, true, &r);
	g_assert_cmpstr(r.got->str, ==, "S1 CAPABILITY\r\nS2 STARTTLS\r\n");
	g_assert_true(r.st == NET_ERR_CLOSED || r.st == NET_ERR_TLS || r.st == NET_ERR_IO);
	g_string_free(r.got, TRUE);
}

static void test_pop3_not_offered(void)
{
	static const char *const replies[] = {
	    "+OK list follows\r\nTOP\r\nUSER\r\nSASL PLAIN\r\n..STLS\r\nXSTLS\r\n.\r\n", NULL};
	struct run r;
	run_script(NET_STARTTLS_POP3, replies, false, &r);
	g_assert_cmpint(r.st, ==, NET_ERR_NO_STARTTLS);
	g_assert_nonnull(strstr(r.err.detail, "SASL PLAIN"));
	g_assert_cmpstr(r.got->str, ==, "CAPA\r\n");
	g_string_free(r.got, TRUE);
}

static void test_pop3_no_capa(void)
{
	static const char *const replies[] = {"-ERR unknown command\r\n", NULL};
	struct run r;
	run_script(NET_STARTTLS_POP3, replies, false, &r);
	g_assert_cmpint(r.st, ==, NET_ERR_NO_STARTTLS);
	g_assert_cmpstr(r.got->str, ==, "CAPA\r\n");
	g_string_free(r.got, TRUE);
}

static void test_pop3_refused(void)
{
	static const char *const replies[] = {"+OK\r\nstls\r\nUSER\r\n.\r\n", "-ERR not now\r\n",
	                                      NULL};
	struct run r;
	run_script(NET_STARTTLS_POP3, replies, false, &r);
	g_assert_cmpint(r.st, ==, NET_ERR_NO_STARTTLS);
	g_assert_cmpstr(r.got->str, ==, "CAPA\r\nSTLS\r\n");
	g_string_free(r.got, TRUE);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/net/starttls/imap_not_offered", test_imap_not_offered);
	g_test_add_func("/net/starttls/imap_refused", test_imap_refused);
	g_test_add_func("/net/starttls/imap_capability_bad", test_imap_capability_bad);
	g_test_add_func("/net/starttls/imap_code_then_hangup", test_imap_code_then_hangup);
	g_test_add_func("/net/starttls/pop3_not_offered", test_pop3_not_offered);
	g_test_add_func("/net/starttls/pop3_no_capa", test_pop3_no_capa);
	g_test_add_func("/net/starttls/pop3_refused", test_pop3_refused);
	return g_test_run();
}
