/* addrbook.c - addresses for completion in the compose prompts: every
 * sender seen in an index during this run.  UI thread only. */
#include <string.h>

#include <glib.h>

#include "core/core.h"
#include "ui/ui_private.h"

/* bare address (case-folded) -> "Name <addr>" or "addr", owned */
static GHashTable *book;

void ui_addrbook_add(const char *name, const char *addr)
{
	if (!addr || !strchr(addr, '@') || strpbrk(addr, " \t<>,\"'"))
		return;
	if (!book)
		book = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	char *key = g_ascii_strdown(addr, -1);
	char *entry = ui_address_format(name && strcmp(name, addr) != 0 ? name : NULL, addr);
	g_hash_table_replace(book, key, entry);
}

void ui_addrbook_clear(void)
{
	if (book)
		g_hash_table_unref(book);
	book = NULL;
}

char *ui_address_format(const char *name, const char *addr)
{
	if (!name || !*name)
		return g_strdup(addr);
	/* A name with specials goes in quotes (RFC 5322 3.2.3). */
	if (!strpbrk(name, "()<>[]:;@\\,.\"")) {
		return g_strdup_printf("%s <%s>", name, addr);
	}
	GString *s = g_string_new("\"");
	for (const char *p = name; *p; p++) {
		if (*p == '"' || *p == '\\')
			g_string_append_c(s, '\\');
		g_string_append_c(s, *p);
	}
	g_string_append_printf(s, "\" <%s>", addr);
	return g_string_free(s, FALSE);
}

static bool matches(const char *entry, const char *key, const char *word)
{
	char *fe = g_utf8_casefold(entry, -1);
	bool m = g_str_has_prefix(fe, word) || g_str_has_prefix(key, word);
	/* Also a later word of the name: "an" finds "Nguyễn Văn An". */
	for (const char *p = fe; !m && (p = strchr(p, ' ')); p++)
		m = g_str_has_prefix(p + 1, word);
	g_free(fe);
	return m;
}

static int cmp(gconstpointer a, gconstpointer b)
{
	return g_utf8_collate(*(char *const *)a, *(char *const *)b);
}

/* Complete the last entry of a comma-separated list; the lines offered
 * keep what was typed before it. */
GPtrArray *ui_addrbook_complete(void *ctx, const char *text)
{
	(void)ctx;
	GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
	const char *comma = strrchr(text, ',');
	const char *last = comma ? comma + 1 : text;
	while (*last == ' ')
		last++;
	char *head = g_strndup(text, (size_t)(last - text));
	if (comma && !g_str_has_suffix(head, " ")) {
		char *h2 = g_strconcat(head, " ", NULL);
		g_free(head);
		head = h2;
	}
	char *word = g_utf8_casefold(last, -1);
	GPtrArray *found = g_ptr_array_new();
	if (book && *word) {
		GHashTableIter it;
		gpointer k, v;
		g_hash_table_iter_init(&it, book);
		while (g_hash_table_iter_next(&it, &k, &v))
			if (matches(v, k, word))
				g_ptr_array_add(found, v);
	}
	g_ptr_array_sort(found, cmp);
	for (guint i = 0; i < found->len; i++)
		g_ptr_array_add(out, g_strconcat(head, (const char *)found->pdata[i], NULL));
	g_ptr_array_free(found, TRUE);
	g_free(word);
	g_free(head);
	return out;
}
