/* compose.c - writing a message: the draft goes to the editor as a 0600
 * temporary file with its headers on top, then to the review screen
 * (recipients with completion, attachments, send, postpone, abort).
 *
 * A draft is never lost: text that does not parse goes back to the
 * editor on request or is kept in a file; sending and postponing hand a
 * copy to the worker and the screen stays until the worker says the
 * message is safe (in the outbox, sent, or in Drafts). */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
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

enum compose_state {
	C_FETCHING, /* waiting for the original (reply, forward, resume) */
	C_REVIEW,
	C_SENDING, /* a send or postpone job runs: the draft is not ours to change */
};

enum compose_question { Q_NONE, Q_ABORT, Q_EDIT_AGAIN, Q_NO_SUBJECT };

struct compose_screen {
	struct ui_screen base;
	struct app_account *acc;
	enum ui_compose_kind kind;
	enum compose_state state;
	enum compose_question question;
	struct mime_draft *draft; /* owned; NULL while fetching */
	char *tmpdir;             /* private directory for attachments we wrote; owned */
	char *folder;             /* of the original or the resumed draft; owned */
	struct app_msg *msg;      /* the original or the resumed draft; owned copy */
	char *outbox_id;          /* an outbox entry being edited; owned */
	char *bad_text;           /* the editor's text that did not parse; owned */
	uint64_t job;
	bool postponing;
	bool done;    /* finished while another screen was on top */
	bool keep_tmpdir; /* rescued: the kept text names files in tmpdir */
	int selected; /* attachment */
};

static const struct ui_binding compose_bindings[] = {
    {"y", N_("send the message")},
    {"e", N_("edit the message again")},
    {"t, c, b", N_("edit To, Cc or Bcc (Tab completes addresses)")},
    {"s", N_("edit the subject")},
    {"a", N_("attach a file (Tab completes paths)")},
    {"D", N_("detach the selected attachment")},
    {"j, k, Down, Up", N_("select an attachment")},
    {"P", N_("postpone: keep it in Drafts")},
    {"q", N_("abort (asks first)")},
    {NULL, NULL},
};

static const char *compose_title(struct ui_screen *s)
{
	(void)s;
	return _("Compose");
}

/* ---- the editor ---- */

static const char *editor_command(struct ui *ui)
{
	const char *ed = ui->cfg->general.editor;
	if (!ed || !*ed)
		ed = getenv("VISUAL");
	if (!ed || !*ed)
		ed = getenv("EDITOR");
	if (!ed || !*ed)
		ed = "vi";
	return ed;
}

/* Run the editor on path with the screen handed over; its exit status,
 * or -1 when it could not start. */
static int run_editor(struct ui *ui, const char *path)
{
	char *cmd = g_strdup_printf("%s \"$1\"", editor_command(ui));
	struct sigaction ign = {.sa_handler = SIG_IGN}, old_int, old_quit;
	int status = -1;

	def_prog_mode();
	endwin();
	/* Ctrl-C in the editor is the editor's, not a reason to quit. */
	sigemptyset(&ign.sa_mask);
	sigaction(SIGINT, &ign, &old_int);
	sigaction(SIGQUIT, &ign, &old_quit);
	pid_t pid = fork();
	if (pid == 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGQUIT, SIG_DFL);
		execl("/bin/sh", "sh", "-c", cmd, "sh", path, (char *)NULL);
		_exit(127);
	}
	if (pid > 0) {
		int st;
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	}
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGQUIT, &old_quit, NULL);
	reset_prog_mode();
	clearok(curscr, TRUE);
	refresh();
	ui->dirty = true;
	g_free(cmd);
	return status;
}

/* Keep text that could not be read back, so nothing typed is lost. */
static char *rescue(const char *text)
{
	char *dir = core_xdg_path(CORE_XDG_STATE, "drafts");
	char *name = g_strdup_printf("draft-%lld.txt", (long long)g_get_real_time());
	char *path = g_build_filename(dir, name, NULL);
	if (core_mkdir_p(dir, 0700) < 0 || core_atomic_write(path, text, strlen(text), 0600) < 0)
		g_clear_pointer(&path, g_free);
	g_free(name);
	g_free(dir);
	return path;
}

