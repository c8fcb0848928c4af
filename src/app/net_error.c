/* net_error.c - words for transport failures (translated at this edge). */
#include <time.h>

#include <glib.h>

#include "app/app.h"
#include "core/core.h"
#include "core/i18n.h"
#include "net/net.h"

static char *fmt_time(time_t t)
{
	char buf[64];
	struct tm tm;
	if (!t || !gmtime_r(&t, &tm) || !strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", &tm))
		return g_strdup("?");
	return g_strdup(buf);
}

/* The certificate part of a message: who it names and its fingerprint. */
static char *cert_text(const struct net_error *err)
{
	if (!err->has_cert)
		return g_strdup("");
	char *subject = core_safe_text(err->cert.subject, (size_t)-1, false);
	char *issuer = core_safe_text(err->cert.issuer, (size_t)-1, false);
	char *s = g_strdup_printf(_("Certificate: %s, issued by %s. SHA-256 fingerprint: %s (key pin %s)."),
		subject, issuer, err->cert.cert_sha256, err->cert.pin);
	g_free(subject);
	g_free(issuer);
	return s;
}

char *app_net_error_text(const struct net_error *err, const char *host, unsigned port)
{
	char *detail = core_safe_text(err->detail, (size_t)-1, false);
	char *cert = cert_text(err);
	char *when = NULL;
	char *msg;

	switch (err->status) {
	case NET_OK:
		msg = g_strdup(_("No error."));
		break;
	case NET_ERR_RESOLVE:
		msg = g_strdup_printf(_("Cannot find the server %s: %s"), host, detail);
		break;
	case NET_ERR_CONNECT:
		msg = g_strdup_printf(_("Cannot connect to %s port %u: %s"), host, port, detail);
		break;
	case NET_ERR_TIMEOUT:
		msg = g_strdup_printf(_("The server %s port %u did not answer in time."), host, port);
		break;
	case NET_ERR_CLOSED:
		msg = g_strdup_printf(_("The server %s port %u closed the connection."), host, port);
		break;
	case NET_ERR_IO:
		msg = g_strdup_printf(_("Network error with %s port %u: %s"), host, port, detail);
		break;
	case NET_ERR_TLS:
		msg = g_strdup_printf(_("TLS failed with %s port %u: %s"), host, port, detail);
		break;
	case NET_ERR_CERT_UNTRUSTED:
		msg = g_strdup_printf(_("The certificate of %s port %u is not signed by a trusted authority. %s"),
			host, port, cert);
		break;
	case NET_ERR_CERT_EXPIRED:
		when = fmt_time(err->cert.not_after);
		msg = g_strdup_printf(_("The certificate of %s port %u expired on %s. %s"),
			host, port, when, cert);
		break;
	case NET_ERR_CERT_NOT_ACTIVATED:
		when = fmt_time(err->cert.not_before);
		msg = g_strdup_printf(_("The certificate of %s port %u is not valid before %s. %s"),
			host, port, when, cert);
		break;
	case NET_ERR_CERT_HOSTNAME:
		msg = g_strdup_printf(_("The certificate presented by port %2$u is not for the host name %1$s. %3$s"),
			host, port, cert);
		break;
	case NET_ERR_CERT_PIN:
		msg = g_strdup_printf(_("The key of %s port %u does not match tls_fingerprint. %s"),
			host, port, cert);
		break;
	case NET_ERR_CERT_CHANGED:
		msg = g_strdup_printf(_("The key of %s port %u has changed since you accepted it. %s"),
			host, port, cert);
		break;
	case NET_ERR_NO_STARTTLS:
		msg = g_strdup_printf(_("The server %s port %u does not offer STARTTLS; nothing was sent. Use an imaps/pop3s/smtps URL, or tls = none to allow plaintext."),
			host, port);
		break;
	case NET_ERR_TOO_LONG:
		msg = g_strdup_printf(_("The server %s port %u sent a line that is too long."), host, port);
		break;
	case NET_ERR_CANCELLED:
		msg = g_strdup(_("Cancelled."));
		break;
	default:
		msg = g_strdup_printf(_("Network error with %s port %u."), host, port);
		break;
	}
	g_free(when);
	g_free(cert);
	g_free(detail);
	return msg;
}
