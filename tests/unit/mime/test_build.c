/* test_build.c - mime_build: encoded words, encodings, attachments, Bcc. */
#include "mime/mime.h"

#include <glib/gstdio.h>
#include <gmime/gmime.h>
#include <string.h>

static const char *vi_name = "Nguyễn Thị Minh Khai";
static const char *vi_to = "Trần Văn Bảy, con của Đặng Thị Ngọc Hường ở Thành phố Hồ Chí Minh";
static const char *vi_subject = "Chào bạn — thử nghiệm tiếng Việt: Đặng Thị Ngọc Hường ơi, "
	"hẹn gặp lại vào thứ Năm tuần sau nhé";

/* Parse the wire form as a Maildir would store it (LF line ends). */
static GMimeMessage *parse(const char *data, size_t len)
{
	GString *lf = g_string_sized_new(len);
	GMimeStream *s;

	for (size_t i = 0; i < len; i++)
		if (!(data[i] == '\r' && i + 1 < len && data[i + 1] == '\n'))
			g_string_append_c(lf, data[i]);
	s = g_mime_stream_mem_new_with_buffer(lf->str, lf->len);
	g_string_free(lf, TRUE);
	GMimeParser *p = g_mime_parser_new_with_stream(s);
	GMimeMessage *m = g_mime_parser_construct_message(p, NULL);

	g_object_unref(p);
	g_object_unref(s);
	g_assert_nonnull(m);
	return m;
}

/* Decoded bytes of a leaf part. */
static GByteArray *part_bytes(GMimeObject *obj)
{
	GMimeDataWrapper *w = g_mime_part_get_content(GMIME_PART(obj));
	GMimeStream *mem = g_mime_stream_mem_new();
	GByteArray *out = g_byte_array_new();

	g_mime_data_wrapper_write_to_stream(w, mem);
	g_byte_array_append(out, g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem))->data,
		g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem))->len);
	g_object_unref(mem);
	return out;
}

/* "type/subtype" of a part, checked against want (GMime returns a copy). */
static void assert_type(GMimeObject *obj, const char *want)
{
	char *t = g_mime_content_type_get_mime_type(g_mime_object_get_content_type(obj));

	g_assert_cmpstr(t, ==, want);
	g_free(t);
}

static size_t header_len(const char *wire)
{
	const char *end = strstr(wire, "\r\n\r\n");

	g_assert_nonnull(end);
	return (size_t)(end - wire);
}

static struct mime_outgoing *build(struct mime_draft *d, bool eight_bit)
{
	struct mime_build_opts o = { .from_address = "minh@example.test",
		.from_name = vi_name, .eight_bit = eight_bit };
	struct mime_outgoing *m = NULL;
	struct mime_error err = { 0 };

	g_assert_cmpint(mime_build(d, &o, &m, &err), ==, MIME_OK);
	g_assert_nonnull(m);
	g_assert_cmpint(mime_find_long_line(m->wire, m->wire_len, MIME_MAX_LINE), ==, 0);
	/* every line ends in CRLF */
	for (size_t i = 0; i < m->wire_len; i++)
		if (m->wire[i] == '\n') {
			g_assert_cmpuint(i, >, 0);
			g_assert_cmpint(m->wire[i - 1], ==, '\r');
		}
	return m;
}

