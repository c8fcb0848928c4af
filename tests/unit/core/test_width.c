/* test_width.c - core_text_width and core_text_fit agree with wcwidth. */
#include "core/core.h"

#include <locale.h>
#include <string.h>

#include <glib.h>

#define VIET "Ti\xe1\xba\xbfng Vi\xe1\xbb\x87t"                  /* Tiếng Việt */
#define VIET_NFD "Ti\x65\xcc\x82\xcc\x81ng Vi\x65\xcc\xa3\xcc\x82t" /* decomposed */
#define NIHONGO "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e"              /* 日本語 */
#define GRIN "\xf0\x9f\x98\x80"                                     /* 😀 */
#define FAMILY "\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9"       /* 👨‍👩 */

static const struct {
	const char *in;
	int want;
} width_cases[] = {
	{ "", 0 },
	{ "abc", 3 },
	{ VIET, 10 },
	{ VIET_NFD, 10 },
	{ NIHONGO, 6 },
	{ GRIN, 2 },
	{ "\xcc\x81\xcc\x82", 0 }, /* combining marks only */
	{ "a" GRIN "b", 4 },
	{ "\xe2\x9d\xa4\xef\xb8\x8f", 1 }, /* ❤ + VS16: wcwidth says 1 + 0 */
	{ FAMILY, 4 },                     /* what ncurses reserves */
};

static void check_widths(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(width_cases); i++)
		g_assert_cmpint(core_text_width(width_cases[i].in), ==, width_cases[i].want);
}

static void test_width_utf8_locale(void)
{
	g_assert_nonnull(setlocale(LC_ALL, "C.UTF-8"));
	check_widths();
}

static void test_width_glib_fallback(void)
{
	/* In a non-UTF-8 locale wcwidth() knows nothing: GLib's tables. */
	g_assert_nonnull(setlocale(LC_ALL, "C"));
	for (size_t i = 0; i < G_N_ELEMENTS(width_cases); i++) {
		if (strstr(width_cases[i].in, "\xe2\x9d\xa4"))
			continue; /* GLib and glibc differ on U+2764; the locale decides */
		g_assert_cmpint(core_text_width(width_cases[i].in), ==, width_cases[i].want);
	}
	g_assert_nonnull(setlocale(LC_ALL, "C.UTF-8"));
}

static void test_width_after_safe_text(void)
{
	char *safe = core_safe_text(VIET_NFD, (size_t)-1, false);

	g_assert_cmpstr(safe, ==, VIET);
	g_assert_cmpint(core_text_width(safe), ==, 10);
	g_free(safe);
}

static void test_fit(void)
{
	static const struct {
		const char *in;
		int cols;
		bool pad;
		const char *want;
	} cases[] = {
		{ "abc", 2, false, "ab" },
		{ "abc", 5, false, "abc" },
		{ "abc", 5, true, "abc  " },
		{ "abc", 0, true, "" },
		{ "abc", -3, true, "" },
		{ "", 3, true, "   " },
		{ NIHONGO, 3, false, "\xe6\x97\xa5" },  /* cut in the middle of 本 */
		{ NIHONGO, 3, true, "\xe6\x97\xa5 " },  /* its column becomes a space */
		{ NIHONGO, 4, true, "\xe6\x97\xa5\xe6\x9c\xac" },
		{ NIHONGO, 1, true, " " },
		{ "a" GRIN "b", 2, true, "a " },
		{ "a" GRIN "b", 3, false, "a" GRIN },
		{ VIET_NFD, 3, false, "Ti\x65\xcc\x82\xcc\x81" }, /* marks stay with e */
		{ VIET_NFD, 2, false, "Ti" },
		{ "\xcc\x81x", 1, false, "\xcc\x81x" },
		{ VIET, 10, true, VIET },
		{ VIET, 12, true, VIET "  " },
	};

	g_assert_nonnull(setlocale(LC_ALL, "C.UTF-8"));
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		char *got = core_text_fit(cases[i].in, cases[i].cols, cases[i].pad);

		g_assert_cmpstr(got, ==, cases[i].want);
		if (cases[i].pad && cases[i].cols >= 0)
			g_assert_cmpint(core_text_width(got), ==, cases[i].cols);
		else
			g_assert_cmpint(core_text_width(got), <=, MAX(cases[i].cols, 0));
		g_free(got);
	}
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/core/width/utf8_locale", test_width_utf8_locale);
	g_test_add_func("/core/width/glib_fallback", test_width_glib_fallback);
	g_test_add_func("/core/width/after_safe_text", test_width_after_safe_text);
	g_test_add_func("/core/text_fit/cases", test_fit);
	return g_test_run();
}
