/* decode_fetch.c - typed view of "* n FETCH (...)": flags, dates,
 * ENVELOPE, BODYSTRUCTURE and body sections.  Everything decoded is
 * allocated in the response's arena. */
#include "imap/imap_private.h"

#include <stdio.h>
#include <string.h>

/* NIL or a string/atom; false for lists. */
static bool nstring(const struct imap_value *v, const char **out)
{
	if (v->type == IMAP_VALUE_NIL) {
		*out = NULL;
		return true;
	}
	if (v->type == IMAP_VALUE_LIST)
		return false;
	*out = v->str;
	return true;
}

static bool decode_addresses(struct imap_response *r, const struct imap_value *v,
	const struct imap_address **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	if (v->type == IMAP_VALUE_NIL)
		return true;
	if (v->type != IMAP_VALUE_LIST)
		return false;
	struct imap_address *a = IMAP_RNEW(r, struct imap_address, v->n ? v->n : 1);
	for (size_t i = 0; i < v->n; i++) {
		const struct imap_value *f = &v->items[i];
		if (f->type != IMAP_VALUE_LIST || f->n != 4 || !nstring(&f->items[0], &a[i].name) ||
			!nstring(&f->items[1], &a[i].adl) || !nstring(&f->items[2], &a[i].mailbox) ||
			!nstring(&f->items[3], &a[i].host))
			return false;
	}
	*out = a;
	*n = v->n;
	return true;
}

static const struct imap_envelope *decode_envelope(struct imap_response *r,
	const struct imap_value *v)
{
	if (v->type != IMAP_VALUE_LIST || v->n < 10)
		return NULL;
	const struct imap_value *f = v->items;
	struct imap_envelope *e = IMAP_RNEW(r, struct imap_envelope, 1);
	if (!nstring(&f[0], &e->date) || !nstring(&f[1], &e->subject) ||
		!decode_addresses(r, &f[2], &e->from, &e->n_from) ||
		!decode_addresses(r, &f[3], &e->sender, &e->n_sender) ||
		!decode_addresses(r, &f[4], &e->reply_to, &e->n_reply_to) ||
		!decode_addresses(r, &f[5], &e->to, &e->n_to) ||
		!decode_addresses(r, &f[6], &e->cc, &e->n_cc) ||
		!decode_addresses(r, &f[7], &e->bcc, &e->n_bcc) ||
		!nstring(&f[8], &e->in_reply_to) || !nstring(&f[9], &e->message_id))
		return NULL;
	return e;
}

/* ("name" "value" ...) or NIL */
static bool decode_params(struct imap_response *r, const struct imap_value *v,
	const struct imap_param **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	if (v->type == IMAP_VALUE_NIL)
		return true;
	if (v->type != IMAP_VALUE_LIST || v->n % 2)
		return false;
	struct imap_param *p = IMAP_RNEW(r, struct imap_param, v->n / 2 + 1);
	for (size_t i = 0; i < v->n / 2; i++)
		if (!nstring(&v->items[2 * i], &p[i].name) || !p[i].name ||
			!nstring(&v->items[2 * i + 1], &p[i].value))
			return false;
	*out = p;
	*n = v->n / 2;
	return true;
}

/* Extension data shared by both body kinds: disposition, language, location. */
static bool decode_ext(struct imap_response *r, const struct imap_value *f, size_t n,
	struct imap_body *b)
{
	if (n > 0) {
		const struct imap_value *d = &f[0];
		if (d->type == IMAP_VALUE_LIST && d->n >= 1) {
			if (!nstring(&d->items[0], &b->disposition))
				return false;
			if (d->n >= 2 &&
				!decode_params(r, &d->items[1], &b->disp_params, &b->n_disp_params))
				return false;
		} else if (d->type != IMAP_VALUE_NIL) {
			return false;
		}
	}
	if (n > 1) {
		const struct imap_value *l = &f[1];
		if (l->type == IMAP_VALUE_LIST)
			b->language = l->n ? imap_value_str(&l->items[0]) : NULL;
		else if (!nstring(l, &b->language))
			return false;
	}
	if (n > 2 && !nstring(&f[2], &b->location))
		return false;
	return true;
}

static bool decode_body(struct imap_response *r, const struct imap_value *v, const char *section,
	struct imap_body *b);

static bool decode_multipart(struct imap_response *r, const struct imap_value *v,
	const char *section, struct imap_body *b)
{
	size_t nparts = 0;
	while (nparts < v->n && v->items[nparts].type == IMAP_VALUE_LIST)
		nparts++;
	if (nparts == v->n || !nstring(&v->items[nparts], &b->subtype) || !b->subtype)
		return false;
	b->type = "MULTIPART";
	b->section = section;
	struct imap_body *parts = IMAP_RNEW(r, struct imap_body, nparts);
	for (size_t i = 0; i < nparts; i++) {
		char *s = *section ? g_strdup_printf("%s.%zu", section, i + 1)
				   : g_strdup_printf("%zu", i + 1);
		const char *sec = imap_arena_strndup(r->arena_, s, strlen(s));
		g_free(s);
		if (!decode_body(r, &v->items[i], sec, &parts[i]))
			return false;
	}
	b->parts = parts;
	b->n_parts = nparts;
	const struct imap_value *ext = &v->items[nparts + 1];
	size_t next = v->n - nparts - 1;
	if (next > 0) {
		if (!decode_params(r, &ext[0], &b->params, &b->n_params))
			return false;
		if (!decode_ext(r, ext + 1, next - 1, b))
			return false;
	}
	return true;
}

