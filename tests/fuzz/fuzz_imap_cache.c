/* fuzz_imap_cache.c - libFuzzer harness for the header cache loader.
 * Random bytes never pass the hashes, so when the first byte is odd the
 * harness writes correct hashes (and the owner key's) into the header
 * first: the record walker is fuzzed as if a file had been crafted.
 * Whatever is accepted must read back fully and round-trip to the same
 * bytes through imap_cache_serialize. */
#include <stdint.h>
#include <string.h>
#include <glib.h>

#include "imap/imap.h"

#define KEY "fuzz\nINBOX"

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	bool fix = data[0] & 1;
	size--;
	uint8_t *d = g_malloc(size + 1);
	memcpy(d, data + 1, size);
	if (fix && size >= 64) {
		put64(d + 32, size - 64);
		put64(d + 40, imap_cache_hash(KEY, strlen(KEY)));
		put64(d + 48, imap_cache_hash(d + 64, size - 64));
		put64(d + 56, imap_cache_hash(d, 56));
	}
	struct imap_cache *c = NULL;
	if (imap_cache_parse(KEY, d, size, &c) == IMAP_CACHE_OK) {
		size_t n = imap_cache_count(c);
		for (size_t i = 0; i < n; i++) {
			struct imap_cache_msg m;
			imap_cache_get(c, i, &m);
			const char *s[] = {m.from, m.subject, m.message_id, m.in_reply_to,
			                   m.references};
			for (size_t k = 0; k < G_N_ELEMENTS(s); k++)
				if (s[k] && strlen(s[k]) > size)
					__builtin_trap();
		}
		GByteArray *again = imap_cache_serialize(c);
		if (again->len != size || memcmp(again->data, d, size) != 0)
			__builtin_trap();
		g_byte_array_unref(again);
		imap_cache_free(c);
	} else if (c) {
		__builtin_trap();
	}
	g_free(d);
	return 0;
}
