/* test_raw.c - mime_prepare_raw: a script's message made fit for SMTP. */
#include "mime/mime.h"

#include <string.h>

static struct mime_outgoing *prep(const char *text)
{
	struct mime_outgoing *m = NULL;
	struct mime_error err = { 0 };

	if (mime_prepare_raw(text, strlen(text), "me@example.test", &m, &err) != MIME_OK)
		g_error("prepare: %s line %d %s", mime_status_name(err.status), err.line, err.detail);
	return m;
}

static void test_lf_and_bcc(void)
{
	struct mime_outgoing *m = prep(
		"From: Me <me@example.test>\n"
		"To: A <a@example.test>\n"
		"Bcc: hidden@example.test,\n"
		"  other@example.test\n"
		"Cc: c@example.test\n"
		"Subject: x\n"
		"Date: Mon, 1 Jan 2024 00:00:00 +0000\n"
		"Message-ID: <given@example.test>\n"
		"\n"
		"line\n"
		".dot line\n"
		"bare cr\rend\n");

	g_assert_cmpstr(m->wire, ==,
		"From: Me <me@example.test>\r\n"
		"To: A <a@example.test>\r\n"
		"Cc: c@example.test\r\n"
		"Subject: x\r\n"
		"Date: Mon, 1 Jan 2024 00:00:00 +0000\r\n"
		"Message-ID: <given@example.test>\r\n"
		"\r\n"
		"line\r\n"
		".dot line\r\n"
		"bare cr\r\nend\r\n");
	g_assert_nonnull(m->copy);
	g_assert_nonnull(strstr(m->copy, "Bcc: hidden@example.test,\r\n  other@example.test\r\n"));
	g_assert_cmpstr(m->message_id, ==, "given@example.test");
	g_assert_cmpuint(m->recipients->len, ==, 4);
	g_assert_cmpstr(m->recipients->pdata[0], ==, "a@example.test");
	g_assert_cmpstr(m->recipients->pdata[1], ==, "hidden@example.test");
	g_assert_cmpstr(m->recipients->pdata[2], ==, "other@example.test");
	g_assert_cmpstr(m->recipients->pdata[3], ==, "c@example.test");
	mime_outgoing_free(m);
}

static void test_adds_missing(void)
{
	struct mime_outgoing *m = prep("To: a@example.test\r\n\r\nhi");

	g_assert_true(g_str_has_prefix(m->wire, "To: a@example.test\r\nFrom: <me@example.test>\r\nDate: "));
	g_assert_true(g_str_has_suffix(m->message_id, "@example.test"));
	g_assert_nonnull(strstr(m->wire, m->message_id));
	g_assert_true(g_str_has_suffix(m->wire, "\r\n\r\nhi"));
	g_assert_null(m->copy);
	mime_outgoing_free(m);
}

/* A From added for the account carries its name: quoted when it has
 * specials, RFC 2047 encoded when it is not ASCII. */
static void test_adds_named_from(void)
{
	static const struct {
		const char *name, *from;
	} cases[] = {
		{ "Alice", "From: Alice <me@example.test>\r\n" },
		{ "Smith, Alice", "From: \"Smith, Alice\" <me@example.test>\r\n" },
		{ "", "From: <me@example.test>\r\n" },
		{ NULL, "From: <me@example.test>\r\n" },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		struct mime_outgoing *m = NULL;
		struct mime_error err = { 0 };
		const char *text = "To: a@example.test\n\nhi\n";
		g_assert_cmpint(mime_prepare_raw_named(text, strlen(text), "me@example.test",
			cases[i].name, &m, &err), ==, MIME_OK);
		g_assert_nonnull(strstr(m->wire, cases[i].from));
		mime_outgoing_free(m);
	}
	struct mime_outgoing *m = NULL;
	struct mime_error err = { 0 };
	const char *text = "To: a@example.test\n\nhi\n";
	g_assert_cmpint(mime_prepare_raw_named(text, strlen(text), "me@example.test",
		"Nguyễn Thị Minh Khai", &m, &err), ==, MIME_OK);
	const char *from = strstr(m->wire, "From:");
	g_assert_nonnull(from);
	g_assert_nonnull(strstr(from, "=?"));
	g_assert_nonnull(strstr(from, "<me@example.test>\r\n"));
	for (const char *p = m->wire; *p; p++)
		g_assert_cmpint((unsigned char)*p, <, 0x80);
	/* An existing From is kept as it is. */
	mime_outgoing_free(m);
	text = "From: Other <o@example.test>\nTo: a@example.test\n\nhi\n";
	g_assert_cmpint(mime_prepare_raw_named(text, strlen(text), "me@example.test", "Alice", &m,
		&err), ==, MIME_OK);
	g_assert_true(g_str_has_prefix(m->wire, "From: Other <o@example.test>\r\nTo:"));
	g_assert_null(strstr(m->wire, "Alice"));
	mime_outgoing_free(m);
}

