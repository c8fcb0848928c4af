/* values.c - helpers over parsed values: strings, numbers, sequence
 * sets, capabilities and dates. */
#include "imap/imap_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *imap_value_str(const struct imap_value *v)
{
	if (!v || (v->type != IMAP_VALUE_ATOM && v->type != IMAP_VALUE_STRING))
		return NULL;
	return v->str;
}

bool imap_value_is(const struct imap_value *v, const char *s)
{
	const char *t = imap_value_str(v);
	return t && g_ascii_strcasecmp(t, s) == 0;
}

bool imap_value_u64(const struct imap_value *v, uint64_t *out)
{
	if (!v || v->type != IMAP_VALUE_ATOM || v->len == 0 || v->len > 20)
		return false;
	uint64_t n = 0;
	for (size_t i = 0; i < v->len; i++) {
		if (!g_ascii_isdigit(v->str[i]))
			return false;
		uint64_t d = (uint64_t)(v->str[i] - '0');
		if (n > (UINT64_MAX - d) / 10)
			return false;
		n = n * 10 + d;
	}
	*out = n;
	return true;
}

bool imap_value_u32(const struct imap_value *v, uint32_t *out)
{
	uint64_t n;
	if (!imap_value_u64(v, &n) || n > UINT32_MAX)
		return false;
	*out = (uint32_t)n;
	return true;
}

/* ---- sequence sets --------------------------------------------------- */

static const char *seq_number(const char *s, uint32_t *out)
{
	if (*s == '*') {
		*out = UINT32_MAX;
		return s + 1;
	}
	if (!g_ascii_isdigit(*s))
		return NULL;
	uint64_t n = 0;
	while (g_ascii_isdigit(*s)) {
		n = n * 10 + (uint64_t)(*s++ - '0');
		if (n > UINT32_MAX)
			return NULL;
	}
	if (n == 0)
		return NULL;
	*out = (uint32_t)n;
	return s;
}

bool imap_seqset_parse(const char *s, size_t max, struct imap_range **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	if (!s || !*s)
		return false;
	GArray *a = g_array_new(FALSE, FALSE, sizeof(struct imap_range));
	for (;;) {
		struct imap_range r;
		if (!(s = seq_number(s, &r.lo)))
			goto bad;
		r.hi = r.lo;
		if (*s == ':' && !(s = seq_number(s + 1, &r.hi)))
			goto bad;
		if (r.lo > r.hi) {
			uint32_t t = r.lo;
			r.lo = r.hi;
			r.hi = t;
		}
		if (a->len >= max)
			goto bad;
		g_array_append_val(a, r);
		if (*s == '\0')
			break;
		if (*s++ != ',')
			goto bad;
	}
	*n = a->len;
	*out = (struct imap_range *)g_array_free(a, FALSE);
	return true;
bad:
	g_array_free(a, TRUE);
	return false;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

char *imap_seqset_format(const uint32_t *uids, size_t n)
{
	GString *s = g_string_new(NULL);
	if (n == 0)
		return g_string_free(s, FALSE);
	uint32_t *u = g_memdup2(uids, n * sizeof *u);
	qsort(u, n, sizeof *u, cmp_u32);
	size_t i = 0;
	while (i < n) {
		size_t j = i;
		while (j + 1 < n && (u[j + 1] == u[j] || u[j + 1] == u[j] + 1))
			j++;
		if (s->len)
			g_string_append_c(s, ',');
		if (u[j] == u[i])
			g_string_append_printf(s, "%u", u[i]);
		else
			g_string_append_printf(s, "%u:%u", u[i], u[j]);
		i = j + 1;
	}
	g_free(u);
	return g_string_free(s, FALSE);
}

/* ---- capabilities ---------------------------------------------------- */

static const struct {
	const char *name;
	uint64_t bit;
} cap_names[] = {
	{"IMAP4REV1", IMAP_CAP_IMAP4REV1},
	{"STARTTLS", IMAP_CAP_STARTTLS},
	{"LOGINDISABLED", IMAP_CAP_LOGINDISABLED},
	{"AUTH=PLAIN", IMAP_CAP_AUTH_PLAIN},
	{"SASL-IR", IMAP_CAP_SASL_IR},
	{"IDLE", IMAP_CAP_IDLE},
	{"UIDPLUS", IMAP_CAP_UIDPLUS},
	{"MOVE", IMAP_CAP_MOVE},
	{"CONDSTORE", IMAP_CAP_CONDSTORE},
	{"QRESYNC", IMAP_CAP_QRESYNC},
	{"LITERAL+", IMAP_CAP_LITERALPLUS},
	{"LITERAL-", IMAP_CAP_LITERALMINUS},
	{"ENABLE", IMAP_CAP_ENABLE},
	{"SPECIAL-USE", IMAP_CAP_SPECIAL_USE},
	{"LIST-STATUS", IMAP_CAP_LIST_STATUS},
	{"LIST-EXTENDED", IMAP_CAP_LIST_EXTENDED},
	{"UTF8=ACCEPT", IMAP_CAP_UTF8_ACCEPT},
	{"ESEARCH", IMAP_CAP_ESEARCH},
	{"BINARY", IMAP_CAP_BINARY},
	{"NAMESPACE", IMAP_CAP_NAMESPACE},
	{"UNSELECT", IMAP_CAP_UNSELECT},
	{"CHILDREN", IMAP_CAP_CHILDREN},
	{"SORT", IMAP_CAP_SORT},
	{"THREAD=REFERENCES", IMAP_CAP_THREAD_REFERENCES},
	{"ID", IMAP_CAP_ID},
	{"IMAP4REV2", IMAP_CAP_IMAP4REV2},
};

uint64_t imap_caps_from_values(const struct imap_value *v, size_t n)
{
	uint64_t caps = 0;
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < G_N_ELEMENTS(cap_names); k++)
			if (imap_value_is(&v[i], cap_names[k].name))
				caps |= cap_names[k].bit;
	return caps;
}

