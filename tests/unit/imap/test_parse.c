/* test_parse.c - the IMAP response parser: framing across buffers,
 * values, response codes, caps, and malformed input. */
#include "imap/imap.h"

#include <glib.h>
#include <string.h>

/* Parse exactly one response from s; returns the result. */
static enum imap_parse_result parse1(const char *s, size_t len, const struct imap_limits *lim,
	struct imap_response **out)
{
	struct imap_parser p;
	size_t used = 0, need = 0;
	imap_parser_init(&p, lim);
	enum imap_parse_result r = imap_parse(&p, s, len, out, &used, &need);
	if (r == IMAP_PARSE_DONE)
		g_assert_cmpuint(used, ==, len);
	return r;
}

static struct imap_response *parse_ok_len(const char *s, size_t len)
{
	struct imap_response *r = NULL;
	enum imap_parse_result res = parse1(s, len, NULL, &r);
	if (res != IMAP_PARSE_DONE)
		g_error("parse of %s failed: %s", s, imap_parse_result_name(res));
	return r;
}

static struct imap_response *parse_ok(const char *s)
{
	return parse_ok_len(s, strlen(s));
}

/* ---- table: what kind of response each line is ----------------------- */

static const struct {
	const char *in;
	enum imap_parse_result res;
	enum imap_resp_kind kind;
	enum imap_cond cond;
	const char *name;
	size_t nargs;
	const char *text;
} lines[] = {
	{"* OK IMAP4rev1 ready\r\n", IMAP_PARSE_DONE, IMAP_RESP_UNTAGGED, IMAP_COND_OK, "OK", 0,
		"IMAP4rev1 ready"},
	{"a1 OK done\r\n", IMAP_PARSE_DONE, IMAP_RESP_TAGGED, IMAP_COND_OK, "OK", 0, "done"},
	{"a1 ok\r\n", IMAP_PARSE_DONE, IMAP_RESP_TAGGED, IMAP_COND_OK, "OK", 0, ""},
	{"a2 NO [TRYCREATE] no such mailbox\r\n", IMAP_PARSE_DONE, IMAP_RESP_TAGGED,
		IMAP_COND_NO, "NO", 0, "no such mailbox"},
	{"a3 BAD what\n", IMAP_PARSE_DONE, IMAP_RESP_TAGGED, IMAP_COND_BAD, "BAD", 0, "what"},
	{"* BYE bye\r\n", IMAP_PARSE_DONE, IMAP_RESP_UNTAGGED, IMAP_COND_BYE, "BYE", 0, "bye"},
	{"* PREAUTH hi\r\n", IMAP_PARSE_DONE, IMAP_RESP_UNTAGGED, IMAP_COND_PREAUTH, "PREAUTH",
		0, "hi"},
	{"+ go ahead\r\n", IMAP_PARSE_DONE, IMAP_RESP_CONTINUE, IMAP_COND_NONE, "", 0,
		"go ahead"},
	{"+\r\n", IMAP_PARSE_DONE, IMAP_RESP_CONTINUE, IMAP_COND_NONE, "", 0, ""},
	{"* 23 EXISTS\r\n", IMAP_PARSE_DONE, IMAP_RESP_UNTAGGED, IMAP_COND_NONE, "EXISTS", 0,
		""},
	{"* 5 expunge\r\n", IMAP_PARSE_DONE, IMAP_RESP_UNTAGGED, IMAP_COND_NONE, "EXPUNGE", 0,
		""},
	{"* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n", IMAP_PARSE_DONE,
		IMAP_RESP_UNTAGGED, IMAP_COND_NONE, "FLAGS", 1, ""},
	{"* SEARCH\r\n", IMAP_PARSE_DONE, IMAP_RESP_UNTAGGED, IMAP_COND_NONE, "SEARCH", 0, ""},
	{"* SEARCH 2 3 6\r\n", IMAP_PARSE_DONE, IMAP_RESP_UNTAGGED, IMAP_COND_NONE, "SEARCH", 3,
		""},
	{"* LIST () NIL \"\"\r\n", IMAP_PARSE_DONE, IMAP_RESP_UNTAGGED, IMAP_COND_NONE, "LIST",
		3, ""},
	{"* 1 FETCH (BODY[HEADER.FIELDS (FROM SUBJECT)] {0}\r\n)\r\n", IMAP_PARSE_DONE,
		IMAP_RESP_UNTAGGED, IMAP_COND_NONE, "FETCH", 1, ""},
	/* malformed: every one must fail cleanly */
	{"\r\n", IMAP_PARSE_ERR_SYNTAX, 0, 0, NULL, 0, NULL},
	{"*\r\n", IMAP_PARSE_ERR_SYNTAX, 0, 0, NULL, 0, NULL},
	{"* \r\n", IMAP_PARSE_ERR_SYNTAX, 0, 0, NULL, 0, NULL},
	{"a1\r\n", IMAP_PARSE_ERR_SYNTAX, 0, 0, NULL, 0, NULL},
	{"a1 FETCH x\r\n", IMAP_PARSE_ERR_SYNTAX, 0, 0, NULL, 0, NULL},
	{"a1 PREAUTH x\r\n", IMAP_PARSE_ERR_SYNTAX, 0, 0, NULL, 0, NULL},
	{"* 1 FETCH (UID 1\r\n", IMAP_PARSE_ERR_SYNTAX, 0, 0, NULL, 0, NULL},
	{"* 1 FETCH UID 1)\r\n", IMAP_PARSE_ERR_SYNTAX, 0, 0, NULL, 0, NULL},
	{"* LIST (\\Noselect) \"/ \"foo\r\n", IMAP_PARSE_ERR_SYNTAX, 0, 0, NULL, 0, NULL},
	{"* LIST () \"/\" \"unterminated\r\n", IMAP_PARSE_ERR_SYNTAX, 0, 0, NULL, 0, NULL},
	{"* LIST () \"/\" \"bad \\x escape\"\r\n", IMAP_PARSE_ERR_SYNTAX, 0, 0, NULL, 0, NULL},
	{"* OK [UIDNEXT abc] x\r\n", IMAP_PARSE_ERR_SYNTAX, 0, 0, NULL, 0, NULL},
	{"* OK [UIDNEXT 5 x\r\n", IMAP_PARSE_ERR_SYNTAX, 0, 0, NULL, 0, NULL},
	{"* OK [] x\r\n", IMAP_PARSE_ERR_SYNTAX, 0, 0, NULL, 0, NULL},
	{"* OK [COPYUID 1 2] x\r\n", IMAP_PARSE_ERR_SYNTAX, 0, 0, NULL, 0, NULL},
	{"* 99999999999 EXISTS\r\n", IMAP_PARSE_ERR_SYNTAX, 0, 0, NULL, 0, NULL},
	{"* 1 FETCH (BODY[1 {3}\r\nabc)\r\n", IMAP_PARSE_ERR_SYNTAX, 0, 0, NULL, 0, NULL},
	{"* 1 FETCH (X {abc}\r\n", IMAP_PARSE_ERR_SYNTAX, 0, 0, NULL, 0, NULL},
	{"* 1 FETCH (X ~x)\r\n", IMAP_PARSE_DONE, IMAP_RESP_UNTAGGED, IMAP_COND_NONE, "FETCH",
		1, ""},
	{"* 1 FETCH (X \"a\"\"b\")\r\n", IMAP_PARSE_ERR_SYNTAX, 0, 0, NULL, 0, NULL},
	{"* STATUS x (MESSAGES 1))\r\n", IMAP_PARSE_ERR_SYNTAX, 0, 0, NULL, 0, NULL},
	{"* X a\x01b\r\n", IMAP_PARSE_ERR_SYNTAX, 0, 0, NULL, 0, NULL},
};

