/* core_private.h - shared inside src/core only; nothing outside includes it. */
#ifndef MAILTUI_CORE_PRIVATE_H
#define MAILTUI_CORE_PRIVATE_H

#include "core/core.h"

#include <glib.h>

/* Append bytes to out so that the result is safe to print on a terminal:
 * ASCII controls, DEL, backslash and invalid UTF-8 bytes become "\xNN"
 * ("\r", "\n", "\t", "\\" for the usual ones), C1 and invisible format
 * characters become "\u{XXXX}"; other valid UTF-8 is copied. */
void core_log_escape(GString *out, const char *data, size_t len);

/* Replace every registered secret (and its base64 forms) in buf.
 * Takes the log lock. */
void core_log_redact(GString *buf);

/* Add timestamp and category, redact, and append one line to the log. */
void core_log_emit(enum core_log_cat cat, GString *msg);

/* True for characters core_safe_text removes as invisible: C1 controls,
 * bidi controls and other format (Cf) characters except ZWJ.  Shared with
 * the log escaper so both agree. */
bool core_char_is_invisible(gunichar c);

/* True when the current LC_CTYPE codeset is UTF-8: widths then come from
 * wcwidth(), as ncurses draws them; else from GLib's tables. */
bool core_locale_is_utf8(void);

/* Columns of one character as the screen will draw it: 0 for combining
 * marks and controls, 2 for wide (CJK, emoji), else 1. */
int core_char_width(gunichar c, bool utf8_locale);

/* Decode one character of possibly invalid UTF-8 (n > 0): U+FFFD for
 * each maximal ill-formed subpart.  *used gets the bytes consumed. */
gunichar core_utf8_decode(const unsigned char *p, size_t n, size_t *used);

#endif