static void compose_close(struct ui *ui, struct compose_screen *cs)
{
	if (ui->top == &cs->base)
		ui_pop(ui);
	else
		cs->done = true; /* closes at its next key */
}

/* Edit text (the draft's, or text that failed before) in the editor and
 * read it back.  On success the draft is replaced. */
static void edit(struct ui *ui, struct compose_screen *cs, bool first)
{
	char *before = cs->bad_text ? g_strdup(cs->bad_text) : mime_draft_to_edit_text(cs->draft);
	char *path = NULL;
	GError *gerr = NULL;
	int fd = g_file_open_tmp("mailtui-draft-XXXXXX.txt", &path, &gerr);

	g_clear_pointer(&cs->bad_text, g_free);
	if (fd < 0 || core_write_all(fd, before, strlen(before)) < 0) {
		ui_set_status(ui, true, _("Cannot create the temporary file: %s"),
		              gerr ? gerr->message : g_strerror(errno));
		if (fd >= 0) {
			close(fd);
			g_unlink(path);
		}
		g_clear_error(&gerr);
		g_free(path);
		g_free(before);
		if (first && cs->kind == UI_COMPOSE_NEW)
			compose_close(ui, cs);
		return;
	}
	close(fd);
	int rc = run_editor(ui, path);
	char *after = NULL;
	gsize len = 0;
	bool read_ok = g_file_get_contents(path, &after, &len, NULL);
	g_unlink(path);
	g_free(path);

	if (rc != 0) {
		ui_set_status(ui, true,
		              _("The editor failed (exit status %d); the message is as before."),
		              rc);
		g_free(after);
		g_free(before);
		if (first && cs->kind == UI_COMPOSE_NEW)
			compose_close(ui, cs);
		return;
	}
	if (!read_ok) {
		ui_set_status(ui, true, "%s",
		              _("Cannot read the edited message back; it is as before."));
		g_free(before);
		return;
	}
	/* Nothing written in a new message: nothing to keep. */
	if (first && cs->kind == UI_COMPOSE_NEW && strcmp(after, before) == 0) {
		ui_set_status(ui, false, "%s", _("Nothing was written; the message is aborted."));
		g_free(after);
		g_free(before);
		compose_close(ui, cs);
		return;
	}
	struct mime_error err = {0};
	if (mime_draft_apply_edit_text(cs->draft, after, len, &err) != MIME_OK) {
		cs->bad_text = after;
		cs->question = Q_EDIT_AGAIN;
		char *q =
		    err.status == MIME_ERR_NOT_UTF8
		        ? g_strdup_printf(_("Line %d is not UTF-8 text. Edit again? (y/n)"),
		                          err.line)
		        : g_strdup_printf(_("Line %d is not a header line (\"Name: value\") or "
		                            "names a header that cannot be set. Edit again? (y/n)"),
		                          err.line);
		ui_confirm(ui, q, 'y');
		g_free(q);
		g_free(before);
		return;
	}
	g_free(after);
	g_free(before);
	cs->selected = 0;
}

/* ---- making the draft ---- */

static char *from_line(const struct config_account *a)
{
	return ui_address_format(a->display_name, a->from);
}

/* The signature block for a new text, or "". */
static char *signature(const struct config_account *a)
{
	char *sig = NULL;
	size_t len = 0;
	if (!a->signature_file || core_read_file(a->signature_file, 64 << 10, &sig, &len) < 0 ||
	    !g_utf8_validate(sig, (gssize)len, NULL)) {
		g_free(sig);
		return g_strdup("");
	}
	char *s = g_strdup_printf("\n-- \n%s%s", sig, len && sig[len - 1] == '\n' ? "" : "\n");
	g_free(sig);
	return s;
}

static void add_signature(struct compose_screen *cs)
{
	char *sig = signature(app_account_config(cs->acc));
	if (*sig) {
		char *body = g_strconcat(cs->draft->body ? cs->draft->body : "", sig, NULL);
		g_free(cs->draft->body);
		cs->draft->body = body;
	}
	g_free(sig);
}

