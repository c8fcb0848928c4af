/* draft.c - drafts and the editable-header text $EDITOR sees. */
#include "mime/mime_private.h"

#include <string.h>

static void header_free(gpointer p)
{
	struct mime_header *h = p;

	g_free(h->name);
	g_free(h->value);
	g_free(h);
}

struct mime_draft *mime_draft_new(void)
{
	struct mime_draft *d = g_new0(struct mime_draft, 1);

	d->attachments = g_ptr_array_new_with_free_func(g_free);
	d->extra_headers = g_ptr_array_new_with_free_func(header_free);
	return d;
}

void mime_draft_free(struct mime_draft *d)
{
	if (!d)
		return;
	g_free(d->from);
	g_free(d->to);
	g_free(d->cc);
	g_free(d->bcc);
	g_free(d->reply_to);
	g_free(d->subject);
	g_free(d->in_reply_to);
	g_free(d->references);
	g_free(d->body);
	g_ptr_array_unref(d->attachments);
	g_ptr_array_unref(d->extra_headers);
	g_free(d);
}

/* One header line; newlines inside a value would start a new header. */
static void put(GString *s, const char *name, const char *value)
{
	g_string_append_printf(s, "%s:", name);
	if (value && *value) {
		g_string_append_c(s, ' ');
		for (const char *p = value; *p; p++)
			g_string_append_c(s, *p == '\n' || *p == '\r' ? ' ' : *p);
	}
	g_string_append_c(s, '\n');
}

char *mime_draft_to_edit_text(const struct mime_draft *d)
{
	GString *s = g_string_new(NULL);
	const char *body = d->body ? d->body : "";

	put(s, "From", d->from);
	put(s, "To", d->to);
	put(s, "Cc", d->cc);
	put(s, "Bcc", d->bcc);
	put(s, "Subject", d->subject);
	if (d->reply_to && *d->reply_to)
		put(s, "Reply-To", d->reply_to);
	for (guint i = 0; d->extra_headers && i < d->extra_headers->len; i++) {
		const struct mime_header *h = d->extra_headers->pdata[i];

		put(s, h->name, h->value);
	}
	for (guint i = 0; d->attachments && i < d->attachments->len; i++)
		put(s, "Attach", d->attachments->pdata[i]);
	g_string_append_c(s, '\n');
	for (const char *p = body; *p; p++)
		if (!(*p == '\r' && p[1] == '\n'))
			g_string_append_c(s, *p);
	return g_string_free(s, FALSE);
}

/* Headers the builder writes itself; letting the user set them would
 * produce two Dates or a Content-Type that lies about the body. */
static bool forbidden(const char *name)
{
	static const char *const names[] = {"Date",         "Message-ID",
	                                    "MIME-Version", "In-Reply-To",
	                                    "References",   "Content-Transfer-Encoding"};

	if (g_ascii_strncasecmp(name, "Content-", 8) == 0)
		return true;
	for (size_t i = 0; i < G_N_ELEMENTS(names); i++)
		if (g_ascii_strcasecmp(name, names[i]) == 0)
			return true;
	return false;
}

static bool valid_name(const char *name)
{
	if (!*name)
		return false;
	for (const char *p = name; *p; p++)
		if (*p <= ' ' || *p >= 127 || *p == ':')
			return false;
	return true;
}

/* Store one unfolded header into the new draft n. */
static enum mime_status take_header(struct mime_draft *n, const char *name, char *value, int line,
                                    struct mime_error *err)
{
	static const struct {
		const char *name;
		size_t off;
	} fields[] = {
	    {"From", G_STRUCT_OFFSET(struct mime_draft, from)},
	    {"To", G_STRUCT_OFFSET(struct mime_draft, to)},
	    {"Cc", G_STRUCT_OFFSET(struct mime_draft, cc)},
	    {"Bcc", G_STRUCT_OFFSET(struct mime_draft, bcc)},
	    {"Subject", G_STRUCT_OFFSET(struct mime_draft, subject)},
	    {"Reply-To", G_STRUCT_OFFSET(struct mime_draft, reply_to)},
	};
	struct mime_header *h;

