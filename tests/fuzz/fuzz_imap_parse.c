/* fuzz_imap_parse.c - libFuzzer harness for the IMAP response parser,
 * its typed decoders and modified UTF-7.  Checks that feeding the same
 * bytes whole or in small pieces gives the same responses (framing is
 * resumable), that every decoder copes with whatever parsed, and that
 * a decoded mUTF-7 name encodes back to the same bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "imap/imap.h"

#define CHECK(x)                                                                                   \
	do {                                                                                       \
		if (!(x))                                                                          \
			__builtin_trap();                                                          \
	} while (0)

static void touch_body(const struct imap_body *b, int depth)
{
	CHECK(depth < 100 && b->section);
	for (size_t i = 0; i < b->n_parts; i++)
		touch_body(&b->parts[i], depth + 1);
	if (b->message)
		touch_body(b->message, depth + 1);
}

static void decode_all(struct imap_response *r)
{
	struct imap_msg m;
	if (imap_fetch_decode(r, &m)) {
		if (m.body)
			touch_body(m.body, 0);
		for (size_t i = 0; i < m.n_sections; i++)
			CHECK(m.sections[i].section);
	}
	struct imap_list l;
	if (imap_list_decode(r, false, &l))
		CHECK(l.raw_name);
	imap_list_decode(r, true, &l);
	struct imap_mbox_status st;
	imap_status_decode(r, false, &st);
	struct imap_search s;
	if (imap_search_decode(r, &s) && s.all) {
		struct imap_range *rg;
		size_t n;
		if (imap_seqset_parse(s.all, 1000, &rg, &n))
			g_free(rg);
	}
	bool earlier;
	const char *set;
	imap_vanished_decode(r, &earlier, &set);
	imap_caps_decode(r);
}

/* Parse everything in data; returns the number of responses and a hash
 * of their kinds/names so two feeding patterns can be compared. */
static size_t run(const uint8_t *data, size_t size, size_t step, uint32_t *hash)
{
	struct imap_limits lim = {.max_line = 4096, .max_literal = 1 << 16, .max_depth = 32,
		.max_items = 4096};
	struct imap_parser p;
	imap_parser_init(&p, &lim);
	size_t off = 0, have = 0, count = 0;
	*hash = 0;
	while (off < size) {
		have = step ? (have + step > size ? size : have + step) : size;
		if (have <= off)
			have = off + 1 > size ? size : off + 1;
		struct imap_response *r;
		size_t used, need;
		enum imap_parse_result res =
			imap_parse(&p, (const char *)data + off, have - off, &r, &used, &need);
		if (res == IMAP_PARSE_MORE) {
			if (have == size)
				break;
			continue;
		}
		if (res != IMAP_PARSE_DONE) {
			*hash = *hash * 31 + 1000 + res;
			break;
		}
		CHECK(used > 0 && used <= have - off);
		*hash = *hash * 31 + (uint32_t)r->kind * 7 + (uint32_t)r->cond + (uint32_t)r->nargs;
		decode_all(r);
		imap_response_free(r);
		off += used;
		count++;
		if (have < off)
			have = off;
	}
	return count;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t h1, h2;
	size_t n1 = run(data, size, 0, &h1);
	size_t n2 = run(data, size, 3, &h2);
	CHECK(n1 == n2 && h1 == h2);

	char *s = g_strndup((const char *)data, size);
	char *d = imap_utf7_decode(s);
	if (d) {
		char *e = imap_utf7_encode(d);
		CHECK(e && strcmp(e, s) == 0);
		g_free(e);
	}
	g_free(d);
	g_free(imap_utf7_encode(s));
	g_free(s);
	return 0;
}
