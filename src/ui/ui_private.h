/* ui_private.h - shared by the files of src/ui/ only. */
#ifndef MAILTUI_UI_PRIVATE_H
#define MAILTUI_UI_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>
#include <wchar.h>

#include <curses.h>
#include <glib.h>

#include "mime/mime.h"

struct config;
struct app;
struct app_event;
struct app_account;
struct app_msg;
struct app_cert_question;
struct ui;

/* One key binding of a screen; the help screen lists them. */
struct ui_binding {
	const char *keys;        /* as shown: "j, Down" */
	const char *description; /* N_() marked, translated when shown */
};

/* A screen on the stack: the top one draws the body and gets the keys. */
struct ui_screen {
	const char *name;
	const char *(*title)(struct ui_screen *s);   /* translated, borrowed */
	void (*draw)(struct ui_screen *s, struct ui *ui, int top, int rows, int cols);
	/* true when the key was used; unknown keys fall to the global ones. */
	bool (*key)(struct ui_screen *s, struct ui *ui, wint_t key, bool is_fn_key);
	void (*event)(struct ui_screen *s, struct ui *ui, struct app_event *ev);
	/* The answer to this screen's ui_confirm() question. */
	void (*answer)(struct ui_screen *s, struct ui *ui, bool yes);
	void (*destroy)(struct ui_screen *s);
	const struct ui_binding *bindings; /* terminated by { NULL, NULL } */
	struct ui_screen *below;
	/* Optional.  resume: on top again, the screen above closed (refresh
	 * what may have changed meanwhile).  retry: do again what failed
	 * (a certificate was just accepted). */
	void (*resume)(struct ui_screen *s, struct ui *ui);
	void (*retry)(struct ui_screen *s, struct ui *ui);
};

struct ui {
	struct config *cfg;
	struct app *app;
	GPtrArray *accounts;   /* of struct app_account*, owned */
	struct mime_view_opts view_opts; /* for every opened message */
	char *confirm;         /* a pending yes/no question, owned */
	int confirm_yes;       /* the key that answers yes */
	struct ui_screen *confirm_for;
	struct app_cert_question *cert; /* a pending certificate question, owned */
	struct ui_prompt *prompt; /* a pending line prompt, owned (prompt.c) */
	int cert_account;
	char *cert_text;    /* its description (issuer, fingerprint), safe, owned */
	struct ui_screen *top;
	char *status;       /* one line, terminal-safe, owned */
	uint64_t progress_done, progress_total; /* a bar after the status; total 0: none */
	bool status_error;
	bool dirty;         /* redraw at the next idle */
	bool quitting;      /* screens are being closed for good: no resume */
	bool confirm_quit;  /* the pending question is "quit with a message unsent?" */
	GPtrArray *rescued; /* paths of unsent messages kept when quitting, owned */
	bool colors;
};