static void test_lines(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(lines); i++) {
		struct imap_response *r = NULL;
		enum imap_parse_result res = parse1(lines[i].in, strlen(lines[i].in), NULL, &r);
		if (res != lines[i].res)
			g_error("line %zu (%s): got %s, want %s", i, lines[i].in,
				imap_parse_result_name(res), imap_parse_result_name(lines[i].res));
		if (res != IMAP_PARSE_DONE) {
			g_assert_null(r);
			continue;
		}
		g_assert_cmpint(r->kind, ==, lines[i].kind);
		g_assert_cmpint(r->cond, ==, lines[i].cond);
		g_assert_cmpstr(r->name, ==, lines[i].name);
		g_assert_cmpuint(r->nargs, ==, lines[i].nargs);
		g_assert_cmpstr(r->text, ==, lines[i].text);
		imap_response_free(r);
	}
}

/* ---- framing across buffers ------------------------------------------ */

/* Feed s in pieces of at most step bytes; expect exactly one response. */
static struct imap_response *feed_in_steps(const char *s, size_t len, size_t step)
{
	struct imap_parser p;
	imap_parser_init(&p, NULL);
	struct imap_response *r = NULL;
	size_t have = 0, used = 0, need = 0;
	for (;;) {
		have = have + step > len ? len : have + step;
		enum imap_parse_result res = imap_parse(&p, s, have, &r, &used, &need);
		if (res == IMAP_PARSE_DONE)
			break;
		g_assert_cmpint(res, ==, IMAP_PARSE_MORE);
		g_assert_cmpuint(have, <, len);
	}
	g_assert_cmpuint(used, ==, len);
	return r;
}

static void test_split_literals(void)
{
	static const char resp[] = "* 12 FETCH (UID 7 BODY[1]<0> {11}\r\nhello\r\nworl"
				   " BINARY[2] ~{4}\r\n\0a)b BODY[TEXT] {0}\r\n FLAGS (\\Seen))\r\n";
	size_t len = sizeof resp - 1;
	for (size_t step = 1; step <= len; step++) {
		struct imap_response *r = feed_in_steps(resp, len, step);
		struct imap_msg m;
		g_assert_true(imap_fetch_decode(r, &m));
		g_assert_cmpuint(m.seq, ==, 12);
		g_assert_cmpuint(m.uid, ==, 7);
		g_assert_cmpuint(m.n_sections, ==, 3);
		const struct imap_section_data *sd = imap_msg_section(&m, "1");
		g_assert_nonnull(sd);
		g_assert_true(sd->has_origin);
		g_assert_cmpuint(sd->origin, ==, 0);
		g_assert_cmpuint(sd->len, ==, 11);
		g_assert_cmpmem(sd->data, sd->len, "hello\r\nworl", 11);
		sd = imap_msg_section(&m, "2");
		g_assert_true(sd->binary);
		g_assert_cmpmem(sd->data, sd->len, "\0a)b", 4);
		sd = imap_msg_section(&m, "TEXT");
		g_assert_cmpuint(sd->len, ==, 0);
		g_assert_true(m.flag_bits & IMAP_FLAG_SEEN);
		imap_response_free(r);
	}
}

