/* screen.c - ncurses set-up, the frame (title bar, body, status line),
 * the screen stack and key dispatch. */
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <curses.h>
#include <glib.h>

#include "app/app.h"
#include "config/config.h"
#include "core/core.h"
#include "core/i18n.h"
#include "ui/ui.h"
#include "ui/ui_private.h"
#include "ui/ui_terminal.h"

#define KEY_CTRL(c) ((c) & 0x1f)

void ui_push(struct ui *ui, struct ui_screen *s)
{
	s->below = ui->top;
	ui->top = s;
	ui->dirty = true;
}

void ui_pop(struct ui *ui)
{
	struct ui_screen *s = ui->top;
	if (!s)
		return;
	ui->top = s->below;
	if (s->destroy)
		s->destroy(s);
	ui->dirty = true;
	if (ui->top && ui->top->resume && !ui->quitting)
		ui->top->resume(ui->top, ui);
}

static int color_attr(struct ui *ui, enum ui_color c, int fallback);

static void set_status_v(struct ui *ui, bool error, const char *fmt, va_list ap)
{
	char *raw = g_strdup_vprintf(fmt, ap);
	g_free(ui->status);
	ui->status = core_safe_text(raw, (size_t)-1, false);
	ui->status_error = error;
	ui->progress_done = ui->progress_total = 0;
	ui->dirty = true;
	g_free(raw);
}

void ui_set_status(struct ui *ui, bool error, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	set_status_v(ui, error, fmt, ap);
	va_end(ap);
}

void ui_set_progress(struct ui *ui, uint64_t done, uint64_t total, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	set_status_v(ui, false, fmt, ap);
	va_end(ap);
	ui->progress_done = MIN(done, total);
	ui->progress_total = total;
}

/* "[#########           ]  45%" in the last columns of the status line. */
static void draw_progress(struct ui *ui, int row, int cols)
{
	int width = MIN(30, cols / 3);
	if (!ui->progress_total || width < 8)
		return;
	int fill = (int)(ui->progress_done * (uint64_t)width / ui->progress_total);
	int pct = (int)(ui->progress_done * 100 / ui->progress_total);
	char *bar = g_strdup_printf("[%.*s%*s] %3d%%", fill,
		"##############################", width - fill, "", pct);
	int w = (int)strlen(bar);
	ui_draw_text(row, cols - w, bar, w, color_attr(ui, UI_COLOR_BAR, A_REVERSE));
	g_free(bar);
}

void ui_draw_text(int y, int x, const char *text, int cols, int attr)
{
	if (cols <= 0)
		return;
	char *fit = core_text_fit(text ? text : "", cols, true);
	attrset(attr);
	mvaddstr(y, x, fit);
	attrset(A_NORMAL);
	g_free(fit);
}

static int color_attr(struct ui *ui, enum ui_color c, int fallback)
{
	return ui->colors ? (int)COLOR_PAIR(c) : fallback;
}

/* The pending certificate's description, wrapped at spaces, in the
 * last rows of the body. */
static void draw_cert_text(struct ui *ui, int rows, int cols)
{
	GPtrArray *lines = g_ptr_array_new_with_free_func(g_free);
	gchar **words = g_strsplit(ui->cert_text, " ", -1);
	GString *line = g_string_new(NULL);
	int width = MAX(cols - 2, 10);
	for (int i = 0; words[i]; i++) {
		if (!*words[i])
			continue;
		if (line->len && core_text_width(line->str) + 1 + core_text_width(words[i]) > width) {
			g_ptr_array_add(lines, g_string_free(line, FALSE));
			line = g_string_new(NULL);
		}
		if (line->len)
			g_string_append_c(line, ' ');
		g_string_append(line, words[i]);
	}
	if (line->len)
		g_ptr_array_add(lines, g_string_free(line, FALSE));
	else
		g_string_free(line, TRUE);
	g_strfreev(words);
	int n = MIN((int)lines->len, MAX(rows - 3, 0));
	for (int i = 0; i < n; i++) {
		char *padded = g_strdup_printf(" %s", (const char *)g_ptr_array_index(lines, i));
		ui_draw_text(rows - 1 - n + i, 0, padded, cols, A_BOLD);
		g_free(padded);
	}
	g_ptr_array_unref(lines);
}

