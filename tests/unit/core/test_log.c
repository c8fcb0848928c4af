/* test_log.c - the debug log: mode, format, escaping, redaction. */
#include "core/core.h"

#include <string.h>
#include <sys/stat.h>

#include <glib.h>
#include <glib/gstdio.h>

#define SECRET "hunter2-Sup3r$ecret"

static char *tmpdir;
static char *log_path;

static char *read_log(void)
{
	char *data = NULL;
	size_t len;

	g_assert_cmpint(core_read_file(log_path, 1 << 20, &data, &len), ==, 0);
	g_assert_cmpuint(strlen(data), ==, len); /* no NUL got through */
	return data;
}

static void test_closed_is_noop(void)
{
	g_assert_false(core_log_enabled());
	core_log(CORE_LOG_APP, "nobody sees %s", "this");
	core_log_wire(CORE_LOG_IMAP, "C", "a1 NOOP\r\n", 9, false);
}

static void test_redaction(void)
{
	char *b64 = g_base64_encode((const guchar *)SECRET, strlen(SECRET));
	/* SASL PLAIN: the secret sits at an offset inside the encoding. */
	static const char plain[] = "\0alice\0" SECRET;
	char *b64_plain = g_base64_encode((const guchar *)plain, sizeof plain - 1);
	char *line = g_strdup_printf("a2 AUTHENTICATE PLAIN %s\r\n", b64_plain);
	char *login = g_strdup_printf("a1 LOGIN alice \"%s\"\r\n", SECRET);
	char *pass = g_strdup_printf("PASS %s\r\n", SECRET);
	struct stat st;
	char *text;

	g_assert_cmpint(core_log_open(log_path), ==, 0);
	g_assert_true(core_log_enabled());
	g_assert_cmpint(stat(log_path, &st), ==, 0);
	g_assert_cmpint(st.st_mode & 0777, ==, 0600);

	core_log_add_secret(SECRET);
	core_log(CORE_LOG_CONFIG, "password is %s, base64 %s", SECRET, b64);
	core_log_wire(CORE_LOG_IMAP, "C", login, strlen(login), true);
	core_log_wire(CORE_LOG_POP3, "C", pass, strlen(pass), true);
	core_log_wire(CORE_LOG_SMTP, "C", b64_plain, strlen(b64_plain), true);
	/* Even when the caller forgets sensitive, the secret's base64 goes. */
	core_log_wire(CORE_LOG_IMAP, "C", line, strlen(line), false);
	core_log_close();

	text = read_log();
	g_assert_null(strstr(text, SECRET));
	g_assert_null(strstr(text, b64));
	g_assert_null(strstr(text, b64_plain));
	g_assert_nonnull(strstr(text, "config: password is <redacted>, base64 <redacted>"));
	g_assert_nonnull(strstr(text, "imap: C: a1 LOGIN <redacted>\n"));
	g_assert_nonnull(strstr(text, "pop3: C: PASS <redacted>\n"));
	g_assert_nonnull(strstr(text, "smtp: C: <redacted>\n"));
	/* The whole base64 word goes, not just the part that is the secret. */
	g_assert_nonnull(strstr(text, "imap: C: a2 AUTHENTICATE PLAIN <redacted>\\r\\n\n"));
	g_assert_null(strstr(text, "alice\n"));
	g_assert_cmpint(stat(log_path, &st), ==, 0);
	g_assert_cmpint(st.st_mode & 0777, ==, 0600);

	g_free(text);
	g_free(b64);
	g_free(b64_plain);
	g_free(line);
	g_free(login);
	g_free(pass);
	g_remove(log_path);
}

