/* test_wrap.c - wrapping by display columns at word boundaries. */
#include "helpers.h"

/* "Tiếng Việt là ngôn ngữ chính thức của Việt Nam, được nói bởi hơn
 * chín mươi triệu người" (NFC). */
static const char viet[] =
    "Ti\xe1\xba\xbfng Vi\xe1\xbb\x87t l\xc3\xa0 ng\xc3\xb4n ng\xe1\xbb\xaf "
    "ch\xc3\xadnh th\xe1\xbb\xa9"
    "c c\xe1\xbb\xa7"
    "a Vi\xe1\xbb\x87t Nam, "
    "\xc4\x91\xc6\xb0\xe1\xbb\xa3"
    "c n\xc3\xb3i b\xe1\xbb\x9fi h\xc6\xa1n "
    "ch\xc3\xadn m\xc6\xb0\xc6\xa1i tri\xe1\xbb\x87u ng\xc6\xb0\xe1\xbb\x9di";

static struct mime_view *body_view(const char *body, int cols)
{
	char *raw =
	    g_strdup_printf("Subject: w\nContent-Type: text/plain; charset=utf-8\n\n%s\n", body);
	struct mime_view *v = view_of(raw, cols);

	g_free(raw);
	return v;
}

static void test_vietnamese_20(void)
{
	struct mime_view *v = body_view(viet, 20);
	size_t n;
	const struct mime_line *l = mime_view_lines(v, &n);
	GString *joined = g_string_new(NULL);
	int count = 0;

	for (size_t i = 0; i < n; i++) {
		if (l[i].kind != MIME_LINE_TEXT)
			continue;
		g_assert_cmpint(core_text_width(l[i].text), <=, 20);
		/* Broken at spaces: no line starts or ends with one. */
		g_assert_false(g_str_has_prefix(l[i].text, " "));
		g_assert_false(g_str_has_suffix(l[i].text, " "));
		if (joined->len)
			g_string_append_c(joined, ' ');
		g_string_append(joined, l[i].text);
		count++;
	}
	g_assert_cmpint(count, >=, 4);
	g_assert_cmpstr(joined->str, ==, viet);
	assert_lines_safe(v, 20);
	g_string_free(joined, TRUE);
	mime_view_free(v);
}

static const struct {
	const char *name;
	const char *text;
	int cols;
	const char *expect; /* TEXT lines joined by '\n' */
} cases[] = {
    {"fits", "short line", 20, "short line"},
    {"at-space", "aaaa bbbb cccc", 9, "aaaa bbbb\ncccc"},
    {"hard-break", "abcdefghijklmnopqrstuvwxyz", 10, "abcdefghij\nklmnopqrst\nuvwxyz"},
    {"long-word-after", "ab abcdefghijkl", 5, "ab\nabcde\nfghij\nkl"},
    {"cjk", "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe6\x97\xa5\xe6\x9c\xac", 5,
     "\xe6\x97\xa5\xe6\x9c\xac\n\xe8\xaa\x9e\xe6\x97\xa5\n\xe6\x9c\xac"},
    /* a + dot below + acute (stays two code points after NFC): never
     * split from its base. */
    {"marks", "\xe1\xba\xa1\xcc\x81\xe1\xba\xa1\xcc\x81\xe1\xba\xa1\xcc\x81", 2,
     "\xe1\xba\xa1\xcc\x81\xe1\xba\xa1\xcc\x81\n\xe1\xba\xa1\xcc\x81"},
    {"tab-expanded", "ab\tcd", 80, "ab      cd"},
    {"indent-kept", "    code", 80, "    code"},
    {"many-spaces", "a      b", 3, "a\nb"},
    /* Found by fuzz_mime_view: spaces at the end overflowed the width. */
    {"trailing-spaces", "ab    ", 3, "ab"},
    {"emoji-zwj",
     "\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x92\xbb\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x92\xbb", 2,
     "\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x92\xbb\n\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x92\xbb"},
};

static void test_cases(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		struct mime_view *v = body_view(cases[i].text, cases[i].cols);
		char *text = lines_text(v, MIME_LINE_TEXT);

		g_test_message("case %s", cases[i].name);
		g_assert_cmpstr(text, ==, cases[i].expect);
		g_free(text);
		mime_view_free(v);
	}
}

static void test_header_wrap(void)
{
	/* Found by fuzz_mime_view: a value that is one space once made safe
	 * (a bidi override, a space, a control) gave "Subject:" and two
	 * spaces, and at 3 columns a last piece of 4 columns. */
	struct mime_view *narrow = view_of("Subject: \xe2\x80\xae \x01\n\nb\n", 3);
	size_t nn;
	const struct mime_line *nl = mime_view_lines(narrow, &nn);
	for (size_t i = 0; i < nn; i++)
		g_assert_cmpint(nl[i].cols, <=, 3);
	mime_view_free(narrow);

	struct mime_view *v = view_of("Subject: one two three four five six\n\nb\n", 12);
	size_t n;
	const struct mime_line *l = mime_view_lines(v, &n);

	g_assert_cmpint(l[0].kind, ==, MIME_LINE_HEADER);
	g_assert_cmpint(l[0].name_len, ==, 8);
	g_assert_cmpint(l[1].kind, ==, MIME_LINE_HEADER_CONT);
	g_assert_cmpint(l[1].name_len, ==, 0);
	assert_lines_safe(v, 12);
	mime_view_free(v);
}

static void test_widths_sweep(void)
{
	for (int cols = 2; cols <= 40; cols++) {
		struct mime_view *v = body_view(viet, cols);

		assert_lines_safe(v, cols);
		mime_view_free(v);
	}
}

int main(int argc, char **argv)
{
	helpers_init(&argc, &argv);
	g_test_add_func("/mime_view/wrap/vietnamese-20", test_vietnamese_20);
	g_test_add_func("/mime_view/wrap/cases", test_cases);
	g_test_add_func("/mime_view/wrap/header", test_header_wrap);
	g_test_add_func("/mime_view/wrap/widths-sweep", test_widths_sweep);
	return g_test_run();
}
