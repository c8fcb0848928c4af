/* fuzz_imap_msgcache.c - libFuzzer harness for the body cache reader.
 * Random bytes never pass the hash, so when the first byte is odd the
 * harness writes the correct hash over the last 8 bytes first: the
 * reader is fuzzed as if a file had been crafted.  Whatever is accepted
 * must round-trip to the same bytes through imap_msgcache_serialize. */
#include <stdint.h>
#include <string.h>
#include <glib.h>

#include "imap/imap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	bool fix = data[0] & 1;
	size--;
	uint8_t *d = g_malloc(size + 1);
	memcpy(d, data + 1, size);
	if (fix && size >= 8) {
		uint64_t h = imap_cache_hash(d, size - 8);
		for (int i = 0; i < 8; i++)
			d[size - 8 + i] = (uint8_t)(h >> (8 * i));
	}
	struct imap_msgcache_entry *e = NULL;
	if (imap_msgcache_parse(d, size, &e) == IMAP_CACHE_OK) {
		for (size_t i = 0; i < e->n_parts; i++)
			if (!e->parts[i].content_type || !e->parts[i].section ||
			    strlen(e->parts[i].section) > size)
				__builtin_trap();
		GByteArray *again = imap_msgcache_serialize(e);
		if (again->len != size || memcmp(again->data, d, size) != 0)
			__builtin_trap();
		g_byte_array_unref(again);
		imap_msgcache_entry_free(e);
	} else if (e) {
		__builtin_trap();
	}
	g_free(d);
	return 0;
}
