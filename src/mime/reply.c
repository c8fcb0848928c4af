/* reply.c - drafts made from a received message: reply, reply to all,
 * reply to the list, forward inline or as an attachment, and a postponed
 * draft read back for more editing.  GMime parses; the words a person
 * reads (attribution, forward banner) come from the caller, translated. */
#include "mime/mime_private.h"
#include "mime/view_private.h"

#include <string.h>

#include "core/core.h"

/* Quoted text is cut here: nobody quotes 16 MB back. */
#define REPLY_MAX_TEXT (1u << 20)

/* Length of one leading "Re:" / "Re[2]:" / "RE :" (or, with fwd, "Fwd:"
 * / "Fw:"), spaces after it included; 0 when text does not start so. */
static size_t prefix_len(const char *s, bool fwd)
{
	static const char *const re[] = {"re", NULL};
	static const char *const fw[] = {"fwd", "fw", NULL};
	const char *const *words = fwd ? fw : re;

	for (; *words; words++) {
		size_t n = strlen(*words);
		const char *p = s + n;

		if (g_ascii_strncasecmp(s, *words, n) != 0)
			continue;
		if (*p == '[') {
			while (g_ascii_isdigit(*++p))
				;
			if (*p != ']')
				continue;
			p++;
		}
		while (*p == ' ')
			p++;
		if (*p != ':')
			continue;
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		return (size_t)(p - s);
	}
	return 0;
}

static char *prefixed(const char *subject, const char *prefix, bool fwd)
{
	const char *s = subject ? subject : "";
	size_t n;

	while (*s == ' ' || *s == '\t')
		s++;
	while ((n = prefix_len(s, fwd)) > 0)
		s += n;
	return g_strconcat(prefix, s, NULL);
}

char *mime_reply_subject(const char *subject)
{
	return prefixed(subject, "Re: ", false);
}

char *mime_forward_subject(const char *subject)
{
	return prefixed(subject, "Fwd: ", true);
}

/* The message ids ("<...>") found in text, appended to out unless there. */
static void add_ids(GPtrArray *out, const char *text)
{
	const char *p = text;

	while (p && (p = strchr(p, '<'))) {
		const char *end = strchr(p, '>');
		char *id;
		bool seen = false;

		if (!end)
			break;
		id = g_strndup(p, (size_t)(end - p + 1));
		for (guint i = 0; i < out->len && !seen; i++)
			seen = strcmp(out->pdata[i], id) == 0;
		if (seen || strpbrk(id + 1, " \t\r\n<"))
			g_free(id);
		else
			g_ptr_array_add(out, id);
		p = end + 1;
	}
}

char *mime_reply_references(const char *references, const char *in_reply_to, const char *message_id)
{
	GPtrArray *ids = g_ptr_array_new_with_free_func(g_free);
	char *mid = NULL, *out;

	add_ids(ids, references);
	/* RFC 5322 3.6.4: without References, the parent's In-Reply-To
	 * (when it holds a single id) stands in for them. */
	if (ids->len == 0)
		add_ids(ids, in_reply_to);
	if (message_id && *message_id) {
		char *bare = mime_strip_angle(message_id);

		mid = g_strdup_printf("<%s>", bare);
		g_free(bare);
		add_ids(ids, mid);
	}
	g_free(mid);
	g_ptr_array_add(ids, NULL);
	out = g_strjoinv(" ", (char **)ids->pdata);
	g_ptr_array_unref(ids);
	return out;
}

char *mime_quote_text(const char *text)
{
	GString *s = g_string_new(NULL);
	char **lines;
	int n;

	if (!text || !*text)
		return g_string_free(s, FALSE);
	lines = g_strsplit(text, "\n", -1);
	n = (int)g_strv_length(lines);
	/* No quoted empty line for the text's final newline. */
	if (n > 0 && !*lines[n - 1])
		n--;
	for (int i = 0; i < n; i++) {
		char *l = lines[i];
		size_t len = strlen(l);

		if (len && l[len - 1] == '\r')
			l[len - 1] = '\0';
		/* "> " before text, ">" before an already quoted line. */
		g_string_append(s, l[0] == '>' ? ">" : l[0] ? "> " : ">");
		g_string_append(s, l);
		g_string_append_c(s, '\n');
	}
	g_strfreev(lines);
	return g_string_free(s, FALSE);
}

/* ---- reading the original ------------------------------------------------ */

