/* view.c - a message as display lines: construction, access, freeing.
 *
 * The view keeps the logical lines (one per header, one per line of a
 * text part) and wraps them into display lines on demand, so a resize
 * rewraps without decoding the message again or rerunning HTML. */
#include "mime/mime_private.h"
#include "mime/view_private.h"

#include "core/core.h"
#include "core/i18n.h"

#include <string.h>

static const char *const default_headers[] = {
    "From", "To", "Cc", "Date", "Subject", NULL,
};

static void clear_logical(gpointer p)
{
	g_free(((struct view_logical *)p)->text);
}

static void clear_attachment(gpointer p)
{
	struct mime_attachment *a = p;

	g_free((char *)a->filename);
	g_free((char *)a->content_type);
	g_free((char *)a->section);
}

static void unref_object(gpointer p)
{
	if (p)
		g_object_unref(p);
}

static void unref_bytes(gpointer p)
{
	if (p)
		g_bytes_unref(p);
}

static char *default_html_command(void)
{
	char *w3m = g_find_program_in_path("w3m");

	if (!w3m)
		return NULL;
	g_free(w3m);
	return g_strdup("w3m -dump -T text/html -I UTF-8 -O UTF-8");
}

static struct mime_view *view_new(const struct mime_view_opts *opts)
{
	struct mime_view *v = g_new0(struct mime_view, 1);
	const char *const *h = opts && opts->headers ? opts->headers : default_headers;

