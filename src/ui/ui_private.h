/* ui_private.h - shared by the files of src/ui/ only. */
#ifndef MAILTUI_UI_PRIVATE_H
#define MAILTUI_UI_PRIVATE_H

#include <stdbool.h>
#include <wchar.h>

#include <curses.h>

struct config;
struct app;
struct app_event;
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
	void (*destroy)(struct ui_screen *s);
	const struct ui_binding *bindings; /* terminated by { NULL, NULL } */
	struct ui_screen *below;
};

struct ui {
	struct config *cfg;
	struct app *app;
	struct ui_screen *top;
	char *status;       /* one line, terminal-safe, owned */
	bool status_error;
	bool dirty;         /* redraw at the next idle */
	bool colors;
};

/* screen.c */
void ui_push(struct ui *ui, struct ui_screen *s);
void ui_pop(struct ui *ui);
void ui_set_status(struct ui *ui, bool error, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void ui_redraw(struct ui *ui);
/* Draw already terminal-safe text at y,x in exactly cols columns. */
void ui_draw_text(int y, int x, const char *text, int cols, int attr);

/* accounts.c - the first screen */
struct ui_screen *ui_accounts_screen_new(struct config *cfg);

/* help.c */
struct ui_screen *ui_help_screen_new(const struct ui_screen *of);

/* colours */
enum ui_color { UI_COLOR_BAR = 1, UI_COLOR_SELECTED, UI_COLOR_ERROR, UI_COLOR_HEADER };

#endif
