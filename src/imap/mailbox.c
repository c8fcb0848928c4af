/* mailbox.c - folders: LIST (with SPECIAL-USE and LIST-STATUS where
 * offered, else pipelined STATUS), STATUS, SELECT/EXAMINE. */
#include "imap/imap_private.h"

#include <string.h>

/* STATUS commands in flight at once when LIST-STATUS is missing. */
#define STATUS_WINDOW 16

#define STATUS_ITEMS "(MESSAGES UNSEEN UIDNEXT UIDVALIDITY)"

void imap_folder_free(struct imap_folder *f)
{
	if (!f)
		return;
	g_free(f->name);
	g_free(f->raw_name);
	g_free(f);
}

static enum imap_special special_of(unsigned attrs, const char *name)
{
	if (g_ascii_strcasecmp(name, "INBOX") == 0)
		return IMAP_SPECIAL_INBOX;
	static const struct {
		unsigned bit;
		enum imap_special sp;
	} map[] = {
		{IMAP_MBX_DRAFTS, IMAP_SPECIAL_DRAFTS}, {IMAP_MBX_SENT, IMAP_SPECIAL_SENT},
		{IMAP_MBX_TRASH, IMAP_SPECIAL_TRASH}, {IMAP_MBX_JUNK, IMAP_SPECIAL_JUNK},
		{IMAP_MBX_ARCHIVE, IMAP_SPECIAL_ARCHIVE}, {IMAP_MBX_ALL, IMAP_SPECIAL_ALL},
		{IMAP_MBX_FLAGGED, IMAP_SPECIAL_FLAGGED},
	};
	for (size_t i = 0; i < G_N_ELEMENTS(map); i++)
		if (attrs & map[i].bit)
			return map[i].sp;
	return IMAP_SPECIAL_NONE;
}

static void fill_counts(struct imap_folder *f, const struct imap_mbox_status *st)
{
	f->has_status = true;
	f->messages = st->messages;
	f->unseen = st->unseen;
	f->uidnext = st->uidnext;
	f->uidvalidity = st->uidvalidity;
}

struct list_state {
	GPtrArray *folders;
	GHashTable *by_raw; /* raw name -> struct imap_folder * (borrowed) */
};

static void on_list(struct imap_session *s, struct imap_response *r, void *user)
{
	struct list_state *ls = user;
	bool utf8 = s->enabled & IMAP_CAP_UTF8_ACCEPT;
	struct imap_list l;
	struct imap_mbox_status st;
	if (imap_list_decode(r, utf8, &l)) {
		if (l.attrs & IMAP_MBX_NONEXISTENT)
			return;
		struct imap_folder *f = g_new0(struct imap_folder, 1);
		f->raw_name = g_strdup(l.raw_name);
		f->name_valid = l.name != NULL;
		f->name = g_strdup(l.name ? l.name : l.raw_name);
		f->delim = l.delim;
		f->attrs = l.attrs;
		f->special = special_of(l.attrs, f->name);
		g_ptr_array_add(ls->folders, f);
		g_hash_table_replace(ls->by_raw, f->raw_name, f);
	} else if (imap_status_decode(r, utf8, &st)) {
		struct imap_folder *f = g_hash_table_lookup(ls->by_raw, st.raw_name);
		if (f)
			fill_counts(f, &st);
	}
}

static enum imap_status status_pipelined(struct imap_session *s, struct list_state *ls)
{
	GPtrArray *todo = g_ptr_array_new();
	for (guint i = 0; i < ls->folders->len; i++) {
		struct imap_folder *f = g_ptr_array_index(ls->folders, i);
		if (!(f->attrs & IMAP_MBX_NOSELECT) && !f->has_status)
			g_ptr_array_add(todo, f);
	}
	struct imap_cmd_ctx ctx = {.untagged = on_list, .user = ls, .no_status = IMAP_ERR_MAILBOX};
	unsigned *tags = g_new0(unsigned, todo->len + 1);
	enum imap_status st = IMAP_OK;
	guint sent = 0, done = 0;
	while (done < todo->len && st == IMAP_OK) {
		while (sent < todo->len && sent - done < STATUS_WINDOW && st == IMAP_OK) {
			struct imap_folder *f = g_ptr_array_index(todo, sent);
			GPtrArray *parts = imap_parts_new("STATUS ");
			imap_arg_string(s, parts, f->raw_name, strlen(f->raw_name));
			imap_parts_append(parts, " " STATUS_ITEMS);
			st = imap_send(s, parts, false, &ctx, &tags[sent]);
			g_ptr_array_unref(parts);
			sent++;
		}
		if (st != IMAP_OK)
			break;
		st = imap_wait(s, tags[done++], &ctx);
		imap_ctx_clear(&ctx);
		/* One folder that cannot be read does not spoil the list. */
		if (imap_status_scope(st) != IMAP_SCOPE_CONNECTION)
			st = IMAP_OK;
	}
	g_free(tags);
	g_ptr_array_free(todo, TRUE);
	return st;
}

