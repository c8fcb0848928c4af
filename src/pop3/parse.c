/* parse.c - POP3 replies as pure functions over bytes: status lines,
 * multi-line bodies (dot-unstuffing), CAPA, LIST and UIDL lines. */
#include "pop3/pop3.h"

#include <stdlib.h>
#include <string.h>

static bool is_sp(char c)
{
	return c == ' ' || c == '\t';
}

static bool word_eq(const char *p, size_t n, const char *w)
{
	return strlen(w) == n && g_ascii_strncasecmp(p, w, n) == 0;
}

static const struct {
	const char *name;
	enum pop3_resp_code code;
} resp_codes[] = {
	{ "IN-USE", POP3_CODE_IN_USE },
	{ "LOGIN-DELAY", POP3_CODE_LOGIN_DELAY },
	{ "SYS/TEMP", POP3_CODE_SYS_TEMP },
	{ "SYS/PERM", POP3_CODE_SYS_PERM },
	{ "AUTH", POP3_CODE_AUTH },
	{ "UTF8", POP3_CODE_UTF8 },
};

static enum pop3_resp_code code_of(const char *p, size_t n)
{
	for (size_t i = 0; i < G_N_ELEMENTS(resp_codes); i++)
		if (word_eq(p, n, resp_codes[i].name))
			return resp_codes[i].code;
	/* Codes are hierarchical: "SYS/TEMP/DISK" is still SYS/TEMP. */
	for (size_t i = 0; i < G_N_ELEMENTS(resp_codes); i++) {
		size_t l = strlen(resp_codes[i].name);
		if (n > l && p[l] == '/' && g_ascii_strncasecmp(p, resp_codes[i].name, l) == 0)
			return resp_codes[i].code;
	}
	return POP3_CODE_OTHER;
}

enum pop3_parse pop3_parse_status(const char *line, size_t len, struct pop3_status_line *out)
{
	size_t i;

	memset(out, 0, sizeof *out);
	if (len >= 3 && memcmp(line, "+OK", 3) == 0) {
		out->kind = POP3_REPLY_OK;
		i = 3;
	} else if (len >= 4 && memcmp(line, "-ERR", 4) == 0) {
		out->kind = POP3_REPLY_ERR;
		i = 4;
	} else if (len >= 1 && line[0] == '+' && (len == 1 || line[1] == ' ')) {
		out->kind = POP3_REPLY_CONT;
		i = 1;
	} else {
		return POP3_PARSE_SYNTAX;
	}
	if (i < len && !is_sp(line[i]))
		return POP3_PARSE_SYNTAX; /* "+OKAY" is not a status */
	while (i < len && is_sp(line[i]))
		i++;
	if (out->kind != POP3_REPLY_CONT && i < len && line[i] == '[') {
		const char *close = memchr(line + i, ']', len - i);
		if (close) {
			out->code_text = line + i + 1;
			out->code_len = (size_t)(close - out->code_text);
			out->code = code_of(out->code_text, out->code_len);
			i = (size_t)(close - line) + 1;
			while (i < len && is_sp(line[i]))
				i++;
		}
	}
	size_t end = len;
	while (end > i && (is_sp(line[end - 1]) || line[end - 1] == '\r'))
		end--;
	out->text = line + i;
	out->text_len = end - i;
	return POP3_PARSE_DONE;
}

/* ---- multi-line bodies --------------------------------------------------- */

enum ml_state {
	ML_BOL,      /* at the start of a line */
	ML_DOT,      /* a '.' at the start of a line */
	ML_DOT_CR,   /* ".\r" at the start of a line */
	ML_MID,      /* inside a line */
	ML_CR,       /* '\r' inside a line, maybe the end of it */
	ML_DONE,
	ML_FULL,
};

void pop3_ml_init(struct pop3_ml *m, size_t cap, bool lf)
{
	m->state = ML_BOL;
	m->lf = lf;
	m->cap = cap ? cap : 64u << 20;
	m->out = g_string_sized_new(4096);
}

void pop3_ml_reset(struct pop3_ml *m)
{
	m->state = ML_BOL;
	g_string_truncate(m->out, 0);
}

void pop3_ml_clear(struct pop3_ml *m)
{
	if (m->out)
		g_string_free(m->out, TRUE);
	m->out = NULL;
}

