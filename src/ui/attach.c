/* attach.c - the attachments of the message in the pager below: view one
 * (attachment_command or mailcap) or save one.  Bytes that the view does
 * not have yet are fetched only now, through app_account_fetch_part(). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <curses.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "app/app.h"
#include "config/config.h"
#include "core/core.h"
#include "core/i18n.h"
#include "mime/mime.h"
#include "ui/ui_private.h"

enum attach_action { ACT_NONE, ACT_VIEW, ACT_SAVE };

struct attach_screen {
	struct ui_screen base;
	struct ui *ui; /* for the status line when the screen goes */
	struct app_account *acc;
	char *folder;
	struct app_msg *msg;    /* identity copy, owned */
	struct mime_view *view; /* borrowed from the pager below */
	char *title;
	int selected, scroll;
	uint64_t job; /* fetching bytes; 0: none */
	size_t job_index;
	enum attach_action action; /* what to do once the bytes are here */
	char *save_path;           /* where "s" saves, owned */
};

static const struct ui_binding attach_bindings[] = {
    {"j, k, Down, Up", N_("next or previous attachment")},
    {"Enter", N_("view it (attachment_command, else mailcap)")},
    {"s", N_("save it (asks for the file; Tab completes)")},
    {"q", N_("back to the message")},
    {NULL, NULL},
};

static const char *attach_title(struct ui_screen *s)
{
	return ((struct attach_screen *)s)->title;
}

static const struct mime_attachment *list(struct attach_screen *as, size_t *n)
{
	return mime_view_attachments(as->view, n);
}

static char *size_text(int64_t size)
{
	return size < 0 ? g_strdup("?")
	                : g_format_size((guint64)size);
}

static void attach_draw(struct ui_screen *s, struct ui *ui, int top, int rows, int cols)
{
	struct attach_screen *as = (struct attach_screen *)s;
	(void)ui;
	size_t n;
	const struct mime_attachment *atts = list(as, &n);
	if (n == 0) {
		ui_draw_text(top + 1, 2, _("This message has no attachments."), cols - 2, A_NORMAL);
		return;
	}
	int type_w = MIN(30, cols / 4), size_w = 11;
	int name_w = MAX(cols - type_w - size_w - 6, 8);
	rows--; /* the column heads */
	as->selected = CLAMP(as->selected, 0, (int)n - 1);
	if (as->selected < as->scroll)
		as->scroll = as->selected;
	if (as->selected >= as->scroll + rows)
		as->scroll = as->selected - rows + 1;
	char *h_name = core_text_fit(_("Name"), name_w, true);
	char *h_type = core_text_fit(_("Type"), type_w, true);
	char *head = g_strdup_printf("    %s %s %s", h_name, h_type, _("Size"));
	ui_draw_text(top, 0, head, cols, A_BOLD);
	g_free(head);
	g_free(h_type);
	g_free(h_name);
	for (int i = 0; i < rows && as->scroll + i < (int)n; i++) {
		const struct mime_attachment *a = &atts[as->scroll + i];
		/* Names and types are terminal-safe in the view already. */
		char *label =
		    a->shown ? g_strdup_printf("%s %s", a->filename ? a->filename : _("(no name)"),
		                               _("(shown)"))
		             : g_strdup(a->filename ? a->filename : _("(no name)"));
		char *name = core_text_fit(label, name_w, true);
		char *type = core_text_fit(a->content_type ? a->content_type : "", type_w, true);
		char *size = size_text(a->size);
		char *line = g_strdup_printf("%3zu %s %s %10s", a->index + 1, name, type, size);
		ui_draw_text(top + 1 + i, 0, line, cols,
		             as->scroll + i == as->selected ? A_REVERSE : A_NORMAL);
		g_free(line);
		g_free(size);
		g_free(type);
		g_free(name);
		g_free(label);
	}
}

/* ---- viewing ------------------------------------------------------------- */

/* attachment_command with %s (the file), %t (the type) and %% replaced;
 * the file goes at the end when there is no %s.  Owned. */
static char *expand_command(const char *cmd, const char *path, const char *type)
{
	char *qpath = g_shell_quote(path), *qtype = g_shell_quote(type);
	GString *out = g_string_new(NULL);
	bool used = false;
	for (const char *p = cmd; *p; p++) {
		if (*p == '%' && p[1] == 's') {
			g_string_append(out, qpath);
			used = true;
			p++;
		} else if (*p == '%' && p[1] == 't') {
			g_string_append(out, qtype);
			p++;
		} else if (*p == '%' && p[1] == '%') {
			g_string_append_c(out, '%');
			p++;
		} else {
			g_string_append_c(out, *p);
		}
	}
	if (!used)
		g_string_append_printf(out, " %s", qpath);
	g_free(qpath);
	g_free(qtype);
	return g_string_free(out, FALSE);
}