static char *mime_problem(const struct mime_error *e)
{
	switch (e->status) {
	case MIME_ERR_NO_LIST:
		return g_strdup(_(
		    "This message has no List-Post header: it did not come from a mailing list."));
	case MIME_ERR_ATTACHMENT:
		return g_strdup(_("Cannot keep the draft's attachments."));
	default:
		return g_strdup_printf(_("Cannot read the message (%s)."),
		                       mime_status_name(e->status));
	}
}

/* The original arrived: make the draft and open the editor. */
static void got_raw(struct ui *ui, struct compose_screen *cs, GBytes *raw)
{
	const struct config_account *a = app_account_config(cs->acc);
	gsize len = 0;
	const char *data = g_bytes_get_data(raw, &len);
	struct mime_error err = {0};
	enum mime_status st = MIME_OK;
	const char *me[] = {a->from, NULL};
	/* TRANSLATORS: the line before a quoted reply: %d is the date, %n
	 * the name of the person who wrote the message. */
	const struct mime_reply_opts ro = {.me = me, .attribution = _("On %d, %n wrote:")};
	bool fresh = true;

	switch (cs->kind) {
	case UI_COMPOSE_REPLY:
	case UI_COMPOSE_REPLY_ALL:
	case UI_COMPOSE_REPLY_LIST:
		st = mime_reply_draft(data, len,
		                      cs->kind == UI_COMPOSE_REPLY       ? MIME_REPLY_SENDER
		                      : cs->kind == UI_COMPOSE_REPLY_ALL ? MIME_REPLY_ALL
		                                                         : MIME_REPLY_LIST,
		                      &ro, &cs->draft, &err);
		break;
	case UI_COMPOSE_FORWARD:
		st = mime_forward_draft(data, len, _("---------- Forwarded message ----------"),
		                        NULL, &cs->draft, &err);
		break;
	case UI_COMPOSE_FORWARD_ATTACH: {
		char *subject = cs->msg && cs->msg->subject && *cs->msg->subject
		                    ? g_strconcat(cs->msg->subject, ".eml", NULL)
		                    : g_strdup("message.eml");
		char *name = mime_attachment_safe_name(subject, 0);
		char *path = g_build_filename(cs->tmpdir, name, NULL);
		if (core_atomic_write(path, data, len, 0600) < 0)
			st = err.status = MIME_ERR_ATTACHMENT;
		else
			st = mime_forward_draft(data, len, NULL, path, &cs->draft, &err);
		g_free(path);
		g_free(name);
		g_free(subject);
		break;
	}
	case UI_COMPOSE_RESUME:
	case UI_COMPOSE_OUTBOX:
		st = mime_draft_from_message(data, len, cs->tmpdir, &cs->draft, &err);
		fresh = false;
		break;
	case UI_COMPOSE_NEW:
		break;
	}
	if (st != MIME_OK || !cs->draft) {
		char *t = mime_problem(&err);
		ui_set_status(ui, true, "%s", t);
		g_free(t);
		compose_close(ui, cs);
		return;
	}
	if (fresh) {
		cs->draft->from = from_line(a);
		if (cs->kind == UI_COMPOSE_FORWARD || cs->kind == UI_COMPOSE_FORWARD_ATTACH ||
		    cs->kind == UI_COMPOSE_REPLY || cs->kind == UI_COMPOSE_REPLY_ALL ||
		    cs->kind == UI_COMPOSE_REPLY_LIST)
			add_signature(cs);
	}
	cs->state = C_REVIEW;
	edit(ui, cs, true);
}

/* ---- the review screen ---- */

static void draw_field(int y, int cols, const char *label, const char *value)
{
	char *safe = core_safe_text(value ? value : "", (size_t)-1, false);
	ui_draw_text(y, 0, label, 10, A_BOLD);
	ui_draw_text(y, 10, safe, cols - 10, A_NORMAL);
	g_free(safe);
}

static char *size_text(goffset size)
{
	return size < 0 ? g_strdup("?") : g_format_size((guint64)size);
}

