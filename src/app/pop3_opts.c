/* pop3_opts.c - an account's config as options of a POP3 fetch, for
 * the screen's fetch (backend_local.c) and `mailtui fetch` alike. */
#include "app/app.h"
#include "config/config.h"
#include "net/net.h"
#include "pop3/pop3.h"

static enum net_tls tls_of(enum config_tls t)
{
	switch (t) {
	case CONFIG_TLS_IMPLICIT: return NET_TLS_IMPLICIT;
	case CONFIG_TLS_STARTTLS: return NET_TLS_STARTTLS;
	default: return NET_TLS_NONE;
	}
}

void app_pop3_fetch_opts(const struct config_account *a, const char *password,
	struct pop3_fetch_opts *o)
{
	*o = (struct pop3_fetch_opts){
		.conn = {
			.host = a->pop3.host,
			.port = a->pop3.port,
			.tls = tls_of(a->pop3.tls),
			.user = a->user,
			.password = password,
			.timeout_ms = a->timeout > 0 ? a->timeout * 1000 : 0,
			.ca_file = a->tls_ca_file,
			.pin = a->tls_fingerprint,
		},
		.account = a->name,
		.maildir = a->maildir,
		.keep = a->keep == CONFIG_KEEP_YES ? POP3_KEEP_YES
		      : a->keep == CONFIG_KEEP_DAYS ? POP3_KEEP_DAYS : POP3_KEEP_NO,
		.keep_days = a->keep_days,
	};
}
