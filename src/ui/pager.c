/* pager.c - one message as display lines built by src/mime. */
#include <curses.h>
#include <glib.h>

#include "app/app.h"
#include "core/core.h"
#include "core/i18n.h"
#include "mime/mime.h"
#include "ui/ui_private.h"

struct pager_screen {
	struct ui_screen base;
	struct app_account *acc;
	char *title;
	char *folder;        /* owned: for reply and forward */
	struct app_msg *msg; /* owned copy */
	struct mime_view *view; /* owned; NULL while loading */
	uint64_t job;
	int cols;   /* width the view is wrapped at */
	int scroll, rows;
	bool failed;
};

static const struct ui_binding pager_bindings[] = {
	{ "j, Down, Enter", N_("one line down") },
	{ "k, Up", N_("one line up") },
	{ "Space, PgDn", N_("next page") },
	{ "-, PgUp", N_("previous page") },
	{ "Home, End", N_("top or bottom") },
	{ "m", N_("write a new message") },
	{ "r, g, L", N_("reply to the sender, to all, or to the list") },
	{ "f, A", N_("forward inline or as an attachment") },
	{ "q", N_("back to the index") },
	{ NULL, NULL },
};

static const char *pager_title(struct ui_screen *s)
{
	return ((struct pager_screen *)s)->title;
}

static int line_attr(struct ui *ui, const struct mime_line *l)
{
	switch (l->kind) {
	case MIME_LINE_HEADER:
	case MIME_LINE_HEADER_CONT:
		return ui->colors ? (int)COLOR_PAIR(UI_COLOR_HEADER) : A_BOLD;
	case MIME_LINE_QUOTE:
		return ui->colors ? (int)COLOR_PAIR(UI_COLOR_QUOTE1 + (l->level - 1) % 3) : A_DIM;
	case MIME_LINE_SIGNATURE:
		return A_DIM;
	case MIME_LINE_ATTACHMENT:
		return A_BOLD;
	default:
		return A_NORMAL;
	}
}

static void pager_draw(struct ui_screen *s, struct ui *ui, int top, int rows, int cols)
{
	struct pager_screen *ps = (struct pager_screen *)s;
	ps->rows = rows;
	if (!ps->view) {
		ui_draw_text(top + 1, 2, ps->failed ? _("The message could not be opened.")
						     : _("Opening the message..."), cols - 2, A_NORMAL);
		return;
	}
	if (cols != ps->cols) {
		mime_view_set_cols(ps->view, cols);
		ps->cols = cols;
	}
	size_t n;
	const struct mime_line *lines = mime_view_lines(ps->view, &n);
	ps->scroll = CLAMP(ps->scroll, 0, MAX((int)n - rows, 0));
	for (int i = 0; i < rows && ps->scroll + i < (int)n; i++)
		ui_draw_text(top + i, 0, lines[ps->scroll + i].text, cols,
			line_attr(ui, &lines[ps->scroll + i]));
}

static bool pager_key(struct ui_screen *s, struct ui *ui, wint_t key, bool fn)
{
	struct pager_screen *ps = (struct pager_screen *)s;
	int page = MAX(ps->rows - 1, 1);

	if ((fn && (key == KEY_DOWN || key == KEY_ENTER)) || (!fn && (key == 'j' || key == '\r' || key == '\n')))
		ps->scroll++;
	else if ((fn && key == KEY_UP) || (!fn && key == 'k'))
		ps->scroll = MAX(ps->scroll - 1, 0);
	else if ((fn && key == KEY_NPAGE) || (!fn && key == ' '))
		ps->scroll += page;
	else if ((fn && key == KEY_PPAGE) || (!fn && key == '-'))
		ps->scroll = MAX(ps->scroll - page, 0);
	else if (fn && key == KEY_HOME)
		ps->scroll = 0;
	else if (fn && key == KEY_END)
		ps->scroll = G_MAXINT / 2;
	else if (!fn && key == 'R')
		return false;
	else if (ui_compose_key(ui, ps->acc, ps->folder, ps->msg, key, fn))
		return true;
	else
		return false;
	return true; /* drawing clamps the scroll */
}

static void pager_event(struct ui_screen *s, struct ui *ui, struct app_event *ev)
{
	struct pager_screen *ps = (struct pager_screen *)s;
	if (ev->account != app_account_index(ps->acc) || ev->job != ps->job)
		return;
	if (ev->type == (enum app_event_type)APP_EV_VIEW) {
		ps->view = ev->data;
		ev->data = NULL;
		ps->cols = 0; /* rewrap at the current width on the next draw */
	} else if (ev->type == APP_EV_JOB_DONE && ev->status != 0) {
		ps->failed = true;
		ui_set_status(ui, true, "%s", ev->text ? ev->text : _("The message could not be opened."));
	}
}

static void pager_destroy(struct ui_screen *s)
{
	struct pager_screen *ps = (struct pager_screen *)s;
	if (!ps->view && !ps->failed)
		app_account_cancel(ps->acc, ps->job);
	mime_view_free(ps->view);
	g_free(ps->folder);
	app_msg_free(ps->msg);
	g_free(ps->title);
	g_free(ps);
}

struct ui_screen *ui_pager_screen_new(struct ui *ui, struct app_account *acc, const char *folder,
	const struct app_msg *msg)
{
	struct pager_screen *ps = g_new0(struct pager_screen, 1);
	ps->base.name = "pager";
	ps->base.title = pager_title;
	ps->base.draw = pager_draw;
	ps->base.key = pager_key;
	ps->base.event = pager_event;
	ps->base.destroy = pager_destroy;
	ps->base.bindings = pager_bindings;
	ps->acc = acc;
	ps->title = g_strdup(msg->subject ? msg->subject : "");
	ps->folder = g_strdup(folder);
	ps->msg = app_msg_copy(msg);
	ps->job = app_account_open_message(acc, folder, msg, &ui->view_opts);
	return &ps->base;
}