static void compose_draw(struct ui_screen *s, struct ui *ui, int top, int rows, int cols)
{
	struct compose_screen *cs = (struct compose_screen *)s;
	(void)ui;
	if (cs->done) {
		ui_draw_text(top + 1, 2, _("Done. Press any key."), cols - 2, A_NORMAL);
		return;
	}
	if (!cs->draft) {
		ui_draw_text(top + 1, 2, _("Fetching the original message..."), cols - 2, A_NORMAL);
		return;
	}
	const struct mime_draft *d = cs->draft;
	int y = top;
	/* TRANSLATORS: labels of the review screen; keep them short. */
	draw_field(y++, cols, _("From:"), d->from);
	draw_field(y++, cols, _("To:"), d->to);
	draw_field(y++, cols, _("Cc:"), d->cc);
	draw_field(y++, cols, _("Bcc:"), d->bcc);
	draw_field(y++, cols, _("Subject:"), d->subject);
	y++;
	guint n = d->attachments->len;
	if (n == 0) {
		ui_draw_text(y++, 0, _("No attachments."), cols, A_DIM);
	} else {
		ui_draw_text(y++, 0, _("Attachments:"), cols, A_BOLD);
		for (guint i = 0; i < n && y < top + rows - 2; i++) {
			const char *path = d->attachments->pdata[i];
			GStatBuf sb;
			goffset size = g_stat(path, &sb) == 0 ? (goffset)sb.st_size : -1;
			char *base = g_path_get_basename(path);
			char *sz = size_text(size);
			char *raw = g_strdup_printf("  %u. %s  (%s)", i + 1, base, sz);
			char *safe = core_safe_text(raw, (size_t)-1, false);
			ui_draw_text(y++, 0, safe, cols,
			             (int)i == cs->selected ? A_REVERSE : A_NORMAL);
			g_free(safe);
			g_free(raw);
			g_free(sz);
			g_free(base);
		}
	}
	y++;
	/* The first lines of the text, as a reminder. */
	char *body = core_safe_text(d->body ? d->body : "", (size_t)-1, true);
	char **lines = g_strsplit(body, "\n", -1);
	for (int i = 0; lines[i] && y < top + rows; i++)
		ui_draw_text(y++, 2, lines[i], cols - 2, A_DIM);
	g_strfreev(lines);
	g_free(body);
}

struct field_ctx {
	struct compose_screen *cs;
	char **slot;
};

static void field_done(struct ui *ui, void *ctx, const char *text)
{
	struct field_ctx *f = ctx;
	if (text) {
		g_free(*f->slot);
		*f->slot = *text ? g_strdup(text) : NULL;
		ui->dirty = true;
	}
	g_free(f);
}

static void ask_field(struct ui *ui, struct compose_screen *cs, const char *question, char **slot,
                      bool addresses)
{
	struct field_ctx *f = g_new0(struct field_ctx, 1);
	f->cs = cs;
	f->slot = slot;
	ui_prompt(ui, question, *slot ? *slot : "", addresses ? ui_addrbook_complete : NULL,
	          field_done, f);
}

static void attach_done(struct ui *ui, void *ctx, const char *text)
{
	struct compose_screen *cs = ctx;
	if (!text || !*text)
		return;
	char *path = text[0] == '~' && (text[1] == '/' || !text[1])
	                 ? g_strconcat(g_get_home_dir(), text + 1, NULL)
	                 : g_strdup(text);
	if (!g_file_test(path, G_FILE_TEST_IS_REGULAR) || access(path, R_OK) != 0) {
		char *safe = core_safe_text(path, (size_t)-1, false);
		ui_set_status(ui, true, _("Cannot attach %s: not a readable file."), safe);
		g_free(safe);
		g_free(path);
		return;
	}
	if (!g_path_is_absolute(path)) {
		char *abs = g_canonicalize_filename(path, NULL);
		g_free(path);
		path = abs;
	}
	g_ptr_array_add(cs->draft->attachments, path);
	cs->selected = (int)cs->draft->attachments->len - 1;
	ui->dirty = true;
}

