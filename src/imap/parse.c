/* parse.c - IMAP response framing and parsing.
 *
 * Two steps so that bytes arriving in pieces are scanned once: framing
 * (imap_parse) finds where a response ends by walking lines and skipping
 * counted literals, keeping its place in struct imap_parser; once the
 * whole response is there, a recursive-descent parser (imap_parse_framed)
 * builds the value tree in one arena.  Both are pure and bounded. */
#include "imap/imap_private.h"

#include <string.h>

#define DEF_MAX_LINE (1u << 20)
#define DEF_MAX_LITERAL (64u << 20)
#define DEF_MAX_DEPTH 64
#define DEF_MAX_ITEMS 2000000

/* ---- arena ----------------------------------------------------------- */

struct arena_chunk {
	struct arena_chunk *next;
	size_t size, used;
	max_align_t data[];
};

struct imap_arena {
	struct arena_chunk *head;
};

struct imap_arena *imap_arena_new(void)
{
	return g_new0(struct imap_arena, 1);
}

void imap_arena_free(struct imap_arena *a)
{
	if (!a)
		return;
	struct arena_chunk *c = a->head;
	while (c) {
		struct arena_chunk *next = c->next;
		g_free(c);
		c = next;
	}
	g_free(a);
}

void *imap_arena_alloc(struct imap_arena *a, size_t size)
{
	size = (size + 7) & ~(size_t)7;
	if (size == 0)
		size = 8;
	struct arena_chunk *c = a->head;
	if (!c || c->size - c->used < size) {
		size_t want = size > 8192 ? size : 8192;
		c = g_malloc(sizeof *c + want);
		c->size = want;
		c->used = 0;
		/* A big one-off (a literal) goes behind the head so the head's
		 * free space is still used by small allocations. */
		if (size > 4096 && a->head) {
			c->next = a->head->next;
			a->head->next = c;
		} else {
			c->next = a->head;
			a->head = c;
		}
	}
	void *p = (char *)c->data + c->used;
	c->used += size;
	memset(p, 0, size);
	return p;
}

