/* view_headers.c - the chosen header fields, decoded for display.
 *
 * Values are decoded from the raw header text with our parser options
 * (loose RFC 2047, fallback charsets) rather than taken from GMime's
 * cached value, so a broken encoded word or raw 8-bit text still comes
 * out readable.  Address fields go through GMime's address parser, which
 * decodes each display name on its own. */
#include "mime/mime_private.h"
#include "mime/view_private.h"

#include "core/core.h"

#include <string.h>

static bool is_address_field(const char *name)
{
	static const char *const fields[] = {
	    "From",   "To",          "Cc",        "Bcc",       "Reply-To",
	    "Sender", "Resent-From", "Resent-To", "Resent-Cc", "Mail-Followup-To",
	};

	for (size_t i = 0; i < G_N_ELEMENTS(fields); i++)
		if (g_ascii_strcasecmp(name, fields[i]) == 0)
			return true;
	return false;
}

static char *decode_value(struct mime_view *v, const char *name, const char *raw)
{
	char *unfolded = g_mime_utils_header_unfold(raw ? raw : "");
	char *out = NULL;

	g_strstrip(unfolded);
	if (is_address_field(name)) {
		char *words = mime_decode_words(unfolded, true);
		InternetAddressList *list = internet_address_list_parse(v->popts, words);
		g_free(words);

		if (list && internet_address_list_length(list) > 0)
			out = internet_address_list_to_string(list, NULL, FALSE);
		if (list)
			g_object_unref(list);
	}
	if (!out) {
		char *words = mime_decode_words(unfolded, false);
		out = g_utf8_validate(words, -1, NULL)
			? g_strdup(words)
			: g_mime_utils_decode_8bit(v->popts, words, strlen(words));
		g_free(words);
	}
	g_free(unfolded);
	return out;
}

/* Cut safe text at max bytes on a character boundary, marking the cut. */
static char *cut(char *s, size_t max)
{
	const char *end;
	char *r;

	if (strlen(s) <= max)
		return s;
	end = g_utf8_find_prev_char(s, s + max);
	r = g_strdup_printf("%.*s…", (int)(end ? end - s : 0), s);
	g_free(s);
	return r;
}

void view_add_headers(struct mime_view *v, GMimeHeaderList *list, int depth)
{
	int count = list ? g_mime_header_list_get_count(list) : 0;

	for (guint i = 0; i < v->headers->len; i++) {
		const char *want = g_ptr_array_index(v->headers, i);
		char *name = core_safe_text(want, (size_t)-1, false);

		for (int j = 0; j < count; j++) {
			GMimeHeader *h = g_mime_header_list_get_header_at(list, j);
			char *value, *safe, *line;

			if (g_ascii_strcasecmp(g_mime_header_get_name(h), want) != 0)
				continue;
			value = decode_value(v, want, g_mime_header_get_raw_value(h));
			safe = cut(core_safe_text(value, (size_t)-1, false), VIEW_MAX_HEADER);
			line = g_strdup_printf("%s: %s", name, safe);
			view_add(v, MIME_LINE_HEADER, 0, depth, (int)strlen(name) + 1, -1, line);
			g_free(value);
			g_free(safe);
		}
		g_free(name);
	}
}
