/* html_strip.c - the built-in HTML to text fallback.
 *
 * Not a renderer: enough to read a message when no HTML command is
 * available or it failed.  Tags go; script, style, title and template
 * contents go with them; block tags (br, p, div, li, tr, headings ...)
 * become line breaks; other white space collapses as a browser would,
 * except inside <pre>; character references are decoded.  The output
 * is not yet terminal safe: the view passes it through core_safe_text. */
#include "mime/view_private.h"

#include <string.h>

/* HTML names of U+00A0 .. U+00FF, in order. */
static const char *const latin1[] = {
    "nbsp",   "iexcl",  "cent",   "pound",  "curren", "yen",    "brvbar", "sect",   "uml",
    "copy",   "ordf",   "laquo",  "not",    "shy",    "reg",    "macr",   "deg",    "plusmn",
    "sup2",   "sup3",   "acute",  "micro",  "para",   "middot", "cedil",  "sup1",   "ordm",
    "raquo",  "frac14", "frac12", "frac34", "iquest", "Agrave", "Aacute", "Acirc",  "Atilde",
    "Auml",   "Aring",  "AElig",  "Ccedil", "Egrave", "Eacute", "Ecirc",  "Euml",   "Igrave",
    "Iacute", "Icirc",  "Iuml",   "ETH",    "Ntilde", "Ograve", "Oacute", "Ocirc",  "Otilde",
    "Ouml",   "times",  "Oslash", "Ugrave", "Uacute", "Ucirc",  "Uuml",   "Yacute", "THORN",
    "szlig",  "agrave", "aacute", "acirc",  "atilde", "auml",   "aring",  "aelig",  "ccedil",
    "egrave", "eacute", "ecirc",  "euml",   "igrave", "iacute", "icirc",  "iuml",   "eth",
    "ntilde", "ograve", "oacute", "ocirc",  "otilde", "ouml",   "divide", "oslash", "ugrave",
    "uacute", "ucirc",  "uuml",   "yacute", "thorn",  "yuml",
};
G_STATIC_ASSERT(G_N_ELEMENTS(latin1) == 96);

static const struct {
	const char *name;
	gunichar c;
} others[] = {
    {"amp", '&'},       {"lt", '<'},        {"gt", '>'},        {"quot", '"'},
    {"apos", '\''},     {"hellip", 0x2026}, {"mdash", 0x2014},  {"ndash", 0x2013},
    {"lsquo", 0x2018},  {"rsquo", 0x2019},  {"ldquo", 0x201c},  {"rdquo", 0x201d},
    {"sbquo", 0x201a},  {"bdquo", 0x201e},  {"bull", 0x2022},   {"trade", 0x2122},
    {"euro", 0x20ac},   {"thinsp", 0x2009}, {"ensp", 0x2002},   {"emsp", 0x2003},
    {"zwnj", 0x200c},   {"zwj", 0x200d},    {"dagger", 0x2020}, {"Dagger", 0x2021},
    {"permil", 0x2030}, {"lsaquo", 0x2039}, {"rsaquo", 0x203a}, {"OElig", 0x152},
    {"oelig", 0x153},   {"Scaron", 0x160},  {"scaron", 0x161},  {"Yuml", 0x178},
    {"fnof", 0x192},    {"circ", 0x2c6},    {"tilde", 0x2dc},   {"larr", 0x2190},
    {"rarr", 0x2192},   {"uarr", 0x2191},   {"darr", 0x2193},
};

/* Tags whose content is not text. */
static const char *const skipped[] = {"script", "style", "title", "template"};

/* Tags that end a line (1) or a paragraph (2). */
static const struct {
	const char *name;
	int breaks;
} blocks[] = {
    {"p", 2},      {"div", 1},        {"tr", 1},      {"li", 1},     {"h1", 2},     {"h2", 2},
    {"h3", 2},     {"h4", 2},         {"h5", 2},      {"h6", 2},     {"table", 1},  {"ul", 1},
    {"ol", 1},     {"blockquote", 2}, {"pre", 2},     {"hr", 2},     {"dl", 1},     {"dt", 1},
    {"dd", 1},     {"section", 1},    {"article", 1}, {"header", 1}, {"footer", 1}, {"address", 1},
    {"center", 1}, {"form", 1},       {"caption", 1}, {"body", 1},
};

struct strip {
	GString *out;
	bool pre;     /* inside <pre>: keep white space */
	bool space;   /* white space seen, not yet written */
	int newlines; /* line breaks owed before the next text */
	bool bullet;  /* an <li> started: "* " before its text */
};

static bool at_line_start(const struct strip *s)
{
	return s->out->len == 0 || s->out->str[s->out->len - 1] == '\n';
}

static void put_char(struct strip *s, gunichar c)
{
	if (s->newlines > 0 && s->out->len > 0) {
		int have = 0;

		for (gsize i = s->out->len; i > 0 && s->out->str[i - 1] == '\n'; i--)
			have++;
		/* 1: start a line; 2: leave a blank line. */
		for (; have < s->newlines; have++)
			g_string_append_c(s->out, '\n');
	} else if (s->space && !at_line_start(s)) {
		g_string_append_c(s->out, ' ');
	}
	s->newlines = 0;
	s->space = false;
	if (s->bullet) {
		g_string_append(s->out, "* ");
		s->bullet = false;
	}
	g_string_append_unichar(s->out, c);
}

