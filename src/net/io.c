/* io.c - the buffered reader (lines and counted literals) and the
 * writer, over the plain socket or the TLS session.  The socket is
 * non-blocking; waiting happens in net_wait_fd() so that timeouts and
 * the cancel flag apply everywhere. */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>

#include <glib.h>

#include "core/core.h"
#include "net/net_private.h"

#define READ_CHUNK ((size_t)16384)
/* A buffer grown for a big literal goes back to this size once drained. */
#define SHRINK_TO ((size_t)65536)
#define SHRINK_ABOVE ((size_t)4 << 20)

static void restore_saved(struct net_conn *c)
{
	if (c->saved_valid) {
		c->buf[c->saved_pos] = c->saved;
		c->saved_valid = false;
	}
}

void net_reader_discard(struct net_conn *c)
{
	c->saved_valid = false;
	c->rpos = c->wpos = 0;
}

size_t net_buffered(const struct net_conn *c)
{
	return c->wpos - c->rpos;
}

/* Move unread bytes to the front and make the buffer hold at least
 * want bytes of data plus the NUL slot. */
static void reserve(struct net_conn *c, size_t want)
{
	size_t avail = c->wpos - c->rpos;
	if (c->rpos > 0) {
		memmove(c->buf, c->buf + c->rpos, avail);
		c->rpos = 0;
		c->wpos = avail;
	}
	if (c->cap > SHRINK_ABOVE && avail < SHRINK_TO && want < SHRINK_TO) {
		c->cap = SHRINK_TO;
		c->buf = g_realloc(c->buf, c->cap);
	}
	if (want + 1 > c->cap) {
		size_t cap = c->cap ? c->cap : SHRINK_TO;
		while (cap < want + 1)
			cap *= 2;
		c->buf = g_realloc(c->buf, cap);
		c->cap = cap;
	}
}

static enum net_status recv_error(struct net_conn *c, ssize_t n, struct net_error *err)
{
	if (c->session) {
		if (n == GNUTLS_E_PREMATURE_TERMINATION)
			return net_fail(err, NET_ERR_CLOSED, "%s", gnutls_strerror((int)n));
		return net_fail(err, NET_ERR_TLS, "%s", gnutls_strerror((int)n));
	}
	if (errno == ECONNRESET)
		return net_fail_errno(err, NET_ERR_CLOSED, "recv", errno);
	return net_fail_errno(err, NET_ERR_IO, "recv", errno);
}

/* One successful receive into the buffer (at least one byte).  need is
 * how many bytes the caller wants buffered in all (0: a line, unknown),
 * so a literal never makes the buffer grow past its own size. */
static enum net_status fill(struct net_conn *c, size_t need, struct net_error *err)
{
	if (c->dead)
		return net_fail(err, NET_ERR_TLS, "connection unusable after a failed TLS upgrade");
	if (core_flag_raised(c->cancel))
		return net_fail(err, NET_ERR_CANCELLED, NULL);
	size_t avail = c->wpos - c->rpos;
	size_t min_room = READ_CHUNK;
	if (need > avail && need - avail < READ_CHUNK)
		min_room = need - avail;
	if (c->cap < c->wpos + min_room + 1)
		reserve(c, avail + min_room);
	size_t room = c->cap - c->wpos - 1;
	int64_t deadline = net_now_ms() + c->read_timeout_ms;
	for (;;) {
		ssize_t n;
		bool again;
		if (c->session) {
			n = gnutls_record_recv(c->session, c->buf + c->wpos, room);
			again = n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED;
			/* A TLS 1.2 renegotiation request or a warning alert: we
			 * do not renegotiate, and the next record may be data. */
			if (n == GNUTLS_E_REHANDSHAKE ||
			    (n < 0 && !again && !gnutls_error_is_fatal((int)n)))
				continue;
		} else {
			n = recv(c->fd, c->buf + c->wpos, room, 0);
			if (n < 0 && errno == EINTR)
				continue;
			again = n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
		}
		if (n > 0) {
			c->wpos += (size_t)n;
			c->bytes_read += (unsigned long long)n;
			return NET_OK;
		}
		if (n == 0)
			return net_fail(err, NET_ERR_CLOSED, NULL);
		if (!again)
			return recv_error(c, n, err);
		enum net_status st = net_wait_fd(c->fd, POLLIN, deadline, c->cancel, err);
		if (st != NET_OK)
			return st;
	}
}

