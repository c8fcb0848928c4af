/* mime_private.h - shared inside src/mime only. */
#ifndef MAILTUI_MIME_PRIVATE_H
#define MAILTUI_MIME_PRIVATE_H

#include "mime/mime.h"

#include <gmime/gmime.h>

/* Fill err (may be NULL) and return st. */
enum mime_status mime_fail(struct mime_error *err, enum mime_status st, int line,
	const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Append the bare addresses of list (groups flattened) to out unless
 * already there (case-insensitive).  false when an entry has no usable
 * address (no '@', spaces, empty); *bad then names it (owned). */
bool mime_collect_addresses(InternetAddressList *list, GPtrArray *out, char **bad);

/* Parse an address list as typed (raw UTF-8 or RFC 2047).  NULL or blank
 * text gives an empty list.  Owned (g_object_unref); NULL when an entry
 * does not parse, with *bad (owned) the entry's text. */
InternetAddressList *mime_parse_address_list(const char *text, char **bad);

/* "<id>" or "id" -> "id", owned. */
char *mime_strip_angle(const char *id);

/* New Message-ID (without <>) for the domain of address. Owned. */
char *mime_new_message_id(const char *address);

/* A leaf part holding path's bytes, base64 so they come back identical.
 * Owned (g_object_unref); NULL with err set when unreadable. */
GMimeObject *mime_attachment_part(const char *path, struct mime_error *err);

/* RFC 2047 Q encoded words (see encode.c for why not GMime's): text
 * keeps plain ASCII words readable; a phrase (display name) is encoded
 * whole.  Owned, ASCII. */
char *mime_encode_text(const char *utf8);
char *mime_encode_phrase(const char *utf8);

/* An address list with non-ASCII names as Q words. Owned, ASCII. */
char *mime_format_address_list(InternetAddressList *list);

/* A header value folded at spaces to about 78 columns, in GMime's raw
 * form: " value\n" with "\n " at each fold. Owned. */
char *mime_fold(const char *name, const char *value);

/* Decode the RFC 2047 encoded words of an unfolded header value, each
 * on its own (see header.c for why not GMime's whole-value decoder).
 * With quote, each decoded run becomes a quoted-string, so an address
 * list stays parseable.  Text outside words is kept byte for byte (may
 * be raw 8-bit).  Owned. */
char *mime_decode_words(const char *text, bool quote);

#endif