static void text_char(struct strip *s, gunichar c)
{
	if (s->pre) {
		if (c == '\n') {
			g_string_append_c(s->out, '\n');
			return;
		}
		if (c == ' ' || c == '\t') {
			s->newlines = 0;
			g_string_append_unichar(s->out, c);
			return;
		}
		put_char(s, c);
		return;
	}
	if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f')
		s->space = true;
	else
		put_char(s, c);
}

static void line_break(struct strip *s, int n)
{
	if (n > s->newlines)
		s->newlines = n;
	s->space = false;
}

/* "&...;" at p (p[0] == '&'); *c set and the end returned, or NULL. */
static const char *entity(const char *p, const char *end, gunichar *c)
{
	const char *q = p + 1;
	char name[16];
	size_t n = 0;

	if (q < end && *q == '#') {
		guint64 v = 0;
		bool hex = q + 1 < end && (q[1] == 'x' || q[1] == 'X');
		const char *d = q + (hex ? 2 : 1), *start = d;

		for (; d < end && (hex ? g_ascii_isxdigit(*d) : g_ascii_isdigit(*d)); d++)
			if (v <= 0x10ffff)
				v = v * (hex ? 16 : 10) +
				    (guint64)(hex ? g_ascii_xdigit_value(*d) : *d - '0');
		if (d == start)
			return NULL;
		*c = v == 0 || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff) ? 0xfffd : (gunichar)v;
		return d < end && *d == ';' ? d + 1 : d;
	}
	for (; q < end && g_ascii_isalnum(*q) && n < sizeof name - 1; q++)
		name[n++] = *q;
	name[n] = '\0';
	if (n == 0)
		return NULL;
	for (size_t i = 0; i < G_N_ELEMENTS(latin1); i++)
		if (strcmp(name, latin1[i]) == 0) {
			*c = 0xa0 + (gunichar)i;
			return q < end && *q == ';' ? q + 1 : q;
		}
	for (size_t i = 0; i < G_N_ELEMENTS(others); i++)
		if (strcmp(name, others[i].name) == 0) {
			*c = others[i].c;
			return q < end && *q == ';' ? q + 1 : q;
		}
	return NULL;
}

/* Skip past "</name ...>" (case-insensitive), or to the end. */
static const char *skip_element(const char *p, const char *end, const char *name)
{
	size_t n = strlen(name);

	for (; p < end; p++)
		if (*p == '<' && p + 2 + n <= end && p[1] == '/' &&
		    g_ascii_strncasecmp(p + 2, name, n) == 0 && !g_ascii_isalnum(p[2 + n])) {
			const char *gt = memchr(p, '>', (size_t)(end - p));

			return gt ? gt + 1 : end;
		}
	return end;
}

/* A tag at p ('<' then a letter, '/', '!' or '?'): handle it, return its end. */
static const char *tag(struct strip *s, const char *p, const char *end)
{
	const char *q = p + 1, *gt;
	bool closing = false;
	char name[16];
	size_t n = 0;
	char quote = 0;

	if (end - p >= 4 && memcmp(p, "<!--", 4) == 0) {
		const char *e = g_strstr_len(p + 4, end - p - 4, "-->");

		return e ? e + 3 : end;
	}
	if (*q == '/')
		closing = true, q++;
	for (; q < end && (g_ascii_isalnum(*q)) && n < sizeof name - 1; q++)
		name[n++] = g_ascii_tolower(*q);
	name[n] = '\0';
	for (gt = q; gt < end; gt++) {
		if (quote) {
			if (*gt == quote)
				quote = 0;
		} else if (*gt == '"' || *gt == '\'') {
			quote = *gt;
		} else if (*gt == '>') {
			break;
		}
	}
	gt = gt < end ? gt + 1 : end;
	if (!closing)
		for (size_t i = 0; i < G_N_ELEMENTS(skipped); i++)
			if (strcmp(name, skipped[i]) == 0)
				return skip_element(gt, end, name);
	if (strcmp(name, "br") == 0) {
		g_string_append_c(s->out, '\n');
		s->space = false;
		return gt;
	}
	if (strcmp(name, "pre") == 0)
		s->pre = !closing;
	if (strcmp(name, "td") == 0 || strcmp(name, "th") == 0) {
		s->space = true;
		return gt;
	}
	for (size_t i = 0; i < G_N_ELEMENTS(blocks); i++)
		if (strcmp(name, blocks[i].name) == 0) {
			line_break(s, blocks[i].breaks);
			if (!closing && strcmp(name, "li") == 0)
				s->bullet = true;
			break;
		}
	return gt;
}

char *html_strip(const char *html, size_t len)
{
	struct strip s = {.out = g_string_sized_new(len / 2 + 16)};
	const char *p = html, *end = html + len;

	while (p < end) {
		gunichar c;
		const char *next;

		if (*p == '<' && p + 1 < end &&
		    (g_ascii_isalpha(p[1]) || p[1] == '/' || p[1] == '!' || p[1] == '?')) {
			p = tag(&s, p, end);
			continue;
		}
		if (*p == '&' && (next = entity(p, end, &c)) != NULL) {
			text_char(&s, c);
			p = next;
			continue;
		}
		c = g_utf8_get_char_validated(p, end - p);
		if (c == (gunichar)-1 || c == (gunichar)-2) {
			put_char(&s, 0xfffd);
			p++;
			continue;
		}
		text_char(&s, c);
		p = g_utf8_next_char(p);
	}
	while (s.out->len > 0 && s.out->str[s.out->len - 1] == '\n')
		g_string_truncate(s.out, s.out->len - 1);
	return g_string_free(s.out, FALSE);
}