static void child_default_signals(gpointer data)
{
	(void)data;
	/* Only async-signal-safe calls here: we are between fork and exec. */
	signal(SIGINT, SIG_DFL);
	signal(SIGQUIT, SIG_DFL);
}

/* Run cmd with the terminal: curses steps aside, and Ctrl-C belongs to
 * the viewer, not to mailtui, until it ends.  The exit status, or -1. */
static int run_in_terminal(const char *cmd)
{
	struct sigaction ign = {.sa_handler = SIG_IGN}, old_int, old_quit;
	const char *argv[] = {"/bin/sh", "-c", cmd, NULL};
	int status = -1;

	sigemptyset(&ign.sa_mask);
	def_prog_mode();
	endwin();
	sigaction(SIGINT, &ign, &old_int);
	sigaction(SIGQUIT, &ign, &old_quit);
	bool ok = g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_CHILD_INHERITS_STDIN,
	                       child_default_signals, NULL, NULL, NULL, &status, NULL);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGQUIT, &old_quit, NULL);
	reset_prog_mode();
	clearok(curscr, TRUE);
	refresh();
	if (!ok)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* A copiousoutput viewer: its standard output, as text in a pager. */
static void run_for_text(struct ui *ui, const char *cmd, const char *title)
{
	const char *argv[] = {"/bin/sh", "-c", cmd, NULL};
	char *out = NULL;
	int status = -1;
	if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out,
	                  NULL, &status, NULL)) {
		ui_set_status(ui, true, "%s", _("The viewer could not be started."));
		return;
	}
	char *text = g_utf8_make_valid(out ? out : "", -1);
	const struct mime_view_part part = {.content_type = "text/plain", .text = text, .size = -1};
	struct mime_view *v = mime_view_new_from_parts("", 0, &part, 1, &ui->view_opts);
	ui_push(ui, ui_pager_text_screen_new(title, v));
	g_free(text);
	g_free(out);
}

/* Write the bytes to a private temporary file (0600 in a 0700
 * directory), run the viewer, remove both. */
static void view(struct attach_screen *as, struct ui *ui, size_t index, GBytes *bytes)
{
	size_t n;
	const struct mime_attachment *a = &list(as, &n)[index];
	GError *gerr = NULL;
	char *dir = g_dir_make_tmp("mailtui-XXXXXX", &gerr);
	if (!dir) {
		ui_set_status(ui, true, _("Cannot make a temporary file: %s"), gerr->message);
		g_error_free(gerr);
		return;
	}
	/* The temporary copy's name and the type go into a shell command:
	 * nothing in them may mean anything to a shell. */
	char *name = mime_shell_safe_name(a->filename, index);
	char *path = g_build_filename(dir, name, NULL);
	int r = -EIO;
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd >= 0) {
		gsize len;
		const void *data = g_bytes_get_data(bytes, &len);
		r = core_write_all(fd, data, len);
		if (close(fd) < 0 && r == 0)
			r = -errno;
	} else {
		r = -errno;
	}
	char *type = mime_shell_safe_type(a->content_type);
	const char *custom = ui->cfg->general.attachment_command;
	char *cmd = NULL;
	unsigned flags = 0;
	if (r == 0 && custom) {
		cmd = expand_command(custom, path, type);
	} else if (r == 0) {
		char *home = g_build_filename(g_get_home_dir(), ".mailcap", NULL);
		const char *files[] = {home, "/etc/mailcap", NULL};
		cmd = mime_mailcap_lookup(type, path, files, &flags);
		g_free(home);
	}
	if (r < 0) {
		ui_set_status(ui, true, _("Cannot make a temporary file: %s"), g_strerror(-r));
	} else if (!cmd) {
		ui_set_status(ui, true,
		              _("No viewer for %s: set attachment_command in the config file "
		                "or add a mailcap entry."),
		              type);
	} else if (flags & MIME_MAILCAP_COPIOUSOUTPUT) {
		run_for_text(ui, cmd, a->filename ? a->filename : type);
	} else {
		int st = run_in_terminal(cmd);
		if (st != 0)
			ui_set_status(ui, true, _("The viewer ended with status %d."), st);
		else
			ui_set_status(ui, false, "%s", "");
	}
	g_unlink(path);
	g_rmdir(dir);
	g_free(cmd);
	g_free(type);
	g_free(path);
	g_free(name);
	g_free(dir);
}