static struct app_send_ref make_ref(struct compose_screen *cs)
{
	struct app_send_ref ref = {0};
	switch (cs->kind) {
	case UI_COMPOSE_REPLY:
	case UI_COMPOSE_REPLY_ALL:
	case UI_COMPOSE_REPLY_LIST:
		ref.reply_folder = cs->folder;
		ref.reply_msg = cs->msg;
		break;
	case UI_COMPOSE_RESUME:
		ref.draft_folder = cs->folder;
		ref.draft_msg = cs->msg;
		break;
	case UI_COMPOSE_OUTBOX:
		ref.outbox_id = cs->outbox_id;
		break;
	default:
		break;
	}
	return ref;
}

static void start_send(struct ui *ui, struct compose_screen *cs, bool postpone)
{
	struct app_send_ref ref = make_ref(cs);
	cs->postponing = postpone;
	cs->state = C_SENDING;
	if (cs->postponing) {
		cs->job = app_account_postpone(cs->acc, mime_draft_copy(cs->draft), &ref);
		ui_set_status(ui, false, "%s", _("Postponing..."));
	} else {
		cs->job = app_account_send(cs->acc, mime_draft_copy(cs->draft), &ref);
		ui_set_status(ui, false, "%s", _("Sending..."));
	}
}

static bool blank(const char *text)
{
	return !text || strspn(text, " \t") == strlen(text);
}

static bool compose_key(struct ui_screen *s, struct ui *ui, wint_t key, bool fn)
{
	struct compose_screen *cs = (struct compose_screen *)s;
	if (fn && key == KEY_RESIZE)
		return false;
	if (cs->done) {
		compose_close(ui, cs);
		return true;
	}
	if (cs->state == C_FETCHING) {
		if (!fn && key == 'q') {
			app_account_cancel(cs->acc, cs->job);
			compose_close(ui, cs);
			return true;
		}
		return !(!fn && key == '?');
	}
	if (cs->state == C_SENDING) {
		if (!fn && key == '?')
			return false;
		ui_set_status(ui, false, "%s",
		              cs->postponing ? _("Postponing...") : _("Sending..."));
		return true;
	}
	struct mime_draft *d = cs->draft;
	int n = (int)d->attachments->len;
	if (!fn && key == 'q') {
		cs->question = Q_ABORT;
		ui_confirm(ui, _("Abort this message? It is not kept. (y/n)"), 'y');
	} else if (!fn && key == 'e') {
		edit(ui, cs, false);
	} else if (!fn && key == 't') {
		ask_field(ui, cs, _("To: "), &d->to, true);
	} else if (!fn && key == 'c') {
		ask_field(ui, cs, _("Cc: "), &d->cc, true);
	} else if (!fn && key == 'b') {
		ask_field(ui, cs, _("Bcc: "), &d->bcc, true);
	} else if (!fn && key == 's') {
		ask_field(ui, cs, _("Subject: "), &d->subject, false);
	} else if (!fn && key == 'a') {
		ui_prompt(ui, _("Attach file: "), "", ui_complete_path, attach_done, cs);
	} else if (!fn && key == 'D') {
		if (n == 0) {
			ui_set_status(ui, true, "%s", _("There is no attachment to detach."));
		} else {
			g_ptr_array_remove_index(d->attachments,
			                         (guint)CLAMP(cs->selected, 0, n - 1));
			cs->selected = MIN(cs->selected, MAX(n - 2, 0));
		}
	} else if ((fn && key == KEY_DOWN) || (!fn && key == 'j')) {
		cs->selected = MIN(cs->selected + 1, MAX(n - 1, 0));
	} else if ((fn && key == KEY_UP) || (!fn && key == 'k')) {
		cs->selected = MAX(cs->selected - 1, 0);
	} else if (!fn && key == 'y' && blank(d->subject)) {
		/* Like mutt's abort_nosubject: a subject is easy to forget. */
		cs->question = Q_NO_SUBJECT;
		ui_confirm(ui, _("No subject. Send anyway? (y/n)"), 'y');
	} else if (!fn && (key == 'y' || key == 'P')) {
		start_send(ui, cs, key == 'P');
	} else {
		return false;
	}
	return true;
}

