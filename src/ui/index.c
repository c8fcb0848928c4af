/* index.c - one line per message of a folder, threaded or by date.
 * Rows appear as the worker streams header chunks in; keys keep working
 * while the rest of the folder loads. */
#include <string.h>
#include <time.h>

#include <curses.h>
#include <glib.h>

#include "app/app.h"
#include "config/config.h"
#include "core/core.h"
#include "core/i18n.h"
#include "ui/ui_private.h"

struct index_screen {
	struct ui_screen base;
	struct app_account *acc;
	char *folder;       /* backend id, owned */
	char *title;
	GPtrArray *msgs;    /* of struct app_msg*, owned, arrival order */
	unsigned *order;    /* display row -> index in msgs */
	int *depth;
	bool *last;
	bool threaded;
	/* Collapsed threads: rows (order, depth, last, nrows) are the visible
	 * ones; full[] holds every row in the limit, thread[] the msgs index
	 * of each full row's root, vis[] which full rows each visible row
	 * shows.  A thread is folded when collapse_all, unless its root is
	 * flipped (see is_flipped()), and the other way round. */
	unsigned *full, *thread;
	struct app_fold_row *vis;
	unsigned nfull;
	bool collapse_all;
	GHashTable *flip_keys; /* local: notmuch ids of flipped roots, owned */
	GHashTable *flip_uids; /* IMAP: UIDs of flipped roots */
	uint64_t load_job, expunge_job, fetch_job;
	bool loading;
	bool keep_status;   /* a reload after a fetch: its summary stays shown */
	int selected, scroll, rows;
	int nrows;          /* rows shown: every message, or those in the limit */
	/* "/" and "n" (find), "l" (limit): server searches answered with
	 * the UIDs that match.  covered: the highest UID loaded when the
	 * answer came; newer messages are asked about again. */
	struct query {
		char *text;        /* NFC, owned; NULL: none */
		GHashTable *uids;  /* set of matching UIDs, NULL until answered */
		uint64_t job;      /* the search running, 0 when none */
		uint32_t covered;
		bool stale;        /* answered while headers were still loading */
	} find, limit;
	bool find_jump;     /* select the next match when the answer comes */
	char *limit_title;  /* the title with the limit, owned */
	GPtrArray *folder_names; /* for "s" and "C" completion, owned, or NULL */
	uint64_t folders_job;
	GHashTable *moves;  /* job id -> struct pending_move*, owned */
};

struct pending_move {
	uint32_t uid;
	char *key;
	char *dest;
	bool copy;
};

static const struct ui_binding index_bindings[] = {
	{ "j, k, Down, Up", N_("next or previous message") },
	{ "PgDn, PgUp", N_("next or previous page") },
	{ "Home, End", N_("first or last message") },
	{ "Enter", N_("read the message") },
	{ "N", N_("mark read or unread") },
	{ "F", N_("flag or unflag") },
	{ "d, u", N_("delete or undelete") },
	{ "$", N_("expunge deleted messages (asks first)") },
	{ "o", N_("sort by thread or by date") },
	{ "z", N_("collapse or expand the thread") },
	{ "Z", N_("collapse or expand all threads") },
	{ "/", N_("search the folder on the server (text and headers)") },
	{ "n", N_("next search match") },
	{ "l", N_("limit to matching messages (empty: show all)") },
	{ "s", N_("move the message to a folder (Tab completes)") },
	{ "C", N_("copy the message to a folder (Tab completes)") },
	{ "m", N_("write a new message") },
	{ "r, g, L", N_("reply to the sender, to all, or to the list") },
	{ "f, A", N_("forward inline or as an attachment") },
	{ "R", N_("resume the selected draft") },
	{ "+, -", N_("add or remove tags (POP3 accounts)") },
	{ "G", N_("fetch new mail (POP3 accounts)") },
	{ "q", N_("back to the folders") },
	{ NULL, NULL },
};

static const char *index_title(struct ui_screen *s)
{
	struct index_screen *is = (struct index_screen *)s;
	return is->limit_title ? is->limit_title : is->title;
}

static bool in_limit(struct index_screen *is, const struct app_msg *m)
{
	return !is->limit.text || (is->limit.uids &&
		g_hash_table_contains(is->limit.uids, GUINT_TO_POINTER(m->uid)));
}

static int by_date(gconstpointer a, gconstpointer b, gpointer msgs)
{
	const struct app_msg *ma = g_ptr_array_index((GPtrArray *)msgs, *(const unsigned *)a);
	const struct app_msg *mb = g_ptr_array_index((GPtrArray *)msgs, *(const unsigned *)b);
	if (ma->date != mb->date)
		return ma->date < mb->date ? -1 : 1;
	return ma->uid < mb->uid ? -1 : ma->uid > mb->uid;
}

/* A thread folded against collapse_all is remembered by its root: the
 * UID, or the notmuch id for local accounts (whose UIDs are positions). */
static bool is_flipped(struct index_screen *is, const struct app_msg *m)
{
	return m->key ? g_hash_table_contains(is->flip_keys, m->key)
		      : g_hash_table_contains(is->flip_uids, GUINT_TO_POINTER(m->uid));
}

static bool is_folded(unsigned root, void *ctx)
{
	struct index_screen *is = ctx;
	/* No lookup in the usual case: nothing toggled by hand. */
	if (!g_hash_table_size(is->flip_keys) && !g_hash_table_size(is->flip_uids))
		return is->collapse_all;
	return is->collapse_all != is_flipped(is, g_ptr_array_index(is->msgs, root));
}

