/* test_draft.c - the editable-header text: write, edit, read back. */
#include "mime/mime.h"

#include <string.h>

static void test_round_trip(void)
{
	struct mime_draft *d = mime_draft_new();
	struct mime_draft *e = mime_draft_new();
	struct mime_error err = { 0 };
	char *text;

	d->from = g_strdup("Nguyễn Minh <minh@example.test>");
	d->to = g_strdup("Bảy <bay@example.test>, c@example.test");
	d->bcc = g_strdup("hidden@example.test");
	d->subject = g_strdup("Chào — tiếng Việt");
	d->in_reply_to = g_strdup("<orig@x>");
	d->body = g_strdup("Dòng một\n\nFrom: not a header\n");
	g_ptr_array_add(d->attachments, g_strdup("/tmp/a file.pdf"));
	text = mime_draft_to_edit_text(d);
	g_assert_true(g_str_has_prefix(text, "From: Nguyễn Minh <minh@example.test>\nTo: "));
	g_assert_nonnull(strstr(text, "\nCc:\n"));
	g_assert_nonnull(strstr(text, "\nAttach: /tmp/a file.pdf\n\nDòng một\n"));
	g_assert_null(strstr(text, "orig@x"));

	e->in_reply_to = g_strdup("<orig@x>");
	g_assert_cmpint(mime_draft_apply_edit_text(e, text, strlen(text), &err), ==, MIME_OK);
	g_assert_cmpstr(e->from, ==, d->from);
	g_assert_cmpstr(e->to, ==, d->to);
	g_assert_null(e->cc);
	g_assert_cmpstr(e->bcc, ==, d->bcc);
	g_assert_cmpstr(e->subject, ==, d->subject);
	g_assert_cmpstr(e->body, ==, d->body);
	g_assert_cmpstr(e->in_reply_to, ==, "<orig@x>");
	g_assert_cmpuint(e->attachments->len, ==, 1);
	g_assert_cmpstr(e->attachments->pdata[0], ==, "/tmp/a file.pdf");
	g_free(text);
	mime_draft_free(d);
	mime_draft_free(e);
}

static void test_edited(void)
{
	static const char text[] =
		"from: Me <me@example.test>\r\n"
		"To: a@example.test,\r\n"
		"  b@example.test\r\n"
		"To: c@example.test\r\n"
		"Subject:   spaced   \r\n"
		"X-Priority: 1\r\n"
		"Attach: /x/one\r\n"
		"Attach: /x/two\r\n"
		"\r\n"
		"body\r\n";
	struct mime_draft *d = mime_draft_new();

	g_assert_cmpint(mime_draft_apply_edit_text(d, text, sizeof text - 1, NULL), ==, MIME_OK);
	g_assert_cmpstr(d->from, ==, "Me <me@example.test>");
	g_assert_cmpstr(d->to, ==, "a@example.test,   b@example.test, c@example.test");
	g_assert_cmpstr(d->subject, ==, "spaced");
	g_assert_cmpuint(d->extra_headers->len, ==, 1);
	g_assert_cmpstr(((struct mime_header *)d->extra_headers->pdata[0])->name, ==, "X-Priority");
	g_assert_cmpuint(d->attachments->len, ==, 2);
	g_assert_cmpstr(d->body, ==, "body\r\n");
	mime_draft_free(d);
}

static const struct {
	const char *name, *text;
	enum mime_status want;
	int line;
} bad[] = {
	{ "no-colon", "To: a@b\nthis is not a header\n\nbody", MIME_ERR_HEADER, 2 },
	{ "forbidden", "To: a@b\nSubject: s\nContent-Type: text/html\n\nx", MIME_ERR_HEADER, 3 },
	{ "date", "Date: today\n\n", MIME_ERR_HEADER, 1 },
	{ "not-utf8", "To: a@b\nSubject: \xff\xfe\n\nx", MIME_ERR_NOT_UTF8, 2 },
	{ "space-in-name", "To: a@b\nX Y: z\n\n", MIME_ERR_HEADER, 2 },
};

static void test_bad(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		struct mime_draft *d = mime_draft_new();
		struct mime_error err = { 0 };

		d->to = g_strdup("keep@example.test");
		g_assert_cmpint(mime_draft_apply_edit_text(d, bad[i].text, strlen(bad[i].text), &err),
			==, bad[i].want);
		if (err.line != bad[i].line)
			g_error("%s: line %d, want %d", bad[i].name, err.line, bad[i].line);
		/* d untouched on failure */
		g_assert_cmpstr(d->to, ==, "keep@example.test");
		mime_draft_free(d);
	}
}

static void test_edit_then_build(void)
{
	static const char text[] = "To: Bảy <bay@example.test>\nSubject: Chào\n\nXin chào\n";
	struct mime_draft *d = mime_draft_new();
	struct mime_build_opts o = { .from_address = "me@example.test" };
	struct mime_outgoing *m = NULL;

	g_assert_cmpint(mime_draft_apply_edit_text(d, text, sizeof text - 1, NULL), ==, MIME_OK);
	g_assert_cmpint(mime_build(d, &o, &m, NULL), ==, MIME_OK);
	g_assert_cmpuint(m->recipients->len, ==, 1);
	g_assert_cmpstr(m->recipients->pdata[0], ==, "bay@example.test");
	mime_outgoing_free(m);
	mime_draft_free(d);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/mime/draft/round-trip", test_round_trip);
	g_test_add_func("/mime/draft/edited", test_edited);
	g_test_add_func("/mime/draft/bad", test_bad);
	g_test_add_func("/mime/draft/edit-then-build", test_edit_then_build);
	return g_test_run();
}
