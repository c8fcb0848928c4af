/* view_walk.c - the MIME tree of a whole message turned into lines and
 * an attachment list.
 *
 * Every leaf becomes an attachment entry (so the attachments screen can
 * save the HTML alternative or an inline text part too); only the parts
 * not shown as text get a marker line.  Sections follow IMAP numbering,
 * so entries of a whole-message view and of a lazy view agree. */
#include "mime/view_private.h"

#include "core/core.h"

#include <string.h>

static char *child_section(const char *parent, int i)
{
	return parent ? g_strdup_printf("%s.%d", parent, i + 1) : g_strdup_printf("%d", i + 1);
}

static bool has_type(GMimeObject *obj, const char *type, const char *subtype)
{
	GMimeContentType *ct = g_mime_object_get_content_type(obj);

	return ct && g_mime_content_type_is_type(ct, type, subtype ? subtype : "*");
}

static bool is_attachment(GMimeObject *obj)
{
	GMimeContentDisposition *d = g_mime_object_get_content_disposition(obj);

	return d && g_mime_content_disposition_is_attachment(d);
}

static char *type_string(GMimeObject *obj)
{
	GMimeContentType *ct = g_mime_object_get_content_type(obj);

	if (!ct || !g_mime_content_type_get_media_type(ct))
		return g_strdup("application/octet-stream");
	return g_mime_content_type_get_mime_type(ct);
}

/* Decoded size without decoding: base64 gives 3 bytes per 4, less its
 * line breaks (76 characters and CRLF); the others about what they hold. */
static int64_t estimate_size(GMimePart *part)
{
	GMimeDataWrapper *content = g_mime_part_get_content(part);
	GMimeStream *s = content ? g_mime_data_wrapper_get_stream(content) : NULL;
	gint64 len = s ? g_mime_stream_length(s) : -1;

	if (len < 0)
		return -1;
	if (g_mime_data_wrapper_get_encoding(content) == GMIME_CONTENT_ENCODING_BASE64)
		return len * 3 / 4 * 76 / 78;
	return len;
}

/* A message/rfc822 part: the length of the message as it would be saved. */
static int64_t message_size(GMimeObject *obj)
{
	GMimeMessage *m = GMIME_IS_MESSAGE_PART(obj)
	                      ? g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj))
	                      : NULL;
	GMimeStream *null;
	ssize_t n;

	if (!m)
		return -1;
	null = g_mime_stream_null_new();
	n = g_mime_object_write_to_stream(GMIME_OBJECT(m), NULL, null);
	g_object_unref(null);
	return n < 0 ? -1 : (int64_t)n;
}

static void separate(struct mime_view *v)
{
	const struct view_logical *last;

	if (v->logical->len == 0)
		return;
	last = &g_array_index(v->logical, struct view_logical, v->logical->len - 1);
	if (last->kind != MIME_LINE_SEPARATOR && last->kind != MIME_LINE_HEADER)
		view_add(v, MIME_LINE_SEPARATOR, 0, last->depth, 0, -1, NULL);
}

static size_t add_leaf(struct mime_view *v, GMimeObject *obj, const char *section)
{
	char *type = type_string(obj);
	const char *name = GMIME_IS_PART(obj)
	                       ? g_mime_part_get_filename(GMIME_PART(obj))
	                       : g_mime_object_get_content_disposition_parameter(obj, "filename");
	int64_t size = GMIME_IS_PART(obj) ? estimate_size(GMIME_PART(obj)) : message_size(obj);
	size_t index = view_add_attachment(v, type, name, size, section, obj);

	g_free(type);
	return index;
}

/* Parts of an alternative that are not shown: listed, no marker. */
static void add_hidden(struct mime_view *v, GMimeObject *obj, const char *section)
{
	if (GMIME_IS_MULTIPART(obj)) {
		GMimeMultipart *mp = GMIME_MULTIPART(obj);

		for (int i = 0; i < g_mime_multipart_get_count(mp); i++) {
			char *sec = child_section(section, i);

			add_hidden(v, g_mime_multipart_get_part(mp, i), sec);
			g_free(sec);
		}
		return;
	}
	add_leaf(v, obj, section ? section : "1");
}

static int alternative_score(GMimeObject *obj)
{
	if (GMIME_IS_MULTIPART(obj))
		return 2;
	if (is_attachment(obj))
		return 0;
	if (has_type(obj, "text", "plain"))
		return 3;
	if (has_type(obj, "text", "html"))
		return 1;
	return 0;
}

