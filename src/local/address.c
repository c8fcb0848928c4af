/* address.c - the addresses of the indexed mail, most used first, as
 * `notmuch address --output=sender --output=recipients
 * --deduplicate=address` gives them.  Nothing here changes the database. */
#include "local/local.h"
#include "local/local_private.h"
#include "core/core.h"

#include <errno.h>
#include <string.h>

#include <gmime/gmime.h>
#include <notmuch.h>

/* Newest messages read at most: recipients come from the files, so this
 * bounds the time on a large store (the older mail adds little). */
#define SCAN_MAX 20000u

static const char *const headers[] = { "from", "to", "cc", "bcc" };

void local_address_free(void *p)
{
	struct local_address *a = p;
	if (!a)
		return;
	g_free(a->name);
	g_free(a->addr);
	g_free(a);
}

struct collect {
	GHashTable *by_key; /* case-folded address -> struct local_address*, borrowed */
	GPtrArray *all;     /* owns them */
	char *want;         /* folded prefix, or NULL for every address */
	const volatile int *cancel;
	unsigned seen;      /* messages read, up to SCAN_MAX */
	bool cancelled;
};

/* The prefix starts the address, the name, or a later word of the name. */
static bool wanted(const struct collect *c, const char *key, const char *name)
{
	if (!c->want)
		return true;
	if (g_str_has_prefix(key, c->want))
		return true;
	if (!name)
		return false;
	char *fn = core_text_fold(name);
	bool m = g_str_has_prefix(fn, c->want);
	for (const char *p = fn; !m && (p = strchr(p, ' ')); p++)
		m = g_str_has_prefix(p + 1, c->want);
	g_free(fn);
	return m;
}

static void add_mailbox(struct collect *c, InternetAddress *ia)
{
	const char *addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia));
	/* Only what can be written back in a To line. */
	if (!addr || !strchr(addr, '@') || strpbrk(addr, " \t\r\n<>,\"") ||
	    !g_utf8_validate(addr, -1, NULL))
		return;
	const char *name = internet_address_get_name(ia);
	if (name && (!*name || g_ascii_strcasecmp(name, addr) == 0 ||
		     !g_utf8_validate(name, -1, NULL)))
		name = NULL;
	char *key = g_utf8_casefold(addr, -1);
	struct local_address *a = g_hash_table_lookup(c->by_key, key);
	if (a) {
		/* The newest message came first: its name stays, unless it had none. */
		if (!a->name && name)
			a->name = g_strdup(name);
		a->count++;
		g_free(key);
		return;
	}
	a = g_new0(struct local_address, 1);
	a->addr = g_strdup(addr);
	a->name = g_strdup(name);
	a->count = 1;
	g_hash_table_insert(c->by_key, key, a);
	g_ptr_array_add(c->all, a);
}

static void add_list(struct collect *c, InternetAddressList *l)
{
	int n = l ? internet_address_list_length(l) : 0;
	for (int i = 0; i < n; i++) {
		InternetAddress *ia = internet_address_list_get_address(l, i);
		if (INTERNET_ADDRESS_IS_GROUP(ia))
			add_list(c, internet_address_group_get_members(INTERNET_ADDRESS_GROUP(ia)));
		else if (INTERNET_ADDRESS_IS_MAILBOX(ia))
			add_mailbox(c, ia);
	}
}

static int by_count(gconstpointer pa, gconstpointer pb)
{
	const struct local_address *a = *(const struct local_address *const *)pa;
	const struct local_address *b = *(const struct local_address *const *)pb;
	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	return g_ascii_strcasecmp(a->addr, b->addr);
}

/* One message's senders and recipients into c; false stops the walk. */
static bool scan_one(void *ctx, notmuch_message_t *m)
{
	struct collect *c = ctx;
	if (core_flag_raised(c->cancel)) {
		c->cancelled = true;
		return false;
	}
	for (size_t i = 0; i < G_N_ELEMENTS(headers); i++) {
		/* notmuch reads To, Cc and Bcc from the file: a file gone
		 * since (a purge elsewhere) gives NULL. */
		const char *v = notmuch_message_get_header(m, headers[i]);
		if (!v || !*v)
			continue;
		InternetAddressList *l = internet_address_list_parse(NULL, v);
		add_list(c, l);
		if (l)
			g_object_unref(l);
	}
	return ++c->seen < SCAN_MAX;
}

int local_addresses(struct local_db *db, const char *prefix, size_t limit,
	const volatile int *cancel, GPtrArray **out, char **err)
{
	struct collect c = {
		.by_key = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
		.all = g_ptr_array_new_with_free_func(local_address_free),
		.want = prefix && *prefix ? core_text_fold(prefix) : NULL,
		.cancel = cancel,
	};
	/* Every message, not "from:PREFIX* or to:PREFIX*": Xapian's terms
	 * keep their diacritics, so "dang" would not find "Đặng".  GMime was
	 * started by notmuch when the database opened. */
	int r = local_each_message(db, "*", scan_one, &c, err);
	g_hash_table_unref(c.by_key);
	if (r < 0 || c.cancelled) {
		g_free(c.want);
		g_ptr_array_unref(c.all);
		return r < 0 ? -1 : -ECANCELED;
	}
	/* Filtered at the end, when each has the name it keeps. */
	for (guint i = c.all->len; i-- > 0;) {
		struct local_address *a = c.all->pdata[i];
		char *key = core_text_fold(a->addr);
		if (!wanted(&c, key, a->name))
			g_ptr_array_remove_index_fast(c.all, i);
		g_free(key);
	}
	g_free(c.want);
	g_ptr_array_sort(c.all, by_count);
	if (limit && c.all->len > limit)
		g_ptr_array_set_size(c.all, (guint)limit);
	*out = c.all;
	return 0;
}