/* Fold the nfull rows in order/depth/last/thread: keep them in full[]
 * and leave the visible ones in order/depth/last.  Returns their count. */
static unsigned fold_rows(struct index_screen *is, unsigned nfull)
{
	is->full = g_renew(unsigned, is->full, nfull + 1);
	is->vis = g_renew(struct app_fold_row, is->vis, nfull + 1);
	memcpy(is->full, is->order, nfull * sizeof *is->full);
	is->nfull = nfull;
	unsigned shown = app_thread_fold(is->thread, nfull, is_folded, is, is->vis, NULL);
	/* In place: vis[v].row >= v. */
	for (unsigned v = 0; v < shown; v++) {
		unsigned r = is->vis[v].row;
		is->order[v] = is->order[r];
		is->depth[v] = is->depth[r];
		is->last[v] = is->last[r];
	}
	return shown;
}

/* The visible row showing m, or folding it away; -1 when not shown. */
static int visible_row(struct index_screen *is, const struct app_msg *m)
{
	for (int v = 0; v < is->nrows; v++) {
		const struct app_fold_row *vr = &is->vis[v];
		for (unsigned r = vr->row; r <= vr->row + vr->hidden; r++)
			if (g_ptr_array_index(is->msgs, is->full[r]) == m)
				return v;
	}
	return -1;
}

/* Recompute the rows for keep (NULL or in msgs) to stay selected, or
 * the last row when to_end. */
static void reorder_keeping(struct index_screen *is, const struct app_msg *keep, bool was_at_end)
{
	guint n = is->msgs->len;

	is->order = g_renew(unsigned, is->order, n + 1);
	is->depth = g_renew(int, is->depth, n + 1);
	is->last = g_renew(bool, is->last, n + 1);
	if (is->threaded) {
		app_thread_order(is->msgs, is->order, is->depth, is->last);
	} else {
		for (guint i = 0; i < n; i++) {
			is->order[i] = i;
			is->depth[i] = 0;
			is->last[i] = true;
		}
		g_qsort_with_data(is->order, (gint)n, sizeof(unsigned), by_date, is->msgs);
	}
	/* A limit keeps only its rows (a thread may lose its root: the
	 * tree then starts lower, as in mutt). */
	is->thread = g_renew(unsigned, is->thread, n + 1);
	guint shown = 0;
	unsigned root = 0;
	for (guint i = 0; i < n; i++) {
		if (!is->threaded || is->depth[i] == 0)
			root = is->order[i];
		if (!in_limit(is, g_ptr_array_index(is->msgs, is->order[i])))
			continue;
		is->order[shown] = is->order[i];
		is->depth[shown] = is->depth[i];
		is->last[shown] = is->last[i];
		is->thread[shown] = root;
		shown++;
	}
	shown = fold_rows(is, shown);
	is->nrows = (int)shown;
	/* Like mutt: the newest message is selected until the user moves. */
	bool found = false;
	if (keep && !was_at_end) {
		int row = visible_row(is, keep);
		if (row >= 0) {
			is->selected = row;
			found = true;
		}
	}
	if (!found && (was_at_end || !keep))
		is->selected = shown ? (int)shown - 1 : 0;
	is->selected = CLAMP(is->selected, 0, MAX(is->nrows - 1, 0));
}

/* Recompute the row order after messages arrived or the sort changed,
 * keeping the selection on the same message. */
static void reorder(struct index_screen *is)
{
	const struct app_msg *keep = NULL;
	if (is->order && is->selected >= 0 && is->selected < is->nrows)
		keep = g_ptr_array_index(is->msgs, is->order[is->selected]);
	reorder_keeping(is, keep, !is->order || is->selected + 1 >= is->nrows);
}

static struct app_msg *selected_msg(struct index_screen *is)
{
	if (!is->order || is->selected < 0 || is->selected >= is->nrows)
		return NULL;
	return g_ptr_array_index(is->msgs, is->order[is->selected]);
}

static char *tree_prefix(int depth, bool last)
{
	if (depth <= 0)
		return g_strdup("");
	GString *s = g_string_new("");
	for (int i = 1; i < MIN(depth, 8); i++)
		g_string_append(s, "  ");
	g_string_append(s, last ? "└─>" : "├─>");
	return g_string_free(s, FALSE);
}

/* Tags the flag column does not already say, as " [a b]", terminal-safe
 * (notmuch tags are anyone's bytes); "" for none. */
static char *shown_tags(const char *tags)
{
	static const char *const implied[] = { "unread", "replied", "flagged", "deleted",
		"attachment", NULL };
	if (!tags || !*tags)
		return g_strdup("");
	char **words = g_strsplit(tags, " ", -1);
	GString *s = g_string_new(NULL);
	for (char **w = words; *w; w++)
		if (**w && !g_strv_contains(implied, *w)) {
			g_string_append(s, s->len ? " " : " [");
			g_string_append(s, *w);
		}
	g_strfreev(words);
	if (s->len)
		g_string_append_c(s, ']');
	char *safe = core_safe_text(s->str, s->len, false);
	g_string_free(s, TRUE);
	return safe;
}

/* Whether a message folded under visible row v is unread (read when
 * drawn: flags change without a reorder). */
