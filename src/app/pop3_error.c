/* pop3_error.c - words for a failed POP3 session or fetch (translated at
 * this edge; src/pop3 only returns codes and raw server text). */
#include <string.h>

#include <glib.h>

#include "app/app.h"
#include "core/core.h"
#include "core/i18n.h"
#include "pop3/pop3.h"

char *app_pop3_error_text(const struct pop3_error *e, const char *host, unsigned port)
{
	char *text = core_safe_text(e->text, strnlen(e->text, sizeof e->text), false);
	char *cmd = core_safe_text(e->command, strnlen(e->command, sizeof e->command), false);
	char *s;
	switch (e->status) {
	case POP3_ERR_NET:
		s = app_net_error_text(&e->net, host, port);
		break;
	case POP3_ERR_PROTOCOL:
		s = g_strdup_printf(_("unexpected reply from the server to %s: \"%s\""), cmd, text);
		break;
	case POP3_ERR_SERVER:
		s = g_strdup_printf(_("the server refused %s: \"%s\""), cmd, text);
		break;
	case POP3_ERR_AUTH:
		s = g_strdup_printf(_("login failed; the server said: \"%s\""), text);
		break;
	case POP3_ERR_NO_AUTH:
		s = g_strdup(_("the server offers no login method mailtui supports"));
		break;
	case POP3_ERR_INSECURE:
		s = g_strdup(_("refusing to send the password without TLS (tls = none allows it)"));
		break;
	case POP3_ERR_IN_USE:
		s = g_strdup_printf(
			_("the mailbox is in use by another session; try again later (\"%s\")"),
			text);
		break;
	case POP3_ERR_NO_UIDL:
		s = g_strdup(_("the server does not support UIDL, so new messages cannot be told "
			       "from old ones; set keep = no to download and delete everything"));
		break;
	case POP3_ERR_TOO_LONG:
		s = g_strdup(_("a reply from the server is too long"));
		break;
	case POP3_ERR_DISK:
		/* TRANSLATORS: first %s is "maildir", "state" or "lock". */
		s = g_strdup_printf(_("cannot write the %s files: %s; nothing more was recorded"),
			cmd, g_strerror(e->sys_errno));
		break;
	case POP3_ERR_INDEX:
		s = g_strdup_printf(_("the notmuch index failed: %s"), text);
		break;
	case POP3_ERR_LOCKED:
		s = g_strdup(_("another fetch of this account is running"));
		break;
	case POP3_ERR_CANCELLED:
		s = g_strdup(_("cancelled"));
		break;
	default:
		s = g_strdup(_("unknown error"));
		break;
	}
	g_free(cmd);
	g_free(text);
	return s;
}