static void test_need_hint(void)
{
	static const char resp[] = "* 1 FETCH (BODY[] {10}\r\n0123456789)\r\n";
	struct imap_parser p;
	struct imap_response *r;
	size_t used, need;
	imap_parser_init(&p, NULL);
	/* The line announcing the literal, nothing of it yet. */
	size_t hdr = strlen("* 1 FETCH (BODY[] {10}\r\n");
	g_assert_cmpint(imap_parse(&p, resp, hdr - 1, &r, &used, &need), ==, IMAP_PARSE_MORE);
	g_assert_cmpuint(need, ==, 0);
	g_assert_cmpint(imap_parse(&p, resp, hdr, &r, &used, &need), ==, IMAP_PARSE_MORE);
	g_assert_cmpuint(need, ==, 10);
	g_assert_cmpint(imap_parse(&p, resp, hdr + 4, &r, &used, &need), ==, IMAP_PARSE_MORE);
	g_assert_cmpuint(need, ==, 6);
	g_assert_cmpint(imap_parse(&p, resp, hdr + 10, &r, &used, &need), ==, IMAP_PARSE_MORE);
	g_assert_cmpuint(need, ==, 0);
	g_assert_cmpint(imap_parse(&p, resp, strlen(resp), &r, &used, &need), ==,
		IMAP_PARSE_DONE);
	imap_response_free(r);
}

static void test_two_responses_one_buffer(void)
{
	static const char buf[] = "* 3 EXISTS\r\n* 1 RECENT\r\na1 OK [READ-WRITE] x\r\n";
	struct imap_parser p;
	imap_parser_init(&p, NULL);
	const char *names[] = {"EXISTS", "RECENT", "OK"};
	size_t off = 0;
	for (int i = 0; i < 3; i++) {
		struct imap_response *r;
		size_t used, need;
		g_assert_cmpint(imap_parse(&p, buf + off, strlen(buf) - off, &r, &used, &need), ==,
			IMAP_PARSE_DONE);
		g_assert_cmpstr(r->name, ==, names[i]);
		off += used;
		imap_response_free(r);
	}
	g_assert_cmpuint(off, ==, strlen(buf));
}

/* ---- limits ----------------------------------------------------------- */

static void test_limits(void)
{
	struct imap_limits lim = {.max_line = 64, .max_literal = 8, .max_depth = 4,
		.max_items = 10};
	struct imap_response *r = NULL;
	const char *deep_ok = "* X ((((a))))\r\n";
	const char *deep_bad = "* X (((((a)))))\r\n";
	g_assert_cmpint(parse1(deep_ok, strlen(deep_ok), &lim, &r), ==, IMAP_PARSE_DONE);
	imap_response_free(r);
	g_assert_cmpint(parse1(deep_bad, strlen(deep_bad), &lim, &r), ==, IMAP_PARSE_ERR_DEPTH);
	const char *many = "* X 1 2 3 4 5 6 7 8 9 10 11\r\n";
	g_assert_cmpint(parse1(many, strlen(many), &lim, &r), ==, IMAP_PARSE_ERR_ITEMS);
	const char *lit = "* X {9}\r\n123456789\r\n";
	g_assert_cmpint(parse1(lit, strlen(lit), &lim, &r), ==, IMAP_PARSE_ERR_LITERAL);
	const char *huge = "* X {99999999999999999999}\r\n";
	g_assert_cmpint(parse1(huge, strlen(huge), &lim, &r), ==, IMAP_PARSE_ERR_LITERAL);
	/* A long line fails even before its end arrives. */
	char longline[200];
	memset(longline, 'a', sizeof longline);
	g_assert_cmpint(parse1(longline, sizeof longline, &lim, &r), ==, IMAP_PARSE_ERR_LINE);

	/* 100000 open parens with default limits: a clean error, no stack overflow. */
	GString *s = g_string_new("* X ");
	for (int i = 0; i < 100000; i++)
		g_string_append_c(s, '(');
	g_string_append(s, "\r\n");
	g_assert_cmpint(parse1(s->str, s->len, NULL, &r), ==, IMAP_PARSE_ERR_DEPTH);
	g_string_free(s, TRUE);
}

/* ---- values and NIL ---------------------------------------------------- */