/* ---- saving -------------------------------------------------------------- */

static void save(struct attach_screen *as, struct ui *ui, size_t index, bool overwrite)
{
	char *dir, *base;
	if (g_str_has_suffix(as->save_path, "/") ||
	    g_file_test(as->save_path, G_FILE_TEST_IS_DIR)) {
		dir = g_strdup(as->save_path);
		base = NULL; /* the attachment's own name */
	} else {
		dir = g_path_get_dirname(as->save_path);
		base = g_path_get_basename(as->save_path);
	}
	char *saved = NULL, *err = NULL;
	enum mime_view_status st =
	    mime_attachment_save(as->view, index, dir, base, overwrite, &saved, &err);
	if (st == MIME_VIEW_OK) {
		size_t n;
		char *size = size_text(list(as, &n)[index].size);
		ui_set_status(ui, false, _("Saved %s (%s)."), saved, size);
		g_free(size);
	} else if (st == MIME_VIEW_ERR_EXISTS) {
		g_free(as->save_path);
		as->save_path = g_strdup(saved);
		char *q = g_strdup_printf(_("%s exists. Overwrite it? (y/n)"), saved);
		ui_confirm(ui, q, 'y');
		g_free(q);
	} else {
		ui_set_status(ui, true, _("Cannot save the attachment: %s"), err ? err : "");
	}
	g_free(saved);
	g_free(err);
	g_free(base);
	g_free(dir);
}

static void attach_answer(struct ui_screen *s, struct ui *ui, bool yes)
{
	struct attach_screen *as = (struct attach_screen *)s;
	if (yes && as->save_path)
		save(as, ui, as->job_index, true);
	else
		ui_set_status(ui, false, "%s", _("Not saved."));
}

/* ---- the bytes ------------------------------------------------------------ */

/* Is there any viewer for the type?  Asked before fetching, so a part
 * nothing can show is not downloaded for nothing. */
static bool have_viewer(struct ui *ui, const char *type)
{
	if (ui->cfg->general.attachment_command)
		return true;
	char *home = g_build_filename(g_get_home_dir(), ".mailcap", NULL);
	const char *files[] = {home, "/etc/mailcap", NULL};
	char *cmd = mime_mailcap_lookup(type, "", files, NULL);
	g_free(home);
	g_free(cmd);
	return cmd != NULL;
}

static void perform(struct attach_screen *as, struct ui *ui, enum attach_action action,
                    size_t index)
{
	GBytes *bytes = NULL;
	size_t n;
	const struct mime_attachment *atts = list(as, &n);
	if (index >= n)
		return;
	const struct mime_attachment *a = &atts[index];
	g_autofree char *type = mime_shell_safe_type(a->content_type);
	if (action == ACT_VIEW && !have_viewer(ui, type)) {
		ui_set_status(ui, true,
		              _("No viewer for %s: set attachment_command in the config file "
		                "or add a mailcap entry."),
		              type);
		return;
	}
	enum mime_view_status st = mime_attachment_bytes(as->view, index, &bytes);
	as->job_index = index;
	if (st == MIME_VIEW_ERR_NOT_FETCHED) {
		char *size = size_text(a->size);
		as->action = action;
		as->job = app_account_fetch_part(as->acc, as->folder, as->msg, a->section);
		ui_set_status(ui, false, _("Fetching the attachment (%s)..."), size);
		g_free(size);
		return;
	}
	if (st != MIME_VIEW_OK) {
		ui_set_status(ui, true, "%s", _("There is no such attachment."));
		return;
	}
	if (action == ACT_VIEW)
		view(as, ui, index, bytes);
	else
		save(as, ui, index, false);
	g_bytes_unref(bytes);
}

static void save_done(struct ui *ui, void *ctx, const char *text)
{
	struct attach_screen *as = ctx;
	if (!text || !*text)
		return;
	g_free(as->save_path);
	if (text[0] == '~' && (text[1] == '/' || !text[1]))
		as->save_path = g_strconcat(g_get_home_dir(), text + 1, NULL);
	else
		as->save_path = g_strdup(text);
	perform(as, ui, ACT_SAVE, (size_t)as->selected);
}

