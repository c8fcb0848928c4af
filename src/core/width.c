/* width.c - display columns and cutting text to a column count. */
#include "core_private.h"

int core_text_width(const char *utf8)
{
	bool u8 = core_locale_is_utf8();
	int cols = 0;

	if (!utf8)
		return 0;
	for (const char *p = utf8; *p; p = g_utf8_next_char(p))
		cols += core_char_width(g_utf8_get_char(p), u8);
	return cols;
}

char *core_text_fit(const char *utf8, int cols, bool pad)
{
	bool u8 = core_locale_is_utf8();
	GString *out = g_string_new(NULL);
	const char *p = utf8 ? utf8 : "";
	int used = 0;

	if (cols < 0)
		cols = 0;
	while (*p) {
		/* A cluster: one character and the zero-width ones after it. */
		const char *start = p;
		int w = core_char_width(g_utf8_get_char(p), u8);

		p = g_utf8_next_char(p);
		while (*p && core_char_width(g_utf8_get_char(p), u8) == 0)
			p = g_utf8_next_char(p);
		if (used + w > cols)
			break;
		g_string_append_len(out, start, p - start);
		used += w;
	}
	/* A wide character cut at the edge leaves one column: pad fills it. */
	while (pad && used < cols) {
		g_string_append_c(out, ' ');
		used++;
	}
	return g_string_free(out, FALSE);
}