static void test_line_format(void)
{
	static const struct {
		const char *data;
		size_t len;
		const char *want; /* line after the timestamp */
	} cases[] = {
		{ "* OK ready\r\n", 12, "net: S: * OK ready\\r\\n\n" },
		{ "\x1b]0;pwned\x07", 10, "net: S: \\x1b]0;pwned\\x07\n" },
		{ "a\0b", 3, "net: S: a\\x00b\n" },
		{ "\xff\xc3\xa9\\", 4, "net: S: \\xffé\\\\\n" },
		{ "\xe2\x80\xae" "abc", 6, "net: S: \\u{202e}abc\n" },
		{ "", 0, "net: S:\n" },
	};
	char *text, *p;

	g_assert_cmpint(core_log_open(log_path), ==, 0);
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++)
		core_log_wire(CORE_LOG_NET, "S", cases[i].data, cases[i].len, false);
	core_log(CORE_LOG_UI, "two\nlines\x1b[2J");
	core_log_close();

	text = read_log();
	p = text;
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		/* "YYYY-MM-DD HH:MM:SS.mmm " */
		g_assert_true(g_regex_match_simple("^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} ",
						   p, 0, 0));
		g_assert_true(g_str_has_prefix(p + 24, cases[i].want));
		p = strchr(p, '\n') + 1;
	}
	g_assert_cmpstr(p + 24, ==, "ui: two\\nlines\\x1b[2J\n");
	g_free(text);
	g_remove(log_path);
}

static void test_long_data_summarised(void)
{
	GString *big = g_string_new(NULL);
	char *text;

	for (int i = 0; i < 1000; i++)
		g_string_append_c(big, 'a' + i % 26);
	g_assert_cmpint(core_log_open(log_path), ==, 0);
	core_log_wire(CORE_LOG_IMAP, "S", big->str, big->len, false);
	core_log_close();
	text = read_log();
	g_assert_nonnull(strstr(text, "... <1000 bytes>\n"));
	g_assert_nonnull(strstr(text, "S: abcdefghij"));
	/* 200 bytes of data, not more. */
	g_assert_cmpuint(strlen(strstr(text, "S: ") + 3), ==, 200 + strlen("... <1000 bytes>\n"));
	g_free(text);
	g_string_free(big, TRUE);
	g_remove(log_path);
}

static gpointer log_thread(gpointer data)
{
	int id = GPOINTER_TO_INT(data);

	for (int i = 0; i < 200; i++)
		core_log(CORE_LOG_APP, "thread %d line %d end", id, i);
	return NULL;
}

static void test_threads(void)
{
	GThread *th[4];
	char *text;
	char **lines;
	guint n = 0;

	g_assert_cmpint(core_log_open(log_path), ==, 0);
	for (int i = 0; i < 4; i++)
		th[i] = g_thread_new("log", log_thread, GINT_TO_POINTER(i));
	for (int i = 0; i < 4; i++)
		g_thread_join(th[i]);
	core_log_close();
	text = read_log();
	lines = g_strsplit(text, "\n", -1);
	for (char **l = lines; *l && **l; l++, n++)
		g_assert_true(g_str_has_suffix(*l, " end")); /* whole lines */
	g_assert_cmpuint(n, ==, 800);
	g_strfreev(lines);
	g_free(text);
	g_remove(log_path);
}

static void test_wipe(void)
{
	char buf[] = "secret";

	core_wipe(buf);
	for (size_t i = 0; i < sizeof buf; i++)
		g_assert_cmpint(buf[i], ==, 0);
	core_wipe(NULL);
}

int main(int argc, char **argv)
{
	GError *err = NULL;
	int ret;

	g_test_init(&argc, &argv, NULL);
	tmpdir = g_dir_make_tmp("core-log-XXXXXX", &err);
	g_assert_no_error(err);
	log_path = g_build_filename(tmpdir, "debug.log", NULL);
	g_test_add_func("/core/log/closed_is_noop", test_closed_is_noop);
	g_test_add_func("/core/log/redaction", test_redaction);
	g_test_add_func("/core/log/line_format", test_line_format);
	g_test_add_func("/core/log/long_data_summarised", test_long_data_summarised);
	g_test_add_func("/core/log/threads", test_threads);
	g_test_add_func("/core/log/wipe", test_wipe);
	ret = g_test_run();
	g_remove(log_path);
	g_rmdir(tmpdir);
	g_free(log_path);
	g_free(tmpdir);
	return ret;
}