static bool folded_unread(struct index_screen *is, int v)
{
	const struct app_fold_row *vr = &is->vis[v];
	for (unsigned r = vr->row + 1; r <= vr->row + vr->hidden; r++)
		if (!(((struct app_msg *)g_ptr_array_index(is->msgs, is->full[r]))->flags & APP_MSG_SEEN))
			return true;
	return false;
}

static void index_draw(struct ui_screen *s, struct ui *ui, int top, int rows, int cols)
{
	struct index_screen *is = (struct index_screen *)s;
	(void)ui;
	is->rows = rows;
	guint n = (guint)is->nrows;
	if (n == 0) {
		ui_draw_text(top + 1, 2, is->loading ? _("Loading messages...")
				       : is->limit.text ? _("No messages match the limit.")
				       : _("No messages."), cols - 2, A_NORMAL);
		return;
	}
	/* Fewer rows than before (a limit, an expunge): fill the window
	 * rather than keep an old scroll past the end. */
	is->scroll = CLAMP(is->scroll, 0, MAX((int)n - rows, 0));
	if (is->selected < is->scroll)
		is->scroll = is->selected;
	if (is->selected >= is->scroll + rows)
		is->scroll = is->selected - rows + 1;
	int from_w = MIN(22, cols / 4);
	for (int i = 0; i < rows && is->scroll + i < (int)n; i++) {
		int row = is->scroll + i;
		const struct app_msg *m = g_ptr_array_index(is->msgs, is->order[row]);
		char flags[6] = "     ";
		unsigned hidden = is->vis[row].hidden;
		bool hidden_unread = folded_unread(is, row);
		if (!(m->flags & APP_MSG_SEEN)) flags[0] = 'N';
		else if (hidden_unread) flags[0] = 'n';
		if (m->flags & APP_MSG_ANSWERED) flags[1] = 'r';
		if (m->flags & APP_MSG_FLAGGED) flags[2] = '!';
		if (m->flags & APP_MSG_DELETED) flags[3] = 'D';
		if (m->flags & APP_MSG_ATTACHMENT) flags[4] = '+';
		char date[32] = "";
		struct tm tm;
		time_t t = m->date;
		if (t && localtime_r(&t, &tm))
			strftime(date, sizeof date, "%Y-%m-%d", &tm);
		char *from = core_text_fit(m->from ? m->from : "", from_w, true);
		char *prefix = tree_prefix(is->depth[row], is->last[row]);
		char *tags = shown_tags(m->tags);
		/* A collapsed thread: "(N) " before the subject counts the
		 * messages folded under it. */
		char *count = hidden ? g_strdup_printf("(%u) ", hidden) : g_strdup("");
		char *line = g_strdup_printf("%5d %s %-10s %s %s%s%s%s", row + 1, flags, date, from,
			prefix, count, m->subject ? m->subject : "", tags);
		g_free(count);
		g_free(tags);
		int attr = row == is->selected ? A_REVERSE
			 : (m->flags & APP_MSG_DELETED) ? A_DIM
			 : !(m->flags & APP_MSG_SEEN) || hidden_unread ? A_BOLD : A_NORMAL;
		ui_draw_text(top + i, 0, line, cols, attr);
		g_free(line);
		g_free(prefix);
		g_free(from);
	}
}

static void toggle(struct index_screen *is, unsigned flag)
{
	struct app_msg *m = selected_msg(is);
	if (!m)
		return;
	if (m->flags & flag)
		app_account_set_flags(is->acc, is->folder, m, 0, flag);
	else
		app_account_set_flags(is->acc, is->folder, m, flag, 0);
}

static void reload(struct index_screen *is)
{
	g_ptr_array_set_size(is->msgs, 0);
	is->loading = true;
	is->selected = is->scroll = is->nrows = 0;
	is->nfull = 0;
	g_free(is->order);
	is->order = NULL;
	is->load_job = app_account_open_folder(is->acc, is->folder);
}

/* ---- + and -: tag the selected message through a prompt ---------------- */

static struct app_msg *find_msg(struct index_screen *is, const struct app_msg *like);

struct tag_ask {
	struct index_screen *is;
	uint32_t uid;
	char *key;   /* Message-ID of the message asked about */
	bool add;
	GPtrArray *known; /* tags to complete from, owned */
};

static void tag_ask_free(struct tag_ask *t)
{
	g_ptr_array_unref(t->known);
	g_free(t->key);
	g_free(t);
}

/* Each word of tags not yet in seen (which borrows from out). */
static void add_words(GPtrArray *out, GHashTable *seen, const char *tags)
{
	char **words = g_strsplit(tags ? tags : "", " ", -1);
	for (char **w = words; *w; w++)
		if (**w && !g_hash_table_contains(seen, *w)) {
			char *copy = g_strdup(*w);
			g_ptr_array_add(out, copy);
			g_hash_table_add(seen, copy);
		}
	g_strfreev(words);
}

/* Completion: the last word typed, from tags seen in this folder (to
 * add) or on the message (to remove). */
static GPtrArray *tag_complete(void *ctx, const char *text)
{
	struct tag_ask *t = ctx;
	const char *word = strrchr(text, ' ');
	word = word ? word + 1 : text;
	GPtrArray *words = ui_complete_words((const char *const *)t->known->pdata, t->known->len,
		word);
	for (guint i = 0; i < words->len; i++) {
		char *full = g_strdup_printf("%.*s%s", (int)(word - text), text,
			(char *)words->pdata[i]);
		g_free(words->pdata[i]);
		words->pdata[i] = full;
	}
	return words;
}

