/* build.c - a draft becomes an RFC 5322 message (GMime does the encoding). */
#include "mime/mime_private.h"

#include <string.h>

/* Body with LF line ends and a final newline (GMime writes CRLF later). */
static char *body_lf(const char *body)
{
	GString *s = g_string_new(NULL);

	for (const char *p = body ? body : ""; *p; p++) {
		if (*p == '\r') {
			g_string_append_c(s, '\n');
			if (p[1] == '\n')
				p++;
		} else {
			g_string_append_c(s, *p);
		}
	}
	if (s->len > 0 && s->str[s->len - 1] != '\n')
		g_string_append_c(s, '\n');
	return g_string_free(s, FALSE);
}

static bool is_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return false;
	return true;
}

static GMimeObject *text_part(const char *body, bool eight_bit)
{
	char *text = body_lf(body);
	size_t len = strlen(text);
	bool long_lines = mime_find_long_line(text, len, MIME_MAX_LINE) != 0;
	GMimeContentEncoding enc = GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE;
	GMimeTextPart *tp = g_mime_text_part_new_with_subtype("plain");
	GMimeStream *stream;
	GMimeDataWrapper *wrapper;

	/* Quoted-printable unless the text is safe as it is: it keeps every
	 * line short and survives servers without 8BITMIME. */
	if (!long_lines && is_ascii(text))
		enc = GMIME_CONTENT_ENCODING_7BIT;
	else if (!long_lines && eight_bit)
		enc = GMIME_CONTENT_ENCODING_8BIT;
	/* Not g_mime_text_part_set_text(): it would pick iso-8859-1 for
	 * Latin-1-only text; the body is UTF-8 and is declared so. */
	g_mime_text_part_set_charset(tp, "utf-8");
	stream = g_mime_stream_mem_new_with_buffer(text, len);
	wrapper = g_mime_data_wrapper_new_with_stream(stream, GMIME_CONTENT_ENCODING_DEFAULT);
	g_mime_part_set_content(GMIME_PART(tp), wrapper);
	g_mime_part_set_content_encoding(GMIME_PART(tp), enc);
	g_object_unref(wrapper);
	g_object_unref(stream);
	g_free(text);
	return GMIME_OBJECT(tp);
}

/* Parse text into dst (a header's list) and add its addresses to rcpts
 * (when non-NULL). */
static enum mime_status add_list(InternetAddressList *dst, const char *text, GPtrArray *rcpts,
                                 struct mime_error *err)
{
	char *bad = NULL;
	InternetAddressList *list = mime_parse_address_list(text, &bad);
	GPtrArray *tmp;

	if (!list) {
		mime_fail(err, MIME_ERR_ADDRESS, 0, "%s", bad);
		g_free(bad);
		return MIME_ERR_ADDRESS;
	}
	tmp = rcpts ? rcpts : g_ptr_array_new_with_free_func(g_free);
	if (!mime_collect_addresses(list, tmp, &bad)) {
		mime_fail(err, MIME_ERR_ADDRESS, 0, "%s", bad ? bad : text);
		g_free(bad);
		g_object_unref(list);
		if (!rcpts)
			g_ptr_array_unref(tmp);
		return MIME_ERR_ADDRESS;
	}
	if (!rcpts)
		g_ptr_array_unref(tmp);
	internet_address_list_append(dst, list);
	g_object_unref(list);
	return MIME_OK;
}

static enum mime_status set_from(GMimeMessage *msg, const struct mime_draft *d,
                                 const struct mime_build_opts *o, struct mime_error *err)
{
	InternetAddressList *from = g_mime_message_get_from(msg);
	GPtrArray *addrs;
	enum mime_status st;

	if (!d->from || !*d->from) {
		if (!o->from_address || !*o->from_address)
			return mime_fail(err, MIME_ERR_NO_FROM, 0, NULL);
		InternetAddress *ia =
		    internet_address_mailbox_new(o->from_name ? o->from_name : "", o->from_address);

		internet_address_list_add(from, ia); /* takes its own reference */
		g_object_unref(ia);
		return MIME_OK;
	}
	addrs = g_ptr_array_new_with_free_func(g_free);
	st = add_list(from, d->from, addrs, err);
	if (st == MIME_OK && addrs->len != 1)
		st = mime_fail(err, MIME_ERR_NO_FROM, 0, "%s", d->from);
	g_ptr_array_unref(addrs);
	return st;
}

