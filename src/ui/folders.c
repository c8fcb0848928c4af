/* folders.c - an account's folders with counts; Enter opens one. */
#include <curses.h>
#include <glib.h>

#include "app/app.h"
#include "core/core.h"
#include "core/i18n.h"
#include "ui/ui_private.h"

struct folders_screen {
	struct ui_screen base;
	struct app_account *acc;
	char *title;
	GPtrArray *folders; /* of struct app_folder*, owned; NULL while loading */
	uint64_t job, fetch_job;
	int selected, scroll;
};

static const struct ui_binding folders_bindings[] = {
	{ "j, Down", N_("next folder") },
	{ "k, Up", N_("previous folder") },
	{ "Enter", N_("open the folder") },
	{ "$", N_("refresh the folder list") },
	{ "G", N_("fetch new mail (POP3 accounts)") },
	{ "m", N_("write a new message") },
	{ "O", N_("the outbox: messages waiting to be sent") },
	{ "q", N_("back to the accounts") },
	{ NULL, NULL },
};

static const char *folders_title(struct ui_screen *s)
{
	return ((struct folders_screen *)s)->title;
}

static void folders_draw(struct ui_screen *s, struct ui *ui, int top, int rows, int cols)
{
	struct folders_screen *fs = (struct folders_screen *)s;
	(void)ui;
	if (!fs->folders) {
		ui_draw_text(top + 1, 2, _("Loading folders..."), cols - 2, A_NORMAL);
		return;
	}
	if (fs->selected < fs->scroll)
		fs->scroll = fs->selected;
	if (fs->selected >= fs->scroll + rows)
		fs->scroll = fs->selected - rows + 1;
	for (int i = 0; i < rows && fs->scroll + i < (int)fs->folders->len; i++) {
		int idx = fs->scroll + i;
		const struct app_folder *f = g_ptr_array_index(fs->folders, idx);
		char *indent = g_strnfill((gsize)MIN(f->depth, 10) * 2, ' ');
		char *counts = f->total >= 0 ? g_strdup_printf("%6ld %6ld", f->unread, f->total)
					     : g_strdup("");
		char *name = g_strdup_printf("%s%s", indent, f->display);
		char *name_col = core_text_fit(name, MAX(cols - 16, 10), true);
		char *line = g_strdup_printf("%s%s", name_col, counts);
		int attr = idx == fs->selected ? A_REVERSE : (f->unread > 0 ? A_BOLD : A_NORMAL);
		ui_draw_text(top + i, 0, line, cols, attr);
		g_free(line);
		g_free(name_col);
		g_free(name);
		g_free(counts);
		g_free(indent);
	}
}

static bool folders_key(struct ui_screen *s, struct ui *ui, wint_t key, bool fn)
{
	struct folders_screen *fs = (struct folders_screen *)s;
	int n = fs->folders ? (int)fs->folders->len : 0;

	if ((fn && key == KEY_DOWN) || (!fn && key == 'j'))
		fs->selected = MIN(fs->selected + 1, MAX(n - 1, 0));
	else if ((fn && key == KEY_UP) || (!fn && key == 'k'))
		fs->selected = MAX(fs->selected - 1, 0);
	else if (fn && key == KEY_HOME)
		fs->selected = 0;
	else if (fn && key == KEY_END)
		fs->selected = MAX(n - 1, 0);
	else if (!fn && key == '$')
		fs->job = app_account_list_folders(fs->acc);
	else if (!fn && key == 'G')
		fs->fetch_job = ui_fetch(ui, fs->acc);
	else if (!fn && key == 'O')
		ui_push(ui, ui_outbox_screen_new(ui, fs->acc));
	else if (!fn && key == 'm')
		ui_compose_key(ui, fs->acc, NULL, NULL, key, fn);
	else if ((fn && key == KEY_ENTER) || (!fn && (key == '\r' || key == '\n'))) {
		if (n == 0)
			return true;
		const struct app_folder *f = g_ptr_array_index(fs->folders, fs->selected);
		if (!f->selectable)
			ui_set_status(ui, true, _("This folder holds only other folders."));
		else
			ui_push(ui, ui_index_screen_new(ui, fs->acc, f->id, f->display));
	} else
		return false;
	return true;
}