static bool decode_body(struct imap_response *r, const struct imap_value *v, const char *section,
	struct imap_body *b)
{
	if (v->type != IMAP_VALUE_LIST || v->n == 0)
		return false;
	if (v->items[0].type == IMAP_VALUE_LIST)
		return decode_multipart(r, v, section, b);
	const struct imap_value *f = v->items;
	uint32_t size = 0;
	if (v->n < 7 || !nstring(&f[0], &b->type) || !b->type || !nstring(&f[1], &b->subtype) ||
		!b->subtype || !decode_params(r, &f[2], &b->params, &b->n_params) ||
		!nstring(&f[3], &b->id) || !nstring(&f[4], &b->description) ||
		!nstring(&f[5], &b->encoding) || !imap_value_u32(&f[6], &size))
		return false;
	b->size = size;
	b->section = section;
	size_t i = 7;
	if (g_ascii_strcasecmp(b->type, "MESSAGE") == 0 &&
		(g_ascii_strcasecmp(b->subtype, "RFC822") == 0 ||
			g_ascii_strcasecmp(b->subtype, "GLOBAL") == 0) &&
		v->n >= 10 && f[8].type == IMAP_VALUE_LIST) {
		if (!(b->envelope = decode_envelope(r, &f[7])))
			return false;
		struct imap_body *inner = IMAP_RNEW(r, struct imap_body, 1);
		bool multi = f[8].n > 0 && f[8].items[0].type == IMAP_VALUE_LIST;
		const char *isec = section;
		if (!multi) {
			char *s = g_strdup_printf("%s.1", section);
			isec = imap_arena_strndup(r->arena_, s, strlen(s));
			g_free(s);
		}
		if (!decode_body(r, &f[8], isec, inner) || !imap_value_u32(&f[9], &b->lines))
			return false;
		b->message = inner;
		i = 10;
	} else if (g_ascii_strcasecmp(b->type, "TEXT") == 0) {
		if (v->n < 8 || !imap_value_u32(&f[7], &b->lines))
			return false;
		i = 8;
	}
	if (i < v->n && !nstring(&f[i], &b->md5))
		return false;
	if (i + 1 < v->n && !decode_ext(r, &f[i + 1], v->n - i - 1, b))
		return false;
	return true;
}

/* "BODY[1.2]<0>" -> section "1.2", origin 0. */
static bool decode_section_name(struct imap_response *r, const char *name,
	struct imap_section_data *sd)
{
	const char *open = strchr(name, '[');
	if (!open)
		return false;
	sd->binary = g_ascii_strncasecmp(name, "BINARY[", 7) == 0;
	const char *close = strrchr(open, ']');
	if (!close)
		return false;
	sd->section = imap_arena_strndup(r->arena_, open + 1, (size_t)(close - open - 1));
	if (close[1] == '<') {
		unsigned long long o;
		char end;
		if (sscanf(close + 2, "%llu%c", &o, &end) != 2 || end != '>' || o > UINT32_MAX)
			return false;
		sd->has_origin = true;
		sd->origin = (uint32_t)o;
	} else if (close[1]) {
		return false;
	}
	return true;
}

unsigned imap_flag_bit(const char *flag)
{
	static const struct {
		const char *name;
		unsigned bit;
	} flags[] = {
		{"\\Seen", IMAP_FLAG_SEEN},
		{"\\Answered", IMAP_FLAG_ANSWERED},
		{"\\Flagged", IMAP_FLAG_FLAGGED},
		{"\\Deleted", IMAP_FLAG_DELETED},
		{"\\Draft", IMAP_FLAG_DRAFT},
		{"\\Recent", IMAP_FLAG_RECENT},
		{"$Forwarded", IMAP_FLAG_FORWARDED},
	};
	for (size_t i = 0; i < G_N_ELEMENTS(flags); i++)
		if (g_ascii_strcasecmp(flag, flags[i].name) == 0)
			return flags[i].bit;
	return 0;
}

static bool decode_flags(struct imap_response *r, const struct imap_value *v, struct imap_msg *m)
{
	if (v->type != IMAP_VALUE_LIST)
		return false;
	const char **f = IMAP_RNEW(r, const char *, v->n + 1);
	for (size_t i = 0; i < v->n; i++) {
		if (v->items[i].type != IMAP_VALUE_ATOM)
			return false;
		f[i] = v->items[i].str;
		m->flag_bits |= imap_flag_bit(f[i]);
	}
	m->flags = f;
	m->n_flags = v->n;
	return true;
}

