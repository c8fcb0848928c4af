/* test_addrbook.c - completion of the compose prompts' addresses: the
 * entry after the last comma (not one inside a quoted name), names and
 * addresses matched ignoring case and diacritics, most used first. */
#include <string.h>

#include <glib.h>

#include "ui/ui_private.h"

static char *complete(const char *text)
{
	GPtrArray *c = ui_addrbook_complete(NULL, text);
	GString *s = g_string_new(NULL);
	for (guint i = 0; i < c->len; i++)
		g_string_append_printf(s, "%s%s", i ? "|" : "", (const char *)c->pdata[i]);
	g_ptr_array_unref(c);
	return g_string_free(s, FALSE);
}

static void check(const char *text, const char *want)
{
	char *got = complete(text);
	g_assert_cmpstr(got, ==, want);
	g_free(got);
}

static void test_complete(void)
{
	ui_addrbook_clear();
	check("a", "");
	ui_addrbook_add("Nguyễn Văn An", "an@example.test");
	ui_addrbook_add("Alice Example", "alice@example.test");
	ui_addrbook_add("Alice Example", "ALICE@example.test"); /* the same, seen twice */
	ui_addrbook_add("Doe, John", "john@example.test");
	ui_addrbook_add(NULL, "zed@example.test");
	ui_addrbook_add("Đặng Đức", "duc@example.test");
	ui_addrbook_add("bad", "not an address");

	/* Alice is seen twice: first. */
	check("a", "Alice Example <ALICE@example.test>|Nguyễn Văn An <an@example.test>");
	check("AL", "Alice Example <ALICE@example.test>");
	check("nguyen", "Nguyễn Văn An <an@example.test>");
	check("van", "Nguyễn Văn An <an@example.test>");
	check("dang", "Đặng Đức <duc@example.test>");
	check("duc", "Đặng Đức <duc@example.test>");
	check("jo", "\"Doe, John\" <john@example.test>");
	check("do", "\"Doe, John\" <john@example.test>");
	check("ze", "zed@example.test");
	check("not", "");
	/* After the last comma, what was typed before stays. */
	check("x@y.test, ze", "x@y.test, zed@example.test");
	check("x@y.test,ze", "x@y.test, zed@example.test");
	/* A comma inside a quoted name does not start an entry. */
	check("\"Doe, John\" <john@example.test>, ng",
		"\"Doe, John\" <john@example.test>, Nguyễn Văn An <an@example.test>");
	ui_addrbook_clear();
	check("a", "");
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ui/addrbook/complete", test_complete);
	return g_test_run();
}
