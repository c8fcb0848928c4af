/* test_parse.c - the POP3 response parser: status lines, multi-line
 * bodies fed in every split, CAPA, LIST and UIDL lines. */
#include <string.h>
#include <glib.h>

#include "pop3/pop3.h"

static const struct {
	const char *line;
	enum pop3_parse ret;
	enum pop3_reply_kind kind;
	enum pop3_resp_code code;
	const char *text;
} status_cases[] = {
	{ "+OK", POP3_PARSE_DONE, POP3_REPLY_OK, POP3_CODE_NONE, "" },
	{ "+OK Dovecot ready.", POP3_PARSE_DONE, POP3_REPLY_OK, POP3_CODE_NONE, "Dovecot ready." },
	{ "-ERR no such message", POP3_PARSE_DONE, POP3_REPLY_ERR, POP3_CODE_NONE, "no such message" },
	{ "-ERR [IN-USE] locked", POP3_PARSE_DONE, POP3_REPLY_ERR, POP3_CODE_IN_USE, "locked" },
	{ "-ERR [SYS/TEMP] try later  ", POP3_PARSE_DONE, POP3_REPLY_ERR, POP3_CODE_SYS_TEMP, "try later" },
	{ "-ERR [SYS/PERM/DISK] full", POP3_PARSE_DONE, POP3_REPLY_ERR, POP3_CODE_SYS_PERM, "full" },
	{ "-ERR [AUTH] Authentication failed.", POP3_PARSE_DONE, POP3_REPLY_ERR, POP3_CODE_AUTH,
		"Authentication failed." },
	{ "-ERR [LOGIN-DELAY] wait", POP3_PARSE_DONE, POP3_REPLY_ERR, POP3_CODE_LOGIN_DELAY, "wait" },
	{ "-ERR [X-FOO] what", POP3_PARSE_DONE, POP3_REPLY_ERR, POP3_CODE_OTHER, "what" },
	{ "-ERR [unclosed", POP3_PARSE_DONE, POP3_REPLY_ERR, POP3_CODE_NONE, "[unclosed" },
	{ "+ ", POP3_PARSE_DONE, POP3_REPLY_CONT, POP3_CODE_NONE, "" },
	{ "+", POP3_PARSE_DONE, POP3_REPLY_CONT, POP3_CODE_NONE, "" },
	{ "+OKAY", POP3_PARSE_SYNTAX, 0, 0, NULL },
	{ "-ERROR", POP3_PARSE_SYNTAX, 0, 0, NULL },
	{ "* OK imap", POP3_PARSE_SYNTAX, 0, 0, NULL },
	{ "", POP3_PARSE_SYNTAX, 0, 0, NULL },
	{ "ok", POP3_PARSE_SYNTAX, 0, 0, NULL },
};

static void test_status(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(status_cases); i++) {
		struct pop3_status_line st;
		const char *l = status_cases[i].line;
		enum pop3_parse r = pop3_parse_status(l, strlen(l), &st);
		g_assert_cmpint(r, ==, status_cases[i].ret);
		if (r != POP3_PARSE_DONE)
			continue;
		g_assert_cmpint(st.kind, ==, status_cases[i].kind);
		g_assert_cmpint(st.code, ==, status_cases[i].code);
		char *t = g_strndup(st.text, st.text_len);
		g_assert_cmpstr(t, ==, status_cases[i].text);
		g_free(t);
	}
}

static const struct {
	const char *wire;   /* body after the status line */
	bool lf;
	const char *out;    /* decoded, or NULL when not DONE */
	size_t rest;        /* bytes left unconsumed after DONE */
} ml_cases[] = {
	{ ".\r\n", true, "", 0 },
	{ "a\r\nb\r\n.\r\n", true, "a\nb\n", 0 },
	{ "a\r\nb\r\n.\r\n", false, "a\r\nb\r\n", 0 },
	{ "..dot\r\n...\r\n.\r\n", true, ".dot\n..\n", 0 },
	{ "..\r\n.\r\n", true, ".\n", 0 },
	{ "a\r\n.\r\n+OK next\r\n", true, "a\n", 10 },
	{ "bare\rcr\r\n.\r\n", true, "bare\rcr\n", 0 },
	{ "x\r\r\n.\r\n", true, "x\r\n", 0 },
	{ "lf\n.\n", true, "lf\n", 0 },
	{ ".x\r\n.\r\n", true, "x\n", 0 },
	{ "\r\n\r\n.\r\n", true, "\n\n", 0 },
	{ "a.\r\n. \r\n.\r\n", true, "a.\n \n", 0 },
	{ "no end\r\n", true, NULL, 0 },
	{ "no end\r\n.", true, NULL, 0 },
	{ "no end\r\n.\r", true, NULL, 0 },
};