void ui_redraw(struct ui *ui)
{
	int rows = LINES, cols = COLS;

	erase();
	if (rows < 3 || cols < 10) {
		ui_draw_text(0, 0, _("Terminal too small"), cols, A_BOLD);
		refresh();
		ui->dirty = false;
		return;
	}
	char *bar = g_strdup_printf(" mailtui %s  |  %s  |  %s", VERSION,
		ui->top && ui->top->title ? ui->top->title(ui->top) : "",
		_("?:help  q:quit"));
	ui_draw_text(0, 0, bar, cols, color_attr(ui, UI_COLOR_BAR, A_REVERSE));
	g_free(bar);

	if (ui->top && ui->top->draw)
		ui->top->draw(ui->top, ui, 1, rows - 2, cols);

	int attr = ui->status_error ? color_attr(ui, UI_COLOR_ERROR, A_BOLD)
				    : color_attr(ui, UI_COLOR_BAR, A_REVERSE);
	if (ui->cert && ui->cert_text)
		draw_cert_text(ui, rows, cols);
	if (ui->cert) {
		/* The question stays in the status line until answered, whatever
		 * else reports meanwhile; the description is in the box above. */
		/* TRANSLATORS: keep the letters r, o and a: they are the keys. */
		char *q = g_strdup_printf(_("Untrusted certificate of %s port %u: (r)eject, accept "
					    "(o)nce, accept (a)lways?"),
			ui->cert->host, ui->cert->port);
		char *safe = core_safe_text(q, (size_t)-1, false);
		ui_draw_text(rows - 1, 0, safe, cols, color_attr(ui, UI_COLOR_ERROR, A_BOLD));
		curs_set(0);
		g_free(safe);
		g_free(q);
	} else if (ui->prompt) {
		ui_prompt_draw(ui, rows - 1, cols);
		curs_set(1);
	} else {
		ui_draw_text(rows - 1, 0, ui->status ? ui->status : "", cols, attr);
		draw_progress(ui, rows - 1, cols);
		curs_set(0);
	}
	refresh();
	ui->dirty = false;
}

void ui_confirm(struct ui *ui, const char *question, int yes_key)
{
	g_free(ui->confirm);
	ui->confirm = g_strdup(question);
	ui->confirm_yes = yes_key;
	ui->confirm_for = ui->top;
	ui_set_status(ui, false, "%s", question);
}

bool ui_confirm_pending(const struct ui *ui)
{
	return ui->confirm != NULL || ui->cert != NULL;
}

/* A key while a question is pending answers it. */
/* Keep every unsent message on the stack in a file, then quit. */
static void quit_keeping_drafts(struct ui *ui)
{
	for (struct ui_screen *s = ui->top; s; s = s->below) {
		char *path = ui_compose_rescue(s);
		if (path) {
			if (!ui->rescued)
				ui->rescued = g_ptr_array_new_with_free_func(g_free);
			g_ptr_array_add(ui->rescued, path);
		}
	}
	app_quit(ui->app);
}

static bool composing(struct ui *ui)
{
	for (struct ui_screen *s = ui->top; s; s = s->below)
		if (g_strcmp0(s->name, "compose") == 0)
			return true;
	return false;
}

static void answer_key(struct ui *ui, wint_t key, bool fn)
{
	if (ui->cert) {
		struct app_account *acc = g_ptr_array_index(ui->accounts, ui->cert_account);
		if (!fn && (key == 'o' || key == 'a')) {
			app_account_trust(acc, ui->cert->pin, key == 'a');
			ui_set_status(ui, false, "%s", key == 'a'
				? _("Certificate accepted always. Retrying...")
				: _("Certificate accepted for this session. Retrying..."));
			/* Retry by reloading the screen that failed; what waits
			 * to be sent goes again. */
			if (ui->cert->smtp)
				app_account_outbox_flush(acc, NULL);
			else if (ui->top && ui->top->retry)
				ui->top->retry(ui->top, ui);
		} else {
			ui_set_status(ui, true, "%s", _("Certificate rejected."));
		}
		app_cert_question_free(ui->cert);
		ui->cert = NULL;
		g_clear_pointer(&ui->cert_text, g_free);
		return;
	}
	bool yes = !fn && (int)key == ui->confirm_yes;
	if (ui->confirm_quit) {
		ui->confirm_quit = false;
		g_free(ui->confirm);
		ui->confirm = NULL;
		ui_set_status(ui, false, "%s", "");
		if (yes)
			quit_keeping_drafts(ui);
		return;
	}
	struct ui_screen *s = ui->confirm_for;
	g_free(ui->confirm);
	ui->confirm = NULL;
	ui->confirm_for = NULL;
	ui_set_status(ui, false, "%s", "");
	if (s && s == ui->top && s->answer)
		s->answer(s, ui, yes);
}

