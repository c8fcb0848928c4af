/* fold.c - text folded for matching what a person types against names:
 * "nguyen" finds "Nguyễn", "DUC" finds "Đức". */
#include "core_private.h"

#include <string.h>

char *core_text_fold(const char *in)
{
	if (!in)
		return g_strdup("");
	char *valid = g_utf8_make_valid(in, -1);
	char *cf = g_utf8_casefold(valid, -1);
	char *nfd = g_utf8_normalize(cf, -1, G_NORMALIZE_NFD);
	GString *out = g_string_sized_new(strlen(cf));
	for (const char *p = nfd ? nfd : cf; *p; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		if (g_unichar_ismark(c))
			continue; /* the tone and vowel marks, once decomposed */
		if (c == 0x0111 || c == 0x0110) /* đ does not decompose */
			c = 'd';
		g_string_append_unichar(out, c);
	}
	g_free(nfd);
	g_free(cf);
	g_free(valid);
	return g_string_free(out, FALSE);
}
