/* test_attach.c - attachment list, RFC 2231 names, safe names, saving,
 * mailcap lookup. */
#include "helpers.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <sys/stat.h>

/* 256 bytes 0x00..0xff, base64. */
static const char all_bytes_b64[] =
    "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4\n"
    "OTo7PD0+P0BBQkNERUZHSElKS0xNTk9QUVJTVFVWV1hZWltcXV5fYGFiY2RlZmdoaWprbG1ub3Bx\n"
    "cnN0dXZ3eHl6e3x9fn+AgYKDhIWGh4iJiouMjY6PkJGSk5SVlpeYmZqbnJ2en6ChoqOkpaanqKmq\n"
    "q6ytrq+wsbKztLW2t7i5uru8vb6/wMHCw8TFxsfIycrLzM3Oz9DR0tPU1dbX2Nna29zd3t/g4eLj\n"
    "5OXm5+jp6uvs7e7v8PHy8/T19vf4+fr7/P3+/w==\n";

static char *message_with(const char *disposition_params)
{
	return g_strdup_printf("Subject: att\nMIME-Version: 1.0\n"
	                       "Content-Type: multipart/mixed; boundary=b\n\n"
	                       "--b\nContent-Type: text/plain\n\nsee attached\n"
	                       "--b\nContent-Type: application/octet-stream\n"
	                       "Content-Disposition: attachment;%s\n"
	                       "Content-Transfer-Encoding: base64\n\n%s--b--\n",
	                       disposition_params, all_bytes_b64);
}

static const struct {
	const char *name;
	const char *params;
	const char *expect;
} name_cases[] = {
    /* "Tài liệu quý.pdf" in RFC 2231, plain and with continuations. */
    {"rfc2231", " filename*=UTF-8''T%C3%A0i%20li%E1%BB%87u%20qu%C3%BD.pdf",
     "T\xc3\xa0i li\xe1\xbb\x87u qu\xc3\xbd.pdf"},
    {"rfc2231-continued",
     "\n filename*0*=UTF-8''T%C3%A0i%20li;\n filename*1*=%E1%BB%87u%20qu%C3%BD.pdf",
     "T\xc3\xa0i li\xe1\xbb\x87u qu\xc3\xbd.pdf"},
    {"rfc2047-in-quotes", " filename=\"=?utf-8?b?VMOgaSBsaeG7h3UgcXXDvS5wZGY=?=\"",
     "T\xc3\xa0i li\xe1\xbb\x87u qu\xc3\xbd.pdf"},
    {"hostile",
     " filename=\"a\x1b[31m\xe2\x80\xae"
     "fdp.exe\"",
     "afdp.exe"},
};

static void test_names(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(name_cases); i++) {
		char *raw = message_with(name_cases[i].params);
		struct mime_view *v = view_of(raw, 200);
		size_t n;
		const struct mime_attachment *a = mime_view_attachments(v, &n);
		char *marker = g_strdup_printf("[-- Attachment #2: %s, application/octet-stream, ",
		                               name_cases[i].expect);

		g_test_message("case %s", name_cases[i].name);
		g_assert_cmpuint(n, ==, 2);
		g_assert_cmpstr(a[1].filename, ==, name_cases[i].expect);
		g_assert_cmpstr(a[1].content_type, ==, "application/octet-stream");
		g_assert_nonnull(find_line(v, marker));
		g_free(marker);
		mime_view_free(v);
		g_free(raw);
	}
}

static const struct {
	const char *in;
	const char *expect;
} safe_cases[] = {
    {"../../etc/passwd", "_._etc_passwd"},
    {".bashrc", "bashrc"},
    {"a/b", "a_b"},
    {"a\\b", "a_b"},
    {"x\x01y\x1b[31mz\x7f\n.txt", "xyz .txt"},
    {"\xe2\x80\xae"
     "fdp.exe",
     "fdp.exe"},
    {"..", "attachment-3"},
    {"", "attachment-3"},
    {NULL, "attachment-3"},
    {" - .", "attachment-3"},
    {"-rf", "rf"},
    {"file..name...txt", "file.name.txt"},
    {"T\xc3\xa0i li\xe1\xbb\x87u.pdf", "T\xc3\xa0i li\xe1\xbb\x87u.pdf"},
};

static void test_safe_names(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(safe_cases); i++) {
		char *s = mime_attachment_safe_name(safe_cases[i].in, 2);

		g_test_message("case '%s'", safe_cases[i].in ? safe_cases[i].in : "(null)");
		g_assert_cmpstr(s, ==, safe_cases[i].expect);
		g_free(s);
	}
}

/* Parameters as an IMAP BODYSTRUCTURE gives them: RFC 2231 with a
 * charset, continuations, RFC 2047 words, plain. */