static void global_key(struct ui *ui, wint_t key, bool fn)
{
	if (!fn && key == '?') {
		if (ui->top && ui->top->name && g_strcmp0(ui->top->name, "help") != 0)
			ui_push(ui, ui_help_screen_new(ui->top));
	} else if (!fn && (key == 'q' || key == 'Q')) {
		/* q closes a screen; on the last one it quits. */
		if (ui->top && ui->top->below)
			ui_pop(ui);
		else
			app_quit(ui->app);
	} else if (!fn && key == KEY_CTRL('l')) {
		clearok(curscr, TRUE);
		ui->dirty = true;
	} else if (fn && key == KEY_RESIZE) {
		ui->dirty = true;
	} else {
		ui_set_status(ui, true, _("Unknown key. Press ? for help."));
	}
}

static void on_input(void *ctx)
{
	struct ui *ui = ctx;
	wint_t key;
	int r;

	while ((r = get_wch(&key)) != ERR) {
		bool fn = r == KEY_CODE_YES;
		if (ui->status_error) {
			ui->status_error = false;
			g_free(ui->status);
			ui->status = NULL;
			ui->dirty = true;
		}
		if (ui->prompt)
			ui_prompt_key(ui, key, fn);
		else if (ui_confirm_pending(ui))
			answer_key(ui, key, fn);
		else if (!(ui->top && ui->top->key && ui->top->key(ui->top, ui, key, fn)))
			global_key(ui, key, fn);
		ui->dirty = true;
	}
}

static void on_resize(void *ctx)
{
	struct ui *ui = ctx;
	struct winsize ws;

	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
		resizeterm(ws.ws_row, ws.ws_col);
	clearok(curscr, TRUE);
	ui->dirty = true;
}

/* Ctrl-C asks first while a message is being written; SIGTERM and
 * SIGHUP (a closed terminal) cannot ask: the message is kept in a file. */
static void on_signal(void *ctx, int signo)
{
	struct ui *ui = ctx;
	core_log(CORE_LOG_UI, "signal %d: quitting", signo);
	if (signo == SIGINT && composing(ui) && !ui->confirm_quit) {
		ui_prompt_cancel(ui);
		app_cert_question_free(ui->cert);
		ui->cert = NULL;
		g_clear_pointer(&ui->cert_text, g_free);
		ui_confirm(ui, _("Quit? The unsent message is kept in a file. (y/n)"), 'y');
		ui->confirm_for = NULL;
		ui->confirm_quit = true;
		return;
	}
	quit_keeping_drafts(ui);
}

static void on_event(void *ctx, struct app_event *ev)
{
	struct ui *ui = ctx;
	if ((ev->type == APP_EV_STATUS || ev->type == APP_EV_PROGRESS ||
	     ev->type == (enum app_event_type)APP_EV_FETCHED) && ev->text)
		ui_set_status(ui, ev->status != 0, "%s", ev->text);
	if (ev->type == APP_EV_CERT_QUESTION && ev->data && !ui->cert) {
		ui->cert = ev->data;
		ev->data = NULL;
		ui->cert_account = ev->account;
		g_free(ui->cert_text);
		ui->cert_text = core_safe_text(ev->text ? ev->text : "", (size_t)-1, false);
		ui->dirty = true;
		ui->dirty = true;
		return;
	}
	ui_addrbook_event(ev);
	/* A screen may close itself on an event (compose after sending). */
	for (struct ui_screen *s = ui->top, *below; s; s = below) {
		below = s->below;
		if (s->event)
			s->event(s, ui, ev);
	}
	ui->dirty = true;
}

static void on_idle(void *ctx)
{
	struct ui *ui = ctx;
	if (ui->dirty)
		ui_redraw(ui);
}

static void init_colors(struct ui *ui)
{
	if (!has_colors() || getenv("NO_COLOR"))
		return;
	start_color();
	use_default_colors();
	init_pair(UI_COLOR_BAR, COLOR_BLACK, COLOR_CYAN);
	init_pair(UI_COLOR_SELECTED, COLOR_BLACK, COLOR_WHITE);
	init_pair(UI_COLOR_ERROR, COLOR_WHITE, COLOR_RED);
	init_pair(UI_COLOR_HEADER, COLOR_YELLOW, -1);
	init_pair(UI_COLOR_QUOTE1, COLOR_GREEN, -1);
	init_pair(UI_COLOR_QUOTE2, COLOR_CYAN, -1);
	init_pair(UI_COLOR_QUOTE3, COLOR_MAGENTA, -1);
	ui->colors = true;
}