static GMimeMessage *parse(const char *raw, size_t len)
{
	GMimeStream *stream;
	GMimeParser *parser;
	GMimeMessage *msg;

	mime_init();
	stream = g_mime_stream_mem_new_with_buffer(raw, len);
	parser = g_mime_parser_new_with_stream(stream);
	msg = g_mime_parser_construct_message(parser, NULL);
	g_object_unref(parser);
	g_object_unref(stream);
	return msg;
}

static bool is_attachment(GMimeObject *obj)
{
	const char *d = g_mime_object_get_disposition(obj);

	return d && g_ascii_strcasecmp(d, "attachment") == 0;
}

static bool is_text(GMimeObject *obj, const char *subtype)
{
	GMimeContentType *ct = g_mime_object_get_content_type(obj);

	return GMIME_IS_PART(obj) && ct && g_mime_content_type_is_type(ct, "text", subtype);
}

/* The text a reply quotes: the first inline text/plain (text/html turned
 * into text when there is no plain one).  Owned UTF-8, or NULL. */
static char *body_text(GMimeObject *obj, bool allow_html)
{
	if (GMIME_IS_MULTIPART(obj)) {
		GMimeMultipart *mp = GMIME_MULTIPART(obj);
		int n = g_mime_multipart_get_count(mp);
		GMimeContentType *ct = g_mime_object_get_content_type(obj);
		bool alt = ct && g_mime_content_type_is_type(ct, "multipart", "alternative");
		char *t = NULL;

		/* In an alternative, text/plain wins wherever it is. */
		for (int i = 0; i < n && !t; i++)
			t = body_text(g_mime_multipart_get_part(mp, i), !alt);
		for (int i = 0; alt && allow_html && i < n && !t; i++)
			t = body_text(g_mime_multipart_get_part(mp, i), true);
		return t;
	}
	if (is_attachment(obj))
		return NULL;
	if (is_text(obj, "plain") || (allow_html && is_text(obj, "html"))) {
		GMimePart *part = GMIME_PART(obj);
		GByteArray *bytes = view_part_bytes(part, REPLY_MAX_TEXT);
		const char *cs = g_mime_object_get_content_type_parameter(obj, "charset");
		char *utf8 = view_to_utf8((const char *)bytes->data, bytes->len, cs);

		g_byte_array_unref(bytes);
		if (is_text(obj, "html")) {
			char *plain = html_strip(utf8, strlen(utf8));

			g_free(utf8);
			utf8 = plain;
		}
		return utf8;
	}
	return NULL;
}

/* LF line ends, without the signature ("-- " line and after). */
static char *clean_text(const char *text)
{
	GString *s = g_string_new(NULL);
	const char *p = text ? text : "";

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		size_t l = len;

		if (l && p[l - 1] == '\r')
			l--;
		if (l == 3 && strncmp(p, "-- ", 3) == 0)
			break;
		g_string_append_len(s, p, (gssize)l);
		g_string_append_c(s, '\n');
		p += len + (nl ? 1 : 0);
	}
	/* No trailing blank lines. */
	while (s->len >= 2 && s->str[s->len - 1] == '\n' && s->str[s->len - 2] == '\n')
		g_string_truncate(s, s->len - 1);
	return g_string_free(s, FALSE);
}

static const char *header(GMimeMessage *msg, const char *name)
{
	return g_mime_object_get_header(GMIME_OBJECT(msg), name);
}

/* An address list as a person edits it: "Name <a@b>, c@d" (decoded). */
static char *list_text(InternetAddressList *l)
{
	char *s;

	if (!l || internet_address_list_length(l) == 0)
		return NULL;
	s = internet_address_list_to_string(l, NULL, FALSE);
	if (s && !*s) {
		g_free(s);
		return NULL;
	}
	return s;
}

static bool is_me(const char *addr, const char *const *me)
{
	for (; me && *me; me++)
		if (g_ascii_strcasecmp(addr, *me) == 0)
			return true;
	return false;
}

/* Append the mailboxes of src to dst, skipping mine and those already in
 * dst or in also (may be NULL). */
static void merge(InternetAddressList *dst, InternetAddressList *src, const char *const *me,
                  InternetAddressList *also)
{
	GPtrArray *seen = g_ptr_array_new_with_free_func(g_free);
	char *bad = NULL;
	int n;

	if (!src)
		goto out;
	mime_collect_addresses(dst, seen, &bad);
	g_clear_pointer(&bad, g_free);
	if (also)
		mime_collect_addresses(also, seen, &bad);
	g_clear_pointer(&bad, g_free);
	n = internet_address_list_length(src);
	for (int i = 0; i < n; i++) {
		InternetAddress *ia = internet_address_list_get_address(src, i);
		const char *addr;
		bool dup = false;

		if (!INTERNET_ADDRESS_IS_MAILBOX(ia)) {
			/* A group: its members, flattened. */
			if (INTERNET_ADDRESS_IS_GROUP(ia))
				merge(
				    dst,
				    internet_address_group_get_members(INTERNET_ADDRESS_GROUP(ia)),
				    me, also);
			continue;
		}
		addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia));
		if (!addr || !*addr || is_me(addr, me))
			continue;
		for (guint j = 0; j < seen->len && !dup; j++)
			dup = g_ascii_strcasecmp(seen->pdata[j], addr) == 0;
		if (dup)
			continue;
		g_ptr_array_add(seen, g_strdup(addr));
		internet_address_list_add(dst, ia);
	}
