/* test_decode.c - header and body decoding: RFC 2047, charsets,
 * transfer encodings, mime_decode_part. */
#include "helpers.h"

/* "Tiếng Việt" precomposed (NFC), as bytes. */
#define TIENG_VIET "Ti\xe1\xba\xbfng Vi\xe1\xbb\x87t"

static const struct {
	const char *name;
	const char *header; /* one raw header line */
	const char *expect; /* the HEADER line shown */
} header_cases[] = {
    {"subject-b", "Subject: =?UTF-8?B?VGnhur9uZyBWaeG7h3Q=?=", "Subject: " TIENG_VIET},
    {"subject-q", "Subject: =?utf-8?Q?Ti=E1=BA=BFng_Vi=E1=BB=87t?=", "Subject: " TIENG_VIET},
    {"subject-folded",
     "Subject: =?utf-8?Q?Ti=E1=BA=BFng?=\n =?utf-8?Q?_Vi=E1=BB=87t?=", "Subject: " TIENG_VIET},
    {"latin1-word", "Subject: =?iso-8859-1?q?Andr=E9?=", "Subject: Andr\xc3\xa9"},
    {"unknown-charset", "Subject: =?x-nonsense?Q?caf=C3=A9?=", "Subject: caf\xc3\xa9"},
    {"raw-8bit-latin1", "Subject: Caf\xe9 cr\xe8me", "Subject: Caf\xc3\xa9 cr\xc3\xa8me"},
    {"raw-utf8", "Subject: " TIENG_VIET, "Subject: " TIENG_VIET},
    {"from-name", "From: =?UTF-8?B?VGnhur9uZyBWaeG7h3Q=?= <a@example.org>",
     "From: " TIENG_VIET " <a@example.org>"},
    {"to-list", "To: a@example.org, =?iso-8859-1?q?Andr=E9?= <andre@example.fr>",
     "To: a@example.org, Andr\xc3\xa9 <andre@example.fr>"},
    {"broken-b64-word", "Subject: =?utf-8?B?!!!?= ok", "Subject: "},
    /* GMime 3.2.13 alone loses what follows a padded base64 word. */
    {"padded-b64-then-word", "Subject: =?UTF-8?B?VGnhur9uZw==?= =?UTF-8?B?IFZp4buHdA==?=",
     "Subject: " TIENG_VIET},
    /* "ế" split between two words: joined as bytes, not two U+FFFD. */
    {"char-split-across-words", "Subject: =?UTF-8?Q?Ti=E1=BA?= =?UTF-8?Q?=BFng_Vi=E1=BB=87t?=",
     "Subject: " TIENG_VIET},
    {"quotes-in-subject", "Subject: \"=?UTF-8?Q?Vi=E1=BB=87t?=\" ok",
     "Subject: \"Vi\xe1\xbb\x87t\" ok"},
    {"words-and-text", "Subject: Re: =?UTF-8?B?VGnhur9uZw==?= and =?UTF-8?Q?Vi=E1=BB=87t?= !",
     "Subject: Re: Ti\xe1\xba\xbfng and Vi\xe1\xbb\x87t !"},
    {"name-with-comma", "From: =?UTF-8?Q?Nguy=E1=BB=85n=2C_V=C4=83n?= <van@example.vn>",
     "From: \"Nguy\xe1\xbb\x85n, V\xc4\x83n\" <van@example.vn>"},
    {"padded-name-words", "From: =?UTF-8?B?VGnhur9uZw==?= =?UTF-8?B?IFZp4buHdA==?= <a@example.org>",
     "From: " TIENG_VIET " <a@example.org>"},
};

/* The index decodes Subject and names with mime_header_decode: the same
 * words, the same text. */
static void test_index_decode(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(header_cases); i++) {
		const char *h = header_cases[i].header;
		if (!g_str_has_prefix(h, "Subject: ") || strstr(header_cases[i].name, "broken")
		    || strstr(header_cases[i].name, "raw-8bit"))
			continue;
		g_test_message("case %s", header_cases[i].name);
		char *got = mime_header_decode(h + 9);
		g_assert_cmpstr(got, ==, header_cases[i].expect + 9);
		g_free(got);
	}
	/* Unknown encodings and unterminated words stay as they are. */
	char *got = mime_header_decode("=?UTF-8?X?abc?= =?UTF-8?Q?abc");
	g_assert_cmpstr(got, ==, "=?UTF-8?X?abc?= =?UTF-8?Q?abc");
	g_free(got);
	/* Plain ASCII takes a shortcut; it must agree with the long way:
	 * blanks at the ends trimmed, a tab or an escape made safe, a
	 * "=?" that is no word kept. */
	static const char *const plain[][2] = {
		{ "Question about ticket #6247", "Question about ticket #6247" },
		{ " padded  both ends ", "padded  both ends" },
		{ "tab\there", "tab here" },
		{ "esc\x1b[31mred", "escred" },
		{ "a =? b", "a =? b" },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(plain); i++) {
		got = mime_header_decode(plain[i][0]);
		g_assert_cmpstr(got, ==, plain[i][1]);
		g_free(got);
	}
}

