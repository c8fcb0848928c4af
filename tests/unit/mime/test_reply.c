/* test_reply.c - reply, forward and resume drafts from received mail. */
#include "mime/mime.h"

#include <glib/gstdio.h>
#include <string.h>

static void test_subjects(void)
{
	static const struct {
		const char *in, *re, *fwd;
	} cases[] = {
	    {"Hello", "Re: Hello", "Fwd: Hello"},
	    {"Re: Hello", "Re: Hello", "Fwd: Re: Hello"},
	    {"RE: re: Re[2]: Hello", "Re: Hello", "Fwd: RE: re: Re[2]: Hello"},
	    {"Fwd: Fw: Hi", "Re: Fwd: Fw: Hi", "Fwd: Hi"},
	    {"  Chào bạn", "Re: Chào bạn", "Fwd: Chào bạn"},
	    {"Re : spaced", "Re: spaced", "Fwd: Re : spaced"},
	    {"Reunion", "Re: Reunion", "Fwd: Reunion"},
	    {"", "Re: ", "Fwd: "},
	};
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		char *re = mime_reply_subject(cases[i].in);
		char *fwd = mime_forward_subject(cases[i].in);
		g_assert_cmpstr(re, ==, cases[i].re);
		g_assert_cmpstr(fwd, ==, cases[i].fwd);
		/* Replying to the reply does not stack. */
		char *again = mime_reply_subject(re);
		g_assert_cmpstr(again, ==, re);
		g_free(again);
		g_free(re);
		g_free(fwd);
	}
	char *n = mime_reply_subject(NULL);
	g_assert_cmpstr(n, ==, "Re: ");
	g_free(n);
}

static void test_references(void)
{
	char *r = mime_reply_references("<a@x> <b@x>", "<b@x>", "<c@x>");
	g_assert_cmpstr(r, ==, "<a@x> <b@x> <c@x>");
	g_free(r);
	/* Without References, In-Reply-To stands in. */
	r = mime_reply_references(NULL, "<p@x>", "c@x");
	g_assert_cmpstr(r, ==, "<p@x> <c@x>");
	g_free(r);
	r = mime_reply_references("", NULL, "<only@x>");
	g_assert_cmpstr(r, ==, "<only@x>");
	g_free(r);
	/* Duplicates and junk between ids are dropped; folded input. */
	r = mime_reply_references("<a@x>\r\n <a@x> junk <b@x>", NULL, "<b@x>");
	g_assert_cmpstr(r, ==, "<a@x> <b@x>");
	g_free(r);
	r = mime_reply_references(NULL, NULL, NULL);
	g_assert_cmpstr(r, ==, "");
	g_free(r);
}

static void test_quote(void)
{
	char *q = mime_quote_text("one\r\n\n> two\nthree\n");
	g_assert_cmpstr(q, ==, "> one\n>\n>> two\n> three\n");
	g_free(q);
	q = mime_quote_text("");
	g_assert_cmpstr(q, ==, "");
	g_free(q);
}

static const char original[] = "From: =?UTF-8?B?Tmd1eeG7hW4gVsSDbiBBbg==?= <an@example.test>\r\n"
                               "To: me@example.test, Bob <bob@example.test>\r\n"
                               "Cc: carol@example.test, ME@example.test\r\n"
                               "Subject: =?UTF-8?Q?Re:_H=E1=BB=8Dp?=\r\n"
                               "Date: Mon, 01 Jan 2024 10:00:00 +0000\r\n"
                               "Message-ID: <m3@example.test>\r\n"
                               "In-Reply-To: <m2@example.test>\r\n"
                               "References: <m1@example.test> <m2@example.test>\r\n"
                               "List-Post: <mailto:team@lists.example.test?subject=hi>\r\n"
                               "MIME-Version: 1.0\r\n"
                               "Content-Type: text/plain; charset=utf-8\r\n"
                               "Content-Transfer-Encoding: 8bit\r\n"
                               "\r\n"
                               "Xin chào,\r\n"
                               "> earlier\r\n"
                               "\r\n"
                               "-- \r\n"
                               "An\r\n";

static const char *const me[] = {"me@example.test", NULL};

