/* pin.c - tls_fingerprint values in, curl's "sha256//<base64>" out. */
#include <string.h>

#include <glib.h>

#include "net/net_private.h"

static bool parse_hex(const char *s, unsigned char dig[32])
{
	size_t n = 0;
	for (; *s; s++) {
		if (*s == ':')
			continue;
		int v = g_ascii_xdigit_value(*s);
		if (v < 0 || n >= 64)
			return false;
		if (n % 2 == 0)
			dig[n / 2] = (unsigned char)(v << 4);
		else
			dig[n / 2] |= (unsigned char)v;
		n++;
	}
	return n == 64;
}

static bool parse_base64(const char *s, unsigned char dig[32])
{
	if (strlen(s) != 44)
		return false;
	for (size_t i = 0; i < 44; i++) {
		char ch = s[i];
		bool ok = g_ascii_isalnum(ch) || ch == '+' || ch == '/' || (i == 43 && ch == '=');
		if (!ok)
			return false;
	}
	gsize len = 0;
	guchar *raw = g_base64_decode(s, &len);
	bool ok = len == 32;
	if (ok) {
		/* Only the canonical spelling, so equal keys compare equal. */
		gchar *back = g_base64_encode(raw, len);
		ok = strcmp(back, s) == 0;
		g_free(back);
		memcpy(dig, raw, 32);
	}
	g_free(raw);
	return ok;
}

bool net_pin_normalize(const char *in, char out[64])
{
	if (!in)
		return false;
	const char *s = in;
	if (g_ascii_strncasecmp(s, "sha256//", 8) == 0)
		s += 8;
	else if (g_ascii_strncasecmp(s, "sha256:", 7) == 0)
		s += 7;
	unsigned char dig[32];
	if (!parse_hex(s, dig) && !parse_base64(s, dig))
		return false;
	gchar *b64 = g_base64_encode(dig, sizeof dig);
	g_snprintf(out, 64, "sha256//%s", b64);
	g_free(b64);
	return true;
}
