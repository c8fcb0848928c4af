/* test_html.c - text/html: the built-in stripper and the command path. */
#include "helpers.h"

#include "mime/view_private.h"

static struct mime_view *html_view(const char *html, const char *cmd, bool builtin, int timeout_ms)
{
	char *raw =
	    g_strdup_printf("Subject: h\nContent-Type: text/html; charset=utf-8\n\n%s", html);
	struct mime_view_opts o = {
	    .cols = 200,
	    .html_command = cmd,
	    .html_no_command = builtin,
	    .html_timeout_ms = timeout_ms,
	};
	struct mime_view *v = mime_view_new_from_bytes(raw, strlen(raw), &o);

	g_free(raw);
	return v;
}

static const struct {
	const char *name;
	const char *html;
	const char *expect; /* TEXT lines joined */
} strip_cases[] = {
    {"entities", "<p>a &amp; b &lt;tag&gt; &quot;q&quot; &#233;&#xE9;&eacute; x&nbsp;y &euro;</p>",
     "a & b <tag> \"q\" \xc3\xa9\xc3\xa9\xc3\xa9 x\xc2\xa0y \xe2\x82\xac"},
    {"script-style",
     "<head><style>p { color: red }</style><script>alert('x<p>')</script>"
     "<title>T</title></head><body>visible<script type=x>evil()</script> text</body>",
     "visible text"},
    {"breaks", "one<br>two<br/>three<p>para</p><div>div</div>end",
     "one\ntwo\nthree\n\npara\n\ndiv\nend"},
    {"list", "<ul><li>first</li><li>second</ul>", "* first\n* second"},
    {"table", "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>", "a b\nc"},
    {"whitespace", "  many\n\n   spaces \t here  ", "many spaces here"},
    {"pre", "<pre>  x\n    y</pre>", "  x\n    y"},
    {"comment", "a<!-- <p>hidden</p> -->b", "ab"},
    {"bad-entities", "&bogus; &#0; &#xD800; &#99999999; & alone",
     "&bogus; \xef\xbf\xbd \xef\xbf\xbd \xef\xbf\xbd & alone"},
    {"lt-not-tag", "a < b and 3<4", "a < b and 3<4"},
    {"attr-with-gt", "<a href=\"x>y\" title='>'>link</a>", "link"},
    {"unclosed", "text <b", "text"},
    {"escapes-in-entities", "a&#27;[31mb&#x202e;c", "abc"},
};

static void test_builtin(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(strip_cases); i++) {
		struct mime_view *v = html_view(strip_cases[i].html, NULL, true, 0);
		char *text = lines_text(v, MIME_LINE_TEXT);

		g_test_message("case %s", strip_cases[i].name);
		g_assert_cmpstr(text, ==, strip_cases[i].expect);
		assert_lines_safe(v, 200);
		g_free(text);
		mime_view_free(v);
	}
}

static void test_command_cat(void)
{
	/* cat shows the tags: proof that the command, not the stripper, ran. */
	struct mime_view *v = html_view("<p>Hi &amp; bye</p>", "cat", false, 0);
	char *text = lines_text(v, MIME_LINE_TEXT);

	g_assert_cmpstr(text, ==, "<p>Hi &amp; bye</p>");
	g_free(text);
	mime_view_free(v);
}

static void test_command_upper(void)
{
	struct mime_view *v = html_view("<p>hello</p>", "sh -c 'tr a-z A-Z'", false, 0);
	char *text = lines_text(v, MIME_LINE_TEXT);

	g_assert_cmpstr(text, ==, "<P>HELLO</P>");
	g_free(text);
	mime_view_free(v);
}

static void test_command_output_safe(void)
{
	struct mime_view *v = html_view(
	    "<p>x</p>",
	    "sh -c 'cat >/dev/null; printf \"\\033[31mRED\\033]0;t\\007 \\342\\200\\256rev\\n\"'",
	    false, 0);
	char *text = lines_text(v, MIME_LINE_TEXT);

	g_assert_cmpstr(text, ==, "RED rev");
	assert_lines_safe(v, 200);
	g_free(text);
	mime_view_free(v);
}

static void test_command_fails(void)
{
	static const char *const cmds[] = {
	    "false",
	    "/nonexistent/command",
	    "sh -c 'exit 3'",
	    "'unbalanced",
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cmds); i++) {
		struct mime_view *v = html_view("<p>a &amp; b</p>", cmds[i], false, 0);
		char *text = lines_text(v, MIME_LINE_TEXT);

		g_test_message("command %s", cmds[i]);
		g_assert_cmpstr(text, ==, "a & b");
		g_free(text);
		mime_view_free(v);
	}
}

static void test_command_timeout(void)
{
	gint64 start = g_get_monotonic_time();
	struct mime_view *v = html_view("<p>slow</p>", "sleep 60", false, 300);
	char *text = lines_text(v, MIME_LINE_TEXT);

	g_assert_cmpstr(text, ==, "slow");
	/* Killed at the timeout, not waited for: far below the 60 s sleep. */
	g_assert_cmpint(g_get_monotonic_time() - start, <, 30 * G_USEC_PER_SEC);
	g_free(text);
	mime_view_free(v);
}

static void test_command_big_input(void)
{
	/* More than a pipe buffer each way: no deadlock. */
	GString *html = g_string_new("<p>");
	struct mime_view *v;
	size_t n;

	for (int i = 0; i < 20000; i++)
		g_string_append(html, "word ");
	g_string_append(html, "</p>\n");
	v = html_view(html->str, "cat", false, 0);
	mime_view_lines(v, &n);
	g_assert_cmpuint(n, >, 400);
	g_assert_nonnull(find_line(v, "<p>word word"));
	mime_view_free(v);
	g_string_free(html, TRUE);
}

static void test_command_exits_early(void)
{
	/* The command stops reading: writing must not kill us with SIGPIPE. */
	GString *html = g_string_new(NULL);
	struct mime_view *v;

	for (int i = 0; i < 100000; i++)
		g_string_append(html, "<b>x</b> ");
	v = html_view(html->str, "sh -c 'echo early'", false, 0);
	g_assert_nonnull(find_line(v, "early"));
	mime_view_free(v);
	g_string_free(html, TRUE);
}

static void test_command_output_cap(void)
{
	/* A command that never stops writing: cut at the cap, killed, and
	 * what was read is kept. */
	gint64 start = g_get_monotonic_time();
	char *out = html_run_command("yes", "", 0, 60000, 1000);

	g_assert_nonnull(out);
	g_assert_cmpuint(strlen(out), ==, 1000);
	g_assert_true(g_str_has_prefix(out, "y\ny\n"));
	/* Stopped at the cap, not at the 60 s timeout. */
	g_assert_cmpint(g_get_monotonic_time() - start, <, 30 * G_USEC_PER_SEC);
	g_free(out);
}

int main(int argc, char **argv)
{
	helpers_init(&argc, &argv);
	g_test_add_func("/mime_view/html/builtin", test_builtin);
	g_test_add_func("/mime_view/html/command-cat", test_command_cat);
	g_test_add_func("/mime_view/html/command-upper", test_command_upper);
	g_test_add_func("/mime_view/html/command-output-safe", test_command_output_safe);
	g_test_add_func("/mime_view/html/command-fails", test_command_fails);
	g_test_add_func("/mime_view/html/command-timeout", test_command_timeout);
	g_test_add_func("/mime_view/html/command-big-input", test_command_big_input);
	g_test_add_func("/mime_view/html/command-exits-early", test_command_exits_early);
	g_test_add_func("/mime_view/html/command-output-cap", test_command_output_cap);
	return g_test_run();
}