/* Feed wire split at every position (and byte by byte): same result. */
static void test_multiline(void)
{
	for (size_t c = 0; c < G_N_ELEMENTS(ml_cases); c++) {
		const char *w = ml_cases[c].wire;
		size_t len = strlen(w);
		for (size_t split = 0; split <= len + 1; split++) {
			struct pop3_ml m;
			pop3_ml_init(&m, 0, ml_cases[c].lf);
			size_t pos = 0, used;
			enum pop3_parse r = POP3_PARSE_NEED_MORE;
			while (pos < len && r == POP3_PARSE_NEED_MORE) {
				size_t chunk = split == len + 1 ? 1 : (pos < split ? split - pos : len - pos);
				r = pop3_ml_feed(&m, w + pos, chunk, &used);
				g_assert_cmpuint(used, <=, chunk);
				if (r == POP3_PARSE_NEED_MORE)
					g_assert_cmpuint(used, ==, chunk);
				pos += used;
			}
			if (ml_cases[c].out) {
				g_assert_cmpint(r, ==, POP3_PARSE_DONE);
				g_assert_cmpstr(m.out->str, ==, ml_cases[c].out);
				g_assert_cmpuint(len - pos, ==, ml_cases[c].rest);
			} else {
				g_assert_cmpint(r, ==, POP3_PARSE_NEED_MORE);
			}
			pop3_ml_clear(&m);
		}
	}
}

static void test_multiline_cap(void)
{
	struct pop3_ml m;
	size_t used;
	pop3_ml_init(&m, 10, true);
	g_assert_cmpint(pop3_ml_feed(&m, "0123456789", 10, &used), ==, POP3_PARSE_NEED_MORE);
	g_assert_cmpint(pop3_ml_feed(&m, "abcdef\r\n.\r\n", 11, &used), ==, POP3_PARSE_TOO_LONG);
	/* Once over the cap it stays stopped. */
	g_assert_cmpint(pop3_ml_feed(&m, ".\r\n", 3, &used), ==, POP3_PARSE_TOO_LONG);
	g_assert_cmpuint(used, ==, 0);
	pop3_ml_clear(&m);

	/* Exactly at the cap is fine. */
	pop3_ml_init(&m, 4, true);
	g_assert_cmpint(pop3_ml_feed(&m, "abc\r\n.\r\n", 8, &used), ==, POP3_PARSE_DONE);
	g_assert_cmpstr(m.out->str, ==, "abc\n");
	/* steal gives the body and starts a new one */
	GString *s = pop3_ml_steal(&m);
	g_assert_cmpstr(s->str, ==, "abc\n");
	g_string_free(s, TRUE);
	g_assert_cmpint(pop3_ml_feed(&m, ".\r\n", 3, &used), ==, POP3_PARSE_DONE);
	g_assert_cmpstr(m.out->str, ==, "");
	pop3_ml_clear(&m);
}

static void test_capa(void)
{
	const char *body = "CAPA\nTOP\nUIDL\nRESP-CODES\nPIPELINING\nAUTH-RESP-CODE\n"
			   "USER\nSASL PLAIN LOGIN\nSTLS\nEXPIRE NEVER\nLOGIN-DELAY 60\n"
			   "IMPLEMENTATION Dovecot\nX-UNKNOWN 1\n";
	struct pop3_caps c = { 0 };
	pop3_parse_capa(body, strlen(body), &c);
	g_assert_true(c.known && c.top && c.uidl && c.resp_codes && c.pipelining);
	g_assert_true(c.auth_resp_code && c.user && c.sasl_plain && c.stls);
	g_assert_cmpint(c.expire, ==, -1);
	g_assert_cmpint(c.login_delay, ==, 60);
	g_assert_cmpstr(c.sasl, ==, "PLAIN LOGIN");
	g_assert_cmpstr(c.implementation, ==, "Dovecot");
	pop3_caps_clear(&c);

	const char *small = "sasl cram-md5 plainx\r\nexpire 0\r\n";
	pop3_parse_capa(small, strlen(small), &c);
	g_assert_false(c.sasl_plain || c.uidl || c.stls || c.pipelining);
	g_assert_cmpint(c.expire, ==, 0);
	pop3_caps_clear(&c);
}

