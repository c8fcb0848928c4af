/* tls.c - GnuTLS client session over the connection's socket: trust
 * anchors, SNI, a non-blocking handshake with a deadline, then the
 * certificate decision in verify.c. */
#include <errno.h>
#include <poll.h>
#include <string.h>

#include <glib.h>

#include "net/net_private.h"

static gpointer global_init_once(gpointer unused)
{
	(void)unused;
	gnutls_global_init();
	return NULL;
}

void net_global_init(void)
{
	static GOnce once = G_ONCE_INIT;
	g_once(&once, global_init_once, NULL);
}

static enum net_status tls_setup(struct net_conn *c, struct net_error *err)
{
	int rc = gnutls_certificate_allocate_credentials(&c->cred);
	if (rc < 0)
		return net_fail(err, NET_ERR_TLS, "%s", gnutls_strerror(rc));
	/* A machine without a system store still works with ca_file or a pin. */
	gnutls_certificate_set_x509_system_trust(c->cred);
	if (c->ca_file) {
		rc = gnutls_certificate_set_x509_trust_file(c->cred, c->ca_file,
		                                            GNUTLS_X509_FMT_PEM);
		if (rc < 0)
			return net_fail(err, NET_ERR_TLS, "%s: %s", c->ca_file,
			                gnutls_strerror(rc));
	}
	rc = gnutls_init(&c->session, GNUTLS_CLIENT | GNUTLS_NO_SIGNAL);
	if (rc < 0) {
		c->session = NULL;
		return net_fail(err, NET_ERR_TLS, "%s", gnutls_strerror(rc));
	}
	rc = gnutls_set_default_priority(c->session);
	if (rc >= 0)
		rc = gnutls_credentials_set(c->session, GNUTLS_CRD_CERTIFICATE, c->cred);
	/* SNI must not carry an address (RFC 6066, section 3). */
	if (rc >= 0 && !net_host_is_ip(c->host))
		rc = gnutls_server_name_set(c->session, GNUTLS_NAME_DNS, c->host, strlen(c->host));
	if (rc < 0)
		return net_fail(err, NET_ERR_TLS, "%s", gnutls_strerror(rc));
	gnutls_transport_set_int(c->session, c->fd);
	return NET_OK;
}

enum net_status net_tls_handshake(struct net_conn *c, struct net_error *err)
{
	net_global_init();
	enum net_status st = tls_setup(c, err);
	if (st != NET_OK) {
		net_tls_free(c);
		return st;
	}
	int64_t deadline = net_now_ms() + c->connect_timeout_ms;
	for (;;) {
		int rc = gnutls_handshake(c->session);
		if (rc == GNUTLS_E_SUCCESS)
			break;
		if (rc == GNUTLS_E_AGAIN || rc == GNUTLS_E_INTERRUPTED) {
			short ev = gnutls_record_get_direction(c->session) ? POLLOUT : POLLIN;
			st = net_wait_fd(c->fd, ev, deadline, c->cancel, err);
			if (st != NET_OK) {
				net_tls_free(c);
				return st;
			}
			continue;
		}
		if (!gnutls_error_is_fatal(rc))
			continue;
		if (rc == GNUTLS_E_PREMATURE_TERMINATION)
			st = net_fail(err, NET_ERR_CLOSED, "%s", gnutls_strerror(rc));
		else if (rc == GNUTLS_E_PULL_ERROR || rc == GNUTLS_E_PUSH_ERROR)
			st = net_fail(err, NET_ERR_IO, "%s", gnutls_strerror(rc));
		else
			st = net_fail(err, NET_ERR_TLS, "%s", gnutls_strerror(rc));
		net_tls_free(c);
		return st;
	}
	st = net_verify_peer(c, err);
	if (st != NET_OK) {
		/* Tell the server why we hang up; it may log it. */
		gnutls_alert_send(c->session, GNUTLS_AL_FATAL, GNUTLS_A_BAD_CERTIFICATE);
		net_tls_free(c);
	}
	return st;
}

void net_tls_free(struct net_conn *c)
{
	if (c->session) {
		gnutls_deinit(c->session);
		c->session = NULL;
	}
	if (c->cred) {
		gnutls_certificate_free_credentials(c->cred);
		c->cred = NULL;
	}
}