out:
	g_ptr_array_unref(seen);
}

/* "list@example.org" from List-Post: "<mailto:list@example.org?...>". */
static char *list_post(GMimeMessage *msg)
{
	const char *v = header(msg, "List-Post");
	const char *p = v ? strstr(v, "mailto:") : NULL;
	size_t n;

	if (!p)
		return NULL;
	p += 7;
	n = strcspn(p, ">?, \t\r\n");
	return n ? g_uri_unescape_segment(p, p + n, NULL) : NULL;
}

/* The person who wrote msg, for the attribution: display name, else
 * the address.  Owned. */
static char *author(GMimeMessage *msg)
{
	InternetAddressList *from = g_mime_message_get_from(msg);
	InternetAddress *ia;
	const char *name;

	if (!from || internet_address_list_length(from) == 0)
		return g_strdup("?");
	ia = internet_address_list_get_address(from, 0);
	name = internet_address_get_name(ia);
	if (name && *name)
		return g_strdup(name);
	if (INTERNET_ADDRESS_IS_MAILBOX(ia))
		return g_strdup(internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia)));
	return g_strdup("?");
}

static char *date_text(GMimeMessage *msg, const char *format)
{
	GDateTime *d = g_mime_message_get_date(msg);
	GDateTime *local;
	char *s;

	if (!d)
		return g_strdup("?");
	local = g_date_time_to_local(d);
	s = g_date_time_format(local, format ? format : "%Y-%m-%d %H:%M");
	g_date_time_unref(local);
	return s ? s : g_strdup("?");
}

/* fmt with %n (author), %d (date) and %% replaced. */
static char *expand(const char *fmt, const char *name, const char *date)
{
	GString *s = g_string_new(NULL);

	for (const char *p = fmt; *p; p++) {
		if (*p != '%' || !p[1]) {
			g_string_append_c(s, *p);
			continue;
		}
		p++;
		if (*p == 'n')
			g_string_append(s, name);
		else if (*p == 'd')
			g_string_append(s, date);
		else if (*p == '%')
			g_string_append_c(s, '%');
		else {
			g_string_append_c(s, '%');
			g_string_append_c(s, *p);
		}
	}
	return g_string_free(s, FALSE);
}

static char *decoded_subject(GMimeMessage *msg)
{
	const char *s = g_mime_message_get_subject(msg);

	return g_strdup(s ? s : "");
}

enum mime_status mime_reply_draft(const char *raw, size_t len, enum mime_reply_kind kind,
                                  const struct mime_reply_opts *o, struct mime_draft **out,
                                  struct mime_error *err)
{
	GMimeMessage *msg = parse(raw, len);
	const char *const *me = o ? o->me : NULL;
	struct mime_draft *d;
	InternetAddressList *to, *cc;
	char *subject, *text, *quoted, *name, *date, *line;

	*out = NULL;
	if (!msg)
		return mime_fail(err, MIME_ERR_HEADER, 0, "not a message");
	d = mime_draft_new();
	to = internet_address_list_new();
	cc = internet_address_list_new();
	if (kind == MIME_REPLY_LIST) {
		char *list = list_post(msg);

		if (!list) {
			g_object_unref(to);
			g_object_unref(cc);
			g_object_unref(msg);
			mime_draft_free(d);
			return mime_fail(err, MIME_ERR_NO_LIST, 0, NULL);
		}
		d->to = list;
	} else {
		InternetAddressList *rt = g_mime_message_get_reply_to(msg);
		InternetAddressList *from = g_mime_message_get_from(msg);
		InternetAddressList *who = rt && internet_address_list_length(rt) ? rt : from;

		/* Replying to my own message goes to its recipients instead. */
		merge(to, who, kind == MIME_REPLY_ALL ? me : NULL, NULL);
		if (kind == MIME_REPLY_ALL) {
			merge(to, g_mime_message_get_to(msg), me, NULL);
			merge(cc, g_mime_message_get_cc(msg), me, to);
			if (internet_address_list_length(to) == 0)
				merge(to, who, NULL, NULL);
		}
		d->to = list_text(to);
		d->cc = list_text(cc);
	}
	g_object_unref(to);
	g_object_unref(cc);