static void test_encoded_names(void)
{
	struct mime_outgoing *m = prep("To: =?UTF-8?B?VHLhuqduIFbEg24gQuG6o3k=?= <bay@example.test>,"
		" Nguyễn <n@example.test>\nSubject: s\n\nb\n");

	g_assert_cmpuint(m->recipients->len, ==, 2);
	g_assert_cmpstr(m->recipients->pdata[0], ==, "bay@example.test");
	g_assert_cmpstr(m->recipients->pdata[1], ==, "n@example.test");
	mime_outgoing_free(m);
}

static void test_refused(void)
{
	GString *longline = g_string_new("To: a@example.test\n\nok\n");
	static const char with_nul[] = "To: a@example.test\n\nx\n\0y\n";
	struct mime_outgoing *m = NULL;
	struct mime_error err = { 0 };

	for (int i = 0; i < 999; i++)
		g_string_append_c(longline, 'x');
	g_string_append_c(longline, '\n');
	g_assert_cmpint(mime_prepare_raw(longline->str, longline->len, "me@example.test", &m, &err),
		==, MIME_ERR_LINE_TOO_LONG);
	g_assert_cmpint(err.line, ==, 4);
	g_assert_null(m);
	/* exactly 998 passes */
	g_string_truncate(longline, longline->len - 2);
	g_string_append_c(longline, '\n');
	g_assert_cmpint(mime_prepare_raw(longline->str, longline->len, "me@example.test", &m, &err),
		==, MIME_OK);
	mime_outgoing_free(m);
	m = NULL;
	g_assert_cmpint(mime_prepare_raw(with_nul, sizeof with_nul - 1, "me@example.test", &m, &err),
		==, MIME_ERR_NUL);
	g_assert_cmpint(err.line, ==, 4);
	g_assert_cmpint(mime_prepare_raw("Subject: x\n\nbody\n", 17, "me@example.test", &m, &err),
		==, MIME_ERR_NO_RECIPIENTS);
	g_assert_cmpint(mime_prepare_raw("From nobody Mon\nTo: a@b.c\n\nx", 28, "me@example.test", &m,
		&err), ==, MIME_ERR_HEADER);
	g_assert_cmpint(err.line, ==, 1);
	g_assert_cmpint(mime_prepare_raw("To: a@b.c\nCc: \"x\r\n\" <evil\r\nRCPT>\n\nx", 36,
		"me@example.test", &m, &err), !=, MIME_OK);
	g_string_free(longline, TRUE);
}

static void test_crlf_helpers(void)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "a\nb", "a\r\nb" },
		{ "a\r\nb\r\n", "a\r\nb\r\n" },
		{ "a\rb\r", "a\r\nb\r\n" },
		{ "\n\n", "\r\n\r\n" },
		{ "", "" },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		size_t n;
		char *s = mime_to_crlf(cases[i].in, strlen(cases[i].in), &n);

		g_assert_cmpstr(s, ==, cases[i].out);
		g_assert_cmpuint(n, ==, strlen(cases[i].out));
		g_free(s);
	}
	g_assert_cmpint(mime_find_long_line("ab\r\nabcd\nab", 11, 3), ==, 2);
	g_assert_cmpint(mime_find_long_line("ab\r\nabc\nabcd", 12, 3), ==, 3);
	g_assert_cmpint(mime_find_long_line("abc\r\n", 5, 3), ==, 0);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/mime/raw/lf-and-bcc", test_lf_and_bcc);
	g_test_add_func("/mime/raw/adds-missing", test_adds_missing);
	g_test_add_func("/mime/raw/adds-named-from", test_adds_named_from);
	g_test_add_func("/mime/raw/encoded-names", test_encoded_names);
	g_test_add_func("/mime/raw/refused", test_refused);
	g_test_add_func("/mime/raw/crlf-helpers", test_crlf_helpers);
	return g_test_run();
}
