/* url.c - server URLs: scheme://host[:port][/], nothing more. */
#include <string.h>

#include "config/config_private.h"
#include "core/i18n.h"

static const struct {
	const char *scheme;
	unsigned port;
} schemes[] = {
    {"imap", 143}, {"imaps", 993}, {"pop3", 110}, {"pop3s", 995}, {"smtp", 587}, {"smtps", 465},
};

void cfg_url_clear(struct config_url *u)
{
	g_free(u->raw);
	g_free(u->scheme);
	g_free(u->host);
	memset(u, 0, sizeof *u);
}

static bool valid_host(const char *h)
{
	if (!*h || *h == '.' || *h == '-' || strstr(h, ".."))
		return false;
	for (; *h; h++)
		if (!g_ascii_isalnum(*h) && *h != '.' && *h != '-' && *h != '_')
			return false;
	return true;
}

static bool parse_port(const char *s, unsigned *out)
{
	unsigned long n = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (!g_ascii_isdigit(*s))
			return false;
		n = n * 10 + (unsigned long)(*s - '0');
		if (n > 65535)
			return false;
	}
	if (n == 0)
		return false;
	*out = (unsigned)n;
	return true;
}

/* Split authority into host and port text; *why on failure. */
static bool split_authority(const char *auth, char **host, const char **port, char **why)
{
	const char *colon;

	*port = NULL;
	if (auth[0] == '[') {
		const char *close = strchr(auth, ']');

		if (!close) {
			*why = g_strdup(_("missing ']' after the IPv6 address"));
			return false;
		}
		*host = g_strndup(auth + 1, (size_t)(close - auth - 1));
		if (!strchr(*host, ':') || !g_hostname_is_ip_address(*host)) {
			*why = g_strdup_printf(_("\"%s\" is not an IPv6 address"), *host);
			return false;
		}
		if (close[1] == ':')
			*port = close + 2;
		else if (close[1]) {
			*why = g_strdup(_("unexpected text after the IPv6 address"));
			return false;
		}
		return true;
	}
	colon = strchr(auth, ':');
	if (colon && strchr(colon + 1, ':')) {
		*why = g_strdup(_("an IPv6 address must be written in brackets, as [::1]"));
		return false;
	}
	*host = colon ? g_strndup(auth, (size_t)(colon - auth)) : g_strdup(auth);
	if (colon)
		*port = colon + 1;
	if (!**host) {
		*why = g_strdup(_("the host name is missing"));
		return false;
	}
	if (!valid_host(*host)) {
		*why = g_strdup_printf(_("\"%s\" is not a valid host name"), *host);
		return false;
	}
	return true;
}

bool cfg_url_parse(const char *raw, struct config_url *out, char **why)
{
	const char *sep = strstr(raw, "://"), *end, *port_text;
	char *scheme = NULL, *auth = NULL, *host = NULL;
	unsigned port = 0;
	size_t i;

	memset(out, 0, sizeof *out);
	if (!sep) {
		*why = g_strdup(_("missing \"://\": write scheme://host[:port]"));
		return false;
	}
	scheme = g_ascii_strdown(raw, sep - raw);
	for (i = 0; i < G_N_ELEMENTS(schemes); i++)
		if (strcmp(scheme, schemes[i].scheme) == 0)
			break;
	if (i == G_N_ELEMENTS(schemes)) {
		*why = g_strdup_printf(
		    _("unsupported scheme \"%s\": use imap, imaps, pop3, pop3s, smtp or smtps"),
		    scheme);
		goto fail;
	}
	end = sep + 3 + strcspn(sep + 3, "/?#");
	auth = g_strndup(sep + 3, (size_t)(end - sep - 3));
	if (strchr(auth, '@')) {
		*why = g_strdup(_("a URL must not hold a user name or password: use the keys "
		                  "user and password_command"));
		goto fail;
	}
	if (*end && strcmp(end, "/") != 0) {
		*why = g_strdup(_("nothing may follow the host and port (no path, query or "
		                  "fragment)"));
		goto fail;
	}
	if (!split_authority(auth, &host, &port_text, why))
		goto fail;
	if (port_text && !parse_port(port_text, &port)) {
		*why = g_strdup_printf(_("invalid port \"%s\": use a number from 1 to 65535"),
		                       port_text);
		goto fail;
	}
	out->set = true;
	out->raw = g_strdup(raw);
	out->scheme = scheme;
	out->host = host;
	out->port = port_text ? port : schemes[i].port;
	out->tls = g_str_has_suffix(scheme, "s") ? CONFIG_TLS_IMPLICIT : CONFIG_TLS_STARTTLS;
	g_free(auth);
	return true;
fail:
	g_free(scheme);
	g_free(auth);
	g_free(host);
	return false;
}