static void test_reply_sender(void)
{
	const struct mime_reply_opts o = {.me = me, .attribution = "On %d, %n wrote: 100%%"};
	struct mime_draft *d = NULL;
	g_assert_cmpint(
	    mime_reply_draft(original, sizeof original - 1, MIME_REPLY_SENDER, &o, &d, NULL), ==,
	    MIME_OK);
	g_assert_cmpstr(d->to, ==, "Nguyễn Văn An <an@example.test>");
	g_assert_null(d->cc);
	g_assert_null(d->from);
	g_assert_cmpstr(d->subject, ==, "Re: Họp");
	g_assert_cmpstr(d->in_reply_to, ==, "<m3@example.test>");
	g_assert_cmpstr(d->references, ==, "<m1@example.test> <m2@example.test> <m3@example.test>");
	g_assert_true(g_str_has_prefix(d->body, "On 2024-01-01 "));
	g_assert_nonnull(strstr(d->body, ", Nguyễn Văn An wrote: 100%\n> Xin chào,\n>> earlier\n"));
	/* The signature is not quoted. */
	g_assert_null(strstr(d->body, "An\n\n"));
	g_assert_null(strstr(d->body, "> -- "));
	mime_draft_free(d);
}

static void test_reply_all_and_list(void)
{
	struct mime_draft *d = NULL;
	const struct mime_reply_opts o = {.me = me};
	g_assert_cmpint(
	    mime_reply_draft(original, sizeof original - 1, MIME_REPLY_ALL, &o, &d, NULL), ==,
	    MIME_OK);
	g_assert_cmpstr(d->to, ==, "Nguyễn Văn An <an@example.test>, Bob <bob@example.test>");
	g_assert_cmpstr(d->cc, ==, "carol@example.test");
	g_assert_true(g_str_has_prefix(d->body, "> Xin chào,")); /* no attribution asked */
	mime_draft_free(d);

	g_assert_cmpint(
	    mime_reply_draft(original, sizeof original - 1, MIME_REPLY_LIST, &o, &d, NULL), ==,
	    MIME_OK);
	g_assert_cmpstr(d->to, ==, "team@lists.example.test");
	mime_draft_free(d);

	static const char nolist[] = "From: a@example.test\r\nSubject: x\r\n\r\nbody\r\n";
	struct mime_error err = {0};
	g_assert_cmpint(mime_reply_draft(nolist, sizeof nolist - 1, MIME_REPLY_LIST, &o, &d, &err),
	                ==, MIME_ERR_NO_LIST);
	g_assert_null(d);
}

static void test_reply_reply_to_and_html(void)
{
	static const char m[] = "From: a@example.test\r\nReply-To: Help <help@example.test>\r\n"
	                        "Subject: html\r\nMessage-ID: <h@x>\r\nMIME-Version: 1.0\r\n"
	                        "Content-Type: multipart/alternative; boundary=b\r\n\r\n"
	                        "--b\r\nContent-Type: text/html\r\n\r\n<p>rich</p>\r\n"
	                        "--b\r\nContent-Type: text/plain\r\n\r\nplain text\r\n--b--\r\n";
	struct mime_draft *d = NULL;
	g_assert_cmpint(mime_reply_draft(m, sizeof m - 1, MIME_REPLY_SENDER, NULL, &d, NULL), ==,
	                MIME_OK);
	g_assert_cmpstr(d->to, ==, "Help <help@example.test>");
	g_assert_cmpstr(d->references, ==, "<h@x>");
	g_assert_cmpstr(d->body, ==, "> plain text\n\n");
	mime_draft_free(d);
}

static void test_forward(void)
{
	struct mime_draft *d = NULL;
	g_assert_cmpint(
	    mime_forward_draft(original, sizeof original - 1, "--- fwd ---", NULL, &d, NULL), ==,
	    MIME_OK);
	g_assert_cmpstr(d->subject, ==, "Fwd: Re: Họp");
	g_assert_null(d->to);
	g_assert_null(d->in_reply_to);
	g_assert_true(
	    g_str_has_prefix(d->body, "\n\n--- fwd ---\nFrom: Nguyễn Văn An <an@example.test>\n"));
	g_assert_nonnull(strstr(d->body, "\nSubject: Re: Họp\n"));
	g_assert_nonnull(strstr(d->body, "\n\nXin chào,\n> earlier\n"));
	g_assert_cmpuint(d->attachments->len, ==, 0);
	mime_draft_free(d);

	g_assert_cmpint(
	    mime_forward_draft(original, sizeof original - 1, NULL, "/tmp/x.eml", &d, NULL), ==,
	    MIME_OK);
	g_assert_cmpuint(d->attachments->len, ==, 1);
	g_assert_cmpstr(d->attachments->pdata[0], ==, "/tmp/x.eml");
	g_assert_cmpstr(d->body, ==, "");
	mime_draft_free(d);
}