static const struct {
	const char *line;
	enum pop3_parse ret;
	unsigned num;
	const char *uid;
} uidl_cases[] = {
	{ "1 whqtswO00WBw418f9t5JxYwZ", POP3_PARSE_DONE, 1, "whqtswO00WBw418f9t5JxYwZ" },
	{ "12 000003e85f3a1b2c\r", POP3_PARSE_DONE, 12, "000003e85f3a1b2c" },
	{ "3  ~!x ", POP3_PARSE_DONE, 3, "~!x" },
	{ "0 abc", POP3_PARSE_SYNTAX, 0, NULL },
	{ "1", POP3_PARSE_SYNTAX, 0, NULL },
	{ "1 ", POP3_PARSE_SYNTAX, 0, NULL },
	{ "x abc", POP3_PARSE_SYNTAX, 0, NULL },
	{ "1 a b", POP3_PARSE_SYNTAX, 0, NULL },
	{ "1 caf\xc3\xa9", POP3_PARSE_SYNTAX, 0, NULL },
	{ "1 0123456789012345678901234567890123456789012345678901234567890123456789",
		POP3_PARSE_DONE, 1, "0123456789012345678901234567890123456789012345678901234567890123456789" },
	{ "1 01234567890123456789012345678901234567890123456789012345678901234567890",
		POP3_PARSE_SYNTAX, 0, NULL },
	{ "99999999999 abc", POP3_PARSE_SYNTAX, 0, NULL },
};

static void test_uidl(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(uidl_cases); i++) {
		unsigned num = 0;
		const char *uid;
		size_t ul;
		const char *l = uidl_cases[i].line;
		enum pop3_parse r = pop3_parse_uidl_line(l, strlen(l), &num, &uid, &ul);
		g_assert_cmpint(r, ==, uidl_cases[i].ret);
		if (r != POP3_PARSE_DONE)
			continue;
		g_assert_cmpuint(num, ==, uidl_cases[i].num);
		char *u = g_strndup(uid, ul);
		g_assert_cmpstr(u, ==, uidl_cases[i].uid);
		g_free(u);
	}
}

static void test_list(void)
{
	static const struct {
		const char *line;
		enum pop3_parse ret;
		unsigned num;
		uint64_t size;
	} cases[] = {
		{ "1 120", POP3_PARSE_DONE, 1, 120 },
		{ "7 0\r", POP3_PARSE_DONE, 7, 0 },
		{ "2 300 extra", POP3_PARSE_DONE, 2, 300 },
		{ "2 30x", POP3_PARSE_SYNTAX, 0, 0 },
		{ "2", POP3_PARSE_SYNTAX, 0, 0 },
		{ "-1 5", POP3_PARSE_SYNTAX, 0, 0 },
		{ "1 99999999999999999999999", POP3_PARSE_SYNTAX, 0, 0 },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		unsigned num = 0;
		uint64_t size = 0;
		enum pop3_parse r = pop3_parse_list_line(cases[i].line, strlen(cases[i].line), &num, &size);
		g_assert_cmpint(r, ==, cases[i].ret);
		if (r == POP3_PARSE_DONE) {
			g_assert_cmpuint(num, ==, cases[i].num);
			g_assert_cmpuint(size, ==, cases[i].size);
		}
	}
}

static void test_timestamp(void)
{
	static const struct {
		const char *text, *ts;
	} cases[] = {
		{ "POP3 server ready <1896.697170952@dbc.mtview.ca.us>", "<1896.697170952@dbc.mtview.ca.us>" },
		{ "Dovecot ready.", NULL },
		{ "ready <no-at-sign>", NULL },
		{ "ready <a@b", NULL },
		{ "ready <a b@c>", NULL },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		char *ts = pop3_greeting_timestamp(cases[i].text, strlen(cases[i].text));
		g_assert_cmpstr(ts, ==, cases[i].ts);
		g_free(ts);
	}
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/pop3/parse/status", test_status);
	g_test_add_func("/pop3/parse/multiline", test_multiline);
	g_test_add_func("/pop3/parse/multiline_cap", test_multiline_cap);
	g_test_add_func("/pop3/parse/capa", test_capa);
	g_test_add_func("/pop3/parse/uidl", test_uidl);
	g_test_add_func("/pop3/parse/list", test_list);
	g_test_add_func("/pop3/parse/timestamp", test_timestamp);
	return g_test_run();
}
