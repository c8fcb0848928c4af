/* wire.c - protocol traffic in the log: escaped, summarised, redacted. */
#include "core_private.h"

#include <string.h>

/* Longer data is cut to WIRE_HEAD bytes plus its size. */
#define WIRE_MAX 512
#define WIRE_HEAD 200

void core_log_escape(GString *out, const char *data, size_t len)
{
	const char *p = data;
	const char *end = data + len;

	while (p < end) {
		unsigned char b = (unsigned char)*p;
		gunichar c;

		if (b < 0x80) {
			if (b == '\\')
				g_string_append(out, "\\\\");
			else if (b == '\r')
				g_string_append(out, "\\r");
			else if (b == '\n')
				g_string_append(out, "\\n");
			else if (b == '\t')
				g_string_append(out, "\\t");
			else if (b < 0x20 || b == 0x7f)
				g_string_append_printf(out, "\\x%02x", b);
			else
				g_string_append_c(out, (char)b);
			p++;
			continue;
		}
		c = g_utf8_get_char_validated(p, end - p);
		if (c == (gunichar)-1 || c == (gunichar)-2) {
			g_string_append_printf(out, "\\x%02x", b);
			p++;
			continue;
		}
		if (core_char_is_invisible(c))
			g_string_append_printf(out, "\\u{%04x}", c);
		else
			g_string_append_len(out, p, g_utf8_next_char(p) - p);
		p = g_utf8_next_char(p);
	}
}

static bool is_command_word(const char *w, size_t n, bool letters_only)
{
	if (n == 0 || n > 20)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)w[i];

		if (g_ascii_isalpha(c))
			continue;
		if (letters_only || !(g_ascii_isdigit(c) || strchr(".-_*+", c)))
			return false;
	}
	return true;
}

/* Length of the prefix of a sensitive line that may be shown: the command
 * word ("PASS", "AUTH"), or an IMAP tag and its command ("a1 LOGIN").
 * A line of one word (a bare SASL response) shows nothing. */
static size_t visible_prefix(const char *data, size_t len)
{
	const char *sp1 = memchr(data, ' ', len);
	const char *w2, *sp2;
	bool tag;

	if (!sp1 || !is_command_word(data, (size_t)(sp1 - data), false))
		return 0;
	tag = false;
	for (const char *q = data; q < sp1; q++)
		tag = tag || g_ascii_isdigit(*q) || *q == '*' || *q == '+';
	if (!tag)
		return (size_t)(sp1 - data);
	w2 = sp1 + 1;
	sp2 = memchr(w2, ' ', len - (size_t)(w2 - data));
	if (sp2 && is_command_word(w2, (size_t)(sp2 - w2), true))
		return (size_t)(sp2 - data);
	return (size_t)(sp1 - data);
}

void core_log_wire(enum core_log_cat cat, const char *dir, const char *data, size_t len,
		   bool sensitive)
{
	GString *msg;

	if (!core_log_enabled())
		return;
	msg = g_string_new(dir ? dir : "?");
	g_string_append(msg, sensitive || len > 0 ? ": " : ":");
	if (sensitive) {
		size_t n = visible_prefix(data, len);

		core_log_escape(msg, data, n);
		g_string_append(msg, n ? " <redacted>" : "<redacted>");
	} else {
		size_t shown = len > WIRE_MAX ? WIRE_HEAD : len;
		GString *raw = g_string_new_len(data, (gssize)len);

		/* Redact on the raw bytes so a cut or an escape cannot split a
		 * secret; then cut and escape. */
		core_log_redact(raw);
		if (raw->len != len)
			shown = raw->len > WIRE_MAX ? WIRE_HEAD : raw->len;
		core_log_escape(msg, raw->str, shown);
		if (shown < raw->len)
			g_string_append_printf(msg, "... <%zu bytes>", len);
		explicit_bzero(raw->str, raw->len);
		g_string_free(raw, TRUE);
	}
	core_log_emit(cat, msg);
	g_string_free(msg, TRUE);
}