	mime_init();
	v->logical = g_array_new(FALSE, TRUE, sizeof(struct view_logical));
	g_array_set_clear_func(v->logical, clear_logical);
	v->lines = g_array_new(FALSE, TRUE, sizeof(struct mime_line));
	v->wrapped = g_ptr_array_new_with_free_func(g_free);
	v->atts = g_array_new(FALSE, TRUE, sizeof(struct mime_attachment));
	g_array_set_clear_func(v->atts, clear_attachment);
	v->objects = g_ptr_array_new_with_free_func(unref_object);
	v->bytes = g_ptr_array_new_with_free_func(unref_bytes);
	v->headers = g_ptr_array_new_with_free_func(g_free);
	for (; *h; h++)
		g_ptr_array_add(v->headers, g_strdup(*h));
	v->cols = opts && opts->cols > 0 ? opts->cols : VIEW_DEFAULT_COLS;
	if (!opts || !opts->html_no_command)
		v->html_command = opts && opts->html_command ? g_strdup(opts->html_command)
		                                             : default_html_command();
	v->html_timeout_ms =
	    opts && opts->html_timeout_ms > 0 ? opts->html_timeout_ms : VIEW_HTML_TIMEOUT_MS;
	/* Broken senders: 8-bit headers and bodies without a charset are most
	 * often UTF-8, else windows-1252 (a superset of ISO-8859-1). */
	v->popts = g_mime_parser_options_new();
	g_mime_parser_options_set_fallback_charsets(
	    v->popts, (const char *[]){"utf-8", "windows-1252", NULL});
	g_mime_parser_options_set_rfc2047_compliance_mode(v->popts, GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_parameter_compliance_mode(v->popts, GMIME_RFC_COMPLIANCE_LOOSE);
	return v;
}

void view_add(struct mime_view *v, enum mime_line_kind kind, int level, int depth, int name_len,
              int attachment, char *text_owned)
{
	struct view_logical l = {
	    .kind = kind,
	    .level = level,
	    .depth = depth,
	    .name_len = name_len,
	    .attachment = attachment,
	    .text = text_owned ? text_owned : g_strdup(""),
	};

	g_array_append_val(v->logical, l);
}

size_t view_add_attachment(struct mime_view *v, const char *content_type, const char *filename,
                           int64_t size, const char *section, GMimeObject *obj)
{
	struct mime_attachment a = {0};
	char *type = core_safe_text(content_type ? content_type : "application/octet-stream",
	                            (size_t)-1, false);
	char *semi = strchr(type, ';');

	if (semi)
		*semi = '\0';
	g_strstrip(type);
	a.index = v->atts->len;
	a.content_type = g_ascii_strdown(type, -1);
	g_free(type);
	if (filename && *filename) {
		char *dec = strstr(filename, "=?") ? mime_decode_words(filename, false)
		                                   : g_strdup(filename);

		a.filename = core_safe_text(dec, (size_t)-1, false);
		g_free(dec);
	}
	a.size = size;
	a.section = g_strdup(section ? section : "");
	a.fetched = obj != NULL;
	g_array_append_val(v->atts, a);
	g_ptr_array_add(v->objects, obj ? g_object_ref(obj) : NULL);
	g_ptr_array_add(v->bytes, NULL);
	return a.index;
}

void view_add_marker(struct mime_view *v, size_t index, int depth)
{
	const struct mime_attachment *a = &g_array_index(v->atts, struct mime_attachment, index);
	char *size = a->size >= 0 ? g_format_size((guint64)a->size) : NULL;
	char *text;

	if (a->filename && size)
		/* TRANSLATORS: a part of a message not shown as text: its number,
		   file name, MIME type and size ("1.2 MB"). */
		text = g_strdup_printf(_("[-- Attachment #%zu: %s, %s, %s --]"), index + 1,
		                       a->filename, a->content_type, size);
	else if (a->filename)
		/* TRANSLATORS: as above with two of them: name and type, or type and size. */
		text = g_strdup_printf(_("[-- Attachment #%zu: %s, %s --]"), index + 1, a->filename,
		                       a->content_type);
	else if (size)
		text = g_strdup_printf(_("[-- Attachment #%zu: %s, %s --]"), index + 1,
		                       a->content_type, size);
	else
		/* TRANSLATORS: a part with neither name nor size: its MIME type. */
		text =
		    g_strdup_printf(_("[-- Attachment #%zu: %s --]"), index + 1, a->content_type);
	/* A translation is outside text too: make it safe as well. */
	view_add(v, MIME_LINE_ATTACHMENT, 0, depth, 0, (int)index,
	         core_safe_text(text, (size_t)-1, false));
	g_free(text);
	g_free(size);
}

struct mime_view *mime_view_new_from_bytes(const char *raw, size_t len,
                                           const struct mime_view_opts *opts)
{
	struct mime_view *v = view_new(opts);
	GMimeStream *stream = g_mime_stream_mem_new_with_buffer(raw ? raw : "", raw ? len : 0);
	GMimeParser *parser = g_mime_parser_new_with_stream(stream);

	g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
	v->message = g_mime_parser_construct_message(parser, v->popts);
	g_object_unref(parser);
	g_object_unref(stream);
	if (v->message) {
		GMimeObject *body = g_mime_message_get_mime_part(v->message);

		view_add_headers(v, g_mime_object_get_header_list(GMIME_OBJECT(v->message)), 0);
		view_add(v, MIME_LINE_SEPARATOR, 0, 0, 0, -1, NULL);
		if (body)
			view_walk_body(v, body, NULL, 0);
	} else {
		/* Not even a header block: show the bytes as text. */
		char *text = view_to_utf8(raw, MIN(len, VIEW_MAX_TEXT), NULL);

		view_add_text(v, text, strlen(text), false, 0);
		g_free(text);
	}
	view_wrap_all(v);
	return v;
}

static bool starts_with_type(const char *type, const char *prefix)
{
	return type && g_ascii_strncasecmp(type, prefix, strlen(prefix)) == 0;
}

static void add_lazy_part(struct mime_view *v, const struct mime_view_part *p, bool first)
{
	const char *type = p->content_type ? p->content_type : "text/plain";
	bool text = starts_with_type(type, "text/");
	bool html = starts_with_type(type, "text/html");
	size_t index = view_add_attachment(v, type, p->filename, p->size, p->section, NULL);
	struct mime_attachment *a = &g_array_index(v->atts, struct mime_attachment, index);

	if (!first)
		view_add(v, MIME_LINE_SEPARATOR, 0, 0, 0, -1, NULL);
	if (p->text && text) {
		a->shown = true;
		view_add_text(v, p->text, strlen(p->text), html, 0);
		return;
	}
	view_add_marker(v, index, 0);
	if (p->text && starts_with_type(type, "message/rfc822")) {
		GMimeStream *s = g_mime_stream_mem_new_with_buffer(p->text, strlen(p->text));
		GMimeParser *parser = g_mime_parser_new_with_stream(s);
		GMimeMessage *m = g_mime_parser_construct_message(parser, v->popts);

		g_object_unref(parser);
		g_object_unref(s);
		if (!m)
			return;
		a->shown = true;
		view_add_headers(v, g_mime_object_get_header_list(GMIME_OBJECT(m)), 1);
		view_add(v, MIME_LINE_SEPARATOR, 0, 1, 0, -1, NULL);
		if (g_mime_message_get_mime_part(m))
			view_walk_body(v, g_mime_message_get_mime_part(m), p->section, 1);
		g_object_unref(m);
	}
}

struct mime_view *mime_view_new_from_parts(const char *header_block, size_t hlen,
                                           const struct mime_view_part *parts, size_t n,
                                           const struct mime_view_opts *opts)
{
	struct mime_view *v = view_new(opts);
	/* The parser wants a header block that ends: add the blank line. */
	GByteArray *buf = g_byte_array_sized_new((guint)hlen + 4);
	GMimeStream *stream;
	GMimeParser *parser;
	GMimeMessage *m;

	if (header_block)
		g_byte_array_append(buf, (const guint8 *)header_block, (guint)hlen);
	g_byte_array_append(buf, (const guint8 *)"\r\n\r\n", 4);
	stream = g_mime_stream_mem_new_with_byte_array(buf); /* takes buf */
	parser = g_mime_parser_new_with_stream(stream);
	m = g_mime_parser_construct_message(parser, v->popts);
	g_object_unref(parser);
	g_object_unref(stream);
	if (m) {
		view_add_headers(v, g_mime_object_get_header_list(GMIME_OBJECT(m)), 0);
		g_object_unref(m);
	}
	view_add(v, MIME_LINE_SEPARATOR, 0, 0, 0, -1, NULL);
	for (size_t i = 0; i < n; i++)
		add_lazy_part(v, &parts[i], i == 0);
	view_wrap_all(v);
	return v;
}

void mime_view_free(struct mime_view *v)
{
	if (!v)
		return;
	g_array_unref(v->logical);
	g_array_unref(v->lines);
	g_ptr_array_unref(v->wrapped);
	g_array_unref(v->atts);
	g_ptr_array_unref(v->objects);
	g_ptr_array_unref(v->bytes);
	g_ptr_array_unref(v->headers);
	g_free(v->html_command);
	g_mime_parser_options_free(v->popts);
	if (v->message)
		g_object_unref(v->message);
	g_free(v);
}

const struct mime_line *mime_view_lines(const struct mime_view *v, size_t *n)
{
	*n = v->lines->len;
	return (const struct mime_line *)(void *)v->lines->data;
}

void mime_view_set_cols(struct mime_view *v, int cols)
{
	v->cols = cols > 0 ? cols : VIEW_DEFAULT_COLS;
	view_wrap_all(v);
}

const struct mime_attachment *mime_view_attachments(const struct mime_view *v, size_t *n)
{
	*n = v->atts->len;
	return (const struct mime_attachment *)(void *)v->atts->data;
}