static void folders_event(struct ui_screen *s, struct ui *ui, struct app_event *ev)
{
	struct folders_screen *fs = (struct folders_screen *)s;
	if (ev->account != app_account_index(fs->acc))
		return;
	if (ev->type == (enum app_event_type)APP_EV_FOLDERS) {
		if (fs->folders)
			g_ptr_array_unref(fs->folders);
		fs->folders = ev->data; /* take ownership */
		ev->data = NULL;
		fs->selected = MIN(fs->selected, MAX((int)fs->folders->len - 1, 0));
	} else if (ev->type == (enum app_event_type)APP_EV_FOLDER_STATUS && fs->folders) {
		const struct app_folder *upd = ev->data;
		for (guint i = 0; i < fs->folders->len; i++) {
			struct app_folder *f = g_ptr_array_index(fs->folders, i);
			if (g_strcmp0(f->id, upd->id) == 0) {
				f->total = upd->total;
				f->unread = upd->unread;
			}
		}
	} else if (ev->type == APP_EV_JOB_DONE && ev->job == fs->job && ev->status != 0) {
		ui_set_status(ui, true, "%s", ev->text ? ev->text : _("Cannot list the folders."));
	} else if (ev->type == APP_EV_JOB_DONE && ev->job == fs->fetch_job && ev->status != 0 &&
		   ev->text) {
		ui_set_status(ui, true, "%s", ev->text);
	} else if (ev->type == (enum app_event_type)APP_EV_FETCHED && ev->done > 0) {
		/* New mail: the counts changed. */
		fs->job = app_account_list_folders(fs->acc);
	}
}

/* Back from a folder, or a certificate accepted: the counts may have
 * changed (messages read, moved, sent), so list again. */
static void folders_refresh(struct ui_screen *s, struct ui *ui)
{
	struct folders_screen *fs = (struct folders_screen *)s;
	(void)ui;
	fs->job = app_account_list_folders(fs->acc);
}

uint64_t ui_fetch(struct ui *ui, struct app_account *acc)
{
	uint64_t job = app_account_fetch(acc);
	if (!job)
		ui_set_status(ui, false, "%s", _("New mail is already being fetched."));
	return job;
}

static void folders_destroy(struct ui_screen *s)
{
	struct folders_screen *fs = (struct folders_screen *)s;
	if (fs->folders)
		g_ptr_array_unref(fs->folders);
	g_free(fs->title);
	g_free(fs);
}

GPtrArray *ui_folders_known(struct ui *ui, struct app_account *acc)
{
	for (struct ui_screen *s = ui->top; s; s = s->below) {
		struct folders_screen *fs = (struct folders_screen *)s;
		if (g_strcmp0(s->name, "folders") != 0 || fs->acc != acc || !fs->folders)
			continue;
		GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
		for (guint i = 0; i < fs->folders->len; i++) {
			const struct app_folder *f = g_ptr_array_index(fs->folders, i);
			if (f->selectable)
				g_ptr_array_add(names, g_strdup(f->id));
		}
		return names;
	}
	return NULL;
}

struct ui_screen *ui_folders_screen_new(struct ui *ui, struct app_account *acc, const char *name)
{
	struct folders_screen *fs = g_new0(struct folders_screen, 1);
	(void)ui;
	fs->base.name = "folders";
	fs->base.title = folders_title;
	fs->base.draw = folders_draw;
	fs->base.key = folders_key;
	fs->base.event = folders_event;
	fs->base.destroy = folders_destroy;
	fs->base.bindings = folders_bindings;
	fs->base.resume = folders_refresh;
	fs->base.retry = folders_refresh;
	fs->acc = acc;
	char *safe = core_safe_text(name, (size_t)-1, false);
	fs->title = g_strdup_printf(_("Folders of %s"), safe);
	g_free(safe);
	fs->job = app_account_list_folders(acc);
	return &fs->base;
}
