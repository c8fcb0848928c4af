/* test_fold.c - core_text_fold: case and Vietnamese diacritics folded
 * away, so typed ASCII matches accented names. */
#include "core/core.h"

#include <glib.h>

static void test_fold(void)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "", "" },
		{ "Alice", "alice" },
		{ "Nguyễn Văn An", "nguyen van an" },
		{ "NGUYỄN", "nguyen" },
		/* decomposed input folds the same as precomposed */
		{ "Nguye\xcc\x82\xcc\x83n", "nguyen" },
		{ "Đức Đặng", "duc dang" },
		{ "Trần <tran@example.test>", "tran <tran@example.test>" },
		{ "Straße", "strasse" },
		{ "a\xff" "b", "a\xef\xbf\xbd" "b" }, /* invalid UTF-8 repaired */
	};
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		char *got = core_text_fold(cases[i].in);
		g_assert_cmpstr(got, ==, cases[i].want);
		g_free(got);
	}
	char *null = core_text_fold(NULL);
	g_assert_cmpstr(null, ==, "");
	g_free(null);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/core/fold/cases", test_fold);
	return g_test_run();
}