static void tag_done(struct ui *ui, void *ctx, const char *text)
{
	struct tag_ask *t = ctx;
	if (text && strspn(text, " ") == strlen(text))
		text = NULL; /* nothing typed: like a cancel */
	struct app_msg like = { .uid = t->uid, .key = t->key };
	struct app_msg *m = text ? find_msg(t->is, &like) : NULL;
	if (m)
		app_account_tag(t->is->acc, t->is->folder, m, t->add ? text : NULL,
			t->add ? NULL : text);
	else if (text)
		ui_set_status(ui, true, "%s", _("The message is no longer in the list."));
	tag_ask_free(t);
}

static void ask_tags(struct index_screen *is, struct ui *ui, bool add)
{
	struct app_msg *m = selected_msg(is);
	if (!m)
		return;
	if (app_account_config(is->acc)->mode != CONFIG_MODE_POP3) {
		ui_set_status(ui, true, "%s", _("Only POP3 accounts have tags."));
		return;
	}
	struct tag_ask *t = g_new0(struct tag_ask, 1);
	t->is = is;
	t->uid = m->uid;
	t->key = g_strdup(m->key);
	t->add = add;
	t->known = g_ptr_array_new_with_free_func(g_free);
	GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
	if (add)
		for (guint i = 0; i < is->msgs->len; i++)
			add_words(t->known, seen, ((struct app_msg *)is->msgs->pdata[i])->tags);
	else
		add_words(t->known, seen, m->tags);
	g_hash_table_destroy(seen);
	ui_prompt(ui, add ? _("Add tags: ") : _("Remove tags: "), NULL, tag_complete, tag_done, t);
}

/* ---- "/", "n" and "l": server searches ---------------------------------- */

/* An older answer still on its way is ignored (its job id no longer
 * matches) rather than cancelled: a search is short, and cancelling a
 * command midway costs the connection. */
static void run_query(struct index_screen *is, struct query *q)
{
	q->job = app_account_search(is->acc, is->folder, q->text);
}

static void set_query(struct index_screen *is, struct query *q, const char *text)
{
	g_free(q->text);
	q->text = text && *text ? g_utf8_normalize(text, -1, G_NORMALIZE_NFC) : NULL;
	if (q->uids)
		g_hash_table_destroy(q->uids);
	q->uids = NULL;
	q->stale = false;
	q->job = 0;
	if (q->text)
		run_query(is, q);
}

static bool msg_found(struct index_screen *is, unsigned idx)
{
	const struct app_msg *m = g_ptr_array_index(is->msgs, idx);
	return is->find.uids && g_hash_table_contains(is->find.uids, GUINT_TO_POINTER(m->uid));
}

/* A row matches when its message or one folded under it does. */
static bool row_found(int row, void *ctx)
{
	struct index_screen *is = ctx;
	const struct app_fold_row *vr = &is->vis[row];
	for (unsigned r = vr->row; r <= vr->row + vr->hidden; r++)
		if (msg_found(is, is->full[r]))
			return true;
	return false;
}

static void set_folded(struct index_screen *is, unsigned root, bool fold);

/* The match is folded under the selected row: expand its thread and
 * select the first matching message in it. */
static void reveal_match(struct index_screen *is)
{
	unsigned first = is->vis[is->selected].row, hidden = is->vis[is->selected].hidden;
	if (!hidden || msg_found(is, is->full[first]))
		return;
	for (unsigned r = first + 1; r <= first + hidden; r++)
		if (msg_found(is, is->full[r])) {
			set_folded(is, is->thread[first], false);
			reorder_keeping(is, g_ptr_array_index(is->msgs, is->full[r]), false);
			return;
		}
}

/* Select the next row the search found, saying so in the status line. */
static void next_match(struct index_screen *is, struct ui *ui, bool first)
{
	bool wrapped;
	int r = ui_next_match(is->nrows, is->selected, 1, row_found, is, &wrapped);
	if (r < 0) {
		ui_set_status(ui, true, _("No messages match \"%s\"."), is->find.text);
		return;
	}
	if (r == is->selected && wrapped && !first) {
		ui_set_status(ui, false, "%s", _("No more matches."));
		return;
	}
	is->selected = r;
	reveal_match(is);
	if (wrapped)
		ui_set_status(ui, false, "%s", first ? _("Search wrapped to the top.")
						  : _("No more matches below; back to the first."));
	else
		ui_set_status(ui, false, ngettext("%u message matches \"%s\".",
			"%u messages match \"%s\".", g_hash_table_size(is->find.uids)),
			g_hash_table_size(is->find.uids), is->find.text);
}

static void find_done(struct ui *ui, void *ctx, const char *text)
{
	struct index_screen *is = ctx;
	if (!text || !*text)
		return;
	set_query(is, &is->find, text);
	is->find_jump = true;
	ui_set_status(ui, false, "%s", _("Searching..."));
}

static void update_limit_title(struct index_screen *is)
{
	g_free(is->limit_title);
	is->limit_title = NULL;
	if (is->limit.text) {
		char *safe = core_safe_text(is->limit.text, (size_t)-1, false);
		is->limit_title = g_strdup_printf(_("%s (limited to \"%s\")"), is->title, safe);
		g_free(safe);
	}
}

