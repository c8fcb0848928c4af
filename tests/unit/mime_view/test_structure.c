/* test_structure.c - MIME structure: alternatives, mixed, nested
 * messages, quotes, signatures, broken and hostile messages, lazy views. */
#include "helpers.h"

static void test_alternative_plain(void)
{
	const char *raw = "Subject: alt\nMIME-Version: 1.0\n"
	                  "Content-Type: multipart/alternative; boundary=b\n\n"
	                  "--b\nContent-Type: text/html\n\n<p>HTML VERSION</p>\n"
	                  "--b\nContent-Type: text/plain\n\nPLAIN VERSION\n--b--\n";
	struct mime_view *v = view_of(raw, 80);
	char *text = lines_text(v, -1);
	size_t n;
	const struct mime_attachment *a = mime_view_attachments(v, &n);

	g_assert_nonnull(strstr(text, "PLAIN VERSION"));
	g_assert_null(strstr(text, "HTML VERSION"));
	/* Both alternatives are listed; only the plain one is shown, and the
	 * hidden one gets no marker. */
	g_assert_cmpuint(n, ==, 2);
	g_assert_cmpstr(a[0].content_type, ==, "text/html");
	g_assert_false(a[0].shown);
	g_assert_cmpstr(a[0].section, ==, "1");
	g_assert_true(a[1].shown);
	g_assert_cmpstr(a[1].section, ==, "2");
	g_assert_null(find_line(v, "[-- "));
	g_free(text);
	mime_view_free(v);
}

static void test_alternative_html_only(void)
{
	const char *raw =
	    "Subject: alt\nContent-Type: multipart/alternative; boundary=b\n\n"
	    "--b\nContent-Type: image/png\n\nxx\n"
	    "--b\nContent-Type: text/html; charset=utf-8\n\n<p>Only &amp; HTML</p>\n--b--\n";
	struct mime_view *v = view_of(raw, 80);
	char *text = lines_text(v, MIME_LINE_TEXT);

	g_assert_cmpstr(text, ==, "Only & HTML");
	g_free(text);
	mime_view_free(v);
}

static const struct {
	const char *line;
	enum mime_line_kind kind;
	int level;
} quote_cases[] = {
    {"plain text", MIME_LINE_TEXT, 0},  {"> one", MIME_LINE_QUOTE, 1},
    {">one", MIME_LINE_QUOTE, 1},       {">> two", MIME_LINE_QUOTE, 2},
    {"> > two", MIME_LINE_QUOTE, 2},    {"> >> three", MIME_LINE_QUOTE, 3},
    {">", MIME_LINE_QUOTE, 1},          {"a > b", MIME_LINE_TEXT, 0},
    {" > indented", MIME_LINE_TEXT, 0},
};

static void test_quotes(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(quote_cases); i++) {
		char *raw = g_strdup_printf("Subject: q\n\nfirst\n%s\n", quote_cases[i].line);
		struct mime_view *v = view_of(raw, 80);
		const struct mime_line *l = find_line(v, quote_cases[i].line);

		g_test_message("case '%s'", quote_cases[i].line);
		g_assert_nonnull(l);
		g_assert_cmpint(l->kind, ==, quote_cases[i].kind);
		g_assert_cmpint(l->level, ==, quote_cases[i].level);
		mime_view_free(v);
		g_free(raw);
	}
}

static void test_signature(void)
{
	const char *raw =
	    "Subject: s\n\nbody -- not a sig\n--\nstill body\n-- \nName\n> quoted in sig\n";
	struct mime_view *v = view_of(raw, 80);
	char *sig = lines_text(v, MIME_LINE_SIGNATURE);
	char *body = lines_text(v, MIME_LINE_TEXT);

	g_assert_cmpstr(sig, ==, "-- \nName\n> quoted in sig");
	g_assert_cmpstr(body, ==, "body -- not a sig\n--\nstill body");
	g_free(sig);
	g_free(body);
	mime_view_free(v);
}

static void test_mixed(void)
{
	const char *raw = "Subject: m\nContent-Type: multipart/mixed; boundary=\"=_x\"\n\n"
	                  "preamble\n--=_x\nContent-Type: text/plain\n\nfirst text\n"
	                  "--=_x\nContent-Type: application/pdf; name=a.pdf\n"
	                  "Content-Transfer-Encoding: base64\n\nJVBERi0xLjQK\n"
	                  "--=_x\nContent-Type: text/plain\n\nsecond text\n"
	                  "--=_x\nContent-Type: text/plain\nContent-Disposition: attachment; "
	                  "filename=notes.txt\n\n"
	                  "not inline\n--=_x--\n";
	struct mime_view *v = view_of(raw, 200);
	char *text = lines_text(v, MIME_LINE_TEXT);
	const struct mime_line *m = find_line(v, "[-- Attachment #2: a.pdf, application/pdf, ");
	const struct mime_line *m4 = find_line(v, "[-- Attachment #4: notes.txt, text/plain, ");
	size_t n;
	const struct mime_attachment *a = mime_view_attachments(v, &n);

	g_assert_cmpstr(text, ==, "first text\nsecond text");
	g_assert_nonnull(m);
	g_assert_cmpint(m->kind, ==, MIME_LINE_ATTACHMENT);
	g_assert_cmpint(m->attachment, ==, 1);
	g_assert_true(g_str_has_suffix(m->text, " --]"));
	g_assert_nonnull(m4);
	g_assert_cmpuint(n, ==, 4);
	g_assert_cmpstr(a[1].filename, ==, "a.pdf");
	g_assert_cmpstr(a[1].section, ==, "2");
	g_assert_cmpint(a[1].size, >, 0);
	g_assert_false(a[3].shown);
	g_free(text);
	mime_view_free(v);
}

