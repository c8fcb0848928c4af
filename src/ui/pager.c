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
	struct app_account *acc; /* NULL: a text screen, not a message */
	char *folder;            /* owned: for reply, forward, attachments */
	struct app_msg *msg;     /* the message shown, an owned copy */
	char *find;              /* "/" text, NFC, owned; NULL: none */
	int find_line;           /* line of the current match, -1: none */
	char *title;
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
	{ "/", N_("search the message text (matches highlighted)") },
	{ "n", N_("next search match") },
	{ "J, K", N_("next or previous message of the index") },
	{ "v", N_("the message's attachments") },
	{ "m", N_("write a new message") },
	{ "r, g, L", N_("reply to the sender, to all, or to the list") },
	{ "f, A", N_("forward inline or as an attachment") },
	{ "q", N_("back to the index") },
	{ NULL, NULL },
};

static const struct ui_binding text_bindings[] = {
	{ "j, k, Down, Up", N_("one line down or up") },
	{ "Space, -, PgDn, PgUp", N_("next or previous page") },
	{ "/", N_("search the text (matches highlighted)") },
	{ "n", N_("next search match") },
	{ "q", N_("close") },
	{ NULL, NULL },
};

struct app_msg *ui_msg_identity(const struct app_msg *m)
{
	struct app_msg *c = app_msg_new();
	c->uid = m->uid;
	c->key = g_strdup(m->key);
	c->path = g_strdup(m->path);
	c->flags = m->flags;
	c->size = m->size;
	c->subject = g_strdup(m->subject);
	return c;
}

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
	for (int i = 0; i < rows && ps->scroll + i < (int)n; i++) {
		const char *text = lines[ps->scroll + i].text;
		ui_draw_text(top + i, 0, text, cols, line_attr(ui, &lines[ps->scroll + i]));
		/* Every match of the search on the screen, in reverse video. */
		size_t from = 0, a, b;
		while (ps->find && ui_text_find(text, ps->find, from, &a, &b)) {
			char *before = g_strndup(text, a);
			char *match = g_strndup(text + a, b - a);
			int x = core_text_width(before);
			if (x < cols)
				ui_draw_text(top + i, x, match, MIN(core_text_width(match), cols - x),
					A_REVERSE | A_BOLD);
			g_free(before);
			g_free(match);
			from = b;
		}
	}
}

static bool line_found(int row, void *ctx)
{
	struct pager_screen *ps = ctx;
	size_t n, a, b;
	const struct mime_line *lines = mime_view_lines(ps->view, &n);
	return ui_text_find(lines[row].text, ps->find, 0, &a, &b);
}

/* Scroll to the next line with a match, after from (wrapping). */
static void find_next(struct pager_screen *ps, struct ui *ui, int from)
{
	size_t n = 0;
	if (!ps->view || !ps->find)
		return;
	mime_view_lines(ps->view, &n);
	bool wrapped;
	int r = ui_next_match((int)n, from, 1, line_found, ps, &wrapped);
	if (r < 0) {
		ui_set_status(ui, true, _("Not found: %s"), ps->find);
		ps->find_line = -1;
		return;
	}
	if (r == ps->find_line && wrapped)
		ui_set_status(ui, false, "%s", _("No more matches."));
	else if (wrapped)
		ui_set_status(ui, false, "%s", _("Search wrapped to the top."));
	else
		ui_set_status(ui, false, "%s", "");
	ps->find_line = r;
	ps->scroll = r;
}

static void find_done(struct ui *ui, void *ctx, const char *text)
{
	struct pager_screen *ps = ctx;
	if (!text || !*text)
		return;
	g_free(ps->find);
	ps->find = g_utf8_normalize(text, -1, G_NORMALIZE_NFC);
	ps->find_line = -1;
	find_next(ps, ui, ps->scroll - 1); /* from the top of the screen */
}

static void open_msg(struct pager_screen *ps, struct ui *ui, const struct app_msg *msg)
{
	if (!ps->view && !ps->failed && ps->job)
		app_account_cancel(ps->acc, ps->job);
	mime_view_free(ps->view);
	ps->view = NULL;
	ps->failed = false;
	ps->scroll = 0;
	ps->find_line = -1;
	app_msg_free(ps->msg);
	ps->msg = app_msg_copy(msg);
	g_free(ps->title);
	ps->title = g_strdup(msg->subject ? msg->subject : "");
	ps->job = app_account_open_message(ps->acc, ps->folder, msg, &ui->view_opts);
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
	else if (!fn && key == '/')
		ui_prompt(ui, _("Search: "), "", NULL, find_done, ps);
	else if (!fn && key == 'n') {
		if (ps->find)
			find_next(ps, ui, ps->find_line >= 0 ? ps->find_line : ps->scroll - 1);
		else
			ui_set_status(ui, true, "%s", _("No search yet: press / first."));
	} else if (!fn && (key == 'J' || key == 'K') && ps->acc) {
		/* The index below follows, so q comes back to this message. */
		const struct app_msg *m = ui_index_step(ps->base.below, key == 'J' ? 1 : -1);
		if (m)
			open_msg(ps, ui, m);
		else
			ui_set_status(ui, true, "%s", key == 'J' ? _("This is the last message.")
							     : _("This is the first message."));
	} else if (!fn && key == 'v' && ps->acc) {
		if (ps->view)
			ui_push(ui, ui_attach_screen_new(ui, ps->acc, ps->folder, ps->msg, ps->view));
		else
			ui_set_status(ui, true, "%s", _("The message is still opening."));
	} else if (!fn && key == 'R')
		return false;
	else if (ps->acc && ui_compose_key(ui, ps->acc, ps->folder, ps->msg, key, fn))
		return true;
	else
		return false;
	return true; /* drawing clamps the scroll */
}

static void pager_event(struct ui_screen *s, struct ui *ui, struct app_event *ev)
{
	struct pager_screen *ps = (struct pager_screen *)s;
	if (!ps->acc || ev->account != app_account_index(ps->acc) || ev->job != ps->job)
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

static void pager_retry(struct ui_screen *s, struct ui *ui)
{
	struct pager_screen *ps = (struct pager_screen *)s;
	if (!ps->acc || !ps->msg)
		return;
	struct app_msg *m = app_msg_copy(ps->msg); /* open_msg replaces ps->msg */
	open_msg(ps, ui, m);
	app_msg_free(m);
}

static void pager_destroy(struct ui_screen *s)
{
	struct pager_screen *ps = (struct pager_screen *)s;
	if (ps->acc && !ps->view && !ps->failed)
		app_account_cancel(ps->acc, ps->job);
	mime_view_free(ps->view);
	app_msg_free(ps->msg);
	g_free(ps->folder);
	g_free(ps->find);
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
	ps->base.retry = pager_retry;
	ps->acc = acc;
	ps->folder = g_strdup(folder);
	open_msg(ps, ui, msg);
	return &ps->base;
}

struct ui_screen *ui_pager_text_screen_new(const char *title, struct mime_view *view)
{
	struct pager_screen *ps = g_new0(struct pager_screen, 1);
	ps->base.name = "text";
	ps->base.title = pager_title;
	ps->base.draw = pager_draw;
	ps->base.key = pager_key;
	ps->base.event = pager_event;
	ps->base.destroy = pager_destroy;
	ps->base.bindings = text_bindings;
	ps->title = core_safe_text(title, (size_t)-1, false);
	ps->view = view;
	ps->find_line = -1;
	return &ps->base;
}