static void test_param_decode(void)
{
	static const struct {
		const char *params, *name, *expect;
	} cases[] = {
	    {"filename*=UTF-8''B%C3%A1o%20c%C3%A1o%20th%C3%A1ng%203.txt", "filename",
	     "B\xc3\xa1o c\xc3\xa1o th\xc3\xa1ng 3.txt"},
	    {"filename*0*=UTF-8''T%C3%A0i; filename*1=\" li\xe1\xbb\x87u.pdf\"", "filename",
	     "T\xc3\xa0i li\xe1\xbb\x87u.pdf"},
	    {"name=\"=?UTF-8?B?VMOgaSBsaeG7h3UucGRm?=\"", "name", "T\xc3\xa0i li\xe1\xbb\x87u.pdf"},
	    {"charset=\"utf-8\"; name=\"big.bin\"", "name", "big.bin"},
	    {"charset=utf-8", "name", NULL},
	    {"", "name", NULL},
	    {NULL, "name", NULL},
	};
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		char *v = mime_param_decode(cases[i].params, cases[i].name);

		g_test_message("case %zu", i);
		g_assert_cmpstr(v, ==, cases[i].expect);
		g_free(v);
	}
}

static void test_safe_name_long(void)
{
	GString *in = g_string_new(NULL);
	char *s;

	for (int i = 0; i < 100; i++)
		g_string_append(in, "vi\xe1\xbb\x87t"); /* 6 bytes */
	g_string_append(in, ".pdf");
	s = mime_attachment_safe_name(in->str, 0);
	g_assert_cmpuint(strlen(s), <=, 200);
	g_assert_cmpuint(strlen(s), >=, 190);
	g_assert_true(g_str_has_suffix(s, ".pdf"));
	g_assert_true(g_utf8_validate(s, -1, NULL));
	g_free(s);
	/* No extension: a plain cut on a character boundary. */
	g_string_truncate(in, in->len - 4);
	g_string_append(in, "\xe1\xbb\x87\xe1\xbb\x87\xe1\xbb\x87");
	s = mime_attachment_safe_name(in->str, 0);
	g_assert_cmpuint(strlen(s), <=, 200);
	g_assert_true(g_utf8_validate(s, -1, NULL));
	g_free(s);
	g_string_free(in, TRUE);
}

static char *read_back(const char *path, gsize *len)
{
	char *data = NULL;

	g_assert_true(g_file_get_contents(path, &data, len, NULL));
	return data;
}

static void test_save(void)
{
	char *dir = g_dir_make_tmp("mime-view-XXXXXX", NULL);
	char *raw = message_with(" filename=\"../../etc/passwd\"");
	struct mime_view *v = view_of(raw, 80);
	char *path = NULL, *err = NULL, *data, *expect_path;
	gsize len;
	struct stat st;

	g_assert_nonnull(dir);
	g_assert_cmpint(mime_attachment_save(v, 1, dir, NULL, false, &path, &err), ==,
	                MIME_VIEW_OK);
	g_assert_null(err);
	expect_path = g_build_filename(dir, "_._etc_passwd", NULL);
	g_assert_cmpstr(path, ==, expect_path);
	data = read_back(path, &len);
	g_assert_cmpuint(len, ==, 256);
	for (int i = 0; i < 256; i++)
		g_assert_cmpint((unsigned char)data[i], ==, i);
	g_free(data);
	g_assert_cmpint(stat(path, &st), ==, 0);
	g_assert_cmpint(st.st_mode & 0777, ==, 0600);
	g_free(path);

	/* Again: refused, file untouched, path given for the question. */
	g_assert_true(g_file_set_contents(expect_path, "mine", 4, NULL));
	g_assert_cmpint(mime_attachment_save(v, 1, dir, NULL, false, &path, &err), ==,
	                MIME_VIEW_ERR_EXISTS);
	g_assert_cmpstr(path, ==, expect_path);
	g_free(path);
	data = read_back(expect_path, &len);
	g_assert_cmpstr(data, ==, "mine");
	g_free(data);
	/* Allowed with overwrite. */
	g_assert_cmpint(mime_attachment_save(v, 1, dir, NULL, true, &path, &err), ==, MIME_VIEW_OK);
	data = read_back(path, &len);
	g_assert_cmpuint(len, ==, 256);
	g_free(data);
	g_free(path);

	/* An override is sanitised too; the inline text part saves as well. */
	g_assert_cmpint(mime_attachment_save(v, 0, dir, "../up.txt", false, &path, &err), ==,
	                MIME_VIEW_OK);
	g_assert_true(g_str_has_prefix(path, dir));
	g_assert_true(g_str_has_suffix(path, "/_up.txt"));
	data = read_back(path, &len);
	g_assert_cmpstr(data, ==, "see attached");
	g_free(data);
	g_unlink(path);
	g_free(path);

	/* Errors. */
	g_assert_cmpint(mime_attachment_save(v, 7, dir, NULL, false, &path, &err), ==,
	                MIME_VIEW_ERR_INDEX);
	g_assert_cmpint(mime_attachment_save(v, 1, "/nonexistent/dir", NULL, false, &path, &err),
	                ==, MIME_VIEW_ERR_IO);
	g_assert_nonnull(err);
	g_assert_null(path);
	g_free(err);

	/* No temporary files are left behind. */
	{
		GDir *d = g_dir_open(dir, 0, NULL);
		const char *e;
		int count = 0;

		while ((e = g_dir_read_name(d)) != NULL) {
			char *p = g_build_filename(dir, e, NULL);

			g_assert_false(g_str_has_prefix(e, ".mailtui-save"));
			g_unlink(p);
			g_free(p);
			count++;
		}
		g_dir_close(d);
		g_assert_cmpint(count, ==, 1);
	}
	g_rmdir(dir);
	g_free(expect_path);
	mime_view_free(v);
	g_free(raw);
	g_free(dir);
}

