/* test_imap_row.c - index rows made from a FETCH of the index headers:
 * the one-pass header reader, the quick Date parser (always the same
 * answer as GMime's), decoding, and packed rows. */
#include <string.h>

#include <glib.h>

#include "app/app.h"
#include "app/imap_live.h"
#include "imap/imap.h"
#include "mime/mime.h"

static struct app_msg *row(const char *block, uint32_t *cf)
{
	struct imap_section_data sd = {
		.section = "HEADER.FIELDS (FROM SUBJECT)", .data = block, .len = strlen(block)
	};
	struct imap_msg m = {
		.have = IMAP_FETCH_UID | IMAP_FETCH_FLAGS | IMAP_FETCH_HEADERS,
		.uid = 42, .flag_bits = IMAP_FLAG_SEEN, .size = 1234,
		.sections = &sd, .n_sections = 1,
	};
	return app_imap_msg_from_fetch(&m, cf);
}

static void test_fields(void)
{
	uint32_t cf = 0;
	struct app_msg *m = row(
		"Subject: =?UTF-8?B?VGjGsCBt4bubaQ==?=\r\n"
		"X-Other: From: not this\r\n"
		"from: \"Nguyễn, Văn\" <an@example.test>\r\n"
		"Message-ID: <m1@example.test>\r\n"
		"References: <r0@example.test>\r\n <r1@example.test>\r\n"
		"In-Reply-To: <r1@example.test>\r\n"
		"Date: Tue, 1 Jul 2003 10:52:37 +0200\r\n"
		"Content-Type: multipart/mixed;\r\n boundary=x\r\n"
		"Subject: second subject ignored\r\n"
		"\r\n", &cf);
	g_assert_cmpuint(m->uid, ==, 42);
	g_assert_cmpstr(m->subject, ==, "Thư mới");
	g_assert_cmpstr(m->from, ==, "Nguyễn, Văn");
	g_assert_cmpstr(m->from_addr, ==, "an@example.test");
	g_assert_cmpstr(m->message_id, ==, "<m1@example.test>");
	g_assert_cmpstr(m->references, ==, "<r1@example.test>");
	g_assert_true(m->in_reply_to == m->references); /* shared in the packed row */
	g_assert_cmpint(m->date, ==, 1057049557);
	g_assert_cmpuint(m->flags, ==, APP_MSG_SEEN | APP_MSG_ATTACHMENT);
	g_assert_cmpuint(cf, ==, IMAP_FLAG_SEEN | IMAP_CACHE_ATTACHMENT);
	/* A field may still be replaced by an owned string. */
	m->subject = g_strdup("replaced");
	struct app_msg *c = app_msg_copy(m);
	g_assert_cmpstr(c->in_reply_to, ==, "<r1@example.test>");
	app_msg_free(c);
	app_msg_free(m);

	m = row("Subject: plain\r\n", NULL); /* no From, no Date */
	g_assert_cmpstr(m->from, ==, "");
	g_assert_null(m->from_addr);
	g_assert_null(m->references);
	g_assert_cmpint(m->date, ==, 0);
	app_msg_free(m);
}

/* Every Date the quick parser takes must give GMime's answer; others
 * go to GMime anyway. */
static void test_dates(void)
{
	static const char *const dates[] = {
		"Tue, 1 Jul 2003 10:52:37 +0200",
		"1 Jul 2003 10:52:37 -0730",
		"Sun, 31 Dec 2023 23:59:59 +0000 (UTC)",
		"Mon, 29 Feb 2016 00:00 +1400",
		"Wed, 31 Feb 2021 10:00:00 +0000",
		"Thu, 01 Jan 1970 00:00:01 +0000",
		"Fri, 2 Jan 70 10:00:00 GMT",
		"Sat, 13 Mar 2021 25:00:00 +0000",
		"13 mar 2021 10:00:00 +0100",
		"Tue, 1 Jul 2003 10:52:37 +0200x",
		"Tue,1 Jul 2003 10:52:37 +0200",
		"garbage",
		"",
	};
	for (size_t i = 0; i < G_N_ELEMENTS(dates); i++) {
		char *block = g_strdup_printf("Date: %s\r\n", dates[i]);
		struct app_msg *m = row(block, NULL);
		time_t want = mime_parse_date(dates[i]);
		g_test_message("%s", dates[i]);
		g_assert_cmpint(m->date, ==, want > 0 ? want : 0);
		app_msg_free(m);
		g_free(block);
	}
}

static void test_packed(void)
{
	struct app_msg *m = app_msg_new_packed("a", NULL, "<id>", "<x>", "<y>", NULL);
	g_assert_cmpstr(m->from, ==, "a");
	g_assert_null(m->subject);
	g_assert_cmpstr(m->in_reply_to, ==, "<x>");
	g_assert_cmpstr(m->references, ==, "<y>");
	g_assert_null(m->from_addr);
	m->tags = g_strdup("owned");
	app_msg_free(m);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	mime_init();
	g_test_add_func("/app/imap-row/fields", test_fields);
	g_test_add_func("/app/imap-row/dates", test_dates);
	g_test_add_func("/app/imap-row/packed", test_packed);
	return g_test_run();
}