static void walk_alternative(struct mime_view *v, GMimeMultipart *mp, const char *section,
                             int depth)
{
	int n = g_mime_multipart_get_count(mp), best = 0, best_score = -1;

	for (int i = 0; i < n; i++) {
		int s = alternative_score(g_mime_multipart_get_part(mp, i));

		if (s > best_score)
			best = i, best_score = s;
	}
	for (int i = 0; i < n; i++) {
		char *sec = child_section(section, i);

		if (i == best)
			view_walk(v, g_mime_multipart_get_part(mp, i), sec, depth);
		else
			add_hidden(v, g_mime_multipart_get_part(mp, i), sec);
		g_free(sec);
	}
}

static void walk_multipart(struct mime_view *v, GMimeMultipart *mp, const char *section, int depth)
{
	int n = g_mime_multipart_get_count(mp);

	if (n == 0) {
		/* No boundary, or none found: what the parser kept is the text. */
		const char *pro = g_mime_multipart_get_prologue(mp);
		const char *epi = g_mime_multipart_get_epilogue(mp);

		if (pro && *pro)
			view_add_text(v, pro, strlen(pro), false, depth);
		if (epi && *epi)
			view_add_text(v, epi, strlen(epi), false, depth);
		return;
	}
	if (has_type(GMIME_OBJECT(mp), "multipart", "alternative")) {
		walk_alternative(v, mp, section, depth);
		return;
	}
	for (int i = 0; i < n; i++) {
		char *sec = child_section(section, i);

		view_walk(v, g_mime_multipart_get_part(mp, i), sec, depth);
		g_free(sec);
	}
}

/* The body of a message at section (NULL: the top): IMAP numbers a
 * multipart body's children section.N and a single part section.1. */
static void walk_body(struct mime_view *v, GMimeObject *body, const char *section, int depth)
{
	char *sec;

	if (GMIME_IS_MULTIPART(body)) {
		view_walk(v, body, section, depth);
		return;
	}
	sec = child_section(section, 0);
	view_walk(v, body, sec, depth);
	g_free(sec);
}

static void walk_message(struct mime_view *v, GMimeObject *obj, const char *section, int depth)
{
	GMimeMessage *m = g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));
	size_t index = add_leaf(v, obj, section);

	separate(v);
	view_add_marker(v, index, depth);
	if (!m)
		return;
	g_array_index(v->atts, struct mime_attachment, index).shown = true;
	view_add_headers(v, g_mime_object_get_header_list(GMIME_OBJECT(m)), depth + 1);
	view_add(v, MIME_LINE_SEPARATOR, 0, depth + 1, 0, -1, NULL);
	if (g_mime_message_get_mime_part(m))
		walk_body(v, g_mime_message_get_mime_part(m), section, depth + 1);
}

static void walk_leaf(struct mime_view *v, GMimeObject *obj, const char *section, int depth)
{
	size_t index = add_leaf(v, obj, section ? section : "1");
	GByteArray *bytes;
	char *text;

	if (!has_type(obj, "text", NULL) || is_attachment(obj) || !GMIME_IS_PART(obj)) {
		separate(v);
		view_add_marker(v, index, depth);
		return;
	}
	bytes = view_part_bytes(GMIME_PART(obj), VIEW_MAX_TEXT);
	text = view_to_utf8((const char *)bytes->data, bytes->len,
	                    g_mime_object_get_content_type_parameter(obj, "charset"));
	g_byte_array_unref(bytes);
	separate(v);
	view_add_text(v, text, strlen(text), has_type(obj, "text", "html"), depth);
	g_array_index(v->atts, struct mime_attachment, index).shown = true;
	g_free(text);
}

void view_walk(struct mime_view *v, GMimeObject *obj, const char *section, int depth)
{
	if (GMIME_IS_MULTIPART(obj))
		walk_multipart(v, GMIME_MULTIPART(obj), section, depth);
	else if (GMIME_IS_MESSAGE_PART(obj))
		walk_message(v, obj, section ? section : "1", depth);
	else
		walk_leaf(v, obj, section, depth);
}

void view_walk_body(struct mime_view *v, GMimeObject *body, const char *section, int depth)
{
	walk_body(v, body, section, depth);
}
