/* find.c - pure helpers behind the search keys of the index and the
 * pager: a case-insensitive match in a line, the next matching row. */
#include <string.h>

#include <glib.h>

#include "ui/ui_private.h"

bool ui_text_find(const char *hay, const char *needle, size_t from, size_t *start, size_t *end)
{
	if (!hay || !needle || !*needle || from > strlen(hay))
		return false;
	const char *p = hay + from;
	while ((*p & 0xC0) == 0x80) /* never start inside a character */
		p++;
	for (; *p; p = g_utf8_next_char(p)) {
		const char *q = p, *n = needle;
		while (*n && *q &&
		       g_unichar_tolower(g_utf8_get_char(q)) ==
		           g_unichar_tolower(g_utf8_get_char(n))) {
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