GString *pop3_ml_steal(struct pop3_ml *m)
{
	GString *s = m->out;
	m->out = g_string_sized_new(s->len > 4096 ? s->len : 4096);
	m->state = ML_BOL;
	return s;
}

/* Append the line ending: LF, or CRLF as received. */
static void put_eol(struct pop3_ml *m)
{
	if (!m->lf)
		g_string_append_c(m->out, '\r');
	g_string_append_c(m->out, '\n');
}

enum pop3_parse pop3_ml_feed(struct pop3_ml *m, const char *buf, size_t len, size_t *used)
{
	size_t i = 0;

	if (m->state == ML_DONE || m->state == ML_FULL) {
		*used = 0;
		return m->state == ML_DONE ? POP3_PARSE_DONE : POP3_PARSE_TOO_LONG;
	}
	while (i < len) {
		if (m->out->len > m->cap) {
			m->state = ML_FULL;
			*used = i;
			return POP3_PARSE_TOO_LONG;
		}
		char c = buf[i];
		switch (m->state) {
		case ML_BOL:
			if (c == '.') {
				m->state = ML_DOT;
				i++;
				continue;
			}
			m->state = ML_MID;
			continue; /* the same byte, inside the line */
		case ML_DOT:
			if (c == '\r') {
				m->state = ML_DOT_CR;
				i++;
				continue;
			}
			if (c == '\n') { /* a bare-LF terminator: be lenient */
				m->state = ML_DONE;
				*used = i + 1;
				return POP3_PARSE_DONE;
			}
			m->state = ML_MID; /* stuffed dot dropped */
			continue;
		case ML_DOT_CR:
			if (c == '\n') {
				m->state = ML_DONE;
				*used = i + 1;
				return POP3_PARSE_DONE;
			}
			g_string_append_c(m->out, '\r');
			m->state = ML_MID;
			continue;
		case ML_MID: {
			/* Fast path: copy up to the next CR or LF in one go. */
			size_t j = i;
			while (j < len && buf[j] != '\r' && buf[j] != '\n')
				j++;
			if (j > i) {
				size_t room = m->cap + 1 - m->out->len;
				size_t n = j - i < room ? j - i : room;
				g_string_append_len(m->out, buf + i, (gssize)n);
				i += n;
				continue;
			}
			if (c == '\r') {
				m->state = ML_CR;
			} else {
				put_eol(m);
				m->state = ML_BOL;
			}
			i++;
			continue;
		}
		case ML_CR:
			if (c == '\n') {
				put_eol(m);
				m->state = ML_BOL;
				i++;
				continue;
			}
			g_string_append_c(m->out, '\r'); /* a bare CR is content */
			if (c == '\r') {
				i++;
				continue;
			}
			m->state = ML_MID;
			continue;
		}
	}
	*used = i;
	if (m->out->len > m->cap) {
		m->state = ML_FULL;
		return POP3_PARSE_TOO_LONG;
	}
	return POP3_PARSE_NEED_MORE;
}

/* ---- CAPA ------------------------------------------------------------ */

void pop3_caps_clear(struct pop3_caps *c)
{
	g_free(c->sasl);
	g_free(c->implementation);
	memset(c, 0, sizeof *c);
	c->login_delay = -1;
	c->expire = -1;
}

static char *dup_trim(const char *p, size_t n)
{
	while (n > 0 && is_sp(*p)) {
		p++;
		n--;
	}
	while (n > 0 && (is_sp(p[n - 1]) || p[n - 1] == '\r'))
		n--;
	return g_strndup(p, n);
}

