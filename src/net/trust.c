/* trust.c - the "accept always" file: one "host port sha256//<base64>"
 * line per host and port.  Other lines (comments) are kept as they are. */
#include <errno.h>
#include <string.h>

#include <glib.h>

#include "core/core.h"
#include "net/net_private.h"

#define TRUST_MAX_SIZE ((size_t)1 << 20)

/* Two threads adding at once must not lose one of the entries. */
static GMutex trust_lock;

char *net_trust_default_path(void)
{
	return core_xdg_path(CORE_XDG_DATA, "trusted");
}

/* Split an entry line; false for comments, blanks and junk.  The
 * returned strings point into the vector, freed by the caller. */
static bool parse_entry(const char *line, gchar ***vec, const char **host, unsigned *port,
                        const char **pin)
{
	const char *p = line;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0' || *p == '#')
		return false;
	gchar **v = g_strsplit_set(p, " \t", -1);
	const char *tok[3];
	int n = 0;
	for (gchar **t = v; *t; t++) {
		if (**t == '\0')
			continue;
		if (n == 3) {
			n = 4;
			break;
		}
		tok[n++] = *t;
	}
	char *end = NULL;
	unsigned long pv = n == 3 ? strtoul(tok[1], &end, 10) : 0;
	if (n != 3 || *end != '\0' || pv == 0 || pv > 65535) {
		g_strfreev(v);
		return false;
	}
	*vec = v;
	*host = tok[0];
	*port = (unsigned)pv;
	*pin = tok[2];
	return true;
}

static bool entry_is(const char *line, const char *host, unsigned port, char **pin_out)
{
	gchar **v;
	const char *h, *pin;
	unsigned p;
	if (!parse_entry(line, &v, &h, &p, &pin))
		return false;
	bool match = p == port && g_ascii_strcasecmp(h, host) == 0;
	if (match && pin_out)
		*pin_out = g_strdup(pin);
	g_strfreev(v);
	return match;
}

/* Contents of the file, "" when it does not exist; NULL on error. */
static char *read_trust(const char *path, int *rc)
{
	char *data = NULL;
	size_t len = 0;
	*rc = core_read_file(path, TRUST_MAX_SIZE, &data, &len);
	if (*rc == -ENOENT) {
		*rc = 0;
		return g_strdup("");
	}
	return *rc == 0 ? data : NULL;
}

static bool valid_host(const char *host)
{
	if (!host || !*host)
		return false;
	for (const char *p = host; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f || *p == '#')
			return false;
	return true;
}

char *net_trust_lookup(const char *trust_file, const char *host, unsigned port)
{
	char *def = NULL;
	if (!trust_file)
		trust_file = def = net_trust_default_path();
	int rc;
	g_mutex_lock(&trust_lock);
	char *data = read_trust(trust_file, &rc);
	g_mutex_unlock(&trust_lock);
	g_free(def);
	if (!data || !host) {
		g_free(data);
		return NULL;
	}
	char *found = NULL;
	gchar **lines = g_strsplit(data, "\n", -1);
	for (gchar **l = lines; *l && !found; l++)
		entry_is(*l, host, port, &found);
	g_strfreev(lines);
	g_free(data);
	/* A hand-edited entry in another spelling still compares equal. */
	char norm[64];
	if (found && net_pin_normalize(found, norm)) {
		g_free(found);
		return g_strdup(norm);
	}
	g_free(found);
	return NULL;
}

int net_trust_add(const char *trust_file, const char *host, unsigned port, const char *pin)
{
	char norm[64];
	if (!valid_host(host) || port == 0 || port > 65535 || !net_pin_normalize(pin, norm))
		return -EINVAL;
	char *def = NULL;
	if (!trust_file)
		trust_file = def = net_trust_default_path();
	int rc;
	g_mutex_lock(&trust_lock);
	char *data = read_trust(trust_file, &rc);
	if (data) {
		GString *out = g_string_new(NULL);
		gchar **lines = g_strsplit(data, "\n", -1);
		for (gchar **l = lines; *l; l++) {
			if (**l == '\0' || entry_is(*l, host, port, NULL))
				continue;
			g_string_append_printf(out, "%s\n", *l);
		}
		g_strfreev(lines);
		g_string_append_printf(out, "%s %u %s\n", host, port, norm);
		gchar *dir = g_path_get_dirname(trust_file);
		rc = core_mkdir_p(dir, 0700);
		g_free(dir);
		if (rc == 0)
			rc = core_atomic_write(trust_file, out->str, out->len, 0600);
		g_string_free(out, TRUE);
		g_free(data);
	}
	g_mutex_unlock(&trust_lock);
	g_free(def);
	return rc;
}