enum net_status net_read_line(struct net_conn *c, const char **line, size_t *len,
                              struct net_error *err)
{
	restore_saved(c);
	size_t scanned = 0;
	for (;;) {
		size_t avail = c->wpos - c->rpos;
		char *start = avail ? c->buf + c->rpos : NULL;
		char *nl = avail > scanned ? memchr(start + scanned, '\n', avail - scanned) : NULL;
		if (nl) {
			size_t end = (size_t)(nl - start);
			size_t n = end > 0 && start[end - 1] == '\r' ? end - 1 : end;
			if (n > c->max_line)
				return net_fail(err, NET_ERR_TOO_LONG, "line of %zu bytes", n);
			start[n] = '\0';
			c->rpos += end + 1;
			*line = start;
			*len = n;
			if (c->log)
				core_log_wire(c->log_cat, "S", start, n, false);
			return NET_OK;
		}
		scanned = avail;
		/* +1: the CR of a line exactly max_line long may be here alone. */
		if (avail > c->max_line + 1)
			return net_fail(err, NET_ERR_TOO_LONG, "line over %zu bytes", c->max_line);
		enum net_status st = fill(c, 0, err);
		if (st != NET_OK)
			return st;
	}
}

enum net_status net_read_exact(struct net_conn *c, size_t n, const char **data,
                               struct net_error *err)
{
	restore_saved(c);
	if (n > c->max_literal)
		return net_fail(err, NET_ERR_TOO_LONG, "literal of %zu bytes", n);
	if (c->wpos - c->rpos < n || !c->buf)
		reserve(c, n);
	while (c->wpos - c->rpos < n) {
		enum net_status st = fill(c, n, err);
		if (st != NET_OK)
			return st;
	}
	size_t end = c->rpos + n;
	if (end < c->wpos) {
		c->saved = c->buf[end];
		c->saved_pos = end;
		c->saved_valid = true;
	}
	c->buf[end] = '\0';
	*data = c->buf + c->rpos;
	c->rpos = end;
	if (c->log)
		core_log_wire(c->log_cat, "S", *data, n, false);
	return NET_OK;
}

static enum net_status send_error(struct net_conn *c, ssize_t n, struct net_error *err)
{
	if (c->session)
		return net_fail(err, NET_ERR_TLS, "%s", gnutls_strerror((int)n));
	if (errno == EPIPE || errno == ECONNRESET)
		return net_fail_errno(err, NET_ERR_CLOSED, "send", errno);
	return net_fail_errno(err, NET_ERR_IO, "send", errno);
}

static enum net_status write_all(struct net_conn *c, const char *p, size_t left,
                                 struct net_error *err)
{
	if (c->dead)
		return net_fail(err, NET_ERR_TLS, "connection unusable after a failed TLS upgrade");
	int64_t deadline = net_now_ms() + c->read_timeout_ms;
	while (left > 0) {
		if (core_flag_raised(c->cancel))
			return net_fail(err, NET_ERR_CANCELLED, NULL);
		ssize_t n;
		bool again;
		short ev = POLLOUT;
		if (c->session) {
			/* After GNUTLS_E_AGAIN the same arguments must be passed again. */
			n = gnutls_record_send(c->session, p, left);
			again = n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED;
			if (again && gnutls_record_get_direction(c->session) == 0)
				ev = POLLIN;
		} else {
			n = send(c->fd, p, left, MSG_NOSIGNAL);
			if (n < 0 && errno == EINTR)
				continue;
			again = n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
		}
		if (n > 0) {
			p += n;
			left -= (size_t)n;
			deadline = net_now_ms() + c->read_timeout_ms;
			continue;
		}
		if (!again)
			return send_error(c, n, err);
		enum net_status st = net_wait_fd(c->fd, ev, deadline, c->cancel, err);
		if (st != NET_OK)
			return st;
	}
	return NET_OK;
}

enum net_status net_write(struct net_conn *c, const void *data, size_t len, struct net_error *err)
{
	if (c->log)
		core_log_wire(c->log_cat, "C", data, len, false);
	return write_all(c, data, len, err);
}

enum net_status net_write_sensitive(struct net_conn *c, const void *data, size_t len,
                                    struct net_error *err)
{
	if (c->log)
		core_log_wire(c->log_cat, "C", data, len, true);
	return write_all(c, data, len, err);
}
