/* index.c - one line per message of a folder, threaded or by date.
 * Rows appear as the worker streams header chunks in; keys keep working
 * while the rest of the folder loads. */
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
	uint64_t load_job, expunge_job;
	bool loading;
	int selected, scroll, rows;
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
	{ "q", N_("back to the folders") },
	{ NULL, NULL },
};

static const char *index_title(struct ui_screen *s)
{
	return ((struct index_screen *)s)->title;
}

static int by_date(gconstpointer a, gconstpointer b, gpointer msgs)
{
	const struct app_msg *ma = g_ptr_array_index((GPtrArray *)msgs, *(const unsigned *)a);
	const struct app_msg *mb = g_ptr_array_index((GPtrArray *)msgs, *(const unsigned *)b);
	if (ma->date != mb->date)
		return ma->date < mb->date ? -1 : 1;
	return ma->uid < mb->uid ? -1 : ma->uid > mb->uid;
}

/* Recompute the row order after messages arrived or the sort changed,
 * keeping the selection on the same message. */
static void reorder(struct index_screen *is)
{
	guint n = is->msgs->len;
	const struct app_msg *keep = NULL;
	if (is->order && is->selected >= 0 && (guint)is->selected < n)
		keep = g_ptr_array_index(is->msgs, is->order[is->selected]);
	bool was_at_end = !is->order || is->selected + 1 >= (int)n;

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
	/* Like mutt: the newest message is selected until the user moves. */
	if (keep && !was_at_end) {
		for (guint i = 0; i < n; i++)
			if (g_ptr_array_index(is->msgs, is->order[i]) == keep)
				is->selected = (int)i;
	} else {
		is->selected = n ? (int)n - 1 : 0;
	}
}

static struct app_msg *selected_msg(struct index_screen *is)
{
	if (!is->msgs->len || is->selected < 0 || (guint)is->selected >= is->msgs->len)
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

static void index_draw(struct ui_screen *s, struct ui *ui, int top, int rows, int cols)
{
	struct index_screen *is = (struct index_screen *)s;
	(void)ui;
	is->rows = rows;
	guint n = is->msgs->len;
	if (n == 0) {
		ui_draw_text(top + 1, 2, is->loading ? _("Loading messages...") : _("No messages."),
			cols - 2, A_NORMAL);
		return;
	}
	if (is->selected < is->scroll)
		is->scroll = is->selected;
	if (is->selected >= is->scroll + rows)
		is->scroll = is->selected - rows + 1;
	int from_w = MIN(22, cols / 4);
	for (int i = 0; i < rows && is->scroll + i < (int)n; i++) {
		int row = is->scroll + i;
		const struct app_msg *m = g_ptr_array_index(is->msgs, is->order[row]);
		char flags[6] = "     ";
		if (!(m->flags & APP_MSG_SEEN)) flags[0] = 'N';
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
		char *line = g_strdup_printf("%5d %s %-10s %s %s%s", row + 1, flags, date, from,
			prefix, m->subject ? m->subject : "");
		int attr = row == is->selected ? A_REVERSE
			 : (m->flags & APP_MSG_DELETED) ? A_DIM
			 : !(m->flags & APP_MSG_SEEN) ? A_BOLD : A_NORMAL;
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
	is->selected = is->scroll = 0;
	g_free(is->order);
	is->order = NULL;
	is->load_job = app_account_open_folder(is->acc, is->folder);
}

static bool index_key(struct ui_screen *s, struct ui *ui, wint_t key, bool fn)
{
	struct index_screen *is = (struct index_screen *)s;
	int n = (int)is->msgs->len;
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
	} else if (!fn && key == 'o') {
		is->threaded = !is->threaded;
		reorder(is);
		ui_set_status(ui, false, "%s", is->threaded ? _("Sorted by thread.") : _("Sorted by date."));
	} else if ((fn && key == KEY_ENTER) || (!fn && (key == '\r' || key == '\n'))) {
		struct app_msg *m = selected_msg(is);
		if (m)
			ui_push(ui, ui_pager_screen_new(ui, is->acc, is->folder, m));
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
	bool at_end = is->selected + 1 >= (int)is->msgs->len;
	for (int r = is->selected; is->order && r >= 0 && r < (int)is->msgs->len && !keep; r++) {
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
	for (guint i = 0; keep && !at_end && i < is->msgs->len; i++)
		if (g_ptr_array_index(is->msgs, is->order[i]) == keep)
			is->selected = (int)i;
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
		for (guint i = 0; i < chunk->len; i++)
			g_ptr_array_add(is->msgs, g_ptr_array_index(chunk, i));
		g_ptr_array_set_free_func(chunk, NULL); /* the messages moved to us */
		reorder(is);
		if (ev->total && ev->done < ev->total)
			ui_set_status(ui, false, _("Loading headers: %llu of %llu"),
				(unsigned long long)ev->done, (unsigned long long)ev->total);
		else
			ui_set_status(ui, false, ngettext("%u message", "%u messages", is->msgs->len),
				is->msgs->len);
	} else if (ev->type == (enum app_event_type)APP_EV_FLAGS && (!ev->text || this_folder)) {
		const struct app_msg *upd = ev->data;
		struct app_msg *m = find_msg(is, upd);
		if (m)
			m->flags = upd->flags;
	} else if (ev->type == APP_EV_JOB_DONE) {
		if (ev->job == is->load_job)
			is->loading = false;
		if (ev->status != 0 && ev->text)
			ui_set_status(ui, true, "%s", ev->text);
		else if (ev->job == is->expunge_job)
			reload(is);
	}
}

static void index_destroy(struct ui_screen *s)
{
	struct index_screen *is = (struct index_screen *)s;
	if (is->loading)
		app_account_cancel(is->acc, is->load_job);
	app_account_close_folder(is->acc, is->folder);
	g_ptr_array_unref(is->msgs);
	g_free(is->order);
	g_free(is->depth);
	g_free(is->last);
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
	is->acc = acc;
	is->folder = g_strdup(folder);
	is->title = g_strdup(display);
	is->msgs = g_ptr_array_new_with_free_func(app_msg_free);
	is->threaded = g_strcmp0(ui->cfg->general.sort, "date") != 0;
	reload(is);
	return &is->base;
}
