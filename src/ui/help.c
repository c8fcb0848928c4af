/* help.c - the key help of the screen below it. */
#include <curses.h>
#include <glib.h>

#include "core/core.h"
#include "core/i18n.h"
#include "ui/ui_private.h"

struct help_screen {
	struct ui_screen base;
	const struct ui_binding *bindings; /* borrowed from the screen below */
	int scroll;
};

static const struct ui_binding help_bindings[] = {
	{ "j, k, Up, Down", N_("scroll") },
	{ "q", N_("close the help") },
	{ NULL, NULL },
};

static const char *help_title(struct ui_screen *s)
{
	(void)s;
	return _("Help");
}

static void help_draw(struct ui_screen *s, struct ui *ui, int top, int rows, int cols)
{
	struct help_screen *hs = (struct help_screen *)s;
	(void)ui;
	int n = 0;
	while (hs->bindings && hs->bindings[n].keys)
		n++;
	hs->scroll = CLAMP(hs->scroll, 0, MAX(n - rows + 1, 0));
	/* The key column: as wide as its widest entry, within a third. */
	int key_w = 1;
	for (int i = 0; i < n; i++)
		key_w = MAX(key_w, core_text_width(hs->bindings[i].keys));
	key_w = MIN(key_w, MAX(cols / 3, 1));
	ui_draw_text(top, 0, _("Keys on this screen (q closes the help):"), cols, A_BOLD);
	for (int i = 0; i + 1 < rows && hs->scroll + i < n; i++) {
		const struct ui_binding *b = &hs->bindings[hs->scroll + i];
		char *keys = core_text_fit(b->keys, key_w, true);
		char *line = g_strdup_printf("  %s  %s", keys, _(b->description));
		ui_draw_text(top + 1 + i, 0, line, cols, A_NORMAL);
		g_free(line);
		g_free(keys);
	}
}

static bool help_key(struct ui_screen *s, struct ui *ui, wint_t key, bool fn)
{
	struct help_screen *hs = (struct help_screen *)s;
	(void)ui;
	if ((fn && key == KEY_DOWN) || (!fn && key == 'j'))
		hs->scroll++;
	else if ((fn && key == KEY_UP) || (!fn && key == 'k'))
		hs->scroll = MAX(hs->scroll - 1, 0);
	else
		return false;
	return true;
}

static void help_destroy(struct ui_screen *s)
{
	g_free(s);
}

struct ui_screen *ui_help_screen_new(const struct ui_screen *of)
{
	struct help_screen *hs = g_new0(struct help_screen, 1);
	hs->base.name = "help";
	hs->base.title = help_title;
	hs->base.draw = help_draw;
	hs->base.key = help_key;
	hs->base.destroy = help_destroy;
	hs->base.bindings = help_bindings;
	hs->bindings = of->bindings;
	return &hs->base;
}