/* screen.c */
void ui_push(struct ui *ui, struct ui_screen *s);
void ui_pop(struct ui *ui);
void ui_set_status(struct ui *ui, bool error, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The status line with a progress bar for done of total (long work:
 * sending, fetching an attachment, loading headers).  The next
 * ui_set_status() removes the bar. */
void ui_set_progress(struct ui *ui, uint64_t done, uint64_t total, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void ui_redraw(struct ui *ui);
/* Draw already terminal-safe text at y,x in exactly cols columns. */
void ui_draw_text(int y, int x, const char *text, int cols, int attr);

/* Ask a yes/no question in the status line; the answer goes to the
 * top screen's answer().  yes_key: the key meaning yes ('y'). */
void ui_confirm(struct ui *ui, const char *question, int yes_key);
bool ui_confirm_pending(const struct ui *ui);
struct app_account *ui_account_by_name(struct ui *ui, const char *name);

/* prompt.c - a line prompt in the status line.  The user edits one line
 * (Left/Right, Home/End or ^A/^E, Backspace, Delete, ^U, ^K, ^W); Tab
 * completes through complete (NULL: no completion): it returns candidate
 * lines for the whole text typed so far (owned array of owned strings; the
 * prompt frees it); the first Tab inserts their longest common prefix, the
 * next ones step through them.  Enter answers, Escape or ^G cancels.
 * done is called exactly once: with the text (borrowed, UTF-8, may be
 * empty) or NULL when cancelled (also when another prompt replaces this
 * one), so the caller frees ctx there.  While a prompt is pending every
 * key goes to it. */
struct ui_prompt;
typedef GPtrArray *(*ui_prompt_complete_fn)(void *ctx, const char *text);
typedef void (*ui_prompt_done_fn)(struct ui *ui, void *ctx, const char *text);
void ui_prompt(struct ui *ui, const char *question, const char *initial,
	ui_prompt_complete_fn complete, ui_prompt_done_fn done, void *ctx);
bool ui_prompt_pending(const struct ui *ui);
/* Cancel a pending prompt (its done gets NULL). */
void ui_prompt_cancel(struct ui *ui);
/* For screen.c: a key while the prompt is pending; draw it in row. */
void ui_prompt_key(struct ui *ui, wint_t key, bool fn);
void ui_prompt_draw(struct ui *ui, int row, int cols);
/* The question as drawn in cols columns: whole (terminal-safe) unless
 * that leaves fewer than UI_PROMPT_MIN_ROOM columns for the answer;
 * then cut with an ellipsis.  Owned. */
#define UI_PROMPT_MIN_ROOM 12
char *ui_prompt_fit_question(const char *question, int cols);
/* Completion helpers.  Words of words[0..n) starting with text, ignoring
 * case, sorted; file names for a path typed so far ("~/" expanded,
 * directories end in "/", hidden files only when asked with a dot). */
GPtrArray *ui_complete_words(const char *const *words, guint n, const char *text);
GPtrArray *ui_complete_path(void *ctx, const char *text);

/* accounts.c - the first screen */
struct ui_screen *ui_accounts_screen_new(struct config *cfg);
/* folders.c, index.c, pager.c - reading mail */
struct ui_screen *ui_folders_screen_new(struct ui *ui, struct app_account *acc, const char *name);
struct ui_screen *ui_index_screen_new(struct ui *ui, struct app_account *acc, const char *folder,
	const char *display);
struct ui_screen *ui_pager_screen_new(struct ui *ui, struct app_account *acc, const char *folder,
	const struct app_msg *msg);
/* G on the folders and index screens: fetch new mail of acc (POP3),
 * saying so in the status line.  The job id, 0 when one already runs. */
uint64_t ui_fetch(struct ui *ui, struct app_account *acc);

/* The folder ids (owned array of owned strings) of acc's selectable
 * folders, from its folders screen on the stack; NULL when none has
 * them yet.  Lets the index complete folder names without asking the
 * server again. */
GPtrArray *ui_folders_known(struct ui *ui, struct app_account *acc);
/* index.c: move the selection of an index screen by delta rows; the
 * message now selected (borrowed until the index changes), or NULL when
 * there is none that way (the selection stays). */
const struct app_msg *ui_index_step(struct ui_screen *index, int delta);
/* attach.c - the attachments of a pager's view (borrowed: the pager is
 * below and outlives this screen). */
struct ui_screen *ui_attach_screen_new(struct ui *ui, struct app_account *acc, const char *folder,
	const struct app_msg *msg, struct mime_view *view);
/* pager.c: show a view that is not a message (a viewer's text output);
 * view owned by the screen. */
struct ui_screen *ui_pager_text_screen_new(const char *title, struct mime_view *view);
/* A copy of m's identity (uid, key, path), flags, size and subject, for
 * a screen that outlives the index's row.  Owned: app_msg_free(). */
struct app_msg *ui_msg_identity(const struct app_msg *m);

/* find.c - pure search helpers.  ui_text_find: the first match of needle
 * in hay at or after byte from, ignoring case (per character); its byte
 * range in *start, *end.  ui_next_match: the next row (after from, in
 * the direction of step, wrapping) for which is_match holds, or -1;
 * *wrapped when it went past an end (a lone match at from itself comes
 * back with *wrapped set). */
bool ui_text_find(const char *hay, const char *needle, size_t from, size_t *start, size_t *end);
int ui_next_match(int nrows, int from, int step, bool (*is_match)(int row, void *ctx), void *ctx,
	bool *wrapped);
/* compose.c - writing: the editor, then the review screen (issue 5). */
enum ui_compose_kind {
	UI_COMPOSE_NEW, UI_COMPOSE_REPLY, UI_COMPOSE_REPLY_ALL, UI_COMPOSE_REPLY_LIST,
	UI_COMPOSE_FORWARD, UI_COMPOSE_FORWARD_ATTACH, UI_COMPOSE_RESUME, UI_COMPOSE_OUTBOX,
};
/* Push the compose screen: folder/msg (borrowed, copied) are the original
 * or the draft to resume (NULL for a new message); outbox_id the outbox
 * entry to edit (UI_COMPOSE_OUTBOX). */
void ui_compose_start(struct ui *ui, struct app_account *acc, enum ui_compose_kind kind,
	const char *folder, const struct app_msg *msg, const char *outbox_id);
/* The writing keys of the index and the pager (m r g L f A R) on msg
 * (may be NULL); true when key was one of them. */
/* When s is a compose screen holding an unsent message: write it (the
 * edit text, attachments as Attach: lines) to $XDG_STATE_HOME/mailtui/
 * drafts/ and return the path (owned); else NULL.  For quitting on a
 * signal: nothing typed is lost. */
char *ui_compose_rescue(struct ui_screen *s);
bool ui_compose_key(struct ui *ui, struct app_account *acc, const char *folder,
	const struct app_msg *msg, wint_t key, bool fn);
/* outbox.c */
struct ui_screen *ui_outbox_screen_new(struct ui *ui, struct app_account *acc);
/* addrbook.c - addresses seen this run, for completion (UI thread). */
void ui_addrbook_add(const char *name, const char *addr);
GPtrArray *ui_addrbook_complete(void *ctx, const char *text);
void ui_addrbook_clear(void);
/* Ask acc's store for its addresses (POP3: notmuch's) in the background,
 * once, and again after a fetch brought mail; ui_addrbook_event (every
 * event, from on_event) merges the answer. */
void ui_addrbook_want(struct app_account *acc);
void ui_addrbook_event(const struct app_event *ev);
/* "Name <addr>", the name quoted when it needs it; addr alone without
 * a name.  Owned. */
char *ui_address_format(const char *name, const char *addr);

/* help.c */
struct ui_screen *ui_help_screen_new(const struct ui_screen *of);

/* colours */
enum ui_color {
	UI_COLOR_BAR = 1, UI_COLOR_SELECTED, UI_COLOR_ERROR, UI_COLOR_HEADER,
	UI_COLOR_QUOTE1, UI_COLOR_QUOTE2, UI_COLOR_QUOTE3,
};

#endif