static void limit_done(struct ui *ui, void *ctx, const char *text)
{
	struct index_screen *is = ctx;
	if (!text)
		return;
	set_query(is, &is->limit, text);
	update_limit_title(is);
	reorder(is);
	ui_set_status(ui, false, "%s", is->limit.text ? _("Searching...") : _("Showing all messages."));
}

/* A search answer: the set of UIDs, what it covers, and what follows. */
static void query_answered(struct index_screen *is, struct ui *ui, struct query *q, GArray *uids)
{
	if (q->uids)
		g_hash_table_destroy(q->uids);
	q->uids = g_hash_table_new(g_direct_hash, g_direct_equal);
	for (guint i = 0; i < uids->len; i++)
		g_hash_table_add(q->uids, GUINT_TO_POINTER(g_array_index(uids, guint32, i)));
	q->covered = 0;
	for (guint i = 0; i < is->msgs->len; i++)
		q->covered = MAX(q->covered, ((struct app_msg *)g_ptr_array_index(is->msgs, i))->uid);
	q->stale = is->loading;
	q->job = 0;
	if (q == &is->limit) {
		reorder(is);
		ui_set_status(ui, false, _("%d of %u messages match \"%s\"."), (int)is->nfull,
			is->msgs->len, q->text);
	} else if (is->find_jump) {
		is->find_jump = false;
		next_match(is, ui, true);
	}
}

/* Messages arrived after an answer (new mail): ask the server again
 * about them rather than guess on the client. */
static void query_refresh(struct index_screen *is, struct query *q, GPtrArray *chunk)
{
	if (!q->text || !q->uids || q->job)
		return;
	for (guint i = 0; i < chunk->len; i++)
		if (((struct app_msg *)g_ptr_array_index(chunk, i))->uid > q->covered) {
			run_query(is, q);
			return;
		}
}

/* ---- "s" and "C": move and copy ----------------------------------------- */

static void pending_move_free(void *p)
{
	struct pending_move *pm = p;
	g_free(pm->key);
	g_free(pm->dest);
	g_free(pm);
}

static GPtrArray *complete_folder(void *ctx, const char *text)
{
	struct index_screen *is = *(struct index_screen **)ctx;
	if (!is->folder_names)
		return NULL;
	return ui_complete_words((const char *const *)is->folder_names->pdata,
		is->folder_names->len, text);
}

struct move_ask {
	struct index_screen *is; /* first: complete_folder reads it */
	bool copy;
};

static void move_done(struct ui *ui, void *ctx, const char *text)
{
	struct move_ask *ma = ctx;
	struct index_screen *is = ma->is;
	bool copy = ma->copy;
	g_free(ma);
	struct app_msg *m = selected_msg(is);
	if (!text || !*text || !m)
		return;
	if (strcmp(text, is->folder) == 0) {
		ui_set_status(ui, true, "%s", _("The message is already in this folder."));
		return;
	}
	bool known = !is->folder_names;
	for (guint i = 0; !known && i < is->folder_names->len; i++)
		known = strcmp(g_ptr_array_index(is->folder_names, i), text) == 0;
	if (!known) {
		ui_set_status(ui, true, _("There is no folder \"%s\"."), text);
		return;
	}
	struct pending_move *pm = g_new0(struct pending_move, 1);
	pm->uid = m->uid;
	pm->key = g_strdup(m->key);
	pm->dest = g_strdup(text);
	pm->copy = copy;
	uint64_t *job = g_new(uint64_t, 1);
	*job = app_account_move(is->acc, is->folder, m, text, copy);
	g_hash_table_insert(is->moves, job, pm);
	ui_set_status(ui, false, copy ? _("Copying to %s...") : _("Moving to %s..."), text);
}

static void ask_move(struct index_screen *is, struct ui *ui, bool copy)
{
	if (!selected_msg(is))
		return;
	if (!is->folder_names)
		is->folder_names = ui_folders_known(ui, is->acc);
	if (!is->folder_names && !is->folders_job)
		is->folders_job = app_account_list_folders(is->acc);
	struct move_ask *ma = g_new0(struct move_ask, 1);
	ma->is = is;
	ma->copy = copy;
	ui_prompt(ui, copy ? _("Copy to folder: ") : _("Move to folder: "), "", complete_folder,
		move_done, ma);
}

/* The message left the folder: drop its row, selecting the next one. */
static void remove_msg(struct index_screen *is, uint32_t uid, const char *key)
{
	struct app_msg *victim = NULL;
	guint at = 0;
	for (guint i = 0; i < is->msgs->len && !victim; i++) {
		struct app_msg *m = g_ptr_array_index(is->msgs, i);
		if (m->uid == uid && g_strcmp0(m->key, key) == 0) {
			victim = m;
			at = i;
		}
	}
	if (!victim)
		return;
	const struct app_msg *keep = selected_msg(is);
	int row = is->selected;
	if (keep == victim) {
		keep = row + 1 < is->nrows ? g_ptr_array_index(is->msgs, is->order[row + 1])
		     : row > 0 ? g_ptr_array_index(is->msgs, is->order[row - 1]) : NULL;
	}
	g_ptr_array_remove_index(is->msgs, at);
	reorder_keeping(is, keep, false);
}

/* ---- z and Z: collapse and expand threads ------------------------------- */

