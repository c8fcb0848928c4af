/* test_find.c - the pure search helpers of the index and the pager. */
#include <glib.h>

#include "ui/ui_private.h"

static void test_text_find(void)
{
	size_t a, b;
	/* Case ignored per character, Vietnamese included. */
	const char *vi = "Chúng ta đi ĐÀ LẠT nhé";
	g_assert_true(ui_text_find(vi, "đà lạt", 0, &a, &b));
	char *m = g_strndup(vi + a, b - a);
	g_assert_cmpstr(m, ==, "ĐÀ LẠT");
	g_free(m);
	/* From a byte offset: the second match. */
	const char *t = "quokka and Quokka";
	g_assert_true(ui_text_find(t, "QUOKKA", 0, &a, &b));
	g_assert_cmpuint(a, ==, 0);
	g_assert_cmpuint(b, ==, 6);
	g_assert_true(ui_text_find(t, "quokka", b, &a, &b));
	g_assert_cmpuint(a, ==, 11);
	g_assert_cmpuint(b, ==, 17);
	g_assert_false(ui_text_find(t, "quokka", b, &a, &b));
	/* A match never starts inside a character, and nothing matches "". */
	g_assert_false(ui_text_find("abc", "", 0, &a, &b));
	g_assert_false(ui_text_find("abc", "abcd", 0, &a, &b));
	g_assert_false(ui_text_find("abc", "a", 9, &a, &b));
	g_assert_false(ui_text_find(NULL, "a", 0, &a, &b));
	g_assert_true(ui_text_find("ệệ", "Ệ", 1, &a, &b)); /* 1 is inside the first: skips it */
	g_assert_cmpuint(a, ==, 3);

	/* Typed without accents: they are ignored ("nguyen", "dang"). */
	const char *names = "Gửi Nguyễn Văn An và Đặng Thị Ngọc";
	g_assert_true(ui_text_find(names, "nguyen van", 0, &a, &b));
	m = g_strndup(names + a, b - a);
	g_assert_cmpstr(m, ==, "Nguyễn Văn");
	g_free(m);
	g_assert_true(ui_text_find(names, "DANG thi", 0, &a, &b));
	m = g_strndup(names + a, b - a);
	g_assert_cmpstr(m, ==, "Đặng Thị");
	g_free(m);
	/* Typed with accents: only those accents match, in any case. */
	g_assert_false(ui_text_find("thư mức", "mục", 0, &a, &b));
	g_assert_true(ui_text_find("THƯ MỤC", "mục", 0, &a, &b));
	g_assert_false(ui_text_find("Da Lat", "lạt", 0, &a, &b));
}

static const bool rows_a[] = {false, true, false, true, false};

static bool is_match(int row, void *ctx)
{
	return ((const bool *)ctx)[row];
}

static void test_next_match(void)
{
	bool wrapped;
	bool *rows = (bool *)rows_a;
	g_assert_cmpint(ui_next_match(5, 0, 1, is_match, rows, &wrapped), ==, 1);
	g_assert_false(wrapped);
	g_assert_cmpint(ui_next_match(5, 1, 1, is_match, rows, &wrapped), ==, 3);
	g_assert_false(wrapped);
	g_assert_cmpint(ui_next_match(5, 3, 1, is_match, rows, &wrapped), ==, 1);
	g_assert_true(wrapped);
	/* Backwards. */
	g_assert_cmpint(ui_next_match(5, 3, -1, is_match, rows, &wrapped), ==, 1);
	g_assert_false(wrapped);
	g_assert_cmpint(ui_next_match(5, 1, -1, is_match, rows, &wrapped), ==, 3);
	g_assert_true(wrapped);
	/* From nowhere: the first row counts. */
	g_assert_cmpint(ui_next_match(5, -1, 1, is_match, rows, &wrapped), ==, 1);
	g_assert_false(wrapped);
	/* A lone match comes back to itself, wrapped. */
	static const bool one[] = {false, false, true};
	g_assert_cmpint(ui_next_match(3, 2, 1, is_match, (void *)one, &wrapped), ==, 2);
	g_assert_true(wrapped);
	static const bool none[] = {false, false};
	g_assert_cmpint(ui_next_match(2, 0, 1, is_match, (void *)none, &wrapped), ==, -1);
	g_assert_cmpint(ui_next_match(0, 0, 1, is_match, (void *)none, &wrapped), ==, -1);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ui/find/text", test_text_find);
	g_test_add_func("/ui/find/next_match", test_next_match);
	return g_test_run();
}
