/* safe_text.c - bytes from the outside world made safe for a terminal.
 *
 * One pass decodes (invalid UTF-8 -> U+FFFD), swallows escape sequences
 * with a small ECMA-48 state machine, drops controls and invisible
 * characters, then the result is NFC-normalised, so that decomposed input
 * (Vietnamese from windows-1258: "e" U+0302 U+0301) comes out precomposed.
 *
 * Choices:
 * - An unterminated OSC/DCS/PM/APC string ends at a line break, so a stray
 *   "ESC ]" in a message hides at most the rest of that line, not the
 *   rest of the message.  The terminal never sees the sequence anyway.
 * - ZWJ (U+200D), variation selectors and emoji tag characters stay:
 *   emoji sequences need them.  Private-use characters stay (icon fonts);
 *   unassigned code points go.
 * - A combining mark with no base (start of text) is kept as is; it has
 *   width 0, like in ncurses. */
#include "core_private.h"

#include <string.h>

#define TAB_STOP 8

enum esc_state {
	ESC_NONE,       /* plain text */
	ESC_START,      /* after ESC (and any intermediate bytes) */
	ESC_CSI,        /* ESC [ or U+009B: until a final byte 0x40..0x7E */
	ESC_STRING,     /* OSC, DCS, SOS, PM, APC: until BEL or ST */
	ESC_STRING_ESC, /* ESC inside a string: "\\" makes ST */
};

struct safe_text {
	GString *out;
	bool keep_newlines;
	bool utf8_locale;
	enum esc_state state;
	bool after_cr; /* a CR was just turned into a line break */
	int col;       /* columns since the last line break, for TAB */
	bool need_nfc; /* a character NFC might change or combine with */
};

/* Characters that are in NFC, combine with nothing before them and have
 * no canonical composition as a second character (checked against the
 * Unicode data): text of only these needs no normalisation.  Covers
 * Latin-1 to IPA and the precomposed Vietnamese letters. */
static bool nfc_inert(gunichar c)
{
	return c < 0x300 || (c >= 0x1e00 && c <= 0x1eff);
}

static void line_break(struct safe_text *st)
{
	if (st->keep_newlines) {
		g_string_append_c(st->out, '\n');
		st->col = 0;
	} else {
		g_string_append_c(st->out, ' ');
		st->col++;
	}
}

static void tab(struct safe_text *st)
{
	int n = st->keep_newlines ? TAB_STOP - st->col % TAB_STOP : 1;

	for (int i = 0; i < n; i++)
		g_string_append_c(st->out, ' ');
	st->col += n;
}

static bool is_string_start(gunichar c)
{
	return c == ']' || c == 'P' || c == 'X' || c == '^' || c == '_';
}

/* Text state: returns nothing, appends what is shown. */
static void text_char(struct safe_text *st, gunichar c)
{
	bool after_cr = st->after_cr;

	st->after_cr = false;
	switch (c) {
	case 0x1b:
		st->state = ESC_START;
		return;
	case 0x9b:
		st->state = ESC_CSI;
		return;
	case 0x90: /* DCS */
	case 0x98: /* SOS */
	case 0x9d: /* OSC */
	case 0x9e: /* PM */
	case 0x9f: /* APC */
		st->state = ESC_STRING;
		return;
	case '\r':
		line_break(st);
		st->after_cr = true;
		return;
	case '\n':
		if (!after_cr)
			line_break(st);
		return;
	case 0x2028: /* LINE SEPARATOR */
	case 0x2029: /* PARAGRAPH SEPARATOR */
		line_break(st);
		return;
	case '\t':
		tab(st);
		return;
	}
	if (c < 0x20 || c == 0x7f || core_char_is_invisible(c))
		return;
	if (g_unichar_type(c) == G_UNICODE_UNASSIGNED)
		return;
	g_string_append_unichar(st->out, c);
	st->need_nfc = st->need_nfc || !nfc_inert(c);
	/* Only a TAB needs the column, and only when lines are kept. */
	if (st->keep_newlines)
		st->col += core_char_width(c, st->utf8_locale);
}

static void feed(struct safe_text *st, gunichar c)
{
	switch (st->state) {
	case ESC_NONE:
		text_char(st, c);
		return;
	case ESC_START:
		if (c >= 0x20 && c <= 0x2f)
			return; /* intermediate byte, e.g. ESC ( B */
		if (c == '[') {
			st->state = ESC_CSI;
		} else if (is_string_start(c)) {
			st->state = ESC_STRING;
		} else if (c >= 0x30 && c <= 0x7e) {
			st->state = ESC_NONE; /* final byte ends ESC x */
		} else {
			st->state = ESC_NONE; /* not a sequence: drop the ESC */
			text_char(st, c);
		}
		return;
	case ESC_CSI:
		if (c >= 0x20 && c <= 0x3f)
			return; /* parameter and intermediate bytes */
		st->state = ESC_NONE;
		if (c < 0x40 || c > 0x7e)
			text_char(st, c); /* broken sequence: c is text again */
		return;
	case ESC_STRING:
		if (c == 0x07 || c == 0x9c || c == 0x18 || c == 0x1a) {
			st->state = ESC_NONE; /* BEL, ST; CAN and SUB abort */
		} else if (c == 0x1b) {
			st->state = ESC_STRING_ESC;
		} else if (c == '\n' || c == '\r') {
			st->state = ESC_NONE;
			text_char(st, c);
		}
		return;
	case ESC_STRING_ESC:
		st->state = ESC_NONE;
		if (c != '\\') {
			st->state = ESC_START; /* a new sequence began */
			feed(st, c);
		}
		return;
	}
}

char *core_safe_text(const char *in, size_t len, bool keep_newlines)
{
	struct safe_text st = {
		.keep_newlines = keep_newlines,
		.utf8_locale = core_locale_is_utf8(),
	};
	const unsigned char *p = (const unsigned char *)(in ? in : "");
	char *nfc;

	if (!in)
		len = 0;
	else if (len == (size_t)-1)
		len = strlen(in);
	/* Printable ASCII is already safe (an index decodes 100,000 names
	 * and subjects, most of them plain). */
	size_t plain = 0;
	while (plain < len && p[plain] >= 0x20 && p[plain] < 0x7f)
		plain++;
	if (plain == len)
		return g_strndup(in ? in : "", len);
	st.out = g_string_sized_new(len + 1);
	while (len > 0) {
		size_t used;
		gunichar c = core_utf8_decode(p, len, &used);

		feed(&st, c);
		p += used;
		len -= used;
	}
	if (!st.need_nfc)
		return g_string_free(st.out, FALSE);
	nfc = g_utf8_normalize(st.out->str, (gssize)st.out->len, G_NORMALIZE_NFC);
	if (!nfc) /* cannot happen: out holds only valid UTF-8 */
		return g_string_free(st.out, FALSE);
	g_string_free(st.out, TRUE);
	return nfc;
}
