/* view_text.c - decoded text parts: transfer encodings, charsets, and
 * the split into body, quote and signature lines.
 *
 * Charsets: a declared charset GMime knows is converted with its charset
 * filter; none, us-ascii with 8-bit bytes, or an unknown name fall back
 * to UTF-8 when the bytes are valid UTF-8, else windows-1252 (which
 * decodes every byte, and is what "ISO-8859-1" mail usually is).  A
 * declared UTF-8 that is not valid keeps its valid parts (U+FFFD for the
 * rest): guessing against an explicit label does more harm than good. */
#include "mime/view_private.h"

#include "core/core.h"

#include <string.h>

static GByteArray *run_filter(const char *bytes, size_t len, GMimeFilter *filter)
{
	GMimeStream *mem = g_mime_stream_mem_new();
	GMimeStream *filtered = g_mime_stream_filter_new(mem);
	GByteArray *out;

	g_mime_stream_filter_add(GMIME_STREAM_FILTER(filtered), filter);
	if (len)
		g_mime_stream_write(filtered, bytes, len);
	g_mime_stream_flush(filtered);
	g_object_unref(filtered);
	/* Keep the array past the stream: take it over. */
	g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(mem), FALSE);
	out = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	g_object_unref(mem);
	return out;
}

static char *make_valid(const char *bytes, size_t len)
{
	return g_utf8_make_valid(bytes ? bytes : "", (gssize)len);
}

static char *convert(const char *bytes, size_t len, const char *charset)
{
	GMimeFilter *filter = g_mime_filter_charset_new(charset, "UTF-8");
	GByteArray *out;
	char *s;

	if (!filter)
		return NULL;
	out = run_filter(bytes, len, filter);
	g_object_unref(filter);
	s = make_valid((const char *)out->data, out->len);
	g_byte_array_unref(out);
	return s;
}

static bool is_utf8_name(const char *charset)
{
	return g_ascii_strcasecmp(charset, "utf-8") == 0 ||
	       g_ascii_strcasecmp(charset, "utf8") == 0;
}

static bool is_ascii_name(const char *charset)
{
	return g_ascii_strcasecmp(charset, "us-ascii") == 0 ||
	       g_ascii_strcasecmp(charset, "ascii") == 0;
}

static char *fallback(const char *bytes, size_t len)
{
	if (g_utf8_validate(bytes, (gssize)len, NULL))
		return g_strndup(bytes, len);
	return convert(bytes, len, "windows-1252");
}

/* As view_to_utf8; *fell_back set when the charset was not usable. */
static char *to_utf8(const char *bytes, size_t len, const char *charset, bool *fell_back)
{
	char *s;

	*fell_back = false;
	if (!bytes)
		bytes = "", len = 0;
	if (charset && *charset && is_utf8_name(charset))
		return make_valid(bytes, len);
	if (charset && *charset && !is_ascii_name(charset)) {
		s = convert(bytes, len, charset);
		if (s)
			return s;
		*fell_back = true;
	}
	s = fallback(bytes, len);
	return s ? s : make_valid(bytes, len);
}

char *view_to_utf8(const char *bytes, size_t len, const char *charset)
{
	bool fell_back;

	return to_utf8(bytes, len, charset, &fell_back);
}

GByteArray *view_part_bytes(GMimePart *part, size_t max)
{
	GMimeDataWrapper *content = g_mime_part_get_content(part);
	GMimeStream *mem = g_mime_stream_mem_new();
	GByteArray *out;

	/* The data wrapper undoes the Content-Transfer-Encoding. */
	if (content)
		g_mime_data_wrapper_write_to_stream(content, mem);
	g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(mem), FALSE);
	out = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	g_object_unref(mem);
	if (out->len > max)
		g_byte_array_set_size(out, (guint)max);
	return out;
}

GBytes *mime_decode_transfer(const char *bytes, size_t len, const char *transfer_encoding)
{
	GMimeContentEncoding enc;
	GMimeFilter *filter;
	GByteArray *out;

	mime_init();
	enc = transfer_encoding ? g_mime_content_encoding_from_string(transfer_encoding)
	                        : GMIME_CONTENT_ENCODING_DEFAULT;
	if (enc != GMIME_CONTENT_ENCODING_BASE64 && enc != GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE &&
	    enc != GMIME_CONTENT_ENCODING_UUENCODE)
		return g_bytes_new(bytes, bytes ? len : 0);
	filter = g_mime_filter_basic_new(enc, FALSE);
	out = run_filter(bytes, bytes ? len : 0, filter);
	g_object_unref(filter);
	return g_byte_array_free_to_bytes(out);
}

enum mime_view_status mime_decode_part(const char *bytes, size_t len, const char *transfer_encoding,
                                       const char *charset, char **utf8_out)
{
	GBytes *raw = mime_decode_transfer(bytes, len, transfer_encoding);
	gsize n;
	const char *data = g_bytes_get_data(raw, &n);
	bool fell_back;

	*utf8_out = to_utf8(data, n, charset, &fell_back);
	g_bytes_unref(raw);
	return fell_back ? MIME_VIEW_ERR_CHARSET : MIME_VIEW_OK;
}

/* ">", ">>" and "> >" all count: level is the number of '>'. */
static int quote_level(const char *s)
{
	int n = 0;

	for (;;) {
		if (*s == '>')
			n++, s++;
		else if (n > 0 && *s == ' ' && s[1] == '>')
			s++;
		else
			return n;
	}
}

static char *html_to_text(struct mime_view *v, const char *html, size_t len)
{
	char *out = NULL;

	if (v->html_command)
		out =
		    html_run_command(v->html_command, html, len, v->html_timeout_ms, VIEW_MAX_TEXT);
	return out ? out : html_strip(html, len);
}

void view_add_text(struct mime_view *v, const char *utf8, size_t len, bool html, int depth)
{
	char *converted = html ? html_to_text(v, utf8, len) : NULL;
	char *safe = converted ? core_safe_text(converted, (size_t)-1, true)
	                       : core_safe_text(utf8, len, true);
	char *line = safe;
	size_t end = strlen(safe);
	bool signature = false;

	/* Trailing blank lines (w3m adds one) are noise in a pager. */
	while (end > 0 && safe[end - 1] == '\n')
		safe[--end] = '\0';

	while (*line) {
		char *nl = strchr(line, '\n');
		size_t n;
		int level;

		if (nl)
			*nl = '\0';
		if (!signature && strcmp(line, "-- ") == 0)
			signature = true;
		n = strlen(line);
		while (n > 0 && line[n - 1] == ' ' && !(signature && strcmp(line, "-- ") == 0))
			line[--n] = '\0';
		level = quote_level(line);
		if (signature)
			view_add(v, MIME_LINE_SIGNATURE, 0, depth, 0, -1, g_strdup(line));
		else if (level > 0)
			view_add(v, MIME_LINE_QUOTE, level, depth, 0, -1, g_strdup(line));
		else
			view_add(v, MIME_LINE_TEXT, 0, depth, 0, -1, g_strdup(line));
		if (!nl)
			break;
		line = nl + 1;
	}
	g_free(safe);
	g_free(converted);
}
