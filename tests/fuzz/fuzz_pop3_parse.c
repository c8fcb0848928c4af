/* fuzz_pop3_parse.c - libFuzzer harness for the POP3 response parser.
 * The first byte picks a cap and a split point so that the multi-line
 * decoder is also driven across chunk boundaries; every line of the input
 * goes through the status, LIST, UIDL and greeting parsers, and the whole
 * input through CAPA. */
#include <stdint.h>
#include <string.h>
#include <glib.h>

#include "pop3/pop3.h"

static void lines(const char *d, size_t n)
{
	size_t i = 0;
	while (i < n) {
		const char *nl = memchr(d + i, '\n', n - i);
		size_t end = nl ? (size_t)(nl - d) : n;
		struct pop3_status_line st;
		unsigned num;
		uint64_t size;
		const char *uid;
		size_t ul;
		if (pop3_parse_status(d + i, end - i, &st) == POP3_PARSE_DONE) {
			/* borrowed pointers must stay inside the line */
			if (st.text < d + i || st.text + st.text_len > d + end)
				__builtin_trap();
		}
		pop3_parse_list_line(d + i, end - i, &num, &size);
		if (pop3_parse_uidl_line(d + i, end - i, &num, &uid, &ul) == POP3_PARSE_DONE &&
		    !pop3_uidl_valid(uid, ul))
			__builtin_trap();
		g_free(pop3_greeting_timestamp(d + i, end - i));
		i = end + 1;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	unsigned knob = data[0];
	const char *d = (const char *)data + 1;
	size_t n = size - 1;

	lines(d, n);

	struct pop3_caps caps = { 0 };
	pop3_parse_capa(d, n, &caps);
	pop3_caps_clear(&caps);

	struct pop3_ml m;
	pop3_ml_init(&m, (knob & 0x0f) ? (knob & 0x0f) * 64 : 0, knob & 0x80);
	size_t split = n ? (knob * 7u) % (n + 1) : 0, pos = 0, used;
	enum pop3_parse r = POP3_PARSE_NEED_MORE;
	while (pos < n && r == POP3_PARSE_NEED_MORE) {
		size_t chunk = pos < split ? split - pos : n - pos;
		r = pop3_ml_feed(&m, d + pos, chunk, &used);
		if (used > chunk || m.out->len > m.cap + 2)
			__builtin_trap();
		pos += used;
		if (r == POP3_PARSE_DONE) {
			/* the next reply starts where this one ended */
			GString *s = pop3_ml_steal(&m);
			if (s->len > 2 * n) /* a bare LF may become CRLF */
				__builtin_trap();
			g_string_free(s, TRUE);
			r = POP3_PARSE_NEED_MORE;
		}
	}
	pop3_ml_clear(&m);
	return 0;
}