static void test_headers(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(header_cases); i++) {
		char *raw = g_strdup_printf("%s\nX-Other: 1\n\nbody\n", header_cases[i].header);
		struct mime_view *v = view_of(raw, 200);
		const struct mime_line *l = find_line(v, header_cases[i].expect);

		g_test_message("case %s", header_cases[i].name);
		g_assert_nonnull(l);
		g_assert_cmpint(l->kind, ==, MIME_LINE_HEADER);
		if (strcmp(header_cases[i].name, "broken-b64-word") != 0)
			g_assert_cmpstr(l->text, ==, header_cases[i].expect);
		g_assert_cmpint(l->name_len, ==, (int)(strchr(l->text, ':') - l->text) + 1);
		assert_lines_safe(v, 200);
		mime_view_free(v);
		g_free(raw);
	}
}

static void test_header_order(void)
{
	const char *raw = "Subject: s\nX-Mailer: m\nFrom: f@x\nDate: d\n\nbody\n";
	const char *const want[] = {"X-Mailer", "From", NULL};
	struct mime_view_opts o = {.headers = want, .html_no_command = true};
	struct mime_view *v = mime_view_new_from_bytes(raw, strlen(raw), &o);
	char *h = lines_text(v, MIME_LINE_HEADER);

	g_assert_cmpstr(h, ==, "X-Mailer: m\nFrom: f@x");
	g_free(h);
	mime_view_free(v);
	/* Default: From To Cc Date Subject, in that order. */
	v = view_of(raw, 80);
	h = lines_text(v, MIME_LINE_HEADER);
	g_assert_cmpstr(h, ==, "From: f@x\nDate: d\nSubject: s");
	g_free(h);
	mime_view_free(v);
}

static const struct {
	const char *name;
	const char *headers; /* Content-* lines */
	const char *body;
	const char *expect; /* all TEXT lines joined */
} body_cases[] = {
    /* windows-1258 writes tones as combining marks: e^ + acute (0xEC),
     * e^ + dot below (0xF2).  The view must give precomposed NFC. */
    {"windows-1258",
     "Content-Type: text/plain; charset=windows-1258\n"
     "Content-Transfer-Encoding: 8bit\n",
     "Ti\xea\xecng Vi\xea\xf2t\n", TIENG_VIET},
    {"iso-8859-1", "Content-Type: text/plain; charset=ISO-8859-1\n",
     "Gr\xfc\xdf"
     "e aus K\xf6ln\n",
     "Gr\xc3\xbc\xc3\x9f"
     "e aus K\xc3\xb6ln"},
    {"qp-soft-breaks",
     "Content-Type: text/plain; charset=utf-8\n"
     "Content-Transfer-Encoding: quoted-printable\n",
     "one long=\nline caf=C3=A9=\n end\nsecond =3D line\n",
     "one longline caf\xc3\xa9 end\nsecond = line"},
    {"base64",
     "Content-Type: text/plain; charset=utf-8\n"
     "Content-Transfer-Encoding: base64\n",
     "VGnhur9uZyBWaeG7h3Q=\n", TIENG_VIET},
    {"base64-latin1",
     "Content-Type: text/plain; charset=iso-8859-1\n"
     "Content-Transfer-Encoding: base64\n",
     "Q2Fm6Q==\n", "Caf\xc3\xa9"},
    {"no-charset-utf8", "Content-Type: text/plain\n", TIENG_VIET "\n", TIENG_VIET},
    {"no-charset-latin1", "", "Caf\xe9\n", "Caf\xc3\xa9"},
    {"unknown-charset", "Content-Type: text/plain; charset=x-martian\n", "Caf\xe9\n",
     "Caf\xc3\xa9"},
    {"bad-utf8", "Content-Type: text/plain; charset=utf-8\n",
     "a\xff"
     "b\n",
     "a\xef\xbf\xbd"
     "b"},
    {"crlf", "Content-Type: text/plain; charset=utf-8\n", "a\r\nb\r\n", "a\nb"},
    {"tabs", "Content-Type: text/plain\n", "a\tb\n", "a       b"},
};