static void test_vietnamese_round_trip(void)
{
	struct mime_draft *d = mime_draft_new();
	struct mime_outgoing *m;
	GMimeMessage *msg;
	InternetAddress *ia;
	size_t hl;

	d->to = g_strdup_printf("\"%s\" <bay@example.test>", vi_to);
	d->subject = g_strdup(vi_subject);
	d->body = g_strdup("Xin chào,\nđây là thư thử.\n");
	m = build(d, false);
	hl = header_len(m->wire);
	/* Headers carry only ASCII: the names and subject are encoded words. */
	for (size_t i = 0; i < hl; i++)
		g_assert_cmpint((unsigned char)m->wire[i], <, 0x80);
	g_assert_nonnull(strstr(m->wire, "=?"));
	g_assert_nonnull(g_strstr_len(m->wire, (gssize)hl, "MIME-Version: 1.0"));
	g_assert_true(g_str_has_prefix(m->wire, "Date: ") ||
		g_strstr_len(m->wire, (gssize)hl, "\r\nDate: "));
	g_assert_null(g_strstr_len(m->wire, (gssize)hl, "\r\nCc:"));

	msg = parse(m->wire, m->wire_len);
	g_assert_cmpstr(g_mime_message_get_subject(msg), ==, vi_subject);
	ia = internet_address_list_get_address(g_mime_message_get_from(msg), 0);
	g_assert_cmpstr(internet_address_get_name(ia), ==, vi_name);
	g_assert_cmpstr(internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia)), ==,
		"minh@example.test");
	ia = internet_address_list_get_address(g_mime_message_get_to(msg), 0);
	g_assert_cmpstr(internet_address_get_name(ia), ==, vi_to);
	g_assert_true(g_str_has_suffix(g_mime_message_get_message_id(msg), "@example.test"));
	g_assert_cmpstr(g_mime_message_get_message_id(msg), ==, m->message_id);
	{
		char *text = g_mime_text_part_get_text(GMIME_TEXT_PART(g_mime_message_get_mime_part(msg)));

		g_assert_cmpstr(text, ==, "Xin chào,\nđây là thư thử.\n");
		g_free(text);
	}
	g_object_unref(msg);
	mime_outgoing_free(m);
	mime_draft_free(d);
}

static void test_bcc_hidden(void)
{
	struct mime_draft *d = mime_draft_new();
	struct mime_outgoing *m;
	static const char *const want[] = { "a@example.test", "b@example.test",
		"c@example.test", "secret@example.test" };

	d->to = g_strdup("A <a@example.test>, b@example.test");
	d->cc = g_strdup("C <c@example.test>, A@EXAMPLE.TEST");
	d->bcc = g_strdup("Bí Mật <secret@example.test>");
	d->subject = g_strdup("hi");
	d->body = g_strdup("x\n");
	m = build(d, false);
	g_assert_null(strstr(m->wire, "secret"));
	g_assert_null(g_strstr_len(m->wire, (gssize)header_len(m->wire), "\nBcc:"));
	g_assert_nonnull(strstr(m->copy, "\nBcc: "));
	g_assert_nonnull(strstr(m->copy, "secret@example.test"));
	g_assert_cmpstr(m->envelope_from, ==, "minh@example.test");
	g_assert_cmpuint(m->recipients->len, ==, G_N_ELEMENTS(want));
	for (size_t i = 0; i < G_N_ELEMENTS(want); i++)
		g_assert_cmpstr(m->recipients->pdata[i], ==, want[i]);
	mime_outgoing_free(m);
	mime_draft_free(d);
}

static const struct {
	const char *name;
	const char *body;
	bool eight_bit;
	const char *encoding;
} enc_cases[] = {
	{ "ascii", "plain text\n", false, "7bit" },
	{ "utf8", "tiếng Việt\n", false, "quoted-printable" },
	{ "utf8-8bitmime", "tiếng Việt\n", true, "8bit" },
	{ "long-ascii", NULL, true, "quoted-printable" },
};

static void test_encoding_choice(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(enc_cases); i++) {
		struct mime_draft *d = mime_draft_new();
		struct mime_outgoing *m;
		char *want;

		d->to = g_strdup("b@example.test");
		d->body = enc_cases[i].body ? g_strdup(enc_cases[i].body) : g_strnfill(1500, 'x');
		m = build(d, enc_cases[i].eight_bit);
		want = g_strdup_printf("Content-Transfer-Encoding: %s\r\n", enc_cases[i].encoding);
		if (!strstr(m->wire, want))
			g_error("%s: no %s in\n%s", enc_cases[i].name, want, m->wire);
		g_free(want);
		mime_outgoing_free(m);
		mime_draft_free(d);
	}
}