	g_strstrip(value);
	if (!valid_name(name) || forbidden(name))
		return mime_fail(err, MIME_ERR_HEADER, line, "%s", name);
	if (g_ascii_strcasecmp(name, "Attach") == 0) {
		if (*value)
			g_ptr_array_add(n->attachments, g_strdup(value));
		return MIME_OK;
	}
	for (size_t i = 0; i < G_N_ELEMENTS(fields); i++) {
		char **slot = G_STRUCT_MEMBER_P(n, fields[i].off);

		if (g_ascii_strcasecmp(name, fields[i].name) != 0)
			continue;
		if (*slot && **slot && *value) {
			/* A second To: line adds to the first; a second Subject replaces. */
			char *joined =
			    i <= 3 ? g_strconcat(*slot, ", ", value, NULL) : g_strdup(value);

			g_free(*slot);
			*slot = joined;
		} else if (*value) {
			g_free(*slot);
			*slot = g_strdup(value);
		}
		return MIME_OK;
	}
	if (*value) {
		h = g_new0(struct mime_header, 1);
		h->name = g_strdup(name);
		h->value = g_strdup(value);
		g_ptr_array_add(n->extra_headers, h);
	}
	return MIME_OK;
}

static void swap_ptr(gpointer a, gpointer b)
{
	gpointer *pa = a, *pb = b, t = *pa;

	*pa = *pb;
	*pb = t;
}

/* Move the edited fields of n into d (n then holds d's old ones). */
static void commit(struct mime_draft *d, struct mime_draft *n)
{
	swap_ptr(&d->from, &n->from);
	swap_ptr(&d->to, &n->to);
	swap_ptr(&d->cc, &n->cc);
	swap_ptr(&d->bcc, &n->bcc);
	swap_ptr(&d->reply_to, &n->reply_to);
	swap_ptr(&d->subject, &n->subject);
	swap_ptr(&d->body, &n->body);
	swap_ptr(&d->attachments, &n->attachments);
	swap_ptr(&d->extra_headers, &n->extra_headers);
}

enum mime_status mime_draft_apply_edit_text(struct mime_draft *d, const char *text, size_t len,
                                            struct mime_error *err)
{
	const char *bad = NULL;
	struct mime_draft *n;
	GString *value = NULL;
	char *name = NULL;
	enum mime_status st = MIME_OK;
	size_t pos = 0;
	int line = 0, name_line = 0;

	if (!g_utf8_validate(text, (gssize)len, &bad) || memchr(text, '\0', len)) {
		const char *stop = bad ? bad : (const char *)memchr(text, '\0', len);
		int l = 1;

		for (const char *p = text; p < stop; p++)
			l += *p == '\n';
		return mime_fail(err, MIME_ERR_NOT_UTF8, l, NULL);
	}
	n = mime_draft_new();
	while (pos < len) {
		const char *start = text + pos;
		const char *nl = memchr(start, '\n', len - pos);
		size_t l = nl ? (size_t)(nl - start) : len - pos;
		size_t next = pos + l + (nl ? 1 : 0);
		char *ln;

		line++;
		if (l > 0 && start[l - 1] == '\r')
			l--;
		if (l > 0 && (start[0] == ' ' || start[0] == '\t') && name) {
			g_string_append_c(value, ' ');
			g_string_append_len(value, start, (gssize)l);
			pos = next;
			continue;
		}
		if (name) {
			st = take_header(n, name, value->str, name_line, err);
			g_clear_pointer(&name, g_free);
			g_string_free(value, TRUE);
			value = NULL;
			if (st != MIME_OK)
				break;
		}
		pos = next;
		if (l == 0)
			break; /* end of headers */
		ln = g_strndup(start, l);
		{
			char *colon = strchr(ln, ':');

			if (!colon) {
				g_free(ln);
				st = mime_fail(err, MIME_ERR_HEADER, line, NULL);
				break;
			}
			*colon = '\0';
			name = g_strdup(g_strstrip(ln));
			value = g_string_new(colon + 1);
			name_line = line;
		}
		g_free(ln);
	}
	if (st == MIME_OK && name)
		st = take_header(n, name, value->str, name_line, err);
	g_free(name);
	if (value)
		g_string_free(value, TRUE);
	if (st == MIME_OK) {
		n->body = pos < len ? g_strndup(text + pos, len - pos) : g_strdup("");
		commit(d, n);
	}
	mime_draft_free(n);
	return st;
}