static void test_values(void)
{
	static const char in[] = "* X atom \"q \\\"x\\\" \\\\\" NIL nil (a (b NIL) \"\") {3+}\r\n"
				 "l\"t ~{2}\r\n\0\1 \"Thư mục\"\r\n";
	struct imap_response *r = parse_ok_len(in, sizeof in - 1);
	g_assert_cmpuint(r->nargs, ==, 8);
	const struct imap_value *a = r->args;
	g_assert_cmpint(a[0].type, ==, IMAP_VALUE_ATOM);
	g_assert_cmpstr(a[0].str, ==, "atom");
	g_assert_cmpint(a[1].type, ==, IMAP_VALUE_STRING);
	g_assert_cmpstr(a[1].str, ==, "q \"x\" \\");
	g_assert_cmpint(a[2].type, ==, IMAP_VALUE_NIL);
	g_assert_cmpint(a[3].type, ==, IMAP_VALUE_NIL);
	g_assert_cmpint(a[4].type, ==, IMAP_VALUE_LIST);
	g_assert_cmpuint(a[4].n, ==, 3);
	g_assert_cmpint(a[4].items[1].items[1].type, ==, IMAP_VALUE_NIL);
	g_assert_cmpstr(a[4].items[2].str, ==, "");
	g_assert_cmpint(a[5].flags, ==, IMAP_VALUE_LITERAL);
	g_assert_cmpstr(a[5].str, ==, "l\"t");
	g_assert_cmpint(a[6].flags, ==, IMAP_VALUE_LITERAL | IMAP_VALUE_BINARY);
	g_assert_cmpmem(a[6].str, a[6].len, "\0\1", 2);
	g_assert_cmpstr(imap_value_str(&a[7]), ==, "Thư mục");
	g_assert_null(imap_value_str(&a[2]));
	g_assert_true(imap_value_is(&a[0], "ATOM"));
	imap_response_free(r);

	uint32_t u;
	uint64_t u64;
	struct imap_value v = {.type = IMAP_VALUE_ATOM, .str = "4294967296", .len = 10};
	g_assert_false(imap_value_u32(&v, &u));
	g_assert_true(imap_value_u64(&v, &u64));
	g_assert_cmpuint(u64, ==, 4294967296ull);
	v.str = "12a";
	v.len = 3;
	g_assert_false(imap_value_u64(&v, &u64));
}

/* ---- response codes ----------------------------------------------------- */

static void test_codes(void)
{
	static const struct {
		const char *in;
		enum imap_code_kind kind;
		uint64_t number;
		const char *set1, *set2;
		size_t nargs;
	} codes[] = {
		{"* OK [UIDVALIDITY 3857529045] x\r\n", IMAP_CODE_UIDVALIDITY, 3857529045u, NULL, NULL, 0},
		{"* OK [UIDNEXT 4392] x\r\n", IMAP_CODE_UIDNEXT, 4392, NULL, NULL, 0},
		{"* OK [UNSEEN 12] x\r\n", IMAP_CODE_UNSEEN, 12, NULL, NULL, 0},
		{"* OK [HIGHESTMODSEQ 715194045007] x\r\n", IMAP_CODE_HIGHESTMODSEQ,
			715194045007ull, NULL, NULL, 0},
		{"* OK [NOMODSEQ] x\r\n", IMAP_CODE_NOMODSEQ, 0, NULL, NULL, 0},
		{"a OK [READ-WRITE] SELECT completed\r\n", IMAP_CODE_READ_WRITE, 0, NULL, NULL, 0},
		{"a OK [READ-ONLY] EXAMINE completed\r\n", IMAP_CODE_READ_ONLY, 0, NULL, NULL, 0},
		{"a OK [APPENDUID 38505 3955] APPEND completed\r\n", IMAP_CODE_APPENDUID, 38505,
			"3955", NULL, 2},
		{"a OK [COPYUID 38505 304,319:320 3956:3958] Done\r\n", IMAP_CODE_COPYUID, 38505,
			"304,319:320", "3956:3958", 3},
		{"* OK [CLOSED] Previous mailbox closed\r\n", IMAP_CODE_CLOSED, 0, NULL, NULL, 0},
		{"* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] Limited\r\n",
			IMAP_CODE_PERMANENTFLAGS, 0, NULL, NULL, 3},
		{"* OK [CAPABILITY IMAP4rev1 IDLE AUTH=PLAIN] ready\r\n", IMAP_CODE_CAPABILITY, 0,
			NULL, NULL, 3},
		{"* NO [ALERT] disk full\r\n", IMAP_CODE_ALERT, 0, NULL, NULL, 0},
		{"a NO [AUTHENTICATIONFAILED] Authentication failed.\r\n", IMAP_CODE_OTHER, 0, NULL, NULL, 0},
		{"* OK [X-WEIRD \"a]b\" {x] ok\r\n", IMAP_CODE_OTHER, 0, NULL, NULL, 0},
		{"* OK [MODIFIED 7,9] Conditional STORE failed\r\n", IMAP_CODE_MODIFIED, 0, "7,9",
			NULL, 1},
	};
	for (size_t i = 0; i < G_N_ELEMENTS(codes); i++) {
		struct imap_response *r = parse_ok(codes[i].in);
		g_assert_cmpint(r->code.kind, ==, codes[i].kind);
		g_assert_cmpuint(r->code.number, ==, codes[i].number);
		g_assert_cmpstr(r->code.set1, ==, codes[i].set1);
		g_assert_cmpstr(r->code.set2, ==, codes[i].set2);
		if (codes[i].nargs) /* 0: not checked */
			g_assert_cmpuint(r->code.nargs, ==, codes[i].nargs);
		imap_response_free(r);
	}
	struct imap_response *r = parse_ok("* OK [X-WEIRD \"a]b\" {x] ok\r\n");
	g_assert_cmpstr(r->code.name, ==, "X-WEIRD");
	g_assert_cmpstr(r->code.raw, ==, "\"a]b\" {x");
	g_assert_cmpstr(r->text, ==, "ok");
	imap_response_free(r);
}