	subject = decoded_subject(msg);
	d->subject = mime_reply_subject(subject);
	g_free(subject);
	{
		const char *mid = g_mime_message_get_message_id(msg);

		if (mid && *mid)
			d->in_reply_to = g_strdup_printf("<%s>", mid);
		d->references = mime_reply_references(header(msg, "References"),
		                                      header(msg, "In-Reply-To"), mid);
		if (!*d->references)
			g_clear_pointer(&d->references, g_free);
	}

	text = body_text(g_mime_message_get_mime_part(msg), true);
	{
		char *clean = clean_text(text);

		quoted = mime_quote_text(clean);
		g_free(clean);
	}
	name = author(msg);
	date = date_text(msg, o ? o->date_format : NULL);
	line = o && o->attribution ? expand(o->attribution, name, date) : NULL;
	d->body = g_strdup_printf("%s%s%s\n", line ? line : "", line ? "\n" : "", quoted);
	g_free(line);
	g_free(date);
	g_free(name);
	g_free(quoted);
	g_free(text);
	g_object_unref(msg);
	*out = d;
	return MIME_OK;
}

/* "Name: value" for the inline forward's header block, when set. */
static void put_header(GString *s, const char *name, char *value_owned)
{
	if (value_owned && *value_owned)
		g_string_append_printf(s, "%s: %s\n", name, value_owned);
	g_free(value_owned);
}

enum mime_status mime_forward_draft(const char *raw, size_t len, const char *banner,
                                    const char *attach_path, struct mime_draft **out,
                                    struct mime_error *err)
{
	GMimeMessage *msg = parse(raw, len);
	struct mime_draft *d;
	char *subject;

	*out = NULL;
	if (!msg)
		return mime_fail(err, MIME_ERR_HEADER, 0, "not a message");
	d = mime_draft_new();
	subject = decoded_subject(msg);
	d->subject = mime_forward_subject(subject);
	if (attach_path) {
		g_ptr_array_add(d->attachments, g_strdup(attach_path));
		d->body = g_strdup("");
	} else {
		GString *s = g_string_new("\n\n");
		char *text = body_text(g_mime_message_get_mime_part(msg), true);
		char *clean = clean_text(text);

		g_string_append_printf(s, "%s\n", banner ? banner : "");
		put_header(s, "From", list_text(g_mime_message_get_from(msg)));
		put_header(s, "Date", date_text(msg, "%a, %d %b %Y %H:%M:%S %z"));
		put_header(s, "Subject", g_strdup(subject));
		put_header(s, "To", list_text(g_mime_message_get_to(msg)));
		put_header(s, "Cc", list_text(g_mime_message_get_cc(msg)));
		g_string_append_c(s, '\n');
		g_string_append(s, clean);
		d->body = g_string_free(s, FALSE);
		g_free(clean);
		g_free(text);
	}
	g_free(subject);
	g_object_unref(msg);
	*out = d;
	return MIME_OK;
}

/* ---- a postponed draft back into a draft ---------------------------------- */

struct resume {
	const char *dir;
	struct mime_draft *d;
	bool have_body;
	int n;
	struct mime_error *err;
	enum mime_status st;
};

static void save_part(struct resume *r, GMimeObject *obj)
{
	GMimeStream *mem = g_mime_stream_mem_new();
	GByteArray *bytes;
	const char *fn = NULL;
	char *safe, *path;
	int rc;

	if (GMIME_IS_MESSAGE_PART(obj)) {
		GMimeMessage *m = g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));

		if (m)
			g_mime_object_write_to_stream(GMIME_OBJECT(m), NULL, mem);
		fn = g_mime_object_get_content_disposition_parameter(obj, "filename");
		if (!fn)
			fn = "message.eml";
	} else {
		GMimeDataWrapper *w = g_mime_part_get_content(GMIME_PART(obj));

		if (w)
			g_mime_data_wrapper_write_to_stream(w, mem);
		fn = g_mime_part_get_filename(GMIME_PART(obj));
	}
	g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(mem), FALSE);
	bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	g_object_unref(mem);
	safe = mime_attachment_safe_name(fn, (size_t)r->n++);
	path = g_build_filename(r->dir, safe, NULL);
	/* Two parts with one name: keep both. */
	for (int i = 2; g_file_test(path, G_FILE_TEST_EXISTS) && i < 1000; i++) {
		char *alt = g_strdup_printf("%d-%s", i, safe);

		g_free(path);
		path = g_build_filename(r->dir, alt, NULL);
		g_free(alt);
	}
	rc = core_atomic_write(path, bytes->data, bytes->len, 0600);
	if (rc < 0 && r->st == MIME_OK)
		r->st = mime_fail(r->err, MIME_ERR_ATTACHMENT, 0, "%s: %s", path, g_strerror(-rc));
	else if (rc == 0)
		g_ptr_array_add(r->d->attachments, g_strdup(path));
	g_byte_array_unref(bytes);
	g_free(path);
	g_free(safe);
}