enum imap_status imap_list_folders(struct imap_session *s, bool with_counts, GPtrArray **out,
	const volatile int *cancel)
{
	*out = NULL;
	s->cancel = cancel;
	imap_clear_error(s);
	struct list_state ls = {
		.folders = g_ptr_array_new_with_free_func((GDestroyNotify)imap_folder_free),
		.by_raw = g_hash_table_new(g_str_hash, g_str_equal),
	};
	const char *cmd = "LIST \"\" \"*\"";
	bool list_status = with_counts && (s->caps & IMAP_CAP_LIST_STATUS);
	bool special = s->caps & IMAP_CAP_SPECIAL_USE;
	char *owned = NULL;
	if (list_status || (special && (s->caps & IMAP_CAP_LIST_EXTENDED)))
		cmd = owned = g_strdup_printf("LIST \"\" \"*\" RETURN (%s%s%s)",
			special ? "SPECIAL-USE" : "", special && list_status ? " " : "",
			list_status ? "STATUS " STATUS_ITEMS : "");
	struct imap_cmd_ctx ctx = {.untagged = on_list, .user = &ls, .no_status = IMAP_ERR_MAILBOX};
	enum imap_status st = imap_run(s, cmd, &ctx);
	imap_ctx_clear(&ctx);
	g_free(owned);
	if (st == IMAP_OK && with_counts && !list_status)
		st = status_pipelined(s, &ls);
	g_hash_table_destroy(ls.by_raw);
	if (st != IMAP_OK) {
		g_ptr_array_unref(ls.folders);
		return st;
	}
	*out = ls.folders;
	return IMAP_OK;
}

static void on_status(struct imap_session *s, struct imap_response *r, void *user)
{
	struct imap_mbox_status st;
	if (imap_status_decode(r, s->enabled & IMAP_CAP_UTF8_ACCEPT, &st))
		fill_counts(user, &st);
}

enum imap_status imap_mailbox_status(struct imap_session *s, const char *name,
	struct imap_folder *counts, const volatile int *cancel)
{
	s->cancel = cancel;
	imap_clear_error(s);
	GPtrArray *parts = imap_parts_new("STATUS ");
	if (!imap_arg_mailbox(s, parts, name)) {
		g_ptr_array_unref(parts);
		return imap_fail(s, IMAP_ERR_MAILBOX, "invalid mailbox name", NULL);
	}
	imap_parts_append(parts, " " STATUS_ITEMS);
	struct imap_cmd_ctx ctx = {.untagged = on_status, .user = counts,
		.no_status = IMAP_ERR_MAILBOX};
	unsigned tag;
	enum imap_status st = imap_send(s, parts, false, &ctx, &tag);
	g_ptr_array_unref(parts);
	if (st == IMAP_OK)
		st = imap_wait(s, tag, &ctx);
	imap_ctx_clear(&ctx);
	return st;
}

static void on_select(struct imap_session *s, struct imap_response *r, void *user)
{
	(void)s;
	(void)r;
	(void)user; /* FLAGS and the rest: codes already noted by dispatch */
}

enum imap_status imap_select_internal(struct imap_session *s, const char *name,
	const struct imap_select_opts *o)
{
	static const struct imap_select_opts none = {0};
	if (!o)
		o = &none;
	if (s->state < IMAP_STATE_AUTHENTICATED || !s->conn)
		return imap_fail(s, IMAP_ERR_STATE, NULL, NULL);
	GPtrArray *parts = imap_parts_new(o->read_only ? "EXAMINE " : "SELECT ");
	if (!imap_arg_mailbox(s, parts, name)) {
		g_ptr_array_unref(parts);
		return imap_fail(s, IMAP_ERR_MAILBOX, "invalid mailbox name", NULL);
	}
	if ((s->enabled & IMAP_CAP_QRESYNC) && o->uidvalidity && o->modseq) {
		GString *g = g_string_new(NULL);
		g_string_printf(g, " (QRESYNC (%u %" G_GUINT64_FORMAT "%s%s))", o->uidvalidity,
			o->modseq, o->known_uids ? " " : "", o->known_uids ? o->known_uids : "");
		imap_parts_append(parts, g->str);
		g_string_free(g, TRUE);
	} else if ((s->caps & IMAP_CAP_CONDSTORE) && !(s->enabled & IMAP_CAP_CONDSTORE) &&
		!(s->enabled & IMAP_CAP_QRESYNC)) {
		imap_parts_append(parts, " (CONDSTORE)");
	}
	char *keep = g_strdup(name);
	g_free(s->mbox.name);
	memset(&s->mbox, 0, sizeof s->mbox);
	s->mbox.name = keep;
	s->mbox.read_only = o->read_only;
	s->selected = false;
	imap_set_state(s, IMAP_STATE_AUTHENTICATED);
	struct imap_cmd_ctx ctx = {.untagged = on_select, .no_status = IMAP_ERR_MAILBOX};
	unsigned tag;
	enum imap_status st = imap_send(s, parts, false, &ctx, &tag);
	g_ptr_array_unref(parts);
	if (st == IMAP_OK)
		st = imap_wait(s, tag, &ctx);
	imap_ctx_clear(&ctx);
	if (st != IMAP_OK) {
		if (imap_status_scope(st) == IMAP_SCOPE_CONNECTION)
			s->selected = true; /* keep the name for reconnect */
		return st;
	}
	s->selected = true;
	s->mbox.uidvalidity_changed = o->uidvalidity && o->uidvalidity != s->mbox.uidvalidity;
	imap_set_state(s, IMAP_STATE_SELECTED);
	return IMAP_OK;
}

enum imap_status imap_select(struct imap_session *s, const char *name,
	const struct imap_select_opts *opts, const volatile int *cancel)
{
	s->cancel = cancel;
	imap_clear_error(s);
	return imap_select_internal(s, name, opts);
}