static void ask_save(struct attach_screen *as, struct ui *ui)
{
	size_t n;
	const struct mime_attachment *a = list(as, &n);
	if ((size_t)as->selected >= n)
		return;
	char *name = mime_attachment_safe_name(a[as->selected].filename, (size_t)as->selected);
	char *dl = g_build_filename(g_get_home_dir(), "Downloads", NULL);
	char *dir = g_file_test(dl, G_FILE_TEST_IS_DIR) ? g_strdup(dl) : g_get_current_dir();
	char *initial = g_build_filename(dir, name, NULL);
	ui_prompt(ui, _("Save to: "), initial, ui_complete_path, save_done, as);
	g_free(initial);
	g_free(dir);
	g_free(dl);
	g_free(name);
}

static bool attach_key(struct ui_screen *s, struct ui *ui, wint_t key, bool fn)
{
	struct attach_screen *as = (struct attach_screen *)s;
	size_t n;
	list(as, &n);
	int last = MAX((int)n - 1, 0);

	if (ui_confirm_pending(ui))
		return false;
	if ((fn && key == KEY_DOWN) || (!fn && key == 'j'))
		as->selected = MIN(as->selected + 1, last);
	else if ((fn && key == KEY_UP) || (!fn && key == 'k'))
		as->selected = MAX(as->selected - 1, 0);
	else if (fn && key == KEY_HOME)
		as->selected = 0;
	else if (fn && key == KEY_END)
		as->selected = last;
	else if (((fn && key == KEY_ENTER) ||
	          (!fn && (key == '\r' || key == '\n' || key == 's'))) &&
	         as->job)
		ui_set_status(ui, false, "%s", _("Still fetching the attachment..."));
	else if ((fn && key == KEY_ENTER) || (!fn && (key == '\r' || key == '\n'))) {
		if (n)
			perform(as, ui, ACT_VIEW, (size_t)as->selected);
	} else if (!fn && key == 's')
		ask_save(as, ui);
	else
		return false;
	return true;
}

static void attach_event(struct ui_screen *s, struct ui *ui, struct app_event *ev)
{
	struct attach_screen *as = (struct attach_screen *)s;
	if (ev->account != app_account_index(as->acc) || !as->job || ev->job != as->job)
		return;
	if (ev->type == APP_EV_PROGRESS) {
		/* ev counts encoded octets; the list shows the decoded size:
		 * name that one and let the bar give the share. */
		size_t n;
		const struct mime_attachment *atts = list(as, &n);
		char *size = size_text(as->job_index < n ? atts[as->job_index].size : -1);
		ui_set_progress(ui, ev->done, ev->total, _("Fetching the attachment (%s)..."), size);
		g_free(size);
	} else if (ev->type == (enum app_event_type)APP_EV_PART) {
		const struct app_part *part = ev->data;
		as->job = 0;
		mime_view_set_attachment_bytes(as->view, as->job_index, part->bytes);
		enum attach_action action = as->action;
		as->action = ACT_NONE;
		perform(as, ui, action, as->job_index);
	} else if (ev->type == APP_EV_JOB_DONE && ev->status != 0) {
		as->job = 0;
		as->action = ACT_NONE;
		ui_set_status(ui, true, "%s",
		              ev->text ? ev->text : _("Cannot fetch the attachment."));
	}
}

static void attach_destroy(struct ui_screen *s)
{
	struct attach_screen *as = (struct attach_screen *)s;
	if (as->job) {
		app_account_cancel(as->acc, as->job);
		/* The progress text was ours: say what became of it. */
		ui_set_status(as->ui, false, "%s", _("Attachment download cancelled."));
	}
	app_msg_free(as->msg);
	g_free(as->folder);
	g_free(as->title);
	g_free(as->save_path);
	g_free(as);
}

struct ui_screen *ui_attach_screen_new(struct ui *ui, struct app_account *acc, const char *folder,
                                       const struct app_msg *msg, struct mime_view *view)
{
	struct attach_screen *as = g_new0(struct attach_screen, 1);
	as->ui = ui;
	as->base.name = "attachments";
	as->base.title = attach_title;
	as->base.draw = attach_draw;
	as->base.key = attach_key;
	as->base.event = attach_event;
	as->base.answer = attach_answer;
	as->base.destroy = attach_destroy;
	as->base.bindings = attach_bindings;
	as->acc = acc;
	as->folder = g_strdup(folder);
	as->msg = ui_msg_identity(msg);
	as->view = view;
	as->title = g_strdup_printf(_("Attachments: %s"), msg->subject ? msg->subject : "");
	/* Start on the first part that is not shown inline. */
	size_t n;
	const struct mime_attachment *a = mime_view_attachments(view, &n);
	for (size_t i = 0; i < n; i++)
		if (!a[i].shown) {
			as->selected = (int)i;
			break;
		}
	return &as->base;
}
