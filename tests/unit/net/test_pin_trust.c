/* test_pin_trust.c - tls_fingerprint parsing and the trust file. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "net/net.h"

/* SHA-256-sized value 00 01 02 ... 1f in each accepted spelling. */
#define B64 "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
#define HEX "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
#define HEXC                                                                                       \
	"00:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F:"                                         \
	"10:11:12:13:14:15:16:17:18:19:1A:1B:1C:1D:1E:1F"

static void test_pin_normalize(void)
{
	static const struct {
		const char *in;
		bool ok;
	} cases[] = {
	    {"sha256:" HEX, true},
	    {"sha256:" HEXC, true},
	    {"SHA256:" HEXC, true},
	    {HEX, true},
	    {"sha256:" B64, true},
	    {"sha256//" B64, true},
	    {B64, true},
	    {"", false},
	    {"sha256:", false},
	    {"sha256:" HEX "00", false}, /* 33 bytes */
	    {"sha256:" HEX "0", false},  /* odd digits */
	    {"sha256:"
	     "zz" HEX,
	     false},
	    {"sha256:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8", false},  /* no pad */
	    {"sha256:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh9=", false}, /* not canonical */
	    {"sha256:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdH!8=", false},
	    {"md5:" HEX, false},
	    {"sha256: " HEX, false},
	    {"sha1:00:01:02", false},
	};
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		char out[64] = "";
		bool ok = net_pin_normalize(cases[i].in, out);
		if (ok != cases[i].ok)
			g_error("case %zu (%s): got %d", i, cases[i].in, ok);
		if (ok)
			g_assert_cmpstr(out, ==, "sha256//" B64);
	}
	char out[64];
	g_assert_false(net_pin_normalize(NULL, out));
}

#define PIN_A "sha256//" B64
#define PIN_B "sha256//CgsMDQ4PEBESExQVFhcYGRobHB0eHyAhIiMkJSYnKCk="
#define PIN_C "sha256//FBUWFxgZGhscHR4fICEiIyQlJicoKSorLC0uLzAxMjM="

static void test_trust_file(void)
{
	gchar *dir = g_dir_make_tmp("net-trust-XXXXXX", NULL);
	g_assert_nonnull(dir);
	/* The directory does not exist yet: net_trust_add makes it. */
	gchar *path = g_build_filename(dir, "sub", "trusted", NULL);

	g_assert_null(net_trust_lookup(path, "imap.example.org", 993));
	g_assert_cmpint(net_trust_add(path, "imap.example.org", 993, PIN_A), ==, 0);
	g_assert_cmpint(
	    net_trust_add(
	        path, "pop.example.org", 995,
	        "sha256:0a:0b:0c:0d:0e:0f:"
	        "10:11:12:13:14:15:16:17:18:19:1a:1b:1c:1d:1e:1f:20:21:22:23:24:25:26:27:28:29"),
	    ==, 0);
	g_assert_cmpint(net_trust_add(path, "::1", 143, PIN_C), ==, 0);

	struct {
		const char *host;
		unsigned port;
		const char *want;
	} look[] = {
	    {"imap.example.org", 993, PIN_A},
	    {"IMAP.Example.ORG", 993, PIN_A},
	    {"imap.example.org", 143, NULL},
	    {"pop.example.org", 995, PIN_B},
	    {"::1", 143, PIN_C},
	    {"example.org", 993, NULL},
	};
	for (size_t i = 0; i < G_N_ELEMENTS(look); i++) {
		char *got = net_trust_lookup(path, look[i].host, look[i].port);
		g_assert_cmpstr(got, ==, look[i].want);
		g_free(got);
	}

	/* Replace keeps one entry per host:port and the others untouched. */
	g_assert_cmpint(net_trust_add(path, "imap.example.org", 993, PIN_C), ==, 0);
	char *got = net_trust_lookup(path, "imap.example.org", 993);
	g_assert_cmpstr(got, ==, PIN_C);
	g_free(got);
	got = net_trust_lookup(path, "pop.example.org", 995);
	g_assert_cmpstr(got, ==, PIN_B);
	g_free(got);

	gchar *text = NULL;
	g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
	g_assert_cmpstr(text, ==,
	                "pop.example.org 995 " PIN_B "\n"
	                "::1 143 " PIN_C "\n"
	                "imap.example.org 993 " PIN_C "\n");
	g_free(text);

	GStatBuf st;
	g_assert_cmpint(g_stat(path, &st), ==, 0);
	g_assert_cmpint(st.st_mode & 0777, ==, 0600);

	/* Comments and hand-written lines survive a rewrite. */
	g_assert_true(g_file_set_contents(path, "# mine\nmail.example.org   587\tsha256:" HEX "\n",
	                                  -1, NULL));
	g_assert_cmpint(net_trust_add(path, "imap.example.org", 993, PIN_A), ==, 0);
	got = net_trust_lookup(path, "mail.example.org", 587);
	g_assert_cmpstr(got, ==, PIN_A);
	g_free(got);
	g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
	g_assert_true(g_str_has_prefix(text, "# mine\n"));
	g_free(text);

	g_assert_cmpint(net_trust_add(path, "bad host", 993, PIN_A), ==, -EINVAL);
	g_assert_cmpint(net_trust_add(path, "", 993, PIN_A), ==, -EINVAL);
	g_assert_cmpint(net_trust_add(path, "h", 0, PIN_A), ==, -EINVAL);
	g_assert_cmpint(net_trust_add(path, "h", 993, "sha256:nothex"), ==, -EINVAL);

	g_remove(path);
	gchar *sub = g_path_get_dirname(path);
	g_rmdir(sub);
	g_rmdir(dir);
	g_free(sub);
	g_free(path);
	g_free(dir);
}

static void test_trust_default_path(void)
{
	g_setenv("XDG_DATA_HOME", "/nonexistent/xdg-data", TRUE);
	char *p = net_trust_default_path();
	g_assert_cmpstr(p, ==, "/nonexistent/xdg-data/mailtui/trusted");
	g_free(p);
	g_assert_null(net_trust_lookup(NULL, "imap.example.org", 993));
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/net/pin/normalize", test_pin_normalize);
	g_test_add_func("/net/trust/file", test_trust_file);
	g_test_add_func("/net/trust/default_path", test_trust_default_path);
	return g_test_run();
}
