/* outbox.c - messages that wait to be sent, each with its last error:
 * retry, delete, or edit one the server refused. */
#include <time.h>

#include <curses.h>
#include <glib.h>

#include "app/app.h"
#include "config/config.h"
#include "core/core.h"
#include "core/i18n.h"
#include "ui/ui_private.h"

struct outbox_screen {
	struct ui_screen base;
	struct app_account *acc;
	char *title;
	GPtrArray *items; /* of struct app_outbox_item*, owned; NULL while loading */
	uint64_t job;
	bool waiting; /* for job */
	int selected, scroll;
};

static const struct ui_binding outbox_bindings[] = {
    {"j, k, Down, Up", N_("next or previous message")},
    {"r", N_("send again: the selected message and everything waiting")},
    {"d", N_("delete the selected message (asks first)")},
    {"e", N_("edit the selected message, then send it again")},
    {"$", N_("refresh the list")},
    {"q", N_("back")},
    {NULL, NULL},
};

static const char *outbox_title(struct ui_screen *s)
{
	return ((struct outbox_screen *)s)->title;
}

static const struct app_outbox_item *selected_item(struct outbox_screen *os)
{
	if (!os->items || !os->items->len)
		return NULL;
	return g_ptr_array_index(os->items, CLAMP(os->selected, 0, (int)os->items->len - 1));
}

/* Two rows per message: what and to whom, then its state and error. */
static void outbox_draw(struct ui_screen *s, struct ui *ui, int top, int rows, int cols)
{
	struct outbox_screen *os = (struct outbox_screen *)s;
	(void)ui;
	if (!os->items) {
		ui_draw_text(top + 1, 2, _("Loading the outbox..."), cols - 2, A_NORMAL);
		return;
	}
	if (!os->items->len) {
		ui_draw_text(top + 1, 2, _("The outbox is empty."), cols - 2, A_NORMAL);
		return;
	}
	int per_page = MAX(rows / 2, 1);
	if (os->selected < os->scroll)
		os->scroll = os->selected;
	if (os->selected >= os->scroll + per_page)
		os->scroll = os->selected - per_page + 1;
	for (int i = 0; i < per_page && os->scroll + i < (int)os->items->len; i++) {
		int idx = os->scroll + i;
		const struct app_outbox_item *it = g_ptr_array_index(os->items, idx);
		char date[32] = "";
		struct tm tm;
		if (it->created && localtime_r(&it->created, &tm))
			strftime(date, sizeof date, "%Y-%m-%d %H:%M", &tm);
		/* TRANSLATORS: an outbox line: date, subject, recipients. */
		char *line = g_strdup_printf(_("%s  %s  to %s"), date, it->subject, it->recipients);
		ui_draw_text(top + 2 * i, 0, line, cols, idx == os->selected ? A_REVERSE : A_BOLD);
		g_free(line);
		char *state = it->error ? g_strdup_printf("    [%s] %s", it->state, it->error)
		                        : g_strdup_printf("    [%s]", it->state);
		ui_draw_text(top + 2 * i + 1, 0, state, cols, A_NORMAL);
		g_free(state);
	}
}

static void submit_list(struct outbox_screen *os)
{
	os->job = app_account_outbox_list(os->acc);
	os->waiting = true;
}

static void outbox_retry(struct ui_screen *s, struct ui *ui)
{
	(void)ui;
	submit_list((struct outbox_screen *)s);
}

static bool outbox_key(struct ui_screen *s, struct ui *ui, wint_t key, bool fn)
{
	struct outbox_screen *os = (struct outbox_screen *)s;
	int n = os->items ? (int)os->items->len : 0;
	const struct app_outbox_item *it = selected_item(os);

	if ((fn && key == KEY_DOWN) || (!fn && key == 'j'))
		os->selected = MIN(os->selected + 1, MAX(n - 1, 0));
	else if ((fn && key == KEY_UP) || (!fn && key == 'k'))
		os->selected = MAX(os->selected - 1, 0);
	else if (!fn && key == '$')
		submit_list(os);
	else if (!fn && key == 'r') {
		os->job = app_account_outbox_flush(os->acc, it ? it->id : NULL);
		os->waiting = true;
		ui_set_status(ui, false, "%s", _("Sending what waits in the outbox..."));
	} else if (!fn && key == 'd') {
		if (it)
			ui_confirm(
			    ui,
			    _("Delete this message from the outbox? It will not be sent. (y/n)"),
			    'y');
	} else if (!fn && key == 'e') {
		if (it)
			ui_compose_start(ui, os->acc, UI_COMPOSE_OUTBOX, NULL, NULL, it->id);
	} else
		return false;
	return true;
}

static void outbox_answer(struct ui_screen *s, struct ui *ui, bool yes)
{
	struct outbox_screen *os = (struct outbox_screen *)s;
	const struct app_outbox_item *it = selected_item(os);
	if (yes && it) {
		os->job = app_account_outbox_delete(os->acc, it->id);
		os->waiting = true;
		ui_set_status(ui, false, "%s", _("Deleted from the outbox."));
	}
}

static void outbox_event(struct ui_screen *s, struct ui *ui, struct app_event *ev)
{
	struct outbox_screen *os = (struct outbox_screen *)s;
	if (ev->account != app_account_index(os->acc))
		return;
	/* Every list of this account's outbox is news, whoever asked. */
	if (ev->type == (enum app_event_type)APP_EV_OUTBOX) {
		if (os->items)
			g_ptr_array_unref(os->items);
		os->items = ev->data;
		ev->data = NULL;
		os->selected = MIN(os->selected, MAX((int)os->items->len - 1, 0));
	} else if (ev->type == APP_EV_JOB_DONE && ev->job == os->job) {
		os->waiting = false;
		if (ev->text)
			ui_set_status(ui, ev->status != 0, "%s", ev->text);
	} else if (ev->type == APP_EV_JOB_DONE && !os->waiting) {
		/* Another job of the account (a send from the compose screen)
		 * may have changed the outbox. */
		submit_list(os);
	}
}

static void outbox_destroy(struct ui_screen *s)
{
	struct outbox_screen *os = (struct outbox_screen *)s;
	if (os->items)
		g_ptr_array_unref(os->items);
	g_free(os->title);
	g_free(os);
}

struct ui_screen *ui_outbox_screen_new(struct ui *ui, struct app_account *acc)
{
	struct outbox_screen *os = g_new0(struct outbox_screen, 1);
	(void)ui;
	os->base.name = "outbox";
	os->base.title = outbox_title;
	os->base.draw = outbox_draw;
	os->base.key = outbox_key;
	os->base.event = outbox_event;
	os->base.answer = outbox_answer;
	os->base.destroy = outbox_destroy;
	os->base.bindings = outbox_bindings;
	os->base.retry = outbox_retry;
	os->acc = acc;
	char *safe = core_safe_text(app_account_config(acc)->name, (size_t)-1, false);
	os->title = g_strdup_printf(_("Outbox of %s"), safe);
	g_free(safe);
	submit_list(os);
	return &os->base;
}