static void walk_resume(struct resume *r, GMimeObject *obj)
{
	if (GMIME_IS_MULTIPART(obj)) {
		GMimeMultipart *mp = GMIME_MULTIPART(obj);
		int n = g_mime_multipart_get_count(mp);

		for (int i = 0; i < n; i++)
			walk_resume(r, g_mime_multipart_get_part(mp, i));
		return;
	}
	if (!r->have_body && !is_attachment(obj) && is_text(obj, "plain")) {
		char *t = body_text(obj, false);
		size_t n = 0;

		/* The editor gets LF line ends, like a new draft. */
		r->d->body = g_strdup("");
		if (t) {
			g_free(r->d->body);
			r->d->body = g_strdup(t);
			for (char *p = t; *p; p++)
				if (!(*p == '\r' && p[1] == '\n'))
					r->d->body[n++] = *p;
			r->d->body[n] = '\0';
		}
		g_free(t);
		r->have_body = true;
		return;
	}
	if (GMIME_IS_PART(obj) || GMIME_IS_MESSAGE_PART(obj))
		save_part(r, obj);
}

static char *header_list(GMimeMessage *msg, GMimeAddressType type)
{
	return list_text(g_mime_message_get_addresses(msg, type));
}

enum mime_status mime_draft_from_message(const char *raw, size_t len, const char *attach_dir,
                                         struct mime_draft **out, struct mime_error *err)
{
	GMimeMessage *msg = parse(raw, len);
	struct resume r = {.dir = attach_dir, .err = err, .st = MIME_OK};
	const char *v;

	*out = NULL;
	if (!msg)
		return mime_fail(err, MIME_ERR_HEADER, 0, "not a message");
	r.d = mime_draft_new();
	r.d->from = header_list(msg, GMIME_ADDRESS_TYPE_FROM);
	r.d->to = header_list(msg, GMIME_ADDRESS_TYPE_TO);
	r.d->cc = header_list(msg, GMIME_ADDRESS_TYPE_CC);
	r.d->bcc = header_list(msg, GMIME_ADDRESS_TYPE_BCC);
	r.d->reply_to = header_list(msg, GMIME_ADDRESS_TYPE_REPLY_TO);
	r.d->subject = decoded_subject(msg);
	if ((v = header(msg, "In-Reply-To")))
		r.d->in_reply_to = g_strstrip(g_mime_utils_header_unfold(v));
	if ((v = header(msg, "References")))
		r.d->references = g_strstrip(g_mime_utils_header_unfold(v));
	walk_resume(&r, g_mime_message_get_mime_part(msg));
	if (!r.d->body)
		r.d->body = g_strdup("");
	g_object_unref(msg);
	if (r.st != MIME_OK) {
		mime_draft_free(r.d);
		return r.st;
	}
	*out = r.d;
	return MIME_OK;
}

struct mime_draft *mime_draft_copy(const struct mime_draft *d)
{
	struct mime_draft *c = mime_draft_new();

	c->from = g_strdup(d->from);
	c->to = g_strdup(d->to);
	c->cc = g_strdup(d->cc);
	c->bcc = g_strdup(d->bcc);
	c->reply_to = g_strdup(d->reply_to);
	c->subject = g_strdup(d->subject);
	c->in_reply_to = g_strdup(d->in_reply_to);
	c->references = g_strdup(d->references);
	c->body = g_strdup(d->body);
	for (guint i = 0; d->attachments && i < d->attachments->len; i++)
		g_ptr_array_add(c->attachments, g_strdup(d->attachments->pdata[i]));
	for (guint i = 0; d->extra_headers && i < d->extra_headers->len; i++) {
		const struct mime_header *h = d->extra_headers->pdata[i];
		struct mime_header *n = g_new0(struct mime_header, 1);

		n->name = g_strdup(h->name);
		n->value = g_strdup(h->value);
		g_ptr_array_add(c->extra_headers, n);
	}
	return c;
}
