/* test_utf7.c - modified UTF-7 mailbox names both ways (RFC 3501 5.1.3). */
#include "imap/imap.h"

#include <glib.h>

static const struct {
	const char *utf8, *mutf7;
} pairs[] = {
	{"INBOX", "INBOX"},
	{"", ""},
	{"&", "&-"},
	{"a&b&&", "a&-b&-&-"},
	{"Thư mục", "Th&AbA- m&HuU-c"},
	{"Entwürfe", "Entw&APw-rfe"},
	{"~peter/mail/台北/日本語", "~peter/mail/&U,BTFw-/&ZeVnLIqe-"},
	{"Tiếng Việt", "Ti&Hr8-ng Vi&Hsc-t"},
	{"😀", "&2D3eAA-"},
	{"tab\there", "tab&AAk-here"},
	{"ä&ö", "&AOQ-&-&APY-"},
};

static void test_pairs(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(pairs); i++) {
		char *e = imap_utf7_encode(pairs[i].utf8);
		g_assert_cmpstr(e, ==, pairs[i].mutf7);
		char *d = imap_utf7_decode(pairs[i].mutf7);
		g_assert_cmpstr(d, ==, pairs[i].utf8);
		g_free(e);
		g_free(d);
	}
}

static void test_invalid(void)
{
	static const char *bad[] = {
		"&",            /* run never closed */
		"&AOQ",         /* no "-" */
		"&-&",          /* trailing open run */
		"&AOQ-&AOQ-",   /* two adjacent runs: not canonical */
		"&AGE-",        /* encodes "a": printable ASCII must be literal */
		"&2D0-",        /* lone high surrogate */
		"&3gA-",        /* lone low surrogate */
		"&AOR-",        /* non-zero padding bits */
		"&AOQA-",       /* a stray sixth of a character */
		"&A/Q-",        /* "/" is not in the modified alphabet */
		"caf\xc3\xa9",  /* raw 8-bit */
		"a\x01",        /* control */
		"&AAA-",        /* U+0000 */
	};
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		char *d = imap_utf7_decode(bad[i]);
		if (d)
			g_error("accepted %s as %s", bad[i], d);
	}
	g_assert_null(imap_utf7_encode("bad \xff utf-8"));
	g_assert_null(imap_utf7_decode(NULL));
}

/* Every code point class survives the round trip. */
static void test_roundtrip(void)
{
	GString *s = g_string_new(NULL);
	for (gunichar c = 1; c < 0x30000; c += 97) {
		if (c >= 0xd800 && c <= 0xdfff)
			continue;
		g_string_append_unichar(s, c);
	}
	char *e = imap_utf7_encode(s->str);
	for (const char *p = e; *p; p++)
		g_assert_true(*p >= 0x20 && *p <= 0x7e);
	char *d = imap_utf7_decode(e);
	g_assert_cmpstr(d, ==, s->str);
	g_free(e);
	g_free(d);
	g_string_free(s, TRUE);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/imap/utf7/pairs", test_pairs);
	g_test_add_func("/imap/utf7/invalid", test_invalid);
	g_test_add_func("/imap/utf7/roundtrip", test_roundtrip);
	return g_test_run();
}
