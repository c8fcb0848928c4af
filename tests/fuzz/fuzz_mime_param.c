/* fuzz_mime_param.c - libFuzzer harness for mime_param_decode(): a
 * header's parameter list as an IMAP BODYSTRUCTURE hands it over (RFC
 * 2231 continuations and charsets, RFC 2047 words).  The value must come
 * back as valid UTF-8, or not at all. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "mime/mime.h"

#define CHECK(x)                                                                                   \
	do {                                                                                       \
		if (!(x))                                                                          \
			__builtin_trap();                                                          \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = {"filename", "name", "charset", "boundary"};
	if (size < 1)
		return 0;
	char *params = g_strndup((const char *)data + 1, size - 1);
	char *v = mime_param_decode(params, names[data[0] % G_N_ELEMENTS(names)]);

	CHECK(!v || g_utf8_validate(v, -1, NULL));
	g_free(v);
	g_free(params);
	return 0;
}
