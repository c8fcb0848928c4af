/* fuzz_smtp_trace.c - libFuzzer harness for the SMTP reply tracer, which
 * ties server replies to the commands libcurl sent.  The input is split
 * into a client side and a server side at the first NUL; the server side
 * is fed in chunks whose sizes come from the first byte, interleaved with
 * the client's lines, so any chunking of replies is exercised. */
#include <stdint.h>
#include <string.h>
#include <glib.h>

#include "smtp/smtp_private.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t chunk = (size_t)(data[0] % 17) + 1;
	const char *d = (const char *)data + 1;
	size_t n = size - 1;
	const char *nul = memchr(d, '\0', n);
	const char *out = nul ? d : "";
	size_t out_len = nul ? (size_t)(nul - d) : 0;
	const char *in = nul ? nul + 1 : d;
	size_t in_len = nul ? n - out_len - 1 : n;

	struct smtp_trace t;
	smtp_trace_init(&t);
	size_t oi = 0, ii = 0;
	while (oi < out_len || ii < in_len) {
		if (oi < out_len) {
			const char *nl = memchr(out + oi, '\n', out_len - oi);
			size_t end = nl ? (size_t)(nl - out) + 1 : out_len;
			smtp_trace_out(&t, out + oi, end - oi);
			oi = end;
		}
		if (ii < in_len) {
			size_t k = MIN(chunk, in_len - ii);
			smtp_trace_in(&t, in + ii, k);
			ii += k;
		}
	}
	/* Whatever was parsed is well-formed text with a plausible code. */
	for (guint i = 0; i < t.rcpt_failures->len; i++) {
		const struct smtp_rcpt_failure *f = g_ptr_array_index(t.rcpt_failures, i);
		if (!f->address || !f->reply)
			__builtin_trap();
	}
	if (t.last_code < 0 || t.last_code > 999)
		__builtin_trap();
	smtp_trace_clear(&t);
	return 0;
}