static void compose_answer(struct ui_screen *s, struct ui *ui, bool yes)
{
	struct compose_screen *cs = (struct compose_screen *)s;
	enum compose_question q = cs->question;
	cs->question = Q_NONE;
	if (q == Q_ABORT && yes) {
		ui_set_status(ui, false, "%s", _("Message aborted."));
		compose_close(ui, cs);
	} else if (q == Q_NO_SUBJECT && yes) {
		start_send(ui, cs, false);
	} else if (q == Q_NO_SUBJECT) {
		ui_set_status(ui, false, "%s", _("Not sent: press s to give it a subject."));
	} else if (q == Q_EDIT_AGAIN && yes) {
		edit(ui, cs, false);
	} else if (q == Q_EDIT_AGAIN) {
		/* Back to the last good draft; what was typed is kept aside. */
		char *path = rescue(cs->bad_text);
		if (path)
			ui_set_status(ui, true,
			              _("The edited text is kept in %s; the message is as before."),
			              path);
		else
			ui_set_status(
			    ui, true, "%s",
			    _("The edited text could not be kept; the message is as before."));
		g_free(path);
		g_clear_pointer(&cs->bad_text, g_free);
	}
}

static void compose_event(struct ui_screen *s, struct ui *ui, struct app_event *ev)
{
	struct compose_screen *cs = (struct compose_screen *)s;
	if (ev->account != app_account_index(cs->acc) || ev->job != cs->job || !cs->job)
		return;
	if (ev->type == (enum app_event_type)APP_EV_RAW && cs->state == C_FETCHING) {
		got_raw(ui, cs, ev->data); /* may close this screen: nothing after */
		return;
	}
	if (ev->type == APP_EV_PROGRESS && ev->text) {
		ui_set_progress(ui, ev->done, ev->total, "%s", ev->text);
		return;
	}
	if (ev->type != APP_EV_JOB_DONE && ev->type != APP_EV_JOB_CANCELLED)
		return;
	if (cs->state == C_FETCHING) {
		if (ev->status != 0 || ev->type == APP_EV_JOB_CANCELLED) {
			ui_set_status(ui, true, "%s",
			              ev->text ? ev->text : _("Cannot fetch the message."));
			compose_close(ui, cs);
		}
		return;
	}
	if (cs->state != C_SENDING)
		return;
	cs->job = 0;
	if (ev->status < 0 || ev->type == APP_EV_JOB_CANCELLED) {
		/* Nothing was stored: the draft is still here to fix. */
		cs->state = C_REVIEW;
		ui_set_status(ui, true, "%s", ev->text ? ev->text : _("The message was not sent."));
		return;
	}
	if (ui_confirm_pending(ui))
		; /* a certificate question is in the status line: it comes first */
	else if (cs->postponing)
		ui_set_status(ui, ev->text != NULL, "%s",
		              ev->text ? ev->text : _("Message postponed."));
	else if (ev->status == APP_SEND_QUEUED)
		ui_set_status(ui, true, "%s",
		              ev->text ? ev->text : _("The message waits in the outbox."));
	else
		ui_set_status(ui, ev->text != NULL, "%s", ev->text ? ev->text : _("Message sent."));
	compose_close(ui, cs);
}

static void remove_tree(const char *dir)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *name;
	while (d && (name = g_dir_read_name(d))) {
		char *p = g_build_filename(dir, name, NULL);
		g_unlink(p);
		g_free(p);
	}
	if (d)
		g_dir_close(d);
	g_rmdir(dir);
}

char *ui_compose_rescue(struct ui_screen *s)
{
	if (g_strcmp0(s->name, "compose") != 0)
		return NULL;
	struct compose_screen *cs = (struct compose_screen *)s;
	/* A message being sent is in the outbox already. */
	if (cs->state == C_SENDING || cs->done || (!cs->draft && !cs->bad_text))
		return NULL;
	char *text = cs->bad_text ? g_strdup(cs->bad_text) : mime_draft_to_edit_text(cs->draft);
	char *path = rescue(text);
	g_free(text);
	if (path)
		cs->keep_tmpdir = true;
	return path;
}

