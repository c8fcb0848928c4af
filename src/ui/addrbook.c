/* addrbook.c - addresses for completion in the compose prompts: every
 * sender seen in an index during this run, and for stores that keep a
 * list (POP3 accounts: notmuch) the senders and recipients of their mail,
 * asked for in the background when compose starts.  UI thread only. */
#include <string.h>

#include <glib.h>

#include "app/app.h"
#include "core/core.h"
#include "ui/ui_private.h"

struct entry {
	char *addr;     /* as first seen */
	char *name;     /* display name, or NULL */
	char *text;     /* "Name <addr>" or "addr"; made when first offered */
	char *fold;     /* text folded (core_text_fold), for matching; likewise */
	unsigned count; /* messages naming it: ranks the candidates */
};

/* bare address (case-folded) -> struct entry, owned */
static GHashTable *book;

/* Per account (index): the job asking its store, 0 when none runs. */
enum store_state { STORE_UNKNOWN, STORE_ASKING, STORE_KNOWN };
struct store {
	enum store_state state;
	uint64_t job;
};
static GArray *stores; /* of struct store, by account index */

static void entry_free(void *p)
{
	struct entry *e = p;
	g_free(e->addr);
	g_free(e->name);
	g_free(e->text);
	g_free(e->fold);
	g_free(e);
}

static bool valid_addr(const char *addr)
{
	return addr && strchr(addr, '@') && !strpbrk(addr, " \t<>,\"'");
}

/* The entry's text and folded text, made on first use: a folder of
 * 100,000 messages adds a sender per row while it loads, and folding is
 * the costly part (tests/bench/imap/README). */
static void entry_texts(struct entry *e)
{
	if (e->text)
		return;
	e->text = ui_address_format(e->name, e->addr);
	e->fold = core_text_fold(e->text);
}

/* The hash key of addr: ASCII lower case into buf when it fits (the
 * common case, no allocation), else a case-folded copy in *owned. */
static const char *addr_key(const char *addr, char *buf, size_t size, char **owned)
{
	size_t i = 0;
	*owned = NULL;
	for (; addr[i] && i + 1 < size; i++) {
		if ((unsigned char)addr[i] >= 0x80)
			break;
		buf[i] = g_ascii_tolower(addr[i]);
	}
	if (!addr[i]) {
		buf[i] = '\0';
		return buf;
	}
	*owned = g_utf8_casefold(addr, -1);
	return *owned;
}

/* Add or rename addr's entry; count is added (a sender seen in an index)
 * or kept at the larger (the store's count covers what an index saw). */
static void put(const char *name, const char *addr, unsigned count, bool add)
{
	if (!valid_addr(addr))
		return;
	if (!book)
		book = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, entry_free);
	char buf[256], *owned;
	const char *key = addr_key(addr, buf, sizeof buf, &owned);
	struct entry *e = g_hash_table_lookup(book, key);
	bool named = name && *name && strcmp(name, addr) != 0;
	if (e) {
		g_free(owned);
		e->count = add ? e->count + count : MAX(e->count, count);
		if (!named)
			return; /* a name known already stays */
		if (g_strcmp0(e->name, name) == 0 && strcmp(e->addr, addr) == 0)
			return; /* the common case: nothing to redo */
		/* The latest spelling wins, as the sender wrote it last. */
		g_free(e->name);
		g_free(e->addr);
		e->addr = g_strdup(addr);
		g_clear_pointer(&e->text, g_free);
		g_clear_pointer(&e->fold, g_free);
	} else {
		e = g_new0(struct entry, 1);
		e->count = count;
		e->addr = g_strdup(addr);
		g_hash_table_insert(book, owned ? owned : g_strdup(key), e);
	}
	e->name = named ? g_strdup(name) : NULL;
}

void ui_addrbook_add(const char *name, const char *addr)
{
	put(name, addr, 1, true);
}

static struct store *store_of(int account)
{
	if (account < 0)
		return NULL;
	if (!stores)
		stores = g_array_new(FALSE, TRUE, sizeof(struct store));
	if ((guint)account >= stores->len)
		g_array_set_size(stores, (guint)account + 1);
	return &g_array_index(stores, struct store, account);
}

