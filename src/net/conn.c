/* conn.c - the life of a connection: open (plain or implicit TLS),
 * upgrade with STARTTLS, accessors, close. */
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib.h>

#include "net/net_private.h"

static struct net_conn *conn_new(const struct net_opts *opts)
{
	struct net_conn *c = g_new0(struct net_conn, 1);
	c->fd = -1;
	c->host = g_strdup(opts->host ? opts->host : "");
	c->port = opts->port;
	c->ca_file = g_strdup(opts->ca_file);
	c->trust_file = g_strdup(opts->trust_file);
	c->cancel = opts->cancel;
	c->connect_timeout_ms =
	    opts->connect_timeout_ms > 0 ? opts->connect_timeout_ms : NET_DEFAULT_CONNECT_MS;
	c->read_timeout_ms =
	    opts->read_timeout_ms > 0 ? opts->read_timeout_ms : NET_DEFAULT_READ_MS;
	c->max_line = opts->max_line ? opts->max_line : NET_DEFAULT_MAX_LINE;
	c->max_literal = opts->max_literal ? opts->max_literal : NET_DEFAULT_MAX_LITERAL;
	char norm[64];
	/* accept_once comes from our own net_cert_info.pin; junk just never matches. */
	if (opts->accept_once && net_pin_normalize(opts->accept_once, norm))
		c->accept_once = g_strdup(norm);
	return c;
}

static enum net_status conn_set_pin(struct net_conn *c, const char *pin, struct net_error *err)
{
	char norm[64];
	if (!pin)
		return NET_OK;
	if (!net_pin_normalize(pin, norm))
		return net_fail(err, NET_ERR_CERT_PIN, "malformed pin: %.100s", pin);
	c->pin = g_strdup(norm);
	return NET_OK;
}

enum net_status net_connect(const struct net_opts *opts, struct net_conn **out,
                            struct net_error *err)
{
	struct net_error local;
	if (!err)
		err = &local;
	*out = NULL;
	if (!opts->host || !*opts->host)
		return net_fail(err, NET_ERR_RESOLVE, "no host name");
	struct net_conn *c = conn_new(opts);
	enum net_status st = conn_set_pin(c, opts->pin, err);
	if (st == NET_OK)
		st = net_tcp_connect(c->host, c->port, c->connect_timeout_ms, c->cancel, &c->fd,
		                     err);
	if (st == NET_OK && opts->tls == NET_TLS_IMPLICIT)
		st = net_tls_handshake(c, err);
	if (st != NET_OK) {
		net_close(c);
		return st;
	}
	err->status = NET_OK;
	*out = c;
	return NET_OK;
}

enum net_status net_adopt_fd(int fd, const struct net_opts *opts, struct net_conn **out,
                             struct net_error *err)
{
	*out = NULL;
	struct net_conn *c = conn_new(opts);
	enum net_status st = conn_set_pin(c, opts->pin, err);
	if (st != NET_OK) {
		net_close(c);
		return st;
	}
	c->fd = fd;
	int fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	*out = c;
	return NET_OK;
}

enum net_status net_start_tls(struct net_conn *c, struct net_error *err)
{
	if (c->session)
		return net_fail(err, NET_ERR_TLS, "already using TLS");
	/* Anything read before the handshake came in plaintext and may have
	 * been injected by a man in the middle (CVE-2011-0411). */
	net_reader_discard(c);
	enum net_status st = net_tls_handshake(c, err);
	if (st != NET_OK)
		net_conn_kill(c);
	else if (err)
		err->status = NET_OK;
	return st;
}

void net_conn_kill(struct net_conn *c)
{
	c->dead = true;
	if (c->fd >= 0)
		shutdown(c->fd, SHUT_RDWR);
}

void net_set_read_timeout(struct net_conn *c, int ms)
{
	c->read_timeout_ms = ms > 0 ? ms : NET_DEFAULT_READ_MS;
}

bool net_is_tls(const struct net_conn *c)
{
	return c->session != NULL;
}

int net_fd(const struct net_conn *c)
{
	return c->fd;
}

const struct net_cert_info *net_peer_cert(const struct net_conn *c)
{
	return c->session && c->has_cert ? &c->cert : NULL;
}

unsigned long long net_bytes_read(const struct net_conn *c)
{
	return c->bytes_read;
}

void net_set_log(struct net_conn *c, int core_log_cat)
{
	c->log = core_log_cat >= 0;
	c->log_cat = core_log_cat;
}

void net_close(struct net_conn *c)
{
	if (!c)
		return;
	/* One try at close_notify; a busy or dead peer is not waited for. */
	if (c->session)
		gnutls_bye(c->session, GNUTLS_SHUT_WR);
	net_tls_free(c);
	if (c->fd >= 0)
		close(c->fd);
	g_free(c->buf);
	g_free(c->host);
	g_free(c->ca_file);
	g_free(c->pin);
	g_free(c->trust_file);
	g_free(c->accept_once);
	g_free(c);
}