static void test_bodies(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(body_cases); i++) {
		char *raw = g_strdup_printf("Subject: x\nMIME-Version: 1.0\n%s\n%s",
		                            body_cases[i].headers, body_cases[i].body);
		struct mime_view *v = view_of(raw, 200);
		char *text = lines_text(v, MIME_LINE_TEXT);

		g_test_message("case %s", body_cases[i].name);
		g_assert_cmpstr(text, ==, body_cases[i].expect);
		assert_lines_safe(v, 200);
		g_free(text);
		mime_view_free(v);
		g_free(raw);
	}
}

static void test_bad_base64(void)
{
	const char *raw =
	    "Subject: x\nContent-Transfer-Encoding: base64\n\n!!!*** not base64 \x01\x1b[2J\n";
	struct mime_view *v = view_of(raw, 80);

	assert_lines_safe(v, 80);
	g_assert_nonnull(find_line(v, "Subject: x"));
	mime_view_free(v);
}

static const struct {
	const char *name;
	const char *bytes, *encoding, *charset;
	const char *expect;
	enum mime_view_status status;
} part_cases[] = {
    {"base64-utf8", "VGnhur9uZyBWaeG7h3Q=", "base64", "utf-8", TIENG_VIET, MIME_VIEW_OK},
    {"qp-latin1", "caf=E9=\r\n au lait", "quoted-printable", "iso-8859-1", "caf\xc3\xa9 au lait",
     MIME_VIEW_OK},
    {"8bit-1258", "Ti\xea\xecng", "8bit", "windows-1258", "Tie\xcc\x82\xcc\x81ng", MIME_VIEW_OK},
    {"7bit-none", "plain", NULL, NULL, "plain", MIME_VIEW_OK},
    {"unknown", "caf\xe9", "8bit", "x-martian", "caf\xc3\xa9", MIME_VIEW_ERR_CHARSET},
    {"upper-enc", "YWJj", "BASE64", "US-ASCII", "abc", MIME_VIEW_OK},
};

static void test_decode_part(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(part_cases); i++) {
		char *out = NULL;
		enum mime_view_status st =
		    mime_decode_part(part_cases[i].bytes, strlen(part_cases[i].bytes),
		                     part_cases[i].encoding, part_cases[i].charset, &out);
		char *nfc = g_utf8_normalize(out, -1, G_NORMALIZE_NFC);
		char *want = g_utf8_normalize(part_cases[i].expect, -1, G_NORMALIZE_NFC);

		g_test_message("case %s", part_cases[i].name);
		g_assert_cmpint(st, ==, part_cases[i].status);
		g_assert_true(g_utf8_validate(out, -1, NULL));
		/* glibc may or may not compose windows-1258; the view does. */
		g_assert_cmpstr(nfc, ==, want);
		g_free(nfc);
		g_free(want);
		g_free(out);
	}
}

static void test_decode_transfer(void)
{
	GBytes *b = mime_decode_transfer("AAEC/w==", 8, "base64");
	gsize n;
	const guint8 *d = g_bytes_get_data(b, &n);

	g_assert_cmpuint(n, ==, 4);
	g_assert_cmpmem(d, n, "\x00\x01\x02\xff", 4);
	g_bytes_unref(b);
	b = mime_decode_transfer("a=\nb", 4, "binary");
	g_assert_cmpuint(g_bytes_get_size(b), ==, 4);
	g_bytes_unref(b);
}

int main(int argc, char **argv)
{
	helpers_init(&argc, &argv);
	g_test_add_func("/mime_view/decode/headers", test_headers);
	g_test_add_func("/mime_view/decode/index", test_index_decode);
	g_test_add_func("/mime_view/decode/header-order", test_header_order);
	g_test_add_func("/mime_view/decode/bodies", test_bodies);
	g_test_add_func("/mime_view/decode/bad-base64", test_bad_base64);
	g_test_add_func("/mime_view/decode/part", test_decode_part);
	g_test_add_func("/mime_view/decode/transfer", test_decode_transfer);
	return g_test_run();
}