static void test_caps(void)
{
	struct imap_response *r = parse_ok(
		"* CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT "
		"THREAD=REFERENCES LITERAL+ AUTH=PLAIN auth=login STARTTLS LOGINDISABLED\r\n");
	uint64_t c = imap_caps_decode(r);
	g_assert_true(c & IMAP_CAP_IMAP4REV1);
	g_assert_true(c & IMAP_CAP_SASL_IR);
	g_assert_true(c & IMAP_CAP_AUTH_PLAIN);
	g_assert_true(c & IMAP_CAP_LITERALPLUS);
	g_assert_true(c & IMAP_CAP_LOGINDISABLED);
	g_assert_false(c & IMAP_CAP_MOVE);
	imap_response_free(r);
	r = parse_ok("* ENABLED CONDSTORE QRESYNC\r\n");
	g_assert_cmphex(imap_caps_decode(r), ==, IMAP_CAP_CONDSTORE | IMAP_CAP_QRESYNC);
	imap_response_free(r);
	r = parse_ok("a1 OK [CAPABILITY IMAP4rev1 MOVE UIDPLUS] Logged in\r\n");
	g_assert_cmphex(imap_caps_decode(r), ==,
		IMAP_CAP_IMAP4REV1 | IMAP_CAP_MOVE | IMAP_CAP_UIDPLUS);
	imap_response_free(r);
	g_assert_cmpstr(imap_cap_name(IMAP_CAP_UTF8_ACCEPT), ==, "UTF8=ACCEPT");
}

/* ---- FETCH ------------------------------------------------------------- */

static void test_envelope_nil(void)
{
	struct imap_response *r = parse_ok(
		"* 3 FETCH (UID 42 FLAGS (\\Seen $Forwarded Junk) INTERNALDATE "
		"\"17-Jul-1996 02:44:25 -0700\" RFC822.SIZE 4286 MODSEQ (12121231000) "
		"ENVELOPE (\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" "
		"\"=?utf-8?B?VGjGsCBt4bulYw==?=\" "
		"((\"=?utf-8?Q?Nguy=E1=BB=85n?=\" NIL \"an\" \"example.vn\")) NIL NIL "
		"((NIL NIL \"group\" NIL)(\"B\" NIL \"b\" \"x.org\")(NIL NIL NIL NIL)) "
		"NIL NIL NIL \"<B27397-0100000@cac.washington.edu>\"))\r\n");
	struct imap_msg m;
	g_assert_true(imap_fetch_decode(r, &m));
	g_assert_cmpuint(m.uid, ==, 42);
	g_assert_cmpuint(m.n_flags, ==, 3);
	g_assert_cmpuint(m.flag_bits, ==, IMAP_FLAG_SEEN | IMAP_FLAG_FORWARDED);
	g_assert_cmpstr(m.flags[2], ==, "Junk");
	g_assert_cmpint(m.internaldate_t, ==, 837596665);
	g_assert_cmpuint(m.size, ==, 4286);
	g_assert_cmpuint(m.modseq, ==, 12121231000ull);
	g_assert_cmpuint(m.have, ==,
		IMAP_FETCH_UID | IMAP_FETCH_FLAGS | IMAP_FETCH_INTERNALDATE | IMAP_FETCH_SIZE |
			IMAP_FETCH_MODSEQ | IMAP_FETCH_ENVELOPE);
	const struct imap_envelope *e = m.envelope;
	/* RFC 2047 words stay raw: decoding is the MIME layer's job. */
	g_assert_cmpstr(e->subject, ==, "=?utf-8?B?VGjGsCBt4bulYw==?=");
	g_assert_cmpuint(e->n_from, ==, 1);
	g_assert_cmpstr(e->from[0].name, ==, "=?utf-8?Q?Nguy=E1=BB=85n?=");
	g_assert_null(e->from[0].adl);
	g_assert_cmpstr(e->from[0].host, ==, "example.vn");
	g_assert_null(e->sender);
	g_assert_cmpuint(e->n_sender, ==, 0);
	g_assert_cmpuint(e->n_to, ==, 3);
	g_assert_null(e->to[0].host); /* group start */
	g_assert_null(e->to[2].mailbox);
	g_assert_null(e->cc);
	g_assert_null(e->in_reply_to);
	g_assert_cmpstr(e->message_id, ==, "<B27397-0100000@cac.washington.edu>");
	imap_response_free(r);

	/* Everything NIL. */
	r = parse_ok("* 1 FETCH (ENVELOPE (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL))\r\n");
	g_assert_true(imap_fetch_decode(r, &m));
	g_assert_null(m.envelope->date);
	g_assert_null(m.envelope->subject);
	g_assert_null(m.envelope->message_id);
	imap_response_free(r);

	static const char *bad[] = {
		"* 1 FETCH (ENVELOPE (NIL NIL))\r\n",
		"* 1 FETCH (ENVELOPE (NIL NIL ((NIL NIL)) NIL NIL NIL NIL NIL NIL NIL))\r\n",
		"* 1 FETCH (UID x)\r\n",
		"* 1 FETCH (UID)\r\n",
		"* 1 FETCH (FLAGS \\Seen)\r\n",
		"* 1 FETCH (FLAGS (\"x\"))\r\n",
		"* 1 FETCH (MODSEQ 5)\r\n",
		"* 1 FETCH (BODY[1]<x> \"a\")\r\n",
		"* 1 FETCH (BODY[1] (a))\r\n",
		"* 1 FETCH (BODYSTRUCTURE NIL)\r\n",
		"* 1 FETCH (BODYSTRUCTURE (\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 12))\r\n",
		"* 1 FETCH (BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1)))\r\n",
		"* FETCH (UID 1)\r\n",
		"* 1 FETCH UID 1\r\n",
	};
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		r = parse_ok(bad[i]);
		if (imap_fetch_decode(r, &m))
			g_error("decoded malformed %s", bad[i]);
		imap_response_free(r);
	}
}