static void test_nested_message(void)
{
	const char *raw = "Subject: outer\nContent-Type: multipart/mixed; boundary=b\n\n"
	                  "--b\nContent-Type: text/plain\n\nsee below\n"
	                  "--b\nContent-Type: message/rfc822\n\n"
	                  "From: inner@example.org\nSubject: =?utf-8?q?inn=C3=A9r?=\n"
	                  "Content-Type: multipart/mixed; boundary=c\n\n"
	                  "--c\nContent-Type: text/plain\n\ninner body\n"
	                  "--c\nContent-Type: image/png\n\nxx\n--c--\n"
	                  "--b--\n";
	struct mime_view *v = view_of(raw, 80);
	const struct mime_line *h = find_line(v, "Subject: inn\xc3\xa9r");
	const struct mime_line *b = find_line(v, "inner body");
	size_t n;
	const struct mime_attachment *a = mime_view_attachments(v, &n);

	g_assert_nonnull(h);
	g_assert_cmpint(h->kind, ==, MIME_LINE_HEADER);
	g_assert_cmpint(h->depth, ==, 1);
	g_assert_nonnull(b);
	g_assert_cmpint(b->depth, ==, 1);
	g_assert_cmpint(find_line(v, "see below")->depth, ==, 0);
	g_assert_nonnull(find_line(v, "[-- Attachment #2: message/rfc822"));
	g_assert_nonnull(find_line(v, "[-- Attachment #4: image/png"));
	g_assert_cmpuint(n, ==, 4);
	g_assert_cmpstr(a[2].section, ==, "2.1");
	g_assert_cmpstr(a[3].section, ==, "2.2");
	mime_view_free(v);
}

static void test_missing_boundary(void)
{
	const char *raw = "Subject: nb\nContent-Type: multipart/mixed\n\n"
	                  "--XX\nContent-Type: text/plain\n\nhello there\n--XX--\n";
	struct mime_view *v = view_of(raw, 80);

	g_assert_nonnull(find_line(v, "Subject: nb"));
	g_assert_nonnull(find_line(v, "hello there"));
	assert_lines_safe(v, 80);
	mime_view_free(v);
}

static void test_unterminated_multipart(void)
{
	const char *raw = "Subject: u\nContent-Type: multipart/mixed; boundary=b\n\n"
	                  "--b\nContent-Type: text/plain\n\ncut off here";
	struct mime_view *v = view_of(raw, 80);

	g_assert_nonnull(find_line(v, "cut off here"));
	mime_view_free(v);
}

