/* test_connect.c - TCP connect: refused, accepted (IPv4 and IPv6),
 * and argument errors that must fail before any connection. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib.h>

#include "net/net.h"

/* A listening socket on a free loopback port of the given family. */
static int listen_on(int family, unsigned *port)
{
	int fd = socket(family, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	struct sockaddr_storage ss = {0};
	socklen_t len;
	if (family == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;
		a->sin_family = AF_INET;
		a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof *a;
	} else {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
		a->sin6_family = AF_INET6;
		a->sin6_addr = in6addr_loopback;
		len = sizeof *a;
	}
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, 4) < 0) {
		close(fd);
		return -1;
	}
	getsockname(fd, (struct sockaddr *)&ss, &len);
	*port = ntohs(family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
	                                : ((struct sockaddr_in6 *)&ss)->sin6_port);
	return fd;
}

static void test_refused(void)
{
	unsigned port;
	int fd = listen_on(AF_INET, &port);
	g_assert_cmpint(fd, >=, 0);
	close(fd); /* nothing listens there now */
	struct net_opts o = {.host = "127.0.0.1", .port = port, .connect_timeout_ms = 3000};
	struct net_conn *c = (struct net_conn *)1;
	struct net_error err;
	g_assert_cmpint(net_connect(&o, &c, &err), ==, NET_ERR_CONNECT);
	g_assert_null(c);
	g_assert_cmpint(err.status, ==, NET_ERR_CONNECT);
	g_assert_cmpstr(err.detail, !=, "");
}

static void roundtrip(int family, const char *host)
{
	unsigned port;
	int lfd = listen_on(family, &port);
	if (lfd < 0) {
		g_test_skip("no such loopback address");
		return;
	}
	struct net_opts o = {
	    .host = host, .port = port, .tls = NET_TLS_NONE, .read_timeout_ms = 3000};
	struct net_conn *c;
	struct net_error err;
	g_assert_cmpint(net_connect(&o, &c, &err), ==, NET_OK);
	g_assert_false(net_is_tls(c));
	g_assert_null(net_peer_cert(c));
	g_assert_cmpint(net_fd(c), >=, 0);
	int s = accept(lfd, NULL, NULL);
	g_assert_cmpint(s, >=, 0);
	g_assert_cmpint(write(s, "* OK hi\r\n", 9), ==, 9);
	const char *line;
	size_t len;
	g_assert_cmpint(net_read_line(c, &line, &len, &err), ==, NET_OK);
	g_assert_cmpstr(line, ==, "* OK hi");
	g_assert_cmpint(net_write(c, "a\r\n", 3, &err), ==, NET_OK);
	char buf[4];
	g_assert_cmpint(read(s, buf, 3), ==, 3);
	g_assert_true(memcmp(buf, "a\r\n", 3) == 0);
	net_close(c);
	close(s);
	close(lfd);
}

static void test_ipv4(void)
{
	roundtrip(AF_INET, "127.0.0.1");
}

static void test_ipv6(void)
{
	roundtrip(AF_INET6, "::1");
}

static void test_bad_args(void)
{
	struct net_conn *c;
	struct net_error err;
	struct net_opts o = {.host = "", .port = 143};
	g_assert_cmpint(net_connect(&o, &c, &err), ==, NET_ERR_RESOLVE);
	/* A malformed pin must never mean "no pin". */
	struct net_opts p = {.host = "127.0.0.1", .port = 1, .pin = "sha256:1234"};
	g_assert_cmpint(net_connect(&p, &c, &err), ==, NET_ERR_CERT_PIN);
	g_assert_null(c);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/net/connect/refused", test_refused);
	g_test_add_func("/net/connect/ipv4", test_ipv4);
	g_test_add_func("/net/connect/ipv6", test_ipv6);
	g_test_add_func("/net/connect/bad_args", test_bad_args);
	return g_test_run();
}
