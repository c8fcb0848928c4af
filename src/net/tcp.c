/* tcp.c - resolve a host and connect to one of its addresses with a
 * timeout: non-blocking connect() then poll() for writability. */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/net_private.h"

/* One address: the fd on success, else -1 and err filled. */
static int try_addr(const struct addrinfo *ai, int64_t deadline, const volatile int *cancel,
                    struct net_error *err)
{
	int fd =
	    socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
	if (fd < 0) {
		net_fail_errno(err, NET_ERR_CONNECT, "socket", errno);
		return -1;
	}
	int rc;
	do
		rc = connect(fd, ai->ai_addr, ai->ai_addrlen);
	while (rc < 0 && errno == EINTR);
	if (rc < 0 && errno != EINPROGRESS) {
		net_fail_errno(err, NET_ERR_CONNECT, "connect", errno);
		close(fd);
		return -1;
	}
	if (rc < 0) {
		if (net_wait_fd(fd, POLLOUT, deadline, cancel, err) != NET_OK) {
			close(fd);
			return -1;
		}
		int soerr = 0;
		socklen_t sl = sizeof soerr;
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0)
			soerr = errno;
		if (soerr) {
			net_fail_errno(err, NET_ERR_CONNECT, "connect", soerr);
			close(fd);
			return -1;
		}
	}
	/* Small commands must not wait for Nagle (TEST-SERVERS.md: 40 ms stalls). */
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	return fd;
}

enum net_status net_tcp_connect(const char *host, unsigned port, int timeout_ms,
                                const volatile int *cancel, int *fd_out, struct net_error *err)
{
	struct net_error local;
	if (!err)
		err = &local;
	char service[16];
	snprintf(service, sizeof service, "%u", port);
	/* No AI_ADDRCONFIG: on a loopback-only host it hides 127.0.0.1. */
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
	struct addrinfo *res = NULL;
	int gai = getaddrinfo(host, service, &hints, &res);
	if (gai != 0) {
		if (gai == EAI_SYSTEM)
			return net_fail_errno(err, NET_ERR_RESOLVE, "getaddrinfo", errno);
		return net_fail(err, NET_ERR_RESOLVE, "%s", gai_strerror(gai));
	}
	size_t n = 0;
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next)
		n++;

	int64_t deadline = net_now_ms() + timeout_ms;
	bool all_timed_out = true;
	enum net_status st = NET_ERR_CONNECT;
	size_t i = 0;
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next, i++) {
		/* Share what is left among the addresses still to try, so one
		 * black-holed address (often IPv6) leaves time for the next. */
		int64_t now = net_now_ms();
		int64_t share = (deadline - now) / (int64_t)(n - i);
		int fd = try_addr(ai, now + share, cancel, err);
		if (fd >= 0) {
			freeaddrinfo(res);
			*fd_out = fd;
			return NET_OK;
		}
		st = err->status;
		if (st == NET_ERR_CANCELLED)
			break;
		if (st != NET_ERR_TIMEOUT)
			all_timed_out = false;
	}
	freeaddrinfo(res);
	if (st == NET_ERR_CANCELLED)
		return st;
	if (all_timed_out)
		return net_fail(err, NET_ERR_TIMEOUT, "connect timed out");
	err->status = NET_ERR_CONNECT; /* keep the last address's detail */
	return NET_ERR_CONNECT;
}
