/* smtp_error.c - words for the outcome of an SMTP send, shared by the
 * screen (send.c) and `mailtui send` (cmd_send.c). */
#include "app/app.h"
#include "core/i18n.h"
#include "smtp/smtp.h"

const char *app_smtp_status_text(int status)
{
	switch ((enum smtp_status)status) {
	case SMTP_OK:
		return _("sent");
	case SMTP_PARTIAL:
		return _("sent, but some recipients were refused");
	case SMTP_ERR_RESOLVE:
		return _("cannot resolve the SMTP server's name");
	case SMTP_ERR_CONNECT:
		return _("cannot connect to the SMTP server");
	case SMTP_ERR_TIMEOUT:
		return _("the SMTP server did not answer in time");
	case SMTP_ERR_NETWORK:
		return _("the connection to the SMTP server failed");
	case SMTP_ERR_TLS:
		return _("the TLS handshake with the SMTP server failed");
	case SMTP_ERR_CERT:
		return _("the SMTP server's certificate is not trusted (see tls_ca_file and "
		         "tls_fingerprint)");
	case SMTP_ERR_NO_STARTTLS:
		return _("the SMTP server does not offer STARTTLS, so nothing was sent and no "
		         "credentials left this machine (use smtps:// or fix the server)");
	case SMTP_ERR_AUTH:
		return _("the SMTP server refused the login");
	case SMTP_ERR_SENDER:
		return _("the SMTP server refused the sender address");
	case SMTP_ERR_RECIPIENTS:
		return _("the SMTP server refused every recipient");
	case SMTP_ERR_DATA:
		return _("the SMTP server refused the message");
	case SMTP_ERR_PROTOCOL:
		return _("the SMTP server sent an unexpected reply");
	case SMTP_ERR_CANCELLED:
		return _("sending was cancelled");
	case SMTP_ERR_INTERNAL:
		return _("libcurl could not be set up");
	}
	return "?";
}
