/* find.c - pure helpers behind the search keys of the index and the
 * pager: a match in a line ignoring case (and accents when none are
 * typed), the next matching row. */
#include <string.h>

#include <glib.h>

#include "ui/ui_private.h"

/* A character without case or diacritics: its first decomposed
 * character, lower case; đ and Đ (no decomposition) as d. */
static gunichar bare(gunichar c)
{
	gunichar d[G_UNICHAR_MAX_DECOMPOSITION_LENGTH];
	gsize n = g_unichar_fully_decompose(c, FALSE, d, G_N_ELEMENTS(d));
	gunichar b = n ? d[0] : c;
	if (b == 0x0110 || b == 0x0111)
		b = 'd';
	return g_unichar_tolower(b);
}

/* Like a smart case, for accents: text typed without any ("nguyen")
 * matches with or without them ("Nguyễn"); text typed with them
 * matches exactly those (but any case). */
static bool has_diacritics(const char *s)
{
	for (; *s; s = g_utf8_next_char(s)) {
		gunichar c = g_utf8_get_char(s);
		if (bare(c) != g_unichar_tolower(c))
			return true;
	}
	return false;
}

bool ui_text_find(const char *hay, const char *needle, size_t from, size_t *start, size_t *end)
{
	if (!hay || !needle || !*needle || from > strlen(hay))
		return false;
	gunichar (*norm)(gunichar) = has_diacritics(needle) ? g_unichar_tolower : bare;
	const char *p = hay + from;
	while ((*p & 0xC0) == 0x80) /* never start inside a character */
		p++;
	for (; *p; p = g_utf8_next_char(p)) {
		const char *q = p, *n = needle;
		while (*n && *q && norm(g_utf8_get_char(q)) == norm(g_utf8_get_char(n))) {
			q = g_utf8_next_char(q);
			n = g_utf8_next_char(n);
		}
		if (!*n) {
			*start = (size_t)(p - hay);
			*end = (size_t)(q - hay);
			return true;
		}
	}
	return false;
}

int ui_next_match(int nrows, int from, int step, bool (*is_match)(int row, void *ctx), void *ctx,
                  bool *wrapped)
{
	*wrapped = false;
	if (nrows <= 0)
		return -1;
	step = step < 0 ? -1 : 1;
	if (from < 0 || from >= nrows)
		from = step > 0 ? -1 : nrows;
	for (int k = 1; k <= nrows; k++) {
		int r = from + step * k;
		bool w = r < 0 || r >= nrows;
		r = ((r % nrows) + nrows) % nrows;
		if (is_match(r, ctx)) {
			*wrapped = w;
			return r;
		}
	}
	return -1;
}
