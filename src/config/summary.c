/* summary.c - words and lines for check-config and for messages. */
#include <string.h>

#include "config/config_private.h"
#include "core/i18n.h"

const char *config_tls_name(enum config_tls tls)
{
	switch (tls) {
	case CONFIG_TLS_IMPLICIT:
		return _("TLS");
	case CONFIG_TLS_STARTTLS:
		return _("STARTTLS");
	case CONFIG_TLS_NONE:
		break;
	}
	return _("no TLS");
}

const char *config_mode_name(enum config_mode mode)
{
	return mode == CONFIG_MODE_POP3 ? "pop3" : "imap";
}

const char *config_severity_name(enum config_severity sev)
{
	return sev == CONFIG_WARNING ? _("warning") : _("error");
}

char *config_diag_format(const struct config_diag *d)
{
	if (d->line > 0)
		/* TRANSLATORS: FILE:LINE: error: MESSAGE, as compilers print */
		return g_strdup_printf(_("%s:%d: %s: %s"), d->file, d->line,
		                       config_severity_name(d->severity), d->message);
	/* TRANSLATORS: FILE: error: MESSAGE */
	return g_strdup_printf(_("%s: %s: %s"), d->file, config_severity_name(d->severity),
	                       d->message);
}

static void append_server(GString *s, const char *label, const struct config_url *u)
{
	bool v6 = strchr(u->host, ':') != NULL;

	g_string_append(s, "  ");
	/* TRANSLATORS: "imap: imap.example.org:993 (TLS)"; the last %s is
	 * TLS, STARTTLS or no TLS */
	g_string_append_printf(s, _("%s: %s%s%s:%u (%s)"), label, v6 ? "[" : "", u->host,
	                       v6 ? "]" : "", u->port, config_tls_name(u->tls));
}

char *config_account_summary(const struct config_account *a)
{
	GString *s = g_string_new(NULL);
	const struct config_url *in = a->mode == CONFIG_MODE_POP3 ? &a->pop3 : &a->imap;

	g_string_append_printf(s, "%s  %s", a->name, config_mode_name(a->mode));
	if (in->set)
		append_server(s, config_mode_name(a->mode), in);
	if (a->smtp.set)
		append_server(s, "smtp", &a->smtp);
	else
		g_string_append_printf(s, "  %s", _("smtp: none (cannot send)"));
	return g_string_free(s, FALSE);
}
