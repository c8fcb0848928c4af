/* raw.c - a prepared message from a script, made fit for the wire
 * without re-encoding it (sendmail-like: only Bcc goes, Date and
 * Message-ID come when missing). */
#include "mime/mime_private.h"

#include <string.h>

struct field {
	size_t start, end; /* byte range in the CRLF text, line ends included */
	char *name;        /* owned */
	char *value;       /* owned, unfolded */
};

static void field_clear(gpointer p)
{
	struct field *f = p;

	g_free(f->name);
	g_free(f->value);
}

/* Split the header block of CRLF text into fields.  *body_at is where the
 * body starts (after the blank line) or len. */
static enum mime_status split_header(const char *t, size_t len, GArray *fields, size_t *body_at,
                                     struct mime_error *err)
{
	size_t pos = 0;
	int line = 0;

	while (pos < len) {
		const char *crlf = g_strstr_len(t + pos, (gssize)(len - pos), "\r\n");
		size_t eol = crlf ? (size_t)(crlf - t) : len;
		size_t next = crlf ? eol + 2 : len;

		line++;
		if (eol == pos) {
			*body_at = next;
			return MIME_OK;
		}
		if ((t[pos] == ' ' || t[pos] == '\t') && fields->len > 0) {
			struct field *f = &g_array_index(fields, struct field, fields->len - 1);
			char *more = g_strndup(t + pos, eol - pos);
			char *v = g_strconcat(f->value, more, NULL);

			g_free(more);
			g_free(f->value);
			f->value = v;
			f->end = next;
		} else {
			const char *colon = memchr(t + pos, ':', eol - pos);
			struct field f;

			if (!colon || colon == t + pos)
				return mime_fail(err, MIME_ERR_HEADER, line, NULL);
			f.start = pos;
			f.end = next;
			f.name = g_strstrip(g_strndup(t + pos, (size_t)(colon - t - pos)));
			f.value = g_strndup(colon + 1, eol - (size_t)(colon - t) - 1);
			if (strpbrk(f.name, " \t")) {
				g_free(f.name);
				g_free(f.value);
				return mime_fail(err, MIME_ERR_HEADER, line, NULL);
			}
			g_array_append_val(fields, f);
		}
		pos = next;
	}
	*body_at = len;
	return MIME_OK;
}

static bool is_name(const struct field *f, const char *name)
{
	return g_ascii_strcasecmp(f->name, name) == 0;
}

static enum mime_status collect_recipients(GArray *fields, GPtrArray *rcpts, struct mime_error *err)
{
	for (guint i = 0; i < fields->len; i++) {
		struct field *f = &g_array_index(fields, struct field, i);
		InternetAddressList *list;
		char *bad = NULL;

		if (!is_name(f, "To") && !is_name(f, "Cc") && !is_name(f, "Bcc"))
			continue;
		list = mime_parse_address_list(f->value, &bad);
		if (!list) {
			mime_fail(err, MIME_ERR_ADDRESS, 0, "%s", bad);
			g_free(bad);
			return MIME_ERR_ADDRESS;
		}
		if (!mime_collect_addresses(list, rcpts, &bad)) {
			mime_fail(err, MIME_ERR_ADDRESS, 0, "%s", bad ? bad : f->value);
			g_free(bad);
			g_object_unref(list);
			return MIME_ERR_ADDRESS;
		}
		g_object_unref(list);
	}
	if (rcpts->len == 0)
		return mime_fail(err, MIME_ERR_NO_RECIPIENTS, 0, NULL);
	return MIME_OK;
}

/* "From: Name <addr>" with the name quoted or RFC 2047 encoded as
 * needed and folded, CRLF line ends; no name: "From: <addr>". */
static void add_from(GString *add, const char *envelope_from, const char *from_name)
{
	if (!from_name || !*from_name) {
		g_string_append_printf(add, "From: <%s>\r\n", envelope_from);
		return;
	}
	InternetAddressList *list = internet_address_list_new();
	InternetAddress *ia = internet_address_mailbox_new(from_name, envelope_from);
	internet_address_list_add(list, ia);
	g_object_unref(ia);
	char *value = mime_format_address_list(list);
	char *folded = mime_fold("From", value);
	g_string_append(add, "From:");
	for (const char *p = folded; *p; p++) {
		if (*p == '\n')
			g_string_append_c(add, '\r');
		g_string_append_c(add, *p);
	}
	g_free(folded);
	g_free(value);
	g_object_unref(list);
}