struct app_account *ui_account_by_name(struct ui *ui, const char *name)
{
	for (guint i = 0; i < ui->accounts->len; i++) {
		struct app_account *acc = g_ptr_array_index(ui->accounts, i);
		if (g_strcmp0(app_account_config(acc)->name, name) == 0)
			return acc;
	}
	return NULL;
}

static void periodic_fetch(void *acc)
{
	/* Skipped by the account while a fetch is still queued or running. */
	app_account_fetch(acc);
}

/* check_interval: POP3 accounts fetch on their own while mailtui runs. */
static void start_fetch_timers(struct ui *ui)
{
	for (guint i = 0; i < ui->accounts->len; i++) {
		struct app_account *acc = g_ptr_array_index(ui->accounts, i);
		const struct config_account *a = app_account_config(acc);
		if (a->mode == CONFIG_MODE_POP3 && a->check_interval > 0)
			app_timer_add(ui->app, (unsigned)a->check_interval * 1000u, periodic_fetch,
				acc);
	}
}

static const char *start_folder;

void ui_set_start_folder(const char *folder)
{
	start_folder = folder;
}

/* The folder list with the start folder above it.  The index is made
 * first so its load is the worker's first job: cached headers show
 * before the folder list has even been asked for. */
static void push_start_folder(struct ui *ui, struct app_account *acc, const char *account)
{
	const char *leaf = strrchr(start_folder, '/');
	char *display = core_safe_text(leaf && leaf[1] ? leaf + 1 : start_folder, (size_t)-1, false);
	struct ui_screen *index = ui_index_screen_new(ui, acc, start_folder, display);
	ui_push(ui, ui_folders_screen_new(ui, acc, account));
	ui_push(ui, index);
	g_free(display);
}

int ui_run(struct config *cfg, struct app *app, const char *account)
{
	struct ui ui = { .cfg = cfg, .app = app, .dirty = true };

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "%s\n", _("mailtui needs a terminal (or run a subcommand: see --help)."));
		return 1;
	}
	if (!initscr()) {
		fprintf(stderr, "%s\n", _("Cannot initialise the terminal."));
		return 1;
	}
	ui_terminal_guard();
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE); /* poll() says when a key is there */
	set_escdelay(25);
	curs_set(0);
	init_colors(&ui);
	app_install_signals(app); /* after initscr: ours must own SIGWINCH */

	ui.accounts = app_accounts_new(app, cfg);
	/* What waits in the outboxes goes now, in the background. */
	for (guint i = 0; i < ui.accounts->len; i++) {
		struct app_account *acc = g_ptr_array_index(ui.accounts, i);
		if (app_account_config(acc)->smtp.set)
			app_account_outbox_flush(acc, NULL);
	}
	ui.view_opts.headers = (const char *const *)cfg->general.pager_headers;
	ui.view_opts.html_command = cfg->general.html_command;
	ui.view_opts.cols = COLS;
	ui_push(&ui, ui_accounts_screen_new(cfg));
	start_fetch_timers(&ui);
	struct config_account *start = account ? config_account_find(cfg, account) : NULL;
	if (account && !start)
		ui_set_status(&ui, true, _("No account named %s."), account);
	else if (start && start_folder)
		push_start_folder(&ui, ui_account_by_name(&ui, account), account);
	else if (start)
		ui_push(&ui, ui_folders_screen_new(&ui, ui_account_by_name(&ui, account), account));
	else
		ui_set_status(&ui, false, ngettext("%u account configured.", "%u accounts configured.",
			cfg->accounts->len), cfg->accounts->len);

	const struct app_loop_handlers h = {
		.ctx = &ui,
		.on_input = on_input,
		.on_event = on_event,
		.on_resize = on_resize,
		.on_signal = on_signal,
		.on_idle = on_idle,
	};
	app_loop_run(app, &h);

	ui_prompt_cancel(&ui);
	ui.quitting = true;
	while (ui.top)
		ui_pop(&ui);
	ui_terminal_release();
	for (guint i = 0; ui.rescued && i < ui.rescued->len; i++)
		fprintf(stderr, _("mailtui: the unsent message is kept in %s\n"),
			(const char *)g_ptr_array_index(ui.rescued, i));
	if (ui.rescued)
		g_ptr_array_unref(ui.rescued);
	app_accounts_free(ui.accounts); /* joins the workers after the screen is gone */
	app_cert_question_free(ui.cert);
	g_free(ui.cert_text);
	ui_addrbook_clear();
	g_free(ui.confirm);
	g_free(ui.status);
	return 0;
}
