/* smtp_opts.c - an account's config as the SMTP server libcurl talks to,
 * for the screen's sending (send.c) and `mailtui send` alike. */
#include <string.h>

#include <glib.h>

#include "app/app.h"
#include "config/config.h"
#include "core/core.h"
#include "net/net.h"
#include "smtp/smtp.h"

void app_smtp_creds_clear(struct app_smtp_creds *c)
{
	if (c->password)
		core_wipe(c->password);
	if (c->token)
		core_wipe(c->token);
	g_free(c->password);
	g_free(c->token);
	memset(c, 0, sizeof *c);
}

bool app_smtp_server(const struct config_account *a, const char *pin_once,
	struct smtp_server *srv, struct app_smtp_creds *c, char **err)
{
	memset(srv, 0, sizeof *srv);
	srv->host = a->smtp.host;
	srv->port = a->smtp.port;
	srv->tls = a->smtp.tls == CONFIG_TLS_IMPLICIT ? SMTP_TLS_IMPLICIT
	           : a->smtp.tls == CONFIG_TLS_NONE   ? SMTP_TLS_NONE
	                                              : SMTP_TLS_STARTTLS;
	srv->timeout = a->timeout;
	srv->ca_file = a->tls_ca_file;
	if (a->user && a->oauth_token_command) {
		if (!config_account_oauth_token(a, &c->token, err))
			return false;
		core_log_add_secret(c->token);
		srv->user = a->user;
		srv->oauth_token = c->token;
	} else if (a->user && (a->password || a->password_command)) {
		if (!config_account_password(a, &c->password, err))
			return false;
		core_log_add_secret(c->password);
		srv->user = a->user;
		srv->password = c->password;
	}
	if (a->tls_fingerprint) {
		if (net_pin_normalize(a->tls_fingerprint, c->pin))
			srv->pin = c->pin;
	} else if (pin_once && strlen(pin_once) < sizeof c->pin) {
		g_strlcpy(c->pin, pin_once, sizeof c->pin);
		srv->pin = c->pin;
	} else {
		/* A key the user accepted "always". */
		char *trust = net_trust_default_path();
		char *pin = net_trust_lookup(trust, srv->host, srv->port);
		if (pin && strlen(pin) < sizeof c->pin) {
			g_strlcpy(c->pin, pin, sizeof c->pin);
			srv->pin = c->pin;
		}
		g_free(pin);
		g_free(trust);
	}
	return true;
}
