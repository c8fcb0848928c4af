/* encode.c - RFC 2047 encoded words, written here rather than by GMime.
 *
 * GMime 3.2.13 writes base64 ("B") encoded words and its own decoder
 * (which notmuch uses too) drops everything after a word that ends in
 * "=" padding when another B word follows:
 *   "=?UTF-8?B?YQ==?= =?UTF-8?B?Yg==?=" decodes as "a", not "ab".
 * A long Vietnamese subject always needs several words, so it would
 * come back cut.  Quoted-printable ("Q") words have no padding and
 * decode correctly everywhere; each word holds whole characters. */
#include "mime/mime_private.h"

#include <string.h>

#define WORD_PAYLOAD 63 /* 75 minus "=?UTF-8?Q?" and "?=" */

/* Characters a Q word may carry literally in a phrase (RFC 2047 5(3)),
 * which is also safe in unstructured text. */
static bool q_literal(unsigned char c)
{
	return g_ascii_isalnum(c) || c == '!' || c == '*' || c == '+' || c == '-' || c == '/';
}

/* Append the Q words for text[0..len) to out, separated by spaces. */
static void q_words(GString *out, const char *text, size_t len)
{
	GString *word = g_string_new(NULL);
	const char *p = text, *end = text + len;

	while (p < end) {
		const char *next = g_utf8_find_next_char(p, end);
		GString *enc = g_string_new(NULL);

		if (!next)
			next = end;
		for (const char *q = p; q < next; q++) {
			unsigned char c = (unsigned char)*q;

			if (c == ' ')
				g_string_append_c(enc, '_');
			else if (q_literal(c))
				g_string_append_c(enc, (char)c);
			else
				g_string_append_printf(enc, "=%02X", c);
		}
		if (word->len > 0 && word->len + enc->len > WORD_PAYLOAD) {
			g_string_append_printf(out, "%s=?UTF-8?Q?%s?=",
			                       out->len && out->str[out->len - 1] != ' ' ? " " : "",
			                       word->str);
			g_string_truncate(word, 0);
		}
		g_string_append_len(word, enc->str, (gssize)enc->len);
		g_string_free(enc, TRUE);
		p = next;
	}
	if (word->len > 0)
		g_string_append_printf(
		    out, "%s=?UTF-8?Q?%s?=", out->len && out->str[out->len - 1] != ' ' ? " " : "",
		    word->str);
	g_string_free(word, TRUE);
}

static bool needs_encoding(const char *w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)w[i] >= 0x80 || (unsigned char)w[i] < 0x20)
			return true;
	/* A plain word that looks like an encoded word must not be decoded. */
	return n >= 4 && memcmp(w, "=?", 2) == 0 && memcmp(w + n - 2, "?=", 2) == 0;
}

char *mime_encode_text(const char *utf8)
{
	GString *out = g_string_new(NULL);
	const char *p = utf8;

	/* Words needing encoding are merged into one run with the spaces
	 * between them inside it: space between two encoded words is
	 * dropped by decoders, space next to a plain word is kept. */
	while (*p) {
		const char *ws = p, *we, *run_end;

		while (*ws == ' ' || *ws == '\t')
			ws++;
		if (!*ws)
			break;
		we = ws + strcspn(ws, " \t");
		if (!needs_encoding(ws, (size_t)(we - ws))) {
			if (out->len)
				g_string_append_c(out, ' ');
			g_string_append_len(out, ws, we - ws);
			p = we;
			continue;
		}
		run_end = we;
		for (;;) {
			const char *ns = run_end, *ne;

			while (*ns == ' ' || *ns == '\t')
				ns++;
			if (!*ns)
				break;
			ne = ns + strcspn(ns, " \t");
			if (!needs_encoding(ns, (size_t)(ne - ns)))
				break;
			run_end = ne;
		}
		if (out->len)
			g_string_append_c(out, ' ');
		q_words(out, ws, (size_t)(run_end - ws));
		p = run_end;
	}
	return g_string_free(out, FALSE);
}

char *mime_encode_phrase(const char *utf8)
{
	GString *out = g_string_new(NULL);

	q_words(out, utf8, strlen(utf8));
	return g_string_free(out, FALSE);
}

static bool is_ascii(const char *s)
{
	for (; s && *s; s++)
		if ((unsigned char)*s >= 0x80)
			return false;
	return true;
}

static void format_list(GString *out, InternetAddressList *list)
{
	int n = internet_address_list_length(list);

	for (int i = 0; i < n; i++) {
		InternetAddress *ia = internet_address_list_get_address(list, i);
		const char *name = internet_address_get_name(ia);

		if (i > 0)
			g_string_append(out, ", ");
		if (name && *name && !is_ascii(name)) {
			char *enc = mime_encode_phrase(name);

			g_string_append(out, enc);
			g_free(enc);
			if (INTERNET_ADDRESS_IS_GROUP(ia)) {
				g_string_append(out, ": ");
				format_list(out, internet_address_group_get_members(
				                     INTERNET_ADDRESS_GROUP(ia)));
				g_string_append_c(out, ';');
			} else {
				g_string_append_printf(out, " <%s>",
				                       internet_address_mailbox_get_addr(
				                           INTERNET_ADDRESS_MAILBOX(ia)));
			}
		} else if (INTERNET_ADDRESS_IS_GROUP(ia)) {
			InternetAddressGroup *g = INTERNET_ADDRESS_GROUP(ia);
			InternetAddress *bare = internet_address_group_new(name ? name : "");
			char *s = internet_address_to_string(bare, NULL, FALSE);

			/* "name:;" from GMime, members from here */
			if (g_str_has_suffix(s, ";"))
				s[strlen(s) - 1] = '\0';
			g_string_append_printf(out, "%s ", s);
			format_list(out, internet_address_group_get_members(g));
			g_string_append_c(out, ';');
			g_free(s);
			g_object_unref(bare);
		} else {
			char *s = internet_address_to_string(ia, NULL, FALSE);

			g_string_append(out, s);
			g_free(s);
		}
	}
}

char *mime_format_address_list(InternetAddressList *list)
{
	GString *out = g_string_new(NULL);

	format_list(out, list);
	return g_string_free(out, FALSE);
}

char *mime_fold(const char *name, const char *value)
{
	GString *out = g_string_new(NULL);
	size_t col = strlen(name) + 1;
	const char *p = value;

	while (*p) {
		const char *we = p + strcspn(p, " ");
		size_t n = (size_t)(we - p);

		if (n > 0) {
			if (col + 1 + n > 78 && col > strlen(name) + 1) {
				g_string_append(out, "\n");
				col = 0;
			}
			g_string_append_c(out, ' ');
			g_string_append_len(out, p, (gssize)n);
			col += 1 + n;
		}
		p = *we ? we + 1 : we;
	}
	g_string_append_c(out, '\n');
	return g_string_free(out, FALSE);
}
