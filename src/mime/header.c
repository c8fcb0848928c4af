/* header.c - header values for the index and the pager: decoded and
 * made safe.
 *
 * RFC 2047 encoded words are decoded here, word by word, rather than by
 * g_mime_utils_header_decode_text() on the whole value: GMime 3.2.13
 * drops everything after a base64 word that ends in '=' padding when
 * another encoded word follows (doc/quirks.md), which is how many
 * mailers split a long Vietnamese subject.  Adjacent words of one
 * charset are joined as bytes before conversion, so a character split
 * across two words (common, if not allowed) comes out whole. */
#include <string.h>

#include <gmime/gmime.h>

#include "core/core.h"
#include "mime/mime_private.h"

struct word {
	char *charset; /* without an RFC 2231 "*lang" */
	GByteArray *bytes;
};

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Parse one encoded word at s ("=?cs?e?text?="); *end after it.  false
 * when s does not start a well-formed word. */
static bool parse_word(const char *s, const char **end, struct word *w)
{
	if (s[0] != '=' || s[1] != '?')
		return false;
	const char *cs = s + 2;
	const char *q1 = strchr(cs, '?');
	if (!q1 || q1 == cs || !q1[1] || q1[2] != '?')
		return false;
	for (const char *c = cs; c < q1; c++)
		if (*c <= ' ' || *c >= 0x7f)
			return false;
	char enc = (char)g_ascii_toupper(q1[1]);
	if (enc != 'B' && enc != 'Q')
		return false;
	const char *text = q1 + 3;
	const char *stop = strstr(text, "?=");
	if (!stop)
		return false;
	for (const char *c = text; c < stop; c++)
		if (*c == ' ' || *c == '\t' || (unsigned char)*c >= 0x7f)
			return false;

	w->charset = g_strndup(cs, (size_t)(q1 - cs));
	char *star = strchr(w->charset, '*');
	if (star)
		*star = '\0';
	w->bytes = g_byte_array_new();
	if (enc == 'B') {
		char *b64 = g_strndup(text, (size_t)(stop - text));
		gsize n = 0;
		guchar *raw = g_base64_decode(b64, &n);
		g_byte_array_append(w->bytes, raw, (guint)n);
		g_free(raw);
		g_free(b64);
	} else {
		for (const char *c = text; c < stop; c++) {
			guint8 b = (guint8)*c;
			if (*c == '_') {
				b = ' ';
			} else if (*c == '=' && c + 2 < stop && hexval(c[1]) >= 0
				   && hexval(c[2]) >= 0) {
				b = (guint8)(hexval(c[1]) << 4 | hexval(c[2]));
				c += 2;
			}
			g_byte_array_append(w->bytes, &b, 1);
		}
	}
	*end = stop + 2;
	return true;
}

/* Bytes in charset to UTF-8, through GMime's charset names and its
 * fallbacks for unknown or lying charsets. */
static void append_converted(GString *out, const char *charset, const GByteArray *bytes)
{
	char *utf8 = NULL;
	if (bytes->len == 0)
		return;
	/* Valid UTF-8 labelled so needs no converter (opening one per word
	 * was a tenth of the time an index spends on 100,000 headers). */
	if ((g_ascii_strcasecmp(charset, "utf-8") == 0 || g_ascii_strcasecmp(charset, "utf8") == 0) &&
	    g_utf8_validate((const char *)bytes->data, (gssize)bytes->len, NULL)) {
		g_string_append_len(out, (const char *)bytes->data, (gssize)bytes->len);
		return;
	}
	const char *canon = g_mime_charset_iconv_name(charset);
	iconv_t cd = g_mime_iconv_open("UTF-8", canon);
	if (cd != (iconv_t)-1) {
		utf8 = g_mime_iconv_strndup(cd, (const char *)bytes->data, bytes->len);
		g_mime_iconv_close(cd);
	}
	if (!utf8 || !g_utf8_validate(utf8, -1, NULL)) {
		g_free(utf8);
		utf8 = g_mime_utils_decode_8bit(NULL, (const char *)bytes->data, bytes->len);
	}
	g_string_append(out, utf8);
	g_free(utf8);
}

static void word_clear(struct word *w)
{
	g_free(w->charset);
	if (w->bytes)
		g_byte_array_unref(w->bytes);
	w->charset = NULL;
	w->bytes = NULL;
}