static void test_bodystructure(void)
{
	/* multipart/mixed: text/plain, message/rfc822 (itself multipart/alternative
	 * with text and html), application/pdf attachment. */
	struct imap_response *r = parse_ok(
		"* 9 FETCH (UID 9 BODYSTRUCTURE ("
		"(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"utf-8\") NIL NIL \"QUOTED-PRINTABLE\" 120 4 "
		"NIL NIL NIL NIL)"
		"(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 900 "
		"(NIL \"inner\" NIL NIL NIL NIL NIL NIL NIL NIL) "
		"((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 10 1 NIL NIL NIL "
		"NIL)(\"TEXT\" \"HTML\" NIL NIL NIL \"7BIT\" 20 1) \"ALTERNATIVE\" (\"BOUNDARY\" "
		"\"b2\") NIL NIL) 30 NIL (\"inline\" NIL) NIL NIL)"
		"(\"APPLICATION\" \"PDF\" (\"NAME\" \"=?utf-8?B?w6E=?=.pdf\") \"<id@x>\" NIL "
		"\"BASE64\" 5242880 NIL (\"attachment\" (\"FILENAME\" \"a.pdf\")) (\"vi\" \"en\") "
		"\"loc\")"
		" \"MIXED\" (\"BOUNDARY\" \"b1\") NIL NIL NIL))\r\n");
	struct imap_msg m;
	g_assert_true(imap_fetch_decode(r, &m));
	const struct imap_body *b = m.body;
	g_assert_cmpstr(b->type, ==, "MULTIPART");
	g_assert_cmpstr(b->subtype, ==, "MIXED");
	g_assert_cmpstr(b->section, ==, "");
	g_assert_cmpuint(b->n_parts, ==, 3);
	g_assert_cmpuint(b->n_params, ==, 1);
	g_assert_cmpstr(b->params[0].value, ==, "b1");

	const struct imap_body *t = &b->parts[0];
	g_assert_cmpstr(t->section, ==, "1");
	g_assert_cmpstr(t->params[0].value, ==, "utf-8");
	g_assert_cmpuint(t->size, ==, 120);
	g_assert_cmpuint(t->lines, ==, 4);
	g_assert_cmpstr(t->encoding, ==, "QUOTED-PRINTABLE");

	const struct imap_body *msg = &b->parts[1];
	g_assert_cmpstr(msg->section, ==, "2");
	g_assert_cmpstr(msg->envelope->subject, ==, "inner");
	g_assert_cmpuint(msg->lines, ==, 30);
	g_assert_cmpstr(msg->disposition, ==, "inline");
	const struct imap_body *alt = msg->message;
	g_assert_cmpstr(alt->subtype, ==, "ALTERNATIVE");
	g_assert_cmpuint(alt->n_parts, ==, 2);
	g_assert_cmpstr(alt->parts[0].section, ==, "2.1");
	g_assert_cmpstr(alt->parts[1].section, ==, "2.2");
	g_assert_cmpstr(alt->parts[1].subtype, ==, "HTML");
	g_assert_null(alt->parts[1].params);

	const struct imap_body *pdf = &b->parts[2];
	g_assert_cmpstr(pdf->section, ==, "3");
	g_assert_cmpuint(pdf->size, ==, 5242880);
	g_assert_cmpstr(pdf->id, ==, "<id@x>");
	g_assert_cmpstr(pdf->disposition, ==, "attachment");
	g_assert_cmpstr(pdf->disp_params[0].value, ==, "a.pdf");
	g_assert_cmpstr(pdf->params[0].value, ==, "=?utf-8?B?w6E=?=.pdf");
	g_assert_cmpstr(pdf->language, ==, "vi");
	g_assert_cmpstr(pdf->location, ==, "loc");
	imap_response_free(r);

	/* A single part is section 1; a message/rfc822 with a single body is N.1. */
	r = parse_ok("* 1 FETCH (BODY (\"TEXT\" \"PLAIN\" NIL NIL NIL \"8BIT\" 3 1))\r\n");
	g_assert_true(imap_fetch_decode(r, &m));
	g_assert_cmpstr(m.body->section, ==, "1");
	g_assert_null(m.body->md5);
	imap_response_free(r);
	r = parse_ok("* 1 FETCH (BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" NIL NIL NIL \"8BIT\" 3 1)"
		     "(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 9 (NIL NIL NIL NIL NIL NIL NIL "
		     "NIL NIL NIL) (\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 2 1) 3) \"MIXED\"))\r\n");
	g_assert_true(imap_fetch_decode(r, &m));
	g_assert_cmpstr(m.body->parts[1].message->section, ==, "2.1");
	imap_response_free(r);
}