uint64_t imap_caps_decode(const struct imap_response *r)
{
	if (r->kind == IMAP_RESP_CONTINUE)
		return 0;
	if (r->cond != IMAP_COND_NONE)
		return r->code.kind == IMAP_CODE_CAPABILITY
			? imap_caps_from_values(r->code.args, r->code.nargs)
			: 0;
	if (r->kind == IMAP_RESP_UNTAGGED && !r->has_number &&
		(strcmp(r->name, "CAPABILITY") == 0 || strcmp(r->name, "ENABLED") == 0))
		return imap_caps_from_values(r->args, r->nargs);
	return 0;
}

const char *imap_cap_name(uint64_t cap)
{
	for (size_t k = 0; k < G_N_ELEMENTS(cap_names); k++)
		if (cap_names[k].bit == cap)
			return cap_names[k].name;
	return NULL;
}

/* ---- dates ----------------------------------------------------------- */

time_t imap_parse_date_time(const char *s)
{
	static const char *months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
		"Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	if (!s)
		return 0;
	int day, year, hh, mm, ss, zone;
	char mon[4];
	char sign;
	while (*s == ' ')
		s++;
	if (sscanf(s, "%2d-%3s-%4d %2d:%2d:%2d %c%4d", &day, mon, &year, &hh, &mm, &ss, &sign,
		    &zone) != 8 ||
		(sign != '+' && sign != '-'))
		return 0;
	int m = -1;
	for (int i = 0; i < 12; i++)
		if (g_ascii_strcasecmp(mon, months[i]) == 0)
			m = i;
	if (m < 0 || day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 60 || year < 1970)
		return 0;
	GDateTime *dt = g_date_time_new_utc(year, m + 1, day, hh, mm, ss);
	if (!dt)
		return 0;
	time_t t = (time_t)g_date_time_to_unix(dt);
	g_date_time_unref(dt);
	int off = (zone / 100) * 3600 + (zone % 100) * 60;
	return sign == '+' ? t - off : t + off;
}