/* Date, Message-ID and From when the input has none. */
static void missing_headers(GArray *fields, const char *envelope_from, const char *from_name,
                            GString *add, char **message_id)
{
	bool date = false, from = false;

	for (guint i = 0; i < fields->len; i++) {
		struct field *f = &g_array_index(fields, struct field, i);

		date |= is_name(f, "Date");
		from |= is_name(f, "From");
		if (is_name(f, "Message-ID") && !*message_id)
			*message_id = mime_strip_angle(f->value);
	}
	if (!from)
		add_from(add, envelope_from, from_name);
	if (!date) {
		GDateTime *now = g_date_time_new_now_local();
		char *s = g_mime_utils_header_format_date(now);

		g_string_append_printf(add, "Date: %s\r\n", s);
		g_free(s);
		g_date_time_unref(now);
	}
	if (!*message_id) {
		*message_id = mime_new_message_id(envelope_from);
		g_string_append_printf(add, "Message-ID: <%s>\r\n", *message_id);
	}
}

static char *assemble(const char *t, size_t len, GArray *fields, size_t body_at, const GString *add,
                      bool keep_bcc, size_t *out_len)
{
	GString *s = g_string_sized_new(len + add->len + 4);

	for (guint i = 0; i < fields->len; i++) {
		struct field *f = &g_array_index(fields, struct field, i);

		if (!keep_bcc && is_name(f, "Bcc"))
			continue;
		g_string_append_len(s, t + f->start, (gssize)(f->end - f->start));
		if (f->end == len && (len < 2 || memcmp(t + len - 2, "\r\n", 2) != 0))
			g_string_append(s, "\r\n");
	}
	g_string_append_len(s, add->str, (gssize)add->len);
	g_string_append(s, "\r\n");
	if (body_at < len)
		g_string_append_len(s, t + body_at, (gssize)(len - body_at));
	*out_len = s->len;
	return g_string_free(s, FALSE);
}

enum mime_status mime_prepare_raw(const char *data, size_t len, const char *envelope_from,
                                  struct mime_outgoing **out, struct mime_error *err)
{
	return mime_prepare_raw_named(data, len, envelope_from, NULL, out, err);
}

enum mime_status mime_prepare_raw_named(const char *data, size_t len, const char *envelope_from,
                                        const char *from_name, struct mime_outgoing **out,
                                        struct mime_error *err)
{
	const char *nul = memchr(data, '\0', len);
	GArray *fields;
	GString *add;
	struct mime_outgoing *m;
	enum mime_status st;
	size_t tlen, body_at = 0;
	char *t;
	int line;
	bool has_bcc = false;

	*out = NULL;
	mime_init();
	if (nul) {
		line = 1;
		for (const char *p = data; p < nul; p++)
			line += *p == '\n';
		return mime_fail(err, MIME_ERR_NUL, line, NULL);
	}
	line = mime_find_long_line(data, len, MIME_MAX_LINE);
	if (line)
		return mime_fail(err, MIME_ERR_LINE_TOO_LONG, line, NULL);
	t = mime_to_crlf(data, len, &tlen);
	fields = g_array_new(FALSE, FALSE, sizeof(struct field));
	g_array_set_clear_func(fields, field_clear);
	m = g_new0(struct mime_outgoing, 1);
	m->recipients = g_ptr_array_new_with_free_func(g_free);
	m->envelope_from = g_strdup(envelope_from);
	add = g_string_new(NULL);
	st = split_header(t, tlen, fields, &body_at, err);
	if (st == MIME_OK)
		st = collect_recipients(fields, m->recipients, err);
	if (st == MIME_OK) {
		missing_headers(fields, envelope_from, from_name, add, &m->message_id);
		for (guint i = 0; i < fields->len; i++)
			has_bcc |= is_name(&g_array_index(fields, struct field, i), "Bcc");
		m->wire = assemble(t, tlen, fields, body_at, add, false, &m->wire_len);
		if (has_bcc)
			m->copy = assemble(t, tlen, fields, body_at, add, true, &m->copy_len);
	}
	g_string_free(add, TRUE);
	g_array_unref(fields);
	g_free(t);
	if (st != MIME_OK) {
		mime_outgoing_free(m);
		return st;
	}
	*out = m;
	return MIME_OK;
}