/* ---- LIST, STATUS, SEARCH, VANISHED ------------------------------------ */

static void test_list(void)
{
	static const struct {
		const char *in;
		unsigned attrs;
		char delim;
		const char *raw, *name;
	} rows[] = {
		{"* LIST (\\HasNoChildren \\Sent) \"/\" Sent\r\n", IMAP_MBX_HASNOCHILDREN | IMAP_MBX_SENT,
			'/', "Sent", "Sent"},
		{"* LIST (\\HasNoChildren) \".\" \"Th&AbA- m&HuU-c\"\r\n", IMAP_MBX_HASNOCHILDREN,
			'.', "Th&AbA- m&HuU-c", "Thư mục"},
		{"* LIST (\\Noselect \\HasChildren) NIL \"\"\r\n",
			IMAP_MBX_NOSELECT | IMAP_MBX_HASCHILDREN, 0, "", ""},
		{"* LSUB () \"/\" inbox\r\n", 0, '/', "inbox", "INBOX"},
		{"* LIST (\\Junk \\Trash \\Drafts \\Archive \\All \\Flagged) \"/\" {3}\r\nJ&K\r\n",
			IMAP_MBX_JUNK | IMAP_MBX_TRASH | IMAP_MBX_DRAFTS | IMAP_MBX_ARCHIVE |
				IMAP_MBX_ALL | IMAP_MBX_FLAGGED,
			'/', "J&K", NULL},
		{"* LIST (\\NonExistent) \"/\" NIL\r\n", IMAP_MBX_NONEXISTENT | IMAP_MBX_NOSELECT, '/',
			"NIL", "NIL"},
		{"* LIST (\\Subscribed) \"/\" \"a\" (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n",
			IMAP_MBX_SUBSCRIBED, '/', "a", "a"},
	};
	for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
		struct imap_response *r = parse_ok(rows[i].in);
		struct imap_list l;
		g_assert_true(imap_list_decode(r, false, &l));
		g_assert_cmphex(l.attrs, ==, rows[i].attrs);
		g_assert_cmpint(l.delim, ==, rows[i].delim);
		g_assert_cmpstr(l.raw_name, ==, rows[i].raw);
		g_assert_cmpstr(l.name, ==, rows[i].name);
		imap_response_free(r);
	}
	/* UTF8=ACCEPT: the name is UTF-8 as is, "&" is just "&". */
	struct imap_response *r = parse_ok("* LIST () \"/\" \"Thư mục & co\"\r\n");
	struct imap_list l;
	g_assert_true(imap_list_decode(r, true, &l));
	g_assert_cmpstr(l.name, ==, "Thư mục & co");
	imap_response_free(r);
	static const char *bad[] = {
		"* LIST \\Noselect \"/\" a\r\n",
		"* LIST () \"//\" a\r\n",
		"* LIST () \"/\"\r\n",
		"* LIST ((x)) \"/\" a\r\n",
		"* LIST () \"/\" (a)\r\n",
	};
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		r = parse_ok(bad[i]);
		g_assert_false(imap_list_decode(r, false, &l));
		imap_response_free(r);
	}
}

static void test_status(void)
{
	struct imap_response *r = parse_ok(
		"* STATUS \"Th&AbA- m&HuU-c\" (MESSAGES 231 UIDNEXT 44292 UNSEEN 3 UIDVALIDITY 7 "
		"HIGHESTMODSEQ 90060115205545359 RECENT 0 SIZE 12)\r\n");
	struct imap_mbox_status s;
	g_assert_true(imap_status_decode(r, false, &s));
	g_assert_cmpstr(s.name, ==, "Thư mục");
	g_assert_cmpuint(s.messages, ==, 231);
	g_assert_cmpuint(s.uidnext, ==, 44292);
	g_assert_cmpuint(s.unseen, ==, 3);
	g_assert_cmpuint(s.uidvalidity, ==, 7);
	g_assert_cmpuint(s.highestmodseq, ==, 90060115205545359ull);
	g_assert_cmphex(s.have, ==, 0x3f);
	imap_response_free(r);
	r = parse_ok("* STATUS INBOX (MESSAGES x)\r\n");
	g_assert_false(imap_status_decode(r, false, &s));
	imap_response_free(r);
	r = parse_ok("* STATUS INBOX (MESSAGES)\r\n");
	g_assert_false(imap_status_decode(r, false, &s));
	imap_response_free(r);
}