static void test_huge_header(void)
{
	GString *raw = g_string_new("From: a@example.org\nSubject: ");

	for (int i = 0; i < 10000; i++)
		g_string_append(raw, "word word ");
	g_string_append(raw, "\n");
	for (int i = 0; i < 2000; i++)
		g_string_append_printf(raw, "X-Junk-%d: %s\n", i,
		                       "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	g_string_append(raw, "\nthe body\n");
	g_assert_cmpuint(raw->len, >, 200000);
	{
		struct mime_view *v = view_of(raw->str, 80);
		size_t n;

		mime_view_lines(v, &n);
		g_assert_nonnull(find_line(v, "Subject: word word"));
		g_assert_nonnull(find_line(v, "the body"));
		/* The value is cut, not shown in full 100 KB. */
		g_assert_cmpuint(n, <, 500);
		assert_lines_safe(v, 80);
		mime_view_free(v);
	}
	g_string_free(raw, TRUE);
}

static void test_hostile(void)
{
	/* ESC sequences (CSI, OSC title, 8-bit CSI), U+202E, BEL, NUL, and
	 * an encoded word that decodes to ESC. */
	static const char raw[] = "From: \x1b]0;pwned\x07 evil@example.org\n"
	                          "Subject: a\x1b[2J\xe2\x80\xae"
	                          "fdp.exe =?utf-8?q?=1B[31mred=E2=80=AE?=\n"
	                          "Content-Type: text/plain; charset=utf-8\n\n"
	                          "line \x1b[31mred\x1b[0m \xe2\x80\xae"
	                          "reversed\n"
	                          "bell\x07 nul\x00 c1\xc2\x9b"
	                          "31m del\x7f\n"
	                          "osc \x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\\n";
	struct mime_view *v;
	char *all;

	v = mime_view_new_from_bytes(raw, sizeof raw - 1,
	                             &(struct mime_view_opts){.cols = 30, .html_no_command = true});
	assert_lines_safe(v, 30);
	all = lines_text(v, -1);
	g_assert_null(strchr(all, 0x1b));
	g_assert_null(strstr(all, "\xe2\x80\xae"));
	g_assert_nonnull(strstr(all, "reversed"));
	g_assert_nonnull(strstr(all, "link"));
	g_free(all);
	mime_view_free(v);
}

static void test_not_a_message(void)
{
	static const char raw[] = "\x00\x01\xff\xfe garbage \x1b[1m\n\n\n";
	struct mime_view *v = mime_view_new_from_bytes(raw, sizeof raw - 1, NULL);

	assert_lines_safe(v, 80);
	mime_view_free(v);
	v = mime_view_new_from_bytes("", 0, NULL);
	mime_view_free(v);
	v = mime_view_new_from_bytes(NULL, 0, NULL);
	mime_view_free(v);
}

static void test_lazy_parts(void)
{
	const char *hdr = "From: =?utf-8?q?B=C3=A9?= <b@example.org>\r\nSubject: lazy\r\n";
	const struct mime_view_part parts[] = {
	    {"text/plain; charset=utf-8", "Hello\n> quoted\n", NULL, 15, "1"},
	    {"application/pdf", NULL, "=?utf-8?q?t=C3=A0i.pdf?=", 5000000, "2"},
	    {"text/html", "<p>a&amp;b</p>", NULL, 14, "3"},
	    {"text/plain", NULL, "big.log", 100, "4"},
	};
	struct mime_view *v =
	    mime_view_new_from_parts(hdr, strlen(hdr), parts, G_N_ELEMENTS(parts),
	                             &(struct mime_view_opts){.html_no_command = true});
	size_t n;
	const struct mime_attachment *a = mime_view_attachments(v, &n);
	const struct mime_line *m =
	    find_line(v, "[-- Attachment #2: t\xc3\xa0i.pdf, application/pdf");
	GBytes *b = NULL;

	g_assert_nonnull(find_line(v, "From: B\xc3\xa9 <b@example.org>"));
	g_assert_cmpint(find_line(v, "> quoted")->kind, ==, MIME_LINE_QUOTE);
	g_assert_nonnull(find_line(v, "a&b"));
	g_assert_nonnull(m);
	g_assert_cmpuint(n, ==, 4);
	g_assert_cmpstr(a[m->attachment].section, ==, "2");
	g_assert_false(a[1].fetched);
	g_assert_nonnull(find_line(v, "[-- Attachment #4: big.log, text/plain"));
	g_assert_cmpint(mime_attachment_bytes(v, 1, &b), ==, MIME_VIEW_ERR_NOT_FETCHED);
	g_assert_null(b);
	g_assert_cmpint(mime_attachment_bytes(v, 9, &b), ==, MIME_VIEW_ERR_INDEX);
	b = g_bytes_new_static("%PDF", 4);
	mime_view_set_attachment_bytes(v, 1, b);
	g_bytes_unref(b);
	a = mime_view_attachments(v, &n);
	g_assert_true(a[1].fetched);
	g_assert_cmpint(mime_attachment_bytes(v, 1, &b), ==, MIME_VIEW_OK);
	g_assert_cmpmem(g_bytes_get_data(b, NULL), g_bytes_get_size(b), "%PDF", 4);
	g_bytes_unref(b);
	assert_lines_safe(v, 80);
	mime_view_free(v);
}

static void test_rewrap(void)
{
	const char *raw = "Subject: r\n\none two three four five six seven eight nine ten\n";
	struct mime_view *v = view_of(raw, 80);
	size_t n80, n10;

	mime_view_lines(v, &n80);
	mime_view_set_cols(v, 10);
	mime_view_lines(v, &n10);
	g_assert_cmpuint(n10, >, n80);
	assert_lines_safe(v, 10);
	mime_view_free(v);
}

int main(int argc, char **argv)
{
	helpers_init(&argc, &argv);
	g_test_add_func("/mime_view/structure/alternative-plain", test_alternative_plain);
	g_test_add_func("/mime_view/structure/alternative-html-only", test_alternative_html_only);
	g_test_add_func("/mime_view/structure/quotes", test_quotes);
	g_test_add_func("/mime_view/structure/signature", test_signature);
	g_test_add_func("/mime_view/structure/mixed", test_mixed);
	g_test_add_func("/mime_view/structure/nested-message", test_nested_message);
	g_test_add_func("/mime_view/structure/missing-boundary", test_missing_boundary);
	g_test_add_func("/mime_view/structure/unterminated", test_unterminated_multipart);
	g_test_add_func("/mime_view/structure/huge-header", test_huge_header);
	g_test_add_func("/mime_view/structure/hostile", test_hostile);
	g_test_add_func("/mime_view/structure/not-a-message", test_not_a_message);
	g_test_add_func("/mime_view/structure/lazy-parts", test_lazy_parts);
	g_test_add_func("/mime_view/structure/rewrap", test_rewrap);
	return g_test_run();
}
