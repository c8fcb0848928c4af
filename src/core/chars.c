/* chars.c - per-character classes shared by safe text, width and the log. */
#include "core_private.h"

#include <langinfo.h>
#include <wchar.h>

bool core_char_is_invisible(gunichar c)
{
	if (c >= 0x80 && c <= 0x9f)
		return true; /* C1 controls */
	/* Keep what emoji sequences need: ZWJ joins, tags spell subdivision
	 * flags (U+E0020..U+E007F); U+FE0F is Mn, not Cf, so it stays too. */
	if (c == 0x200d || (c >= 0xe0020 && c <= 0xe007f))
		return false;
	/* Cf covers the bidi controls (U+061C, U+200E/F, U+202A..E,
	 * U+2066..9), zero-width space, word joiner, BOM and soft hyphen. */
	return g_unichar_type(c) == G_UNICODE_FORMAT;
}

bool core_locale_is_utf8(void)
{
	const char *cs = nl_langinfo(CODESET);

	return cs && (g_ascii_strcasecmp(cs, "UTF-8") == 0 || g_ascii_strcasecmp(cs, "utf8") == 0);
}

int core_char_width(gunichar c, bool utf8_locale)
{
	if (c < 0x20 || (c >= 0x7f && c < 0xa0))
		return 0;
	if (utf8_locale) {
		int w = wcwidth((wchar_t)c);

		/* Unknown to this libc (newer Unicode than its tables):
		 * fall back to GLib rather than guessing. */
		if (w >= 0)
			return w;
	}
	if (g_unichar_iszerowidth(c))
		return 0;
	return g_unichar_iswide(c) ? 2 : 1;
}
