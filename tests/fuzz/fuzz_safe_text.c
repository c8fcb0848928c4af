/* fuzz_safe_text.c - libFuzzer harness for core_safe_text, width and fit.
 * Checks the promises that keep a terminal safe: the output is valid
 * UTF-8 with no ESC, no C0 (except "\n" when newlines are kept), no DEL,
 * no C1 and no bidi controls; sanitising twice changes nothing; fitting
 * to N columns with padding gives exactly N columns. */
#include <locale.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "core/core.h"

#define CHECK(x)                                                                                   \
	do {                                                                                       \
		if (!(x))                                                                          \
			__builtin_trap();                                                          \
	} while (0)

static bool forbidden(gunichar c, bool keep_newlines)
{
	if (c == '\n')
		return !keep_newlines;
	if (c < 0x20 || (c >= 0x7f && c <= 0x9f))
		return true;
	return c == 0x061c || c == 0x200e || c == 0x200f || (c >= 0x202a && c <= 0x202e) ||
	       (c >= 0x2066 && c <= 0x2069) || c == 0x200b || c == 0xfeff;
}

static void check_fit(const char *line, int cols)
{
	char *fit = core_text_fit(line, cols, true);
	char *cut = core_text_fit(line, cols, false);

	CHECK(g_utf8_validate(fit, -1, NULL));
	CHECK(core_text_width(fit) == cols);
	CHECK(core_text_width(cut) <= cols);
	/* Padding only appends spaces to the cut. */
	CHECK(strncmp(fit, cut, strlen(cut)) == 0);
	g_free(fit);
	g_free(cut);
}

static void check_mode(const uint8_t *data, size_t size, bool keep_newlines)
{
	char *out = core_safe_text((const char *)data, size, keep_newlines);
	char *again;
	char **lines;

	CHECK(out != NULL);
	CHECK(g_utf8_validate(out, -1, NULL));
	for (const char *p = out; *p; p = g_utf8_next_char(p))
		CHECK(!forbidden(g_utf8_get_char(p), keep_newlines));
	again = core_safe_text(out, (size_t)-1, keep_newlines);
	CHECK(strcmp(out, again) == 0);
	g_free(again);

	lines = g_strsplit(out, "\n", -1);
	for (char **l = lines; *l; l++) {
		int w = core_text_width(*l);

		CHECK(w >= 0);
		check_fit(*l, w);
		check_fit(*l, w / 2);
		check_fit(*l, w + 1);
	}
	g_strfreev(lines);
	g_free(out);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* Widths as ncurses would see them in a UTF-8 terminal. */
	setlocale(LC_ALL, "C.UTF-8");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_mode(data, size, false);
	check_mode(data, size, true);
	return 0;
}