static void test_bytes(void)
{
	char *raw = message_with(" filename=x.bin");
	struct mime_view *v = view_of(raw, 80);
	GBytes *b = NULL;

	g_assert_cmpint(mime_attachment_bytes(v, 1, &b), ==, MIME_VIEW_OK);
	g_assert_cmpuint(g_bytes_get_size(b), ==, 256);
	g_assert_cmpint(((const unsigned char *)g_bytes_get_data(b, NULL))[255], ==, 255);
	g_bytes_unref(b);
	mime_view_free(v);
	g_free(raw);
}

static void test_mailcap(void)
{
	char *dir = g_dir_make_tmp("mime-mailcap-XXXXXX", NULL);
	char *file = g_build_filename(dir, "mailcap", NULL);
	const char *files[] = {"/nonexistent/mailcap", file, NULL};
	static const char mailcap[] = "# comment\n"
	                              "\n"
	                              "image/png; viewer '%s'; needsterminal\n"
	                              "text/*; less %s; copiousoutput\n"
	                              "application/pdf; zathura %s; test=false\n"
	                              "application/pdf; evince \\\n  %s --type=%t\n"
	                              "audio; play\n"
	                              "video/mp4; mpv -- %s \\; echo 100%%\n";
	static const struct {
		const char *type;
		const char *expect;
		unsigned flags;
	} cases[] = {
	    {"image/png", "viewer '/tmp/a b'\\''c'", MIME_MAILCAP_NEEDSTERMINAL},
	    {"TEXT/Plain; charset=utf-8", "less '/tmp/a b'\\''c'", MIME_MAILCAP_COPIOUSOUTPUT},
	    {"application/pdf", "evince   '/tmp/a b'\\''c' --type='application/pdf'", 0},
	    {"audio/ogg", "play < '/tmp/a b'\\''c'", 0},
	    {"video/mp4", "mpv -- '/tmp/a b'\\''c' ; echo 100%", 0},
	    {"image/gif", NULL, 0},
	};

	g_assert_true(g_file_set_contents(file, mailcap, -1, NULL));
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		unsigned flags = 99;
		char *cmd = mime_mailcap_lookup(cases[i].type, "/tmp/a b'c", files, &flags);

		g_test_message("case %s", cases[i].type);
		g_assert_cmpstr(cmd, ==, cases[i].expect);
		g_assert_cmpuint(flags, ==, cases[i].flags);
		g_free(cmd);
	}
	g_unlink(file);
	g_rmdir(dir);
	g_free(file);
	g_free(dir);
}

/* Names and types for shell commands: nothing a shell reads specially,
 * whatever the message says; the extension stays for the viewer. */
static void test_shell_safe(void)
{
	static const struct { const char *in, *out; } names[] = {
		{"report.pdf", "report.pdf"},
		{"x$(touch /tmp/p)'\"`id`;.txt", "x_touch_tmp_p_id_.txt"},
		{"B\xc3\xa1o c\xc3\xa1o th\xc3\xa1ng 3.txt", "B_o_c_o_th_ng_3.txt"},
		{"-rf", "rf"},
		{"", "attachment-2"},
		{"\xe2\x80\xae.exe", "exe"},
	};
	for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
		char *got = mime_shell_safe_name(names[i].in, 1);
		g_test_message("name %s", names[i].in);
		g_assert_cmpstr(got, ==, names[i].out);
		for (const char *p = got; *p; p++)
			g_assert_true(g_ascii_isalnum(*p) || strchr("._-+", *p));
		g_free(got);
	}
	char *t = mime_shell_safe_type("text/$(reboot)");
	g_assert_cmpstr(t, ==, "text/__reboot_");
	g_free(t);
	t = mime_shell_safe_type("Image/SVG+XML");
	g_assert_cmpstr(t, ==, "image/svg+xml");
	g_free(t);
}

int main(int argc, char **argv)
{
	helpers_init(&argc, &argv);
	g_test_add_func("/mime_view/attach/names", test_names);
	g_test_add_func("/mime_view/attach/safe-names", test_safe_names);
	g_test_add_func("/mime_view/attach/param-decode", test_param_decode);
	g_test_add_func("/mime_view/attach/safe-name-long", test_safe_name_long);
	g_test_add_func("/mime_view/attach/save", test_save);
	g_test_add_func("/mime_view/attach/bytes", test_bytes);
	g_test_add_func("/mime_view/attach/mailcap", test_mailcap);
	g_test_add_func("/mime_view/attach/shell_safe", test_shell_safe);
	return g_test_run();
}