char *imap_arena_strndup(struct imap_arena *a, const char *s, size_t len)
{
	char *p = imap_arena_alloc(a, len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

void imap_response_free(struct imap_response *r)
{
	if (r)
		imap_arena_free(r->arena_);
}

/* ---- framing --------------------------------------------------------- */

static void limits_fill(struct imap_limits *l, const struct imap_limits *in)
{
	if (in)
		*l = *in;
	else
		memset(l, 0, sizeof *l);
	if (!l->max_line)
		l->max_line = DEF_MAX_LINE;
	if (!l->max_literal)
		l->max_literal = DEF_MAX_LITERAL;
	if (!l->max_depth)
		l->max_depth = DEF_MAX_DEPTH;
	if (!l->max_items)
		l->max_items = DEF_MAX_ITEMS;
}

void imap_parser_init(struct imap_parser *p, const struct imap_limits *lim)
{
	memset(p, 0, sizeof *p);
	limits_fill(&p->lim, lim);
}

static void parser_reset(struct imap_parser *p)
{
	p->pos = p->line_start = p->lit_left = 0;
}

/* Does the line [s, e) (without CRLF) end in "{n}", "{n+}" or "~{n}"?
 * Returns 1 and sets *n, 0 when not, -1 when the count overflows. */
static int literal_at_end(const char *s, const char *e, uint64_t *n)
{
	if (e == s || e[-1] != '}')
		return 0;
	const char *q = e - 1;
	if (q > s && q[-1] == '+')
		q--;
	const char *digits_end = q;
	while (q > s && g_ascii_isdigit(q[-1]))
		q--;
	if (q == digits_end || q == s || q[-1] != '{')
		return 0;
	if (digits_end - q > 19)
		return -1;
	uint64_t v = 0;
	for (const char *d = q; d < digits_end; d++)
		v = v * 10 + (uint64_t)(*d - '0');
	*n = v;
	return 1;
}

enum imap_parse_result imap_parse(struct imap_parser *p, const char *buf, size_t len,
	struct imap_response **out, size_t *used, size_t *need)
{
	*out = NULL;
	*used = 0;
	*need = 0;
	if (p->pos > len) /* the caller dropped bytes: start over */
		parser_reset(p);
	for (;;) {
		if (p->lit_left) {
			size_t avail = len - p->pos;
			size_t take = avail < p->lit_left ? avail : p->lit_left;
			p->pos += take;
			p->lit_left -= take;
			if (p->lit_left) {
				*need = p->lit_left;
				return IMAP_PARSE_MORE;
			}
			p->line_start = p->pos;
		}
		const char *nl = len > p->pos ? memchr(buf + p->pos, '\n', len - p->pos) : NULL;
		if (!nl) {
			p->pos = len;
			if (len - p->line_start > p->lim.max_line) {
				p->err_offset = len;
				parser_reset(p);
				return IMAP_PARSE_ERR_LINE;
			}
			return IMAP_PARSE_MORE;
		}
		size_t eol = (size_t)(nl - buf);
		if (eol - p->line_start > p->lim.max_line) {
			p->err_offset = eol;
			parser_reset(p);
			return IMAP_PARSE_ERR_LINE;
		}
		const char *ls = buf + p->line_start;
		const char *le = nl > ls && nl[-1] == '\r' ? nl - 1 : nl;
		uint64_t n = 0;
		int lit = literal_at_end(ls, le, &n);
		p->pos = eol + 1;
		if (lit < 0 || (lit > 0 && n > p->lim.max_literal)) {
			p->err_offset = eol;
			parser_reset(p);
			return IMAP_PARSE_ERR_LITERAL;
		}
		if (lit > 0) {
			p->lit_left = (size_t)n;
			p->line_start = p->pos;
			continue;
		}
		/* The response is complete. */
		size_t total = p->pos;
		size_t off = 0;
		parser_reset(p);
		enum imap_parse_result r = imap_parse_framed(&p->lim, buf, total, out, &off);
		if (r != IMAP_PARSE_DONE) {
			p->err_offset = off;
			return r;
		}
		*used = total;
		return IMAP_PARSE_DONE;
	}
}

const char *imap_parse_result_name(enum imap_parse_result r)
{
	switch (r) {
	case IMAP_PARSE_DONE:
		return "done";
	case IMAP_PARSE_MORE:
		return "more";
	case IMAP_PARSE_ERR_SYNTAX:
		return "syntax";
	case IMAP_PARSE_ERR_DEPTH:
		return "depth";
	case IMAP_PARSE_ERR_ITEMS:
		return "items";
	case IMAP_PARSE_ERR_LINE:
		return "line";
	case IMAP_PARSE_ERR_LITERAL:
		return "literal";
	}
	return "?";
}

/* ---- recursive descent ----------------------------------------------- */

struct cursor {
	const char *s, *p, *end;
	const struct imap_limits *lim;
	struct imap_response *r;
	GArray *stack; /* struct imap_value being collected */
	size_t depth, items;
	bool in_code;  /* inside "[...]": "]" ends atoms */
	enum imap_parse_result err;
};

static bool fail(struct cursor *c, enum imap_parse_result e)
{
	if (c->err == IMAP_PARSE_DONE)
		c->err = e;
	return false;
}

static bool at_eol(const struct cursor *c)
{
	return c->p >= c->end || *c->p == '\r' || *c->p == '\n';
}

static bool is_atom_char(const struct cursor *c, unsigned char ch)
{
	if (ch <= 0x20 || ch == 0x7f)
		return false;
	if (ch == '(' || ch == ')' || ch == '"')
		return false;
	if (ch == ']' && c->in_code)
		return false;
	return true;
}

static bool push(struct cursor *c, const struct imap_value *v)
{
	if (++c->items > c->lim->max_items)
		return fail(c, IMAP_PARSE_ERR_ITEMS);
	g_array_append_vals(c->stack, v, 1);
	return true;
}

static bool parse_atom(struct cursor *c, struct imap_value *v)
{
	const char *start = c->p;
	while (c->p < c->end && is_atom_char(c, (unsigned char)*c->p)) {
		if (*c->p == '[' && !c->in_code) {
			/* "BODY[HEADER.FIELDS (A B)]": brackets hold spaces and parens. */
			const char *q = c->p + 1;
			int nest = 1;
			while (q < c->end && *q != '\r' && *q != '\n' && nest) {
				if (*q == '[')
					nest++;
				else if (*q == ']')
					nest--;
				q++;
			}
			if (nest)
				return fail(c, IMAP_PARSE_ERR_SYNTAX);
			c->p = q;
			continue;
		}
		c->p++;
	}
	if (c->p == start)
		return fail(c, IMAP_PARSE_ERR_SYNTAX);
	size_t len = (size_t)(c->p - start);
	if (len == 3 && g_ascii_strncasecmp(start, "NIL", 3) == 0) {
		v->type = IMAP_VALUE_NIL;
		return true;
	}
	v->type = IMAP_VALUE_ATOM;
	v->str = imap_arena_strndup(c->r->arena_, start, len);
	v->len = len;
	return true;
}

static bool parse_quoted(struct cursor *c, struct imap_value *v)
{
	c->p++; /* opening quote */
	const char *start = c->p;
	size_t escapes = 0;
	while (c->p < c->end && *c->p != '"') {
		unsigned char ch = (unsigned char)*c->p;
		if (ch == '\r' || ch == '\n' || ch == '\0')
			return fail(c, IMAP_PARSE_ERR_SYNTAX);
		if (ch == '\\') {
			if (c->p + 1 >= c->end || (c->p[1] != '\\' && c->p[1] != '"'))
				return fail(c, IMAP_PARSE_ERR_SYNTAX);
			escapes++;
			c->p++;
		}
		c->p++;
	}
	if (c->p >= c->end)
		return fail(c, IMAP_PARSE_ERR_SYNTAX);
	size_t raw = (size_t)(c->p - start);
	char *out = imap_arena_alloc(c->r->arena_, raw - escapes + 1);
	size_t o = 0;
	for (const char *q = start; q < c->p; q++) {
		if (*q == '\\')
			q++;
		out[o++] = *q;
	}
	out[o] = '\0';
	c->p++; /* closing quote */
	v->type = IMAP_VALUE_STRING;
	v->str = out;
	v->len = o;
	return true;
}

static bool parse_literal(struct cursor *c, struct imap_value *v)
{
	bool binary = false;
	if (*c->p == '~') {
		binary = true;
		c->p++;
	}
	if (c->p >= c->end || *c->p != '{')
		return fail(c, IMAP_PARSE_ERR_SYNTAX);
	c->p++;
	uint64_t n = 0;
	int digits = 0;
	while (c->p < c->end && g_ascii_isdigit(*c->p)) {
		if (++digits > 19)
			return fail(c, IMAP_PARSE_ERR_LITERAL);
		n = n * 10 + (uint64_t)(*c->p++ - '0');
	}
	if (!digits)
		return fail(c, IMAP_PARSE_ERR_SYNTAX);
	if (c->p < c->end && *c->p == '+')
		c->p++;
	if (c->p >= c->end || *c->p != '}')
		return fail(c, IMAP_PARSE_ERR_SYNTAX);
	c->p++;
	if (c->p < c->end && *c->p == '\r')
		c->p++;
	if (c->p >= c->end || *c->p != '\n')
		return fail(c, IMAP_PARSE_ERR_SYNTAX);
	c->p++;
	if (n > c->lim->max_literal)
		return fail(c, IMAP_PARSE_ERR_LITERAL);
	if ((uint64_t)(c->end - c->p) < n)
		return fail(c, IMAP_PARSE_ERR_SYNTAX);
	v->type = IMAP_VALUE_STRING;
	v->flags = IMAP_VALUE_LITERAL | (binary ? IMAP_VALUE_BINARY : 0);
	v->str = imap_arena_strndup(c->r->arena_, c->p, (size_t)n);
	v->len = (size_t)n;
	c->p += n;
	return true;
}

static bool parse_list(struct cursor *c, struct imap_value *v);

static bool parse_value(struct cursor *c, struct imap_value *v)
{
	memset(v, 0, sizeof *v);
	switch (*c->p) {
	case '(':
		return parse_list(c, v);
	case '"':
		return parse_quoted(c, v);
	case '{':
	case '~':
		if (*c->p == '{' || (c->p + 1 < c->end && c->p[1] == '{'))
			return parse_literal(c, v);
		return parse_atom(c, v);
	default:
		return parse_atom(c, v);
	}
}

/* Collect values until close (')' or ']' or end of line) onto the stack,
 * then move them into an arena array. */
static bool parse_seq(struct cursor *c, char close, const struct imap_value **items, size_t *n)
{
	size_t base = c->stack->len;
	for (;;) {
		while (c->p < c->end && *c->p == ' ')
			c->p++;
		if (close && c->p < c->end && *c->p == close)
			break;
		if (at_eol(c)) {
			if (close)
				return fail(c, IMAP_PARSE_ERR_SYNTAX);
			break;
		}
		if (*c->p == ')' || (*c->p == ']' && c->in_code))
			return fail(c, IMAP_PARSE_ERR_SYNTAX);
		struct imap_value v;
		if (!parse_value(c, &v) || !push(c, &v))
			return false;
		/* Values are separated by a space or touch a paren. */
		if (!at_eol(c) && *c->p != ' ' && *c->p != ')' && *c->p != '(' &&
			!(c->in_code && *c->p == ']'))
			return fail(c, IMAP_PARSE_ERR_SYNTAX);
	}
	size_t count = c->stack->len - base;
	*n = count;
	*items = NULL;
	if (count) {
		struct imap_value *arr = IMAP_RNEW(c->r, struct imap_value, count);
		memcpy(arr, &g_array_index(c->stack, struct imap_value, base),
			count * sizeof *arr);
		*items = arr;
	}
	g_array_set_size(c->stack, base);
	return true;
}

static bool parse_list(struct cursor *c, struct imap_value *v)
{
	if (++c->depth > c->lim->max_depth)
		return fail(c, IMAP_PARSE_ERR_DEPTH);
	c->p++; /* '(' */
	v->type = IMAP_VALUE_LIST;
	if (!parse_seq(c, ')', &v->items, &v->n))
		return false;
	c->p++; /* ')' */
	c->depth--;
	return true;
}

/* ---- response codes -------------------------------------------------- */

static const struct {
	const char *name;
	enum imap_code_kind kind;
} code_names[] = {
	{"ALERT", IMAP_CODE_ALERT},
	{"CAPABILITY", IMAP_CODE_CAPABILITY},
	{"PERMANENTFLAGS", IMAP_CODE_PERMANENTFLAGS},
	{"READ-ONLY", IMAP_CODE_READ_ONLY},
	{"READ-WRITE", IMAP_CODE_READ_WRITE},
	{"TRYCREATE", IMAP_CODE_TRYCREATE},
	{"UIDNEXT", IMAP_CODE_UIDNEXT},
	{"UIDVALIDITY", IMAP_CODE_UIDVALIDITY},
	{"UNSEEN", IMAP_CODE_UNSEEN},
	{"HIGHESTMODSEQ", IMAP_CODE_HIGHESTMODSEQ},
	{"NOMODSEQ", IMAP_CODE_NOMODSEQ},
	{"APPENDUID", IMAP_CODE_APPENDUID},
	{"COPYUID", IMAP_CODE_COPYUID},
	{"CLOSED", IMAP_CODE_CLOSED},
	{"UIDNOTSTICKY", IMAP_CODE_UIDNOTSTICKY},
	{"MODIFIED", IMAP_CODE_MODIFIED},
};

bool imap_parse_values(struct imap_response *r, const struct imap_limits *lim, const char *s,
	size_t len, const struct imap_value **items, size_t *n)
{
	struct cursor c = {
		.s = s, .p = s, .end = s + len, .lim = lim, .r = r,
		.stack = g_array_new(FALSE, FALSE, sizeof(struct imap_value)),
		.in_code = true, .err = IMAP_PARSE_DONE,
	};
	bool ok = parse_seq(&c, 0, items, n) && c.p == c.end;
	g_array_free(c.stack, TRUE);
	return ok;
}

/* Decode the typed fields of a code whose name and raw args are set. */
static bool code_decode(struct cursor *c, struct imap_code *code)
{
	code->kind = IMAP_CODE_OTHER;
	for (size_t i = 0; i < G_N_ELEMENTS(code_names); i++)
		if (strcmp(code->name, code_names[i].name) == 0)
			code->kind = code_names[i].kind;
	const struct imap_value *a = NULL;
	size_t n = 0;
	bool parsed = imap_parse_values(c->r, c->lim, code->raw, strlen(code->raw), &a, &n);
	if (parsed) {
		code->args = a;
		code->nargs = n;
	}
	switch (code->kind) {
	case IMAP_CODE_UIDNEXT:
	case IMAP_CODE_UIDVALIDITY:
	case IMAP_CODE_UNSEEN:
	case IMAP_CODE_HIGHESTMODSEQ:
		return parsed && n == 1 && imap_value_u64(&a[0], &code->number);
	case IMAP_CODE_APPENDUID:
		if (!parsed || n != 2 || !imap_value_u64(&a[0], &code->number) ||
			a[1].type != IMAP_VALUE_ATOM)
			return false;
		code->set1 = a[1].str;
		return true;
	case IMAP_CODE_COPYUID:
		if (!parsed || n != 3 || !imap_value_u64(&a[0], &code->number) ||
			a[1].type != IMAP_VALUE_ATOM || a[2].type != IMAP_VALUE_ATOM)
			return false;
		code->set1 = a[1].str;
		code->set2 = a[2].str;
		return true;
	case IMAP_CODE_MODIFIED:
		if (!parsed || n != 1 || a[0].type != IMAP_VALUE_ATOM)
			return false;
		code->set1 = a[0].str;
		return true;
	case IMAP_CODE_CAPABILITY:
		return parsed;
	case IMAP_CODE_PERMANENTFLAGS:
		if (!parsed || n != 1 || a[0].type != IMAP_VALUE_LIST)
			return false;
		code->args = a[0].items;
		code->nargs = a[0].n;
		return true;
	default:
		return true; /* unknown or argument-less: raw is enough */
	}
}

/* resp-text = ["[" code "]" SP] text */
static bool parse_resp_text(struct cursor *c)
{
	struct imap_response *r = c->r;
	if (c->p < c->end && *c->p == ' ')
		c->p++;
	if (c->p < c->end && *c->p == '[') {
		c->p++;
		const char *ns = c->p;
		while (c->p < c->end && *c->p != ' ' && *c->p != ']' && !at_eol(c))
			c->p++;
		if (c->p == ns)
			return fail(c, IMAP_PARSE_ERR_SYNTAX);
		char *name = imap_arena_strndup(r->arena_, ns, (size_t)(c->p - ns));
		for (char *q = name; *q; q++)
			*q = g_ascii_toupper(*q);
		r->code.name = name;
		const char *as = c->p;
		if (*c->p == ' ') {
			as = ++c->p;
			/* Up to the "]" that is not inside quotes. */
			bool q = false;
			while (c->p < c->end && !at_eol(c) && (q || *c->p != ']')) {
				if (*c->p == '"')
					q = !q;
				else if (*c->p == '\\' && q && c->p + 1 < c->end)
					c->p++;
				c->p++;
			}
		}
		if (c->p >= c->end || *c->p != ']')
			return fail(c, IMAP_PARSE_ERR_SYNTAX);
		r->code.raw = imap_arena_strndup(r->arena_, as, (size_t)(c->p - as));
		c->p++;
		if (!code_decode(c, &r->code))
			return fail(c, IMAP_PARSE_ERR_SYNTAX);
		if (c->p < c->end && *c->p == ' ')
			c->p++;
	}
	const char *ts = c->p;
	while (!at_eol(c)) {
		if (*c->p == '\0')
			return fail(c, IMAP_PARSE_ERR_SYNTAX);
		c->p++;
	}
	r->text = imap_arena_strndup(r->arena_, ts, (size_t)(c->p - ts));
	return true;
}

static enum imap_cond cond_of(const char *w)
{
	static const char *names[] = {"OK", "NO", "BAD", "PREAUTH", "BYE"};
	for (size_t i = 0; i < G_N_ELEMENTS(names); i++)
		if (strcmp(w, names[i]) == 0)
			return (enum imap_cond)(IMAP_COND_OK + i);
	return IMAP_COND_NONE;
}

/* A keyword or tag: atom characters, no brackets. */
static char *take_word(struct cursor *c, bool upper)
{
	const char *s = c->p;
	while (c->p < c->end && is_atom_char(c, (unsigned char)*c->p) && *c->p != '[' &&
		*c->p != '{')
		c->p++;
	if (c->p == s)
		return NULL;
	char *w = imap_arena_strndup(c->r->arena_, s, (size_t)(c->p - s));
	if (upper)
		for (char *q = w; *q; q++)
			*q = g_ascii_toupper(*q);
	return w;
}

static bool parse_response(struct cursor *c)
{
	struct imap_response *r = c->r;
	r->text = "";
	r->name = "";
	if (*c->p == '+') {
		r->kind = IMAP_RESP_CONTINUE;
		c->p++;
		if (c->p < c->end && *c->p == ' ')
			c->p++;
		const char *ts = c->p;
		while (!at_eol(c))
			c->p++;
		r->text = imap_arena_strndup(r->arena_, ts, (size_t)(c->p - ts));
		return true;
	}
	if (*c->p == '*') {
		r->kind = IMAP_RESP_UNTAGGED;
		c->p++;
	} else {
		r->kind = IMAP_RESP_TAGGED;
		if (!(r->tag = take_word(c, false)))
			return fail(c, IMAP_PARSE_ERR_SYNTAX);
	}
	if (c->p >= c->end || *c->p != ' ')
		return fail(c, IMAP_PARSE_ERR_SYNTAX);
	c->p++;
	if (r->kind == IMAP_RESP_UNTAGGED && c->p < c->end && g_ascii_isdigit(*c->p)) {
		uint64_t n = 0;
		while (c->p < c->end && g_ascii_isdigit(*c->p)) {
			n = n * 10 + (uint64_t)(*c->p++ - '0');
			if (n > UINT32_MAX)
				return fail(c, IMAP_PARSE_ERR_SYNTAX);
		}
		if (c->p >= c->end || *c->p != ' ')
			return fail(c, IMAP_PARSE_ERR_SYNTAX);
		c->p++;
		r->has_number = true;
		r->number = (uint32_t)n;
	}
	char *name = take_word(c, true);
	if (!name)
		return fail(c, IMAP_PARSE_ERR_SYNTAX);
	r->name = name;
	enum imap_cond cond = r->has_number ? IMAP_COND_NONE : cond_of(name);
	if (r->kind == IMAP_RESP_TAGGED && (cond == IMAP_COND_NONE || cond == IMAP_COND_PREAUTH))
		return fail(c, IMAP_PARSE_ERR_SYNTAX);
	r->cond = cond;
	if (cond != IMAP_COND_NONE)
		return parse_resp_text(c);
	if (!at_eol(c) && *c->p != ' ')
		return fail(c, IMAP_PARSE_ERR_SYNTAX);
	return parse_seq(c, 0, &r->args, &r->nargs);
}

enum imap_parse_result imap_parse_framed(const struct imap_limits *lim, const char *buf,
	size_t len, struct imap_response **out, size_t *err_offset)
{
	struct imap_arena *arena = imap_arena_new();
	struct imap_response *r = imap_arena_alloc(arena, sizeof *r);
	r->arena_ = arena;
	struct cursor c = {
		.s = buf, .p = buf, .end = buf + len, .lim = lim, .r = r,
		.stack = g_array_new(FALSE, FALSE, sizeof(struct imap_value)),
		.err = IMAP_PARSE_DONE,
	};
	bool ok = len > 0 && parse_response(&c);
	if (ok) {
		/* Only the line end may remain. */
		if (c.p < c.end && *c.p == '\r')
			c.p++;
		if (c.p >= c.end || *c.p != '\n' || c.p + 1 != c.end)
			ok = fail(&c, IMAP_PARSE_ERR_SYNTAX);
	} else if (c.err == IMAP_PARSE_DONE) {
		c.err = IMAP_PARSE_ERR_SYNTAX;
	}
	g_array_free(c.stack, TRUE);
	if (!ok) {
		*err_offset = (size_t)(c.p - buf);
		imap_arena_free(arena);
		*out = NULL;
		return c.err;
	}
	*out = r;
	return IMAP_PARSE_DONE;
}