static void set_header(GMimeMessage *msg, const char *name, const char *value)
{
	if (value && *value)
		g_mime_object_set_header(GMIME_OBJECT(msg), name, value, "utf-8");
}

static void set_raw(GMimeHeader *h, const char *value)
{
	char *raw = mime_fold(g_mime_header_get_name(h), value);

	g_mime_header_set_raw_value(h, raw);
	g_free(raw);
}

/* Replace GMime's encoding of non-ASCII headers by Q words (encode.c). */
static void encode_headers(GMimeMessage *msg)
{
	static const struct {
		const char *name;
		GMimeAddressType type;
	} lists[] = {
	    {"From", GMIME_ADDRESS_TYPE_FROM}, {"Reply-To", GMIME_ADDRESS_TYPE_REPLY_TO},
	    {"To", GMIME_ADDRESS_TYPE_TO},     {"Cc", GMIME_ADDRESS_TYPE_CC},
	    {"Bcc", GMIME_ADDRESS_TYPE_BCC},
	};
	GMimeHeaderList *hl = g_mime_object_get_header_list(GMIME_OBJECT(msg));
	int n = g_mime_header_list_get_count(hl);

	for (int i = 0; i < n; i++) {
		GMimeHeader *h = g_mime_header_list_get_header_at(hl, i);
		const char *name = g_mime_header_get_name(h);
		const char *value = g_mime_header_get_value(h);
		bool done = false;

		for (size_t j = 0; j < G_N_ELEMENTS(lists) && !done; j++) {
			InternetAddressList *l;
			char *v;

			if (g_ascii_strcasecmp(name, lists[j].name) != 0)
				continue;
			done = true;
			l = g_mime_message_get_addresses(msg, lists[j].type);
			if (internet_address_list_length(l) == 0)
				continue;
			v = mime_format_address_list(l);
			set_raw(h, v);
			g_free(v);
		}
		if (!done && value && !is_ascii(value)) {
			char *v = mime_encode_text(value);

			set_raw(h, v);
			g_free(v);
		}
	}
}

static char *serialise(GMimeMessage *msg, bool hide_bcc, size_t *len)
{
	GMimeFormatOptions *fo = g_mime_format_options_clone(NULL);
	char *raw, *crlf;

	g_mime_format_options_set_newline_format(fo, GMIME_NEWLINE_FORMAT_DOS);
	if (hide_bcc)
		g_mime_format_options_add_hidden_header(fo, "Bcc");
	raw = g_mime_object_to_string(GMIME_OBJECT(msg), fo);
	g_mime_format_options_free(fo);
	if (!raw)
		return NULL;
	crlf = mime_to_crlf(raw, strlen(raw), len);
	g_free(raw);
	return crlf;
}

static enum mime_status add_addresses(GMimeMessage *msg, const struct mime_draft *d,
                                      GPtrArray *rcpts, bool draft, struct mime_error *err)
{
	enum mime_status st;

	st = add_list(g_mime_message_get_to(msg), d->to, rcpts, err);
	if (st == MIME_OK)
		st = add_list(g_mime_message_get_cc(msg), d->cc, rcpts, err);
	if (st == MIME_OK)
		st = add_list(g_mime_message_get_bcc(msg), d->bcc, rcpts, err);
	if (st == MIME_OK && d->reply_to)
		st = add_list(g_mime_message_get_reply_to(msg), d->reply_to, NULL, err);
	if (st == MIME_OK && rcpts->len == 0 && !draft)
		st = mime_fail(err, MIME_ERR_NO_RECIPIENTS, 0, NULL);
	return st;
}

static enum mime_status set_content(GMimeMessage *msg, const struct mime_draft *d, bool eight_bit,
                                    struct mime_error *err)
{
	GMimeObject *text = text_part(d->body, eight_bit);
	GMimeMultipart *mixed;