static void test_long_lines(void)
{
	for (int eight = 0; eight < 2; eight++) {
		struct mime_draft *d = mime_draft_new();
		GString *body = g_string_new("short line\n");
		struct mime_outgoing *m;
		GMimeMessage *msg;
		char *text;

		for (int i = 0; i < 700; i++)
			g_string_append(body, "Việt ");
		g_string_append(body, "\n.a line with a dot\n");
		for (int i = 0; i < 3000; i++)
			g_string_append_c(body, 'a' + i % 26);
		g_string_append_c(body, '\n');
		d->to = g_strdup("b@example.test");
		d->body = g_strdup(body->str);
		m = build(d, eight);
		msg = parse(m->wire, m->wire_len);
		text = g_mime_text_part_get_text(GMIME_TEXT_PART(g_mime_message_get_mime_part(msg)));
		g_assert_cmpstr(text, ==, body->str);
		g_free(text);
		g_object_unref(msg);
		g_string_free(body, TRUE);
		mime_outgoing_free(m);
		mime_draft_free(d);
	}
}

static char *write_temp(const char *dir, const char *name, const void *data, size_t len)
{
	char *path = g_build_filename(dir, name, NULL);

	g_assert_true(g_file_set_contents(path, data, (gssize)len, NULL));
	return path;
}

static void test_attachments(void)
{
	char *dir = g_dir_make_tmp("mime-test-XXXXXX", NULL);
	unsigned char bin[4099];
	static const char text[] = "line one\r\nline two\nno newline at end";
	static const char *pdf_name = "Báo cáo tháng 5 — Hà Nội.pdf";
	struct mime_draft *d = mime_draft_new();
	struct mime_outgoing *m;
	GMimeMessage *msg;
	GMimeMultipart *mp;

	memcpy(bin, "%PDF-1.4\n", 9);
	for (size_t i = 9; i < sizeof bin; i++)
		bin[i] = (unsigned char)(i * 7919u >> 3);
	d->to = g_strdup("b@example.test");
	d->body = g_strdup("see attached\n");
	g_ptr_array_add(d->attachments, write_temp(dir, pdf_name, bin, sizeof bin));
	g_ptr_array_add(d->attachments, write_temp(dir, "notes.txt", text, sizeof text - 1));
	m = build(d, false);
	/* RFC 2231: charset'language'percent-encoded, in continuations */
	g_assert_nonnull(strstr(m->wire, "filename*0*=UTF-8''B%C3%A1o%20c%C3%A1o"));
	msg = parse(m->wire, m->wire_len);
	mp = GMIME_MULTIPART(g_mime_message_get_mime_part(msg));
	assert_type(GMIME_OBJECT(mp), "multipart/mixed");
	g_assert_cmpint(g_mime_multipart_get_count(mp), ==, 3);
	{
		GMimeObject *p = g_mime_multipart_get_part(mp, 1);
		GByteArray *got = part_bytes(p);

		g_assert_cmpstr(g_mime_part_get_filename(GMIME_PART(p)), ==, pdf_name);
		assert_type(p, "application/pdf");
		g_assert_cmpint(g_mime_part_get_content_encoding(GMIME_PART(p)), ==,
			GMIME_CONTENT_ENCODING_BASE64);
		g_assert_cmpmem(got->data, got->len, bin, sizeof bin);
		g_byte_array_unref(got);
	}
	{
		GMimeObject *p = g_mime_multipart_get_part(mp, 2);
		GByteArray *got = part_bytes(p);

		g_assert_cmpstr(g_mime_part_get_filename(GMIME_PART(p)), ==, "notes.txt");
		assert_type(p, "text/plain");
		g_assert_cmpmem(got->data, got->len, text, sizeof text - 1);
		g_byte_array_unref(got);
	}
	g_object_unref(msg);
	mime_outgoing_free(m);
	for (guint i = 0; i < d->attachments->len; i++)
		g_unlink(d->attachments->pdata[i]);
	g_rmdir(dir);
	g_free(dir);
	mime_draft_free(d);
}