static void capa_line(const char *p, size_t n, struct pop3_caps *c)
{
	size_t w = 0;
	while (w < n && !is_sp(p[w]) && p[w] != '\r')
		w++;
	const char *rest = p + w;
	size_t rn = n - w;

	if (word_eq(p, w, "STLS"))
		c->stls = true;
	else if (word_eq(p, w, "USER"))
		c->user = true;
	else if (word_eq(p, w, "UIDL"))
		c->uidl = true;
	else if (word_eq(p, w, "TOP"))
		c->top = true;
	else if (word_eq(p, w, "PIPELINING"))
		c->pipelining = true;
	else if (word_eq(p, w, "RESP-CODES"))
		c->resp_codes = true;
	else if (word_eq(p, w, "AUTH-RESP-CODE"))
		c->auth_resp_code = true;
	else if (word_eq(p, w, "LOGIN-DELAY")) {
		char *v = dup_trim(rest, rn);
		c->login_delay = atoi(v);
		g_free(v);
	}
	else if (word_eq(p, w, "EXPIRE")) {
		char *v = dup_trim(rest, rn);
		c->expire = g_ascii_strncasecmp(v, "NEVER", 5) == 0 ? -1 : atoi(v);
		g_free(v);
	} else if (word_eq(p, w, "IMPLEMENTATION")) {
		g_free(c->implementation);
		c->implementation = dup_trim(rest, rn);
	} else if (word_eq(p, w, "SASL")) {
		g_free(c->sasl);
		c->sasl = dup_trim(rest, rn);
		char **mechs = g_strsplit_set(c->sasl, " \t", -1);
		for (char **m = mechs; *m; m++)
			if (g_ascii_strcasecmp(*m, "PLAIN") == 0)
				c->sasl_plain = true;
		g_strfreev(mechs);
	}
}

void pop3_parse_capa(const char *body, size_t len, struct pop3_caps *out)
{
	pop3_caps_clear(out);
	out->known = true;
	size_t i = 0;
	while (i < len) {
		const char *nl = memchr(body + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - body) : len;
		if (end > i)
			capa_line(body + i, end - i, out);
		i = end + 1;
	}
}

/* ---- LIST and UIDL lines --------------------------------------------- */

/* A decimal number without sign; *i moves past it. */
static bool parse_u64(const char *p, size_t len, size_t *i, uint64_t *out)
{
	size_t start = *i;
	uint64_t v = 0;
	while (*i < len && p[*i] >= '0' && p[*i] <= '9') {
		unsigned d = (unsigned)(p[*i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
		(*i)++;
	}
	*out = v;
	return *i > start;
}

static size_t trim_end(const char *line, size_t len)
{
	while (len > 0 && (is_sp(line[len - 1]) || line[len - 1] == '\r'))
		len--;
	return len;
}

static bool parse_num(const char *line, size_t len, size_t *i, unsigned *num)
{
	uint64_t v;
	if (!parse_u64(line, len, i, &v) || v == 0 || v > G_MAXUINT)
		return false;
	*num = (unsigned)v;
	if (*i >= len || !is_sp(line[*i]))
		return false;
	while (*i < len && is_sp(line[*i]))
		(*i)++;
	return true;
}

enum pop3_parse pop3_parse_list_line(const char *line, size_t len, unsigned *num,
	uint64_t *size)
{
	size_t i = 0;
	len = trim_end(line, len);
	if (!parse_num(line, len, &i, num) || !parse_u64(line, len, &i, size))
		return POP3_PARSE_SYNTAX;
	/* RFC 1939 allows more after the size; ignore it. */
	if (i < len && !is_sp(line[i]))
		return POP3_PARSE_SYNTAX;
	return POP3_PARSE_DONE;
}

bool pop3_uidl_valid(const char *uid, size_t len)
{
	if (len == 0 || len > 70)
		return false;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)uid[i] < 0x21 || (unsigned char)uid[i] > 0x7e)
			return false;
	return true;
}

enum pop3_parse pop3_parse_uidl_line(const char *line, size_t len, unsigned *num,
	const char **uid, size_t *uid_len)
{
	size_t i = 0;
	len = trim_end(line, len);
	if (!parse_num(line, len, &i, num))
		return POP3_PARSE_SYNTAX;
	if (!pop3_uidl_valid(line + i, len - i))
		return POP3_PARSE_SYNTAX;
	*uid = line + i;
	*uid_len = len - i;
	return POP3_PARSE_DONE;
}

char *pop3_greeting_timestamp(const char *text, size_t len)
{
	const char *lt = memchr(text, '<', len);
	if (!lt)
		return NULL;
	const char *gt = memchr(lt, '>', len - (size_t)(lt - text));
	if (!gt || !memchr(lt, '@', (size_t)(gt - lt)))
		return NULL;
	for (const char *p = lt; p <= gt; p++)
		if ((unsigned char)*p < 0x21 || (unsigned char)*p > 0x7e)
			return NULL;
	return g_strndup(lt, (size_t)(gt - lt) + 1);
}
