/* utf7.c - modified UTF-7 mailbox names (RFC 3501 5.1.3): printable
 * ASCII stands for itself, "&" is "&-", anything else is UTF-16BE in
 * base64 with "," for "/" between "&" and "-".  The decoder is strict
 * (canonical form only) so that a name has exactly one wire form. */
#include "imap/imap_private.h"

#include <string.h>

static const char b64[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

static int b64_val(unsigned char c)
{
	const char *p = c ? strchr(b64, c) : NULL;
	return p ? (int)(p - b64) : -1;
}

static void flush_utf16(GString *out, const gunichar2 *u, size_t n)
{
	uint32_t bits = 0;
	int nbits = 0;
	g_string_append_c(out, '&');
	for (size_t i = 0; i < n; i++) {
		bits = (bits << 16) | u[i];
		nbits += 16;
		while (nbits >= 6) {
			nbits -= 6;
			g_string_append_c(out, b64[(bits >> nbits) & 63]);
		}
	}
	if (nbits)
		g_string_append_c(out, b64[(bits << (6 - nbits)) & 63]);
	g_string_append_c(out, '-');
}

char *imap_utf7_encode(const char *utf8)
{
	if (!utf8 || !g_utf8_validate(utf8, -1, NULL))
		return NULL;
	GString *out = g_string_new(NULL);
	GArray *run = g_array_new(FALSE, FALSE, sizeof(gunichar2));
	for (const char *p = utf8; *p; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		if (c >= 0x20 && c <= 0x7e) {
			if (run->len) {
				flush_utf16(out, (gunichar2 *)(void *)run->data, run->len);
				g_array_set_size(run, 0);
			}
			g_string_append(out, c == '&' ? "&-" : (char[]){(char)c, 0});
			continue;
		}
		if (c >= 0x10000) {
			gunichar2 hi = (gunichar2)(0xd800 + ((c - 0x10000) >> 10));
			gunichar2 lo = (gunichar2)(0xdc00 + ((c - 0x10000) & 0x3ff));
			g_array_append_val(run, hi);
			g_array_append_val(run, lo);
		} else {
			gunichar2 u = (gunichar2)c;
			g_array_append_val(run, u);
		}
	}
	if (run->len)
		flush_utf16(out, (gunichar2 *)(void *)run->data, run->len);
	g_array_free(run, TRUE);
	return g_string_free(out, FALSE);
}

/* Decode one "&...-" run starting after "&"; returns the byte after "-". */
static const char *decode_run(const char *p, GString *out)
{
	uint32_t bits = 0;
	int nbits = 0;
	gunichar2 hi = 0;
	size_t units = 0;
	for (; *p && *p != '-'; p++) {
		int v = b64_val((unsigned char)*p);
		if (v < 0)
			return NULL;
		bits = (bits << 6) | (uint32_t)v;
		nbits += 6;
		if (nbits < 16)
			continue;
		nbits -= 16;
		gunichar2 u = (gunichar2)(bits >> nbits);
		bits &= (1u << nbits) - 1;
		units++;
		if (hi) {
			if (u < 0xdc00 || u > 0xdfff)
				return NULL;
			g_string_append_unichar(out,
				0x10000 + (((gunichar)hi - 0xd800) << 10) + (u - 0xdc00));
			hi = 0;
		} else if (u >= 0xd800 && u <= 0xdbff) {
			hi = u;
		} else if (u >= 0xdc00 && u <= 0xdfff) {
			return NULL;
		} else if (u >= 0x20 && u <= 0x7e) {
			return NULL; /* printable ASCII must not be encoded */
		} else if (u == 0) {
			return NULL;
		} else {
			g_string_append_unichar(out, u);
		}
	}
	/* Ends with "-", no half character, and padding bits are zero. */
	if (*p != '-' || hi || units == 0 || nbits >= 6 || bits != 0)
		return NULL;
	return p + 1;
}

char *imap_utf7_decode(const char *mutf7)
{
	if (!mutf7)
		return NULL;
	GString *out = g_string_new(NULL);
	const char *p = mutf7;
	bool after_run = false;
	while (*p) {
		unsigned char c = (unsigned char)*p;
		if (c < 0x20 || c > 0x7e)
			goto bad;
		if (c != '&') {
			g_string_append_c(out, (char)c);
			p++;
			after_run = false;
			continue;
		}
		if (p[1] == '-') {
			g_string_append_c(out, '&');
			p += 2;
			after_run = false;
			continue;
		}
		if (after_run) /* two adjacent runs: not canonical */
			goto bad;
		if (!(p = decode_run(p + 1, out)))
			goto bad;
		after_run = true;
	}
	return g_string_free(out, FALSE);
bad:
	g_string_free(out, TRUE);
	return NULL;
}