static void test_errors(void)
{
	static const struct {
		const char *to, *attach;
		enum mime_status want;
	} cases[] = {
		{ "", NULL, MIME_ERR_NO_RECIPIENTS },
		{ "not an address", NULL, MIME_ERR_ADDRESS },
		{ "a@example.test, Bob <bob@>", NULL, MIME_ERR_ADDRESS },
		{ "a@example.test", "/nonexistent/file.bin", MIME_ERR_ATTACHMENT },
	};
	struct mime_build_opts o = { .from_address = "me@example.test" };

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		struct mime_draft *d = mime_draft_new();
		struct mime_outgoing *m = NULL;
		struct mime_error err = { 0 };

		d->to = g_strdup(cases[i].to);
		if (cases[i].attach)
			g_ptr_array_add(d->attachments, g_strdup(cases[i].attach));
		g_assert_cmpint(mime_build(d, &o, &m, &err), ==, cases[i].want);
		g_assert_cmpint(err.status, ==, cases[i].want);
		if (cases[i].want == MIME_ERR_ADDRESS && i == 2)
			g_assert_cmpstr(err.detail, ==, "Bob <bob@>");
		g_assert_null(m);
		mime_draft_free(d);
	}
	{
		struct mime_build_opts none = { 0 };
		struct mime_draft *d = mime_draft_new();
		struct mime_outgoing *m = NULL;

		d->to = g_strdup("a@example.test");
		g_assert_cmpint(mime_build(d, &none, &m, NULL), ==, MIME_ERR_NO_FROM);
		mime_draft_free(d);
	}
}

static void test_reply_headers(void)
{
	struct mime_draft *d = mime_draft_new();
	struct mime_build_opts o = { .from_address = "me@example.test", .date = 1700000000,
		.message_id = "<fixed@example.test>" };
	struct mime_outgoing *m = NULL;
	struct mime_header *h = g_new0(struct mime_header, 1);

	d->to = g_strdup("a@example.test");
	d->in_reply_to = g_strdup("<orig@example.test>");
	d->references = g_strdup("<root@example.test> <orig@example.test>");
	h->name = g_strdup("X-Mailer-Test");
	h->value = g_strdup("ý kiến");
	g_ptr_array_add(d->extra_headers, h);
	g_assert_cmpint(mime_build(d, &o, &m, NULL), ==, MIME_OK);
	g_assert_nonnull(strstr(m->wire, "\r\nIn-Reply-To: <orig@example.test>\r\n"));
	g_assert_nonnull(strstr(m->wire, "References: <root@example.test> <orig@example.test>"));
	g_assert_nonnull(strstr(m->wire, "\r\nMessage-Id: <fixed@example.test>\r\n"));
	g_assert_nonnull(strstr(m->wire, "X-Mailer-Test: =?"));
	g_assert_cmpstr(m->message_id, ==, "fixed@example.test");
	mime_outgoing_free(m);
	mime_draft_free(d);
}

static void test_guess_type(void)
{
	static const struct {
		const char *name, *data;
		size_t len;
		const char *want;
	} cases[] = {
		{ "x.bin", "\x89PNG\r\n\x1a\n....", 12, "image/png" },
		{ "photo", "\xff\xd8\xff\xe0", 4, "image/jpeg" },
		{ "a.docx", "PK\x03\x04zz", 6,
			"application/vnd.openxmlformats-officedocument.wordprocessingml.document" },
		{ "a.zip", "PK\x03\x04zz", 6, "application/zip" },
		{ "noext", "PK\x03\x04zz", 6, "application/zip" },
		{ "README", "hello\n", 6, "text/plain" },
		{ "data.CSV", "a,b\n", 4, "text/csv" },
		{ "blob", "\x00\x01\x02", 3, "application/octet-stream" },
		{ "ghi chú.txt", "chú", 4, "text/plain" },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++)
		g_assert_cmpstr(mime_guess_type(cases[i].name, cases[i].data, cases[i].len), ==,
			cases[i].want);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	mime_init();
	g_test_add_func("/mime/build/vietnamese-round-trip", test_vietnamese_round_trip);
	g_test_add_func("/mime/build/bcc-hidden", test_bcc_hidden);
	g_test_add_func("/mime/build/encoding-choice", test_encoding_choice);
	g_test_add_func("/mime/build/long-lines", test_long_lines);
	g_test_add_func("/mime/build/attachments", test_attachments);
	g_test_add_func("/mime/build/errors", test_errors);
	g_test_add_func("/mime/build/reply-headers", test_reply_headers);
	g_test_add_func("/mime/build/guess-type", test_guess_type);
	return g_test_run();
}