static void set_folded(struct index_screen *is, unsigned root, bool fold)
{
	const struct app_msg *m = g_ptr_array_index(is->msgs, root);
	bool flip = fold != is->collapse_all;
	if (m->key && flip)
		g_hash_table_add(is->flip_keys, g_strdup(m->key));
	else if (m->key)
		g_hash_table_remove(is->flip_keys, m->key);
	else if (flip)
		g_hash_table_add(is->flip_uids, GUINT_TO_POINTER(m->uid));
	else
		g_hash_table_remove(is->flip_uids, GUINT_TO_POINTER(m->uid));
}

/* The first full row of the thread that visible row v belongs to (its
 * root, or under a limit the first row left of it). */
static unsigned thread_top(struct index_screen *is, int v)
{
	unsigned r = is->vis[v].row;
	while (r > 0 && is->thread[r - 1] == is->thread[r])
		r--;
	return r;
}

static bool can_fold(struct index_screen *is, struct ui *ui)
{
	if (!is->threaded) {
		ui_set_status(ui, true, "%s", _("Threads fold only when sorted by thread: press o."));
		return false;
	}
	return is->nrows > 0;
}

static void toggle_thread(struct index_screen *is, struct ui *ui)
{
	if (!can_fold(is, ui))
		return;
	unsigned top = thread_top(is, is->selected);
	unsigned root = is->thread[top];
	bool folded = is->vis[is->selected].hidden > 0;
	if (!folded && (top + 1 >= is->nfull || is->thread[top + 1] != root)) {
		ui_set_status(ui, true, "%s", _("This message has no replies to collapse."));
		return;
	}
	/* Collapsing from a reply selects the thread's row; expanding keeps
	 * the root selected. */
	set_folded(is, root, !folded);
	reorder_keeping(is, g_ptr_array_index(is->msgs, is->full[top]), false);
}

static void toggle_all(struct index_screen *is, struct ui *ui)
{
	if (!can_fold(is, ui))
		return;
	bool any_open = false;
	for (int v = 0; v < is->nrows && !any_open; v++) {
		unsigned r = is->vis[v].row;
		any_open = !is->vis[v].hidden && r + 1 < is->nfull &&
			   is->thread[r + 1] == is->thread[r];
	}
	struct app_msg *keep = any_open
		? g_ptr_array_index(is->msgs, is->full[thread_top(is, is->selected)])
		: selected_msg(is);
	is->collapse_all = any_open;
	g_hash_table_remove_all(is->flip_keys);
	g_hash_table_remove_all(is->flip_uids);
	reorder_keeping(is, keep, false);
	ui_set_status(ui, false, "%s", any_open ? _("All threads collapsed.")
						: _("All threads expanded."));
}

const struct app_msg *ui_index_step(struct ui_screen *s, int delta)
{
	if (!s || g_strcmp0(s->name, "index") != 0)
		return NULL;
	struct index_screen *is = (struct index_screen *)s;
	int to = is->selected + delta;
	if (to < 0 || to >= is->nrows)
		return NULL;
	is->selected = to;
	return selected_msg(is);
}

static bool index_key(struct ui_screen *s, struct ui *ui, wint_t key, bool fn)
{
	struct index_screen *is = (struct index_screen *)s;
	int n = is->nrows;
	int page = MAX(is->rows - 1, 1);

	if (ui_confirm_pending(ui))
		return false;
	if ((fn && key == KEY_DOWN) || (!fn && key == 'j'))
		is->selected = MIN(is->selected + 1, MAX(n - 1, 0));
	else if ((fn && key == KEY_UP) || (!fn && key == 'k'))
		is->selected = MAX(is->selected - 1, 0);
	else if (fn && key == KEY_NPAGE)
		is->selected = MIN(is->selected + page, MAX(n - 1, 0));
	else if (fn && key == KEY_PPAGE)
		is->selected = MAX(is->selected - page, 0);
	else if (fn && key == KEY_HOME)
		is->selected = 0;
	else if (fn && key == KEY_END)
		is->selected = MAX(n - 1, 0);
	else if (!fn && key == 'N')
		toggle(is, APP_MSG_SEEN);
	else if (!fn && key == 'F')
		toggle(is, APP_MSG_FLAGGED);
	else if (!fn && (key == 'd' || key == 'u')) {
		struct app_msg *m = selected_msg(is);
		if (m)
			app_account_set_flags(is->acc, is->folder, m, key == 'd' ? APP_MSG_DELETED : 0,
				key == 'u' ? APP_MSG_DELETED : 0);
		if (key == 'd')
			is->selected = MIN(is->selected + 1, MAX(n - 1, 0));
	} else if (!fn && key == '$') {
		ui_confirm(ui, _("Expunge deleted messages? (y/n)"), 'y');
	} else if (!fn && (key == '+' || key == '-')) {
		ask_tags(is, ui, key == '+');
	} else if (!fn && key == 'G') {
		is->fetch_job = ui_fetch(ui, is->acc);
	} else if (!fn && key == 'o') {
		is->threaded = !is->threaded;
		reorder(is);
		ui_set_status(ui, false, "%s", is->threaded ? _("Sorted by thread.") : _("Sorted by date."));
	} else if (!fn && key == 'z') {
		toggle_thread(is, ui);
	} else if (!fn && key == 'Z') {
		toggle_all(is, ui);
	} else if (!fn && key == '/') {
		ui_prompt(ui, _("Search: "), "", NULL, find_done, is);
	} else if (!fn && key == 'n') {
		if (!is->find.text)
			ui_set_status(ui, true, "%s", _("No search yet: press / first."));
		else if (is->find.job)
			ui_set_status(ui, false, "%s", _("Searching..."));
		else
			next_match(is, ui, false);
	} else if (!fn && key == 'l') {
		ui_prompt(ui, _("Limit to messages containing (empty: all): "), is->limit.text, NULL,
			limit_done, is);
	} else if (!fn && (key == 's' || key == 'C')) {
		ask_move(is, ui, key == 'C');
	} else if ((fn && key == KEY_ENTER) || (!fn && (key == '\r' || key == '\n'))) {
		struct app_msg *m = selected_msg(is);
		if (m)
			ui_push(ui, ui_pager_screen_new(ui, is->acc, is->folder, m));
	} else if (ui_compose_key(ui, is->acc, is->folder, selected_msg(is), key, fn)) {
		/* the compose screen is on top now */
	} else
		return false;
	return true;
}

