/* utf8_decode.c - strict UTF-8 decoding with Unicode's replacement rule. */
#include "core_private.h"

/* Decode one character at p (n > 0 bytes left).  Invalid input yields
 * U+FFFD for each maximal subpart of an ill-formed sequence (Unicode 15,
 * section 3.9 "U+FFFD Substitution of Maximal Subparts"): a lead byte and
 * the continuation bytes that could still have completed it.  Overlongs,
 * surrogates and values above U+10FFFF are rejected by the second-byte
 * ranges of Table 3-7.  Sets *used to the bytes consumed (at least 1). */
gunichar core_utf8_decode(const unsigned char *p, size_t n, size_t *used)
{
	unsigned char b = p[0];
	unsigned char lo = 0x80, hi = 0xbf;
	size_t need;
	gunichar c;

	*used = 1;
	if (b < 0x80)
		return b;
	if (b >= 0xc2 && b <= 0xdf) {
		need = 1;
		c = b & 0x1f;
	} else if (b >= 0xe0 && b <= 0xef) {
		need = 2;
		c = b & 0x0f;
		if (b == 0xe0)
			lo = 0xa0; /* overlong */
		else if (b == 0xed)
			hi = 0x9f; /* surrogates */
	} else if (b >= 0xf0 && b <= 0xf4) {
		need = 3;
		c = b & 0x07;
		if (b == 0xf0)
			lo = 0x90; /* overlong */
		else if (b == 0xf4)
			hi = 0x8f; /* above U+10FFFF */
	} else {
		return 0xfffd; /* 80..C1, F5..FF never start a character */
	}
	for (size_t i = 1; i <= need; i++) {
		if (i >= n || p[i] < lo || p[i] > hi) {
			*used = i;
			return 0xfffd;
		}
		c = (c << 6) | (p[i] & 0x3f);
		lo = 0x80;
		hi = 0xbf;
	}
	*used = need + 1;
	return c;
}