void ui_addrbook_want(struct app_account *acc)
{
	struct store *s = store_of(app_account_index(acc));
	if (s->state != STORE_UNKNOWN)
		return;
	s->state = STORE_ASKING;
	s->job = app_account_addresses(acc, NULL);
}

void ui_addrbook_event(const struct app_event *ev)
{
	struct store *s = stores && ev->account >= 0 && (guint)ev->account < stores->len
				  ? &g_array_index(stores, struct store, ev->account)
				  : NULL;
	if (!s)
		return;
	if (ev->type == (enum app_event_type)APP_EV_FETCHED && ev->done > 0) {
		/* New mail: ask again at the next compose (not now: the
		 * worker is the user's, and nobody is writing). */
		if (s->state == STORE_KNOWN)
			s->state = STORE_UNKNOWN;
		return;
	}
	if (s->state != STORE_ASKING || ev->job != s->job)
		return;
	if (ev->type == (enum app_event_type)APP_EV_ADDRESSES && ev->data) {
		GPtrArray *list = ev->data;
		for (guint i = 0; i < list->len; i++) {
			const struct app_address *a = list->pdata[i];
			put(a->name, a->addr, a->count, false);
		}
	} else if (ev->type == APP_EV_JOB_DONE || ev->type == APP_EV_JOB_CANCELLED) {
		/* A failure is only logged: completion still has the senders
		 * seen, and the next compose asks again. */
		if (ev->status != 0 || ev->type == APP_EV_JOB_CANCELLED)
			core_log(CORE_LOG_APP, "no addresses from account %d: %s", ev->account,
				ev->text ? ev->text : "cancelled");
		s->state = ev->status == 0 && ev->type == APP_EV_JOB_DONE ? STORE_KNOWN
									   : STORE_UNKNOWN;
		s->job = 0;
	}
}

void ui_addrbook_clear(void)
{
	if (book)
		g_hash_table_unref(book);
	book = NULL;
	if (stores)
		g_array_unref(stores);
	stores = NULL;
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

/* word (folded) starts the entry, its address, or a later word of it:
 * "an" finds "Nguyễn Văn An", "nguyen" finds it too. */
static bool matches(struct entry *e, const char *key, const char *word)
{
	entry_texts(e);
	const char *f = e->fold;
	if (*f == '"')
		f++;
	bool m = g_str_has_prefix(f, word) || g_str_has_prefix(key, word);
	for (const char *p = f; !m && (p = strpbrk(p, " <\"")); p++)
		m = g_str_has_prefix(p + 1, word);
	return m;
}

static int cmp(gconstpointer a, gconstpointer b)
{
	const struct entry *x = *(const struct entry *const *)a;
	const struct entry *y = *(const struct entry *const *)b;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return g_utf8_collate(x->text, y->text);
}

/* Where the entry being typed starts: after the last comma that is not
 * inside a quoted name ("Doe, John" <j@x>, bo). */
static const char *last_entry(const char *text)
{
	const char *start = text;
	bool quoted = false;
	for (const char *p = text; *p; p++) {
		if (quoted && *p == '\\' && p[1])
			p++;
		else if (*p == '"')
			quoted = !quoted;
		else if (*p == ',' && !quoted)
			start = p + 1;
	}
	return start;
}

/* Complete the last entry of a comma-separated list; the lines offered
 * keep what was typed before it.  Most used addresses first. */
GPtrArray *ui_addrbook_complete(void *ctx, const char *text)
{
	(void)ctx;
	GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
	const char *last = last_entry(text);
	bool after_comma = last != text;
	while (*last == ' ')
		last++;
	char *head = g_strndup(text, (size_t)(last - text));
	if (after_comma && !g_str_has_suffix(head, " ")) {
		char *h2 = g_strconcat(head, " ", NULL);
		g_free(head);
		head = h2;
	}
	char *word = core_text_fold(last);
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
	for (guint i = 0; i < found->len; i++) {
		const struct entry *e = found->pdata[i];
		g_ptr_array_add(out, g_strconcat(head, e->text, NULL));
	}
	g_ptr_array_free(found, TRUE);
	g_free(word);
	g_free(head);
	return out;
}
