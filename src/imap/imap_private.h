/* imap_private.h - shared inside src/imap only; nothing outside includes it. */
#ifndef MAILTUI_IMAP_PRIVATE_H
#define MAILTUI_IMAP_PRIVATE_H

#include "imap/imap.h"

#include <glib.h>

/* ---- arena: every allocation of one response, freed at once ---------- */

struct imap_arena;

struct imap_arena *imap_arena_new(void);
void imap_arena_free(struct imap_arena *a);
/* Zeroed, 8-byte aligned; never NULL (aborts like g_malloc). */
void *imap_arena_alloc(struct imap_arena *a, size_t size);
/* Copy of len bytes plus a NUL. */
char *imap_arena_strndup(struct imap_arena *a, const char *s, size_t len);

/* Allocate count elements of type T from r's arena. */
#define IMAP_RNEW(r, T, count) ((T *)imap_arena_alloc((r)->arena_, sizeof(T) * (count)))

/* Parse a complete, framed response (buf ends with its final LF). */
enum imap_parse_result imap_parse_framed(const struct imap_limits *lim, const char *buf,
	size_t len, struct imap_response **out, size_t *err_offset);

/* Parse values of a response code's arguments into r's arena. */
bool imap_parse_values(struct imap_response *r, const struct imap_limits *lim,
	const char *s, size_t len, const struct imap_value **items, size_t *n);

/* Decode a mailbox name value to UTF-8 into r's arena (NULL if invalid). */
const char *imap_decode_mailbox(struct imap_response *r, const char *raw, bool utf8);

/* Parse an RFC 3501 date-time ("17-Jul-1996 02:44:25 -0700"); 0 on failure. */
time_t imap_parse_date_time(const char *s);

#endif