/* Forward as attachment through the builder, then resume the built
 * message: the .eml comes back as a message/rfc822 part, byte-identical
 * body text, and attachments are written to the directory. */
static void test_forward_attachment_and_resume(void)
{
	char *dir = g_dir_make_tmp("mime-reply-XXXXXX", NULL);
	char *eml = g_build_filename(dir, "orig.eml", NULL);
	char *bin = g_build_filename(dir, "data.bin", NULL);
	g_assert_true(g_file_set_contents(eml, original, sizeof original - 1, NULL));
	g_assert_true(g_file_set_contents(bin, "\x00\x01\x02\xff", 4, NULL));
	struct mime_draft *d = NULL;
	g_assert_cmpint(mime_forward_draft(original, sizeof original - 1, NULL, eml, &d, NULL), ==,
	                MIME_OK);
	g_ptr_array_add(d->attachments, g_strdup(bin));
	d->to = g_strdup("bob@example.test");
	d->bcc = g_strdup("hidden@example.test");
	g_free(d->body);
	d->body = g_strdup("See below.\n");
	d->in_reply_to = g_strdup("<m3@example.test>");
	struct mime_build_opts bo = {.from_address = "me@example.test", .from_name = "Tôi"};
	struct mime_outgoing *out = NULL;
	struct mime_error err = {0};
	g_assert_cmpint(mime_build(d, &bo, &out, &err), ==, MIME_OK);
	g_assert_nonnull(strstr(out->wire, "Content-Type: message/rfc822"));
	g_assert_null(strstr(out->wire, "Bcc:"));
	g_assert_nonnull(strstr(out->copy, "Bcc:"));

	char *back = g_build_filename(dir, "back", NULL);
	g_assert_cmpint(g_mkdir(back, 0700), ==, 0);
	struct mime_draft *r = NULL;
	g_assert_cmpint(mime_draft_from_message(out->copy, out->copy_len, back, &r, &err), ==,
	                MIME_OK);
	g_assert_cmpstr(r->to, ==, "bob@example.test");
	g_assert_cmpstr(r->bcc, ==, "hidden@example.test");
	g_assert_cmpstr(r->from, ==, "Tôi <me@example.test>");
	g_assert_cmpstr(r->subject, ==, "Fwd: Re: Họp");
	g_assert_cmpstr(r->in_reply_to, ==, "<m3@example.test>");
	g_assert_cmpstr(r->body, ==, "See below.\n");
	g_assert_cmpuint(r->attachments->len, ==, 2);
	g_assert_true(g_str_has_suffix(r->attachments->pdata[0], "/orig.eml"));
	char *data = NULL;
	gsize len = 0;
	g_assert_true(g_file_get_contents(r->attachments->pdata[1], &data, &len, NULL));
	g_assert_cmpmem(data, len, "\x00\x01\x02\xff", 4);
	g_free(data);
	g_assert_true(g_file_get_contents(r->attachments->pdata[0], &data, &len, NULL));
	g_assert_nonnull(strstr(data, "Message-ID: <m3@example.test>"));
	g_free(data);

	struct mime_draft *c = mime_draft_copy(r);
	g_assert_cmpstr(c->bcc, ==, r->bcc);
	g_assert_cmpuint(c->attachments->len, ==, 2);
	mime_draft_free(c);
	for (guint i = 0; i < r->attachments->len; i++)
		g_unlink(r->attachments->pdata[i]);
	g_rmdir(back);
	mime_draft_free(r);
	mime_outgoing_free(out);
	mime_draft_free(d);
	g_unlink(eml);
	g_unlink(bin);
	g_rmdir(dir);
	g_free(back);
	g_free(eml);
	g_free(bin);
	g_free(dir);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_setenv("TZ", "UTC", TRUE);
	g_test_add_func("/reply/subjects", test_subjects);
	g_test_add_func("/reply/references", test_references);
	g_test_add_func("/reply/quote", test_quote);
	g_test_add_func("/reply/sender", test_reply_sender);
	g_test_add_func("/reply/all-and-list", test_reply_all_and_list);
	g_test_add_func("/reply/reply-to-and-html", test_reply_reply_to_and_html);
	g_test_add_func("/reply/forward", test_forward);
	g_test_add_func("/reply/forward-attachment-and-resume", test_forward_attachment_and_resume);
	return g_test_run();
}