/* Append a decoded run, as a quoted-string when asked (address lists:
 * a decoded name may hold commas or angle brackets). */
static void append_run(GString *out, const GString *run, bool quote)
{
	if (!quote) {
		g_string_append_len(out, run->str, (gssize)run->len);
		return;
	}
	g_string_append_c(out, '"');
	for (gsize i = 0; i < run->len; i++) {
		if (run->str[i] == '"' || run->str[i] == '\\')
			g_string_append_c(out, '\\');
		g_string_append_c(out, run->str[i]);
	}
	g_string_append_c(out, '"');
}

char *mime_decode_words(const char *text, bool quote)
{
	GString *out = g_string_new(NULL);
	GString *run = g_string_new(NULL);
	struct word pending = {0};
	bool in_quotes = false;
	const char *p = text ? text : "";

	while (*p) {
		const char *end;
		struct word w = {0};
		if (!in_quotes && parse_word(p, &end, &w)) {
			/* Same charset as the word before: join the bytes. */
			if (pending.charset && g_ascii_strcasecmp(pending.charset, w.charset) == 0) {
				g_byte_array_append(pending.bytes, w.bytes->data, w.bytes->len);
				word_clear(&w);
			} else {
				if (pending.charset)
					append_converted(run, pending.charset, pending.bytes);
				word_clear(&pending);
				pending = w;
			}
			p = end;
			/* Whitespace between two encoded words is not text. */
			const char *q = p;
			while (*q == ' ' || *q == '\t' || *q == '\r' || *q == '\n')
				q++;
			const char *e2;
			struct word peek = {0};
			if (*q && parse_word(q, &e2, &peek)) {
				p = q;
				word_clear(&peek);
			}
			continue;
		}
		if (pending.charset) {
			append_converted(run, pending.charset, pending.bytes);
			word_clear(&pending);
		}
		if (run->len) {
			append_run(out, run, quote);
			g_string_truncate(run, 0);
		}
		if (quote && *p == '"' && (p == text || p[-1] != '\\'))
			in_quotes = !in_quotes;
		g_string_append_c(out, *p);
		p++;
	}
	if (pending.charset)
		append_converted(run, pending.charset, pending.bytes);
	word_clear(&pending);
	if (run->len)
		append_run(out, run, quote);
	g_string_free(run, TRUE);
	return g_string_free(out, FALSE);
}

char *mime_header_decode(const char *raw)
{
	if (!raw || !*raw)
		return g_strdup("");
	/* Printable ASCII without an encoded word is its own decoding: most
	 * subjects and names, and a folder load decodes 100,000 of each. */
	const unsigned char *c = (const unsigned char *)raw;
	while (*c >= 0x20 && *c < 0x7f && !(c[0] == '=' && c[1] == '?'))
		c++;
	if (!*c && raw[0] != ' ' && c[-1] != ' ') /* unfolding trims blanks */
		return g_strdup(raw);
	mime_init();
	char *unfolded = g_mime_utils_header_unfold(raw);
	char *decoded = mime_decode_words(unfolded, false);
	char *plain = g_utf8_validate(decoded, -1, NULL)
		? g_strdup(decoded)
		: g_mime_utils_decode_8bit(NULL, decoded, strlen(decoded));
	char *safe = core_safe_text(plain, (size_t)-1, false);
	g_free(plain);
	g_free(decoded);
	g_free(unfolded);
	return safe;
}

time_t mime_parse_date(const char *raw)
{
	if (!raw || !*raw)
		return 0;
	mime_init();
	GDateTime *dt = g_mime_utils_header_decode_date(raw);
	if (!dt)
		return 0;
	time_t t = (time_t)g_date_time_to_unix(dt);
	g_date_time_unref(dt);
	return t;
}

char *mime_param_decode(const char *params, const char *name)
{
	if (!params || !name)
		return NULL;
	mime_init();
	GMimeParamList *list = g_mime_param_list_parse(NULL, params);
	if (!list)
		return NULL;
	GMimeParam *p = g_mime_param_list_get_parameter(list, name);
	const char *v = p ? g_mime_param_get_value(p) : NULL;
	char *out = v ? g_utf8_make_valid(v, -1) : NULL;
	g_object_unref(list);
	return out;
}
