/* test_safe_text.c - core_safe_text: escapes, controls, UTF-8, NFC. */
#include "core/core.h"

#include <locale.h>
#include <string.h>

#include <glib.h>

#define FFFD "\xef\xbf\xbd"
#define ANY (-1) /* case applies to both modes */

static const struct {
	const char *name;
	const char *in;
	size_t len; /* 0: NUL-terminated */
	int keep_newlines;
	const char *want;
} cases[] = {
	{ "ascii", "Hello, world!", 0, ANY, "Hello, world!" },
	{ "empty", "", 0, ANY, "" },
	{ "sgr", "\x1b[31mred\x1b[0m", 0, ANY, "red" },
	{ "csi params", "a\x1b[?1049h\x1b[2J\x1b[1;1Hb", 0, ANY, "ab" },
	{ "osc title bel", "\x1b]0;pwned\x07x", 0, ANY, "x" },
	{ "osc title st", "\x1b]2;pwned\x1b\\x", 0, ANY, "x" },
	{ "osc 8 hyperlink", "\x1b]8;;http://evil/\x1b\\link\x1b]8;;\x1b\\", 0, ANY, "link" },
	{ "dcs", "\x1bPq#0;2;0;0;0\x1b\\x", 0, ANY, "x" },
	{ "apc pm sos", "\x1b_a\x1b\\\x1b^b\x1b\\\x1bXc\x1b\\x", 0, ANY, "x" },
	{ "esc two byte", "\x1bMa\x1b" "7b\x1b" "c", 0, ANY, "ab" },
	{ "esc charset", "\x1b(0x\x1b(B", 0, ANY, "x" },
	{ "esc then utf8", "\x1b\xc3\xa9", 0, ANY, "\xc3\xa9" },
	{ "osc then csi", "\x1b]0;t\x1b[31mx", 0, ANY, "x" },
	{ "osc unterminated", "a\x1b]0;title\nnext", 0, true, "a\nnext" },
	{ "csi broken by text", "\x1b[31\xc3\xa9x", 0, ANY, "\xc3\xa9x" },
	{ "c1 csi", "a\xc2\x9b" "31mb", 0, ANY, "ab" },
	{ "c1 osc", "a\xc2\x9d" "0;t\xc2\x9c" "b", 0, ANY, "ab" },
	{ "c1 nel", "a\xc2\x85" "b", 0, ANY, "ab" },
	{ "raw 9b", "a\x9b" "31mb", 0, ANY, "a" FFFD "31mb" },
	{ "c0 and del", "a\x01\x07\x08\x0b\x0c\x7f" "b", 0, ANY, "ab" },
	{ "nul inside", "a\0b", 3, ANY, "ab" },
	{ "invalid byte", "a\xff" "b", 0, ANY, "a" FFFD "b" },
	{ "lone continuation", "\x80\x80", 0, ANY, FFFD FFFD },
	{ "overlong", "\xc0\xaf", 0, ANY, FFFD FFFD },
	{ "overlong 3", "\xe0\x80\xaf", 0, ANY, FFFD FFFD FFFD },
	{ "surrogate", "\xed\xa0\x80", 0, ANY, FFFD FFFD FFFD },
	{ "too big", "\xf4\x90\x80\x80", 0, ANY, FFFD FFFD FFFD FFFD },
	{ "truncated at end", "ab\xe4\xb8", 0, ANY, "ab" FFFD },
	{ "truncated 4", "\xf0\x9f\x98x", 0, ANY, FFFD "x" },
	{ "bidi override", "abc\xe2\x80\xae" "evil\xe2\x80\xac", 0, ANY, "abcevil" },
	{ "bidi isolates marks", "\xe2\x81\xa6" "a\xe2\x81\xa9\xe2\x80\x8f\xd8\x9c" "b", 0, ANY, "ab" },
	{ "zero width space", "a\xe2\x80\x8b" "b", 0, ANY, "ab" },
	{ "bom soft hyphen", "\xef\xbb\xbfsoft\xc2\xadhyphen", 0, ANY, "softhyphen" },
	{ "word joiner", "a\xe2\x81\xa0" "b", 0, ANY, "ab" },
	{ "unassigned", "a\xcd\xb8" "b", 0, ANY, "ab" },
	{ "private use kept", "\xee\x80\x80", 0, ANY, "\xee\x80\x80" },
	{ "tab expanded", "a\tb", 0, true, "a       b" },
	{ "tab at stop", "abcdefgh\tx", 0, true, "abcdefgh        x" },
	{ "tab after wide", "\xe6\x97\xa5\tx", 0, true, "\xe6\x97\xa5      x" },
	{ "tab after newline", "abc\n\tx", 0, true, "abc\n        x" },
	{ "tab single line", "a\tb", 0, false, "a b" },
	{ "newlines kept", "a\r\nb\nc\rd", 0, true, "a\nb\nc\nd" },
	{ "newlines dropped", "a\r\nb\nc\rd", 0, false, "a b c d" },
	{ "line separator", "a\xe2\x80\xa8" "b", 0, true, "a\nb" },
	{ "vietnamese nfc", "Ti\x65\xcc\x82\xcc\x81ng Vi\x65\xcc\xa3\xcc\x82t", 0, ANY,
	  "Ti\xe1\xba\xbfng Vi\xe1\xbb\x87t" },
	{ "nfc across escape", "e\x1b[0m\xcc\x81", 0, ANY, "\xc3\xa9" },
	{ "emoji", "\xf0\x9f\x98\x80", 0, ANY, "\xf0\x9f\x98\x80" },
	{ "emoji zwj vs16", "\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9 \xe2\x9d\xa4\xef\xb8\x8f", 0,
	  ANY, "\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9 \xe2\x9d\xa4\xef\xb8\x8f" },
	{ "combining at start", "\xcc\x81" "a", 0, ANY, "\xcc\x81" "a" },
};

static void run_case(gconstpointer data)
{
	size_t i = GPOINTER_TO_SIZE(data);

	for (int mode = 0; mode < 2; mode++) {
		char *got;

		if (cases[i].keep_newlines != ANY && cases[i].keep_newlines != mode)
			continue;
		got = core_safe_text(cases[i].in, cases[i].len ? cases[i].len : (size_t)-1, mode);
		g_assert_true(g_utf8_validate(got, -1, NULL));
		g_assert_cmpstr(got, ==, cases[i].want);
		g_free(got);
	}
}

static void test_null_and_length(void)
{
	char *got = core_safe_text(NULL, 5, true);

	g_assert_cmpstr(got, ==, "");
	g_free(got);
	/* len limits the input: the rest is not read. */
	got = core_safe_text("abcdef", 3, false);
	g_assert_cmpstr(got, ==, "abc");
	g_free(got);
}

int main(int argc, char **argv)
{
	setlocale(LC_ALL, "C.UTF-8");
	g_test_init(&argc, &argv, NULL);
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		char *path = g_strdup_printf("/core/safe_text/%s", cases[i].name);

		g_test_add_data_func(path, GSIZE_TO_POINTER(i), run_case);
		g_free(path);
	}
	g_test_add_func("/core/safe_text/null_and_length", test_null_and_length);
	return g_test_run();
}