	if (!d->attachments || d->attachments->len == 0) {
		g_mime_message_set_mime_part(msg, text);
		g_object_unref(text);
		return MIME_OK;
	}
	mixed = g_mime_multipart_new_with_subtype("mixed");
	g_mime_multipart_add(mixed, text);
	g_object_unref(text);
	for (guint i = 0; i < d->attachments->len; i++) {
		GMimeObject *part = mime_attachment_part(d->attachments->pdata[i], err);

		if (!part) {
			g_object_unref(mixed);
			return MIME_ERR_ATTACHMENT;
		}
		g_mime_multipart_add(mixed, part);
		g_object_unref(part);
	}
	g_mime_message_set_mime_part(msg, GMIME_OBJECT(mixed));
	g_object_unref(mixed);
	return MIME_OK;
}

enum mime_status mime_build(const struct mime_draft *d, const struct mime_build_opts *o,
                            struct mime_outgoing **out, struct mime_error *err)
{
	GMimeMessage *msg;
	GDateTime *date;
	struct mime_outgoing *m = g_new0(struct mime_outgoing, 1);
	enum mime_status st;
	int line;

	*out = NULL;
	mime_init();
	msg = g_mime_message_new(TRUE);
	m->recipients = g_ptr_array_new_with_free_func(g_free);
	st = set_from(msg, d, o, err);
	if (st == MIME_OK)
		st = add_addresses(msg, d, m->recipients, o->draft, err);
	if (st == MIME_OK)
		st = set_content(msg, d, o->eight_bit, err);
	if (st != MIME_OK)
		goto fail;

	{
		InternetAddress *ia =
		    internet_address_list_get_address(g_mime_message_get_from(msg), 0);
		const char *from_addr =
		    internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia));

		m->envelope_from =
		    g_strdup(o->from_address && *o->from_address ? o->from_address : from_addr);
	}
	if (d->subject)
		g_mime_message_set_subject(msg, d->subject, "utf-8");
	date = o->date ? g_date_time_new_from_unix_local(o->date) : g_date_time_new_now_local();
	g_mime_message_set_date(msg, date);
	g_date_time_unref(date);
	m->message_id =
	    o->message_id ? mime_strip_angle(o->message_id) : mime_new_message_id(m->envelope_from);
	g_mime_message_set_message_id(msg, m->message_id);
	set_header(msg, "In-Reply-To", d->in_reply_to);
	set_header(msg, "References", d->references);
	for (guint i = 0; d->extra_headers && i < d->extra_headers->len; i++) {
		const struct mime_header *h = d->extra_headers->pdata[i];

		g_mime_object_append_header(GMIME_OBJECT(msg), h->name, h->value, "utf-8");
	}

	/* GMime writes "Cc: " for an empty list; an empty header is noise. */
	if (internet_address_list_length(g_mime_message_get_cc(msg)) == 0)
		g_mime_object_remove_header(GMIME_OBJECT(msg), "Cc");
	if (internet_address_list_length(g_mime_message_get_bcc(msg)) == 0)
		g_mime_object_remove_header(GMIME_OBJECT(msg), "Bcc");
	encode_headers(msg);
	m->wire = serialise(msg, true, &m->wire_len);
	m->copy = serialise(msg, false, &m->copy_len);
	if (!m->wire || !m->copy) {
		st = mime_fail(err, MIME_ERR_INTERNAL, 0, NULL);
		goto fail;
	}
	/* Only an unbreakable header token can get here (GMime folds at
	 * whitespace, bodies are encoded); never send it broken. */
	line = mime_find_long_line(m->copy, m->copy_len, MIME_MAX_LINE);
	if (line) {
		st = mime_fail(err, MIME_ERR_LINE_TOO_LONG, line, NULL);
		goto fail;
	}
	g_object_unref(msg);
	*out = m;
	return MIME_OK;
fail:
	g_object_unref(msg);
	mime_outgoing_free(m);
	return st;
}