static void test_search(void)
{
	struct imap_search s;
	struct imap_response *r = parse_ok("* SEARCH 2 84 882 (MODSEQ 917162500)\r\n");
	g_assert_true(imap_search_decode(r, &s));
	g_assert_false(s.esearch);
	g_assert_cmpuint(s.n_nums, ==, 3);
	g_assert_cmpuint(s.nums[2], ==, 882);
	g_assert_cmpuint(s.modseq, ==, 917162500);
	imap_response_free(r);

	r = parse_ok("* ESEARCH (TAG \"A285\") UID MIN 7 MAX 3800 COUNT 4 ALL 7,10:12\r\n");
	g_assert_true(imap_search_decode(r, &s));
	g_assert_true(s.esearch);
	g_assert_true(s.uid);
	g_assert_cmpstr(s.tag, ==, "A285");
	g_assert_true(s.has_min && s.has_max && s.has_count);
	g_assert_cmpuint(s.min, ==, 7);
	g_assert_cmpuint(s.max, ==, 3800);
	g_assert_cmpuint(s.count, ==, 4);
	g_assert_cmpstr(s.all, ==, "7,10:12");
	imap_response_free(r);

	r = parse_ok("* ESEARCH (TAG \"a\")\r\n");
	g_assert_true(imap_search_decode(r, &s));
	g_assert_null(s.all);
	g_assert_false(s.has_count);
	imap_response_free(r);

	static const char *bad[] = {"* SEARCH 1 x\r\n", "* ESEARCH (TAG) UID\r\n",
		"* ESEARCH UID COUNT\r\n", "* ESEARCH MIN x\r\n", "* SEARCH (MODSEQ 1) 2\r\n"};
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		r = parse_ok(bad[i]);
		if (imap_search_decode(r, &s))
			g_error("decoded malformed %s", bad[i]);
		imap_response_free(r);
	}
}

static void test_vanished(void)
{
	bool earlier;
	const char *set;
	struct imap_response *r = parse_ok("* VANISHED (EARLIER) 300:310,405,411\r\n");
	g_assert_true(imap_vanished_decode(r, &earlier, &set));
	g_assert_true(earlier);
	g_assert_cmpstr(set, ==, "300:310,405,411");
	imap_response_free(r);
	r = parse_ok("* VANISHED 5\r\n");
	g_assert_true(imap_vanished_decode(r, &earlier, &set));
	g_assert_false(earlier);
	imap_response_free(r);
	r = parse_ok("* VANISHED (LATER) 5\r\n");
	g_assert_false(imap_vanished_decode(r, &earlier, &set));
	imap_response_free(r);
}

/* ---- sequence sets ----------------------------------------------------- */

static void test_seqset(void)
{
	struct imap_range *rg;
	size_t n;
	g_assert_true(imap_seqset_parse("1:4,7,*:9,12", 10, &rg, &n));
	g_assert_cmpuint(n, ==, 4);
	g_assert_cmpuint(rg[0].lo, ==, 1);
	g_assert_cmpuint(rg[0].hi, ==, 4);
	g_assert_cmpuint(rg[2].lo, ==, 9);
	g_assert_cmpuint(rg[2].hi, ==, UINT32_MAX);
	g_free(rg);
	static const char *bad[] = {"", ",", "1,", "0", "1:", "a", "1:2:3", "4294967296", "1 2"};
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
		g_assert_false(imap_seqset_parse(bad[i], 10, &rg, &n));
	g_assert_false(imap_seqset_parse("1,2,3", 2, &rg, &n));

	uint32_t uids[] = {9, 1, 2, 3, 3, 7, 10, 12};
	char *s = imap_seqset_format(uids, G_N_ELEMENTS(uids));
	g_assert_cmpstr(s, ==, "1:3,7,9:10,12");
	g_free(s);
	s = imap_seqset_format(NULL, 0);
	g_assert_cmpstr(s, ==, "");
	g_free(s);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/imap/parse/lines", test_lines);
	g_test_add_func("/imap/parse/split-literals", test_split_literals);
	g_test_add_func("/imap/parse/need-hint", test_need_hint);
	g_test_add_func("/imap/parse/two-in-one-buffer", test_two_responses_one_buffer);
	g_test_add_func("/imap/parse/limits", test_limits);
	g_test_add_func("/imap/parse/values", test_values);
	g_test_add_func("/imap/parse/codes", test_codes);
	g_test_add_func("/imap/parse/caps", test_caps);
	g_test_add_func("/imap/fetch/envelope-nil", test_envelope_nil);
	g_test_add_func("/imap/fetch/bodystructure", test_bodystructure);
	g_test_add_func("/imap/decode/list", test_list);
	g_test_add_func("/imap/decode/status", test_status);
	g_test_add_func("/imap/decode/search", test_search);
	g_test_add_func("/imap/decode/vanished", test_vanished);
	g_test_add_func("/imap/seqset", test_seqset);
	return g_test_run();
}