static void compose_destroy(struct ui_screen *s)
{
	struct compose_screen *cs = (struct compose_screen *)s;
	if (cs->state == C_FETCHING && cs->job)
		app_account_cancel(cs->acc, cs->job);
	mime_draft_free(cs->draft);
	if (cs->tmpdir && !cs->keep_tmpdir)
		remove_tree(cs->tmpdir);
	g_free(cs->tmpdir);
	g_free(cs->folder);
	app_msg_free(cs->msg);
	g_free(cs->outbox_id);
	g_free(cs->bad_text);
	g_free(cs);
}

void ui_compose_start(struct ui *ui, struct app_account *acc, enum ui_compose_kind kind,
                      const char *folder, const struct app_msg *msg, const char *outbox_id)
{
	struct compose_screen *cs = g_new0(struct compose_screen, 1);
	cs->base.name = "compose";
	cs->base.title = compose_title;
	cs->base.draw = compose_draw;
	cs->base.key = compose_key;
	cs->base.event = compose_event;
	cs->base.answer = compose_answer;
	cs->base.destroy = compose_destroy;
	cs->base.bindings = compose_bindings;
	cs->acc = acc;
	cs->kind = kind;
	cs->folder = g_strdup(folder);
	cs->msg = msg ? app_msg_copy(msg) : NULL;
	cs->outbox_id = g_strdup(outbox_id);
	cs->tmpdir = g_dir_make_tmp("mailtui-XXXXXX", NULL);
	if (!cs->tmpdir) {
		ui_set_status(ui, true, _("Cannot create a temporary directory: %s"),
		              g_strerror(errno));
		compose_destroy(&cs->base);
		return;
	}
	ui_push(ui, &cs->base);
	/* Queued behind the original's fetch, before the editor runs. */
	if (kind != UI_COMPOSE_NEW)
		cs->job = kind == UI_COMPOSE_OUTBOX ? app_account_outbox_read(acc, outbox_id)
		                                    : app_account_fetch_raw(acc, folder, msg);
	ui_addrbook_want(acc);
	if (kind == UI_COMPOSE_NEW) {
		cs->draft = mime_draft_new();
		cs->draft->from = from_line(app_account_config(acc));
		cs->draft->body = g_strdup("");
		add_signature(cs);
		cs->state = C_REVIEW;
		edit(ui, cs, true);
		return;
	}
	cs->state = C_FETCHING;
}

bool ui_compose_key(struct ui *ui, struct app_account *acc, const char *folder,
                    const struct app_msg *msg, wint_t key, bool fn)
{
	static const struct {
		wint_t key;
		enum ui_compose_kind kind;
	} keys[] = {
	    {'m', UI_COMPOSE_NEW},       {'r', UI_COMPOSE_REPLY},
	    {'g', UI_COMPOSE_REPLY_ALL}, {'L', UI_COMPOSE_REPLY_LIST},
	    {'f', UI_COMPOSE_FORWARD},   {'A', UI_COMPOSE_FORWARD_ATTACH},
	    {'R', UI_COMPOSE_RESUME},
	};
	if (fn)
		return false;
	for (size_t i = 0; i < G_N_ELEMENTS(keys); i++) {
		if (keys[i].key != key)
			continue;
		if (!app_account_config(acc)->smtp.set && keys[i].kind != UI_COMPOSE_RESUME) {
			ui_set_status(ui, true, "%s",
			              _("This account has no smtp_url, so it cannot send."));
			return true;
		}
		if (keys[i].kind != UI_COMPOSE_NEW && !msg) {
			ui_set_status(ui, true, "%s", _("No message is selected."));
			return true;
		}
		if (keys[i].kind == UI_COMPOSE_RESUME && !(msg->flags & APP_MSG_DRAFT)) {
			ui_set_status(
			    ui, true, "%s",
			    _("This is not a draft: R resumes messages of the Drafts folder."));
			return true;
		}
		ui_compose_start(ui, acc, keys[i].kind, folder, msg, NULL);
		return true;
	}
	return false;
}