static bool decode_item(struct imap_response *r, const struct imap_value *k,
	const struct imap_value *v, struct imap_msg *m, GArray *sections)
{
	const char *key = k->str;
	if (g_ascii_strcasecmp(key, "UID") == 0) {
		m->have |= IMAP_FETCH_UID;
		return imap_value_u32(v, &m->uid);
	}
	if (g_ascii_strcasecmp(key, "FLAGS") == 0) {
		m->have |= IMAP_FETCH_FLAGS;
		return decode_flags(r, v, m);
	}
	if (g_ascii_strcasecmp(key, "INTERNALDATE") == 0) {
		m->have |= IMAP_FETCH_INTERNALDATE;
		if (v->type != IMAP_VALUE_STRING && v->type != IMAP_VALUE_ATOM)
			return false;
		m->internaldate = v->str;
		m->internaldate_t = imap_parse_date_time(v->str);
		return true;
	}
	if (g_ascii_strcasecmp(key, "RFC822.SIZE") == 0) {
		m->have |= IMAP_FETCH_SIZE;
		return imap_value_u64(v, &m->size);
	}
	if (g_ascii_strcasecmp(key, "ENVELOPE") == 0) {
		m->have |= IMAP_FETCH_ENVELOPE;
		return (m->envelope = decode_envelope(r, v)) != NULL;
	}
	if (g_ascii_strcasecmp(key, "BODYSTRUCTURE") == 0 ||
		(g_ascii_strcasecmp(key, "BODY") == 0 && v->type == IMAP_VALUE_LIST)) {
		m->have |= IMAP_FETCH_BODYSTRUCTURE;
		struct imap_body *b = IMAP_RNEW(r, struct imap_body, 1);
		bool multi = v->type == IMAP_VALUE_LIST && v->n &&
			v->items[0].type == IMAP_VALUE_LIST;
		if (!decode_body(r, v, multi ? "" : "1", b))
			return false;
		m->body = b;
		return true;
	}
	if (g_ascii_strcasecmp(key, "MODSEQ") == 0) {
		m->have |= IMAP_FETCH_MODSEQ;
		return v->type == IMAP_VALUE_LIST && v->n == 1 &&
			imap_value_u64(&v->items[0], &m->modseq);
	}
	struct imap_section_data sd = {0};
	if (g_ascii_strcasecmp(key, "RFC822") == 0)
		sd.section = "";
	else if (g_ascii_strcasecmp(key, "RFC822.HEADER") == 0)
		sd.section = "HEADER";
	else if (g_ascii_strcasecmp(key, "RFC822.TEXT") == 0)
		sd.section = "TEXT";
	else if (g_ascii_strncasecmp(key, "BODY[", 5) == 0 ||
		g_ascii_strncasecmp(key, "BINARY[", 7) == 0) {
		if (!decode_section_name(r, key, &sd))
			return false;
	} else {
		return true; /* an item we did not ask for: skip it */
	}
	if (v->type == IMAP_VALUE_LIST)
		return false;
	if (v->type != IMAP_VALUE_NIL) {
		sd.data = v->str;
		sd.len = v->len;
	}
	m->have |= IMAP_FETCH_SECTIONS;
	if (g_ascii_strncasecmp(sd.section, "HEADER.FIELDS", 13) == 0)
		m->have |= IMAP_FETCH_HEADERS;
	g_array_append_val(sections, sd);
	return true;
}

bool imap_fetch_decode(struct imap_response *r, struct imap_msg *out)
{
	memset(out, 0, sizeof *out);
	if (r->kind != IMAP_RESP_UNTAGGED || !r->has_number || strcmp(r->name, "FETCH") != 0 ||
		r->nargs != 1 || r->args[0].type != IMAP_VALUE_LIST || r->args[0].n % 2)
		return false;
	out->seq = r->number;
	const struct imap_value *it = r->args[0].items;
	size_t n = r->args[0].n;
	GArray *sections = g_array_new(FALSE, FALSE, sizeof(struct imap_section_data));
	bool ok = true;
	for (size_t i = 0; ok && i < n; i += 2)
		ok = it[i].type == IMAP_VALUE_ATOM && decode_item(r, &it[i], &it[i + 1], out, sections);
	if (ok && sections->len) {
		struct imap_section_data *s = IMAP_RNEW(r, struct imap_section_data, sections->len);
		memcpy(s, sections->data, sections->len * sizeof *s);
		out->sections = s;
		out->n_sections = sections->len;
	}
	g_array_free(sections, TRUE);
	return ok;
}

const struct imap_section_data *imap_msg_section(const struct imap_msg *m, const char *section)
{
	size_t sl = strlen(section);
	for (size_t i = 0; i < m->n_sections; i++) {
		const char *s = m->sections[i].section;
		if (g_ascii_strcasecmp(s, section) == 0)
			return &m->sections[i];
		/* "HEADER.FIELDS" finds "HEADER.FIELDS (FROM TO)" whatever the list. */
		if (sl && g_ascii_strncasecmp(s, section, sl) == 0 && s[sl] == ' ')
			return &m->sections[i];
	}
	return NULL;
}