static void index_answer(struct ui_screen *s, struct ui *ui, bool yes)
{
	struct index_screen *is = (struct index_screen *)s;
	if (!yes)
		return;
	is->expunge_job = app_account_expunge(is->acc, is->folder);
	ui_set_status(ui, false, "%s", _("Expunging..."));
}

static struct app_msg *find_msg(struct index_screen *is, const struct app_msg *like)
{
	for (guint i = 0; i < is->msgs->len; i++) {
		struct app_msg *m = g_ptr_array_index(is->msgs, i);
		if (m->uid == like->uid && g_strcmp0(m->key, like->key) == 0)
			return m;
	}
	return NULL;
}

/* Rows gone from the server: drop them, keeping the selection on the
 * same message (or the next one that stays). */
static void remove_uids(struct index_screen *is, GArray *uids)
{
	GHashTable *gone = g_hash_table_new(g_direct_hash, g_direct_equal);
	for (guint i = 0; i < uids->len; i++)
		g_hash_table_add(gone, GUINT_TO_POINTER(g_array_index(uids, guint32, i)));
	const struct app_msg *keep = NULL;
	bool at_end = is->selected + 1 >= is->nrows;
	for (int r = is->selected; is->order && r >= 0 && r < is->nrows && !keep; r++) {
		const struct app_msg *m = g_ptr_array_index(is->msgs, is->order[r]);
		if (!g_hash_table_contains(gone, GUINT_TO_POINTER(m->uid)))
			keep = m;
	}
	guint w = 0, before = is->msgs->len;
	for (guint i = 0; i < is->msgs->len; i++) {
		struct app_msg *m = g_ptr_array_index(is->msgs, i);
		if (m->key == NULL && g_hash_table_contains(gone, GUINT_TO_POINTER(m->uid)))
			app_msg_free(m);
		else
			is->msgs->pdata[w++] = m;
	}
	g_hash_table_destroy(gone);
	if (w == before)
		return;
	g_ptr_array_set_free_func(is->msgs, NULL);
	g_ptr_array_set_size(is->msgs, w);
	g_ptr_array_set_free_func(is->msgs, app_msg_free);
	g_free(is->order);
	is->order = NULL;
	reorder(is); /* selects the last row */
	int row = keep && !at_end ? visible_row(is, keep) : -1;
	if (row >= 0)
		is->selected = row;
}

/* Live rows (job 0) may repeat what a reload fetched: skip known UIDs. */
static void add_live(struct index_screen *is, GPtrArray *chunk)
{
	for (guint i = 0; i < chunk->len; i++) {
		struct app_msg *m = g_ptr_array_index(chunk, i);
		if (find_msg(is, m)) {
			app_msg_free(m);
			continue;
		}
		g_ptr_array_add(is->msgs, m);
	}
}

static void index_event(struct ui_screen *s, struct ui *ui, struct app_event *ev)
{
	struct index_screen *is = (struct index_screen *)s;
	if (ev->account != app_account_index(is->acc))
		return;
	bool this_folder = ev->text && g_strcmp0(ev->text, is->folder) == 0;
	if (ev->type == (enum app_event_type)APP_EV_MSGS && ev->job == 0 && this_folder) {
		GPtrArray *chunk = ev->data;
		guint before = is->msgs->len;
		add_live(is, chunk);
		g_ptr_array_set_free_func(chunk, NULL);
		g_ptr_array_set_size(chunk, 0);
		reorder(is);
		guint n = is->msgs->len - before;
		if (n)
			ui_set_status(ui, false, ngettext("%u new message", "%u new messages", n), n);
	} else if (ev->type == (enum app_event_type)APP_EV_VANISHED && this_folder) {
		remove_uids(is, ev->data);
	} else if (ev->type == (enum app_event_type)APP_EV_MSGS && ev->job == is->load_job) {
		GPtrArray *chunk = ev->data;
		for (guint i = 0; i < chunk->len; i++) {
			const struct app_msg *m = g_ptr_array_index(chunk, i);
			ui_addrbook_add(m->from, m->from_addr); /* for completion when writing */
			g_ptr_array_add(is->msgs, g_ptr_array_index(chunk, i));
		}
		g_ptr_array_set_free_func(chunk, NULL); /* the messages moved to us */
		reorder(is);
		query_refresh(is, &is->find, chunk);
		query_refresh(is, &is->limit, chunk);
		if (is->keep_status)
			; /* the fetch summary stays */
		else if (ev->total && ev->done < ev->total)
			ui_set_progress(ui, ev->done, ev->total, _("Loading headers: %llu of %llu"),
				(unsigned long long)ev->done, (unsigned long long)ev->total);
		else
			ui_set_status(ui, false, ngettext("%u message", "%u messages", is->msgs->len),
				is->msgs->len);
	} else if (ev->type == (enum app_event_type)APP_EV_FLAGS && (!ev->text || this_folder)) {
		const struct app_msg *upd = ev->data;
		struct app_msg *m = find_msg(is, upd);
		if (m) {
			m->flags = upd->flags;
			/* Local accounts: tags changed, and the file was renamed. */
			if (upd->tags) {
				g_free(m->tags);
				m->tags = g_strdup(upd->tags);
				g_free(m->path);
				m->path = g_strdup(upd->path);
			}
		}
	} else if (ev->type == (enum app_event_type)APP_EV_FETCHED && ev->status == 0 &&
		   ev->done > 0) {
		is->keep_status = true;
		reload(is);
	} else if (ev->type == (enum app_event_type)APP_EV_SEARCH) {
		if (ev->job && ev->job == is->find.job)
			query_answered(is, ui, &is->find, ev->data);
		else if (ev->job && ev->job == is->limit.job)
			query_answered(is, ui, &is->limit, ev->data);
	} else if (ev->type == (enum app_event_type)APP_EV_FOLDERS && ev->job == is->folders_job) {
		/* A copy: the folders screen below takes the list itself. */
		GPtrArray *folders = ev->data;
		if (is->folder_names)
			g_ptr_array_unref(is->folder_names);
		is->folder_names = g_ptr_array_new_with_free_func(g_free);
		for (guint i = 0; folders && i < folders->len; i++) {
			const struct app_folder *f = g_ptr_array_index(folders, i);
			if (f->selectable)
				g_ptr_array_add(is->folder_names, g_strdup(f->id));
		}
		is->folders_job = 0;
	} else if (ev->type == APP_EV_JOB_DONE) {
		if (ev->job == is->load_job) {
			is->loading = false;
			is->keep_status = false;
			/* Answers that came while loading: ask again over all. */
			if (is->find.stale)
				run_query(is, &is->find);
			if (is->limit.stale)
				run_query(is, &is->limit);
			is->find.stale = is->limit.stale = false;
		}
		if (ev->job == is->find.job || ev->job == is->limit.job) {
			if (ev->status != 0) /* a failed search leaves nothing pending */
				(ev->job == is->find.job ? &is->find : &is->limit)->job = 0;
		}
		if (ev->job == is->folders_job && ev->status != 0)
			is->folders_job = 0;
		struct pending_move *pm = g_hash_table_lookup(is->moves, &ev->job);
		if (pm && ev->status == 0) {
			ui_set_status(ui, false, pm->copy ? _("Copied to %s.") : _("Moved to %s."), pm->dest);
			if (!pm->copy)
				remove_msg(is, pm->uid, pm->key);
		}
		if (pm)
			g_hash_table_remove(is->moves, &ev->job);
		if (ev->status != 0 && ev->text)
			ui_set_status(ui, true, "%s", ev->text);
		else if (ev->job == is->expunge_job)
			reload(is);
	}
}

static void index_retry(struct ui_screen *s, struct ui *ui)
{
	(void)ui;
	reload((struct index_screen *)s);
}

static void index_destroy(struct ui_screen *s)
{
	struct index_screen *is = (struct index_screen *)s;
	if (is->loading)
		app_account_cancel(is->acc, is->load_job);
	app_account_close_folder(is->acc, is->folder);
	set_query(is, &is->find, NULL);
	set_query(is, &is->limit, NULL);
	g_free(is->limit_title);
	if (is->folder_names)
		g_ptr_array_unref(is->folder_names);
	g_hash_table_destroy(is->moves);
	g_ptr_array_unref(is->msgs);
	g_free(is->order);
	g_free(is->depth);
	g_free(is->last);
	g_free(is->full);
	g_free(is->thread);
	g_free(is->vis);
	g_hash_table_destroy(is->flip_keys);
	g_hash_table_destroy(is->flip_uids);
	g_free(is->folder);
	g_free(is->title);
	g_free(is);
}

struct ui_screen *ui_index_screen_new(struct ui *ui, struct app_account *acc, const char *folder,
	const char *display)
{
	struct index_screen *is = g_new0(struct index_screen, 1);
	is->base.name = "index";
	is->base.title = index_title;
	is->base.draw = index_draw;
	is->base.key = index_key;
	is->base.event = index_event;
	is->base.answer = index_answer;
	is->base.destroy = index_destroy;
	is->base.bindings = index_bindings;
	is->base.retry = index_retry;
	is->acc = acc;
	is->folder = g_strdup(folder);
	is->title = g_strdup(display);
	is->msgs = g_ptr_array_new_with_free_func(app_msg_free);
	is->moves = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, pending_move_free);
	is->threaded = g_strcmp0(ui->cfg->general.sort, "date") != 0;
	is->collapse_all = ui->cfg->general.collapse_threads;
	is->flip_keys = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	is->flip_uids = g_hash_table_new(g_direct_hash, g_direct_equal);
	reload(is);
	return &is->base;
}
