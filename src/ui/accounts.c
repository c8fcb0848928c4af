/* accounts.c - the first screen: one line per configured account. */
#include <curses.h>
#include <glib.h>

#include "config/config.h"
#include "core/core.h"
#include "core/i18n.h"
#include "ui/ui_private.h"

struct accounts_screen {
	struct ui_screen base;
	struct config *cfg;
	int selected;
	int scroll;
};

static const struct ui_binding accounts_bindings[] = {
	{ "j, Down", N_("next account") },
	{ "k, Up", N_("previous account") },
	{ "Home, End", N_("first or last account") },
	{ "Enter", N_("open the account") },
	{ "O", N_("the outbox: messages waiting to be sent") },
	{ "?", N_("this help") },
	{ "Ctrl-L", N_("redraw the screen") },
	{ "q", N_("quit") },
	{ NULL, NULL },
};

static const char *accounts_title(struct ui_screen *s)
{
	(void)s;
	return _("Accounts");
}

static const struct config_url *account_url(const struct config_account *a)
{
	return a->mode == CONFIG_MODE_IMAP ? &a->imap : &a->pop3;
}

static void accounts_draw(struct ui_screen *s, struct ui *ui, int top, int rows, int cols)
{
	struct accounts_screen *as = (struct accounts_screen *)s;
	GPtrArray *accs = as->cfg->accounts;
	(void)ui;

	if (accs->len == 0) {
		ui_draw_text(top + 1, 2, _("No accounts are configured. See mailtui.conf(5)."), cols - 2, A_NORMAL);
		return;
	}
	ui_draw_text(top, 0, "", cols, A_NORMAL);
	/* TRANSLATORS: column headings of the account list; keep the widths. */
	char *head = g_strdup_printf("  %-20s %-6s %s", _("Account"), _("Mode"), _("Server"));
	ui_draw_text(top, 0, head, cols, A_BOLD);
	g_free(head);

	int body = rows - 1;
	if (as->selected < as->scroll)
		as->scroll = as->selected;
	if (as->selected >= as->scroll + body)
		as->scroll = as->selected - body + 1;
	for (int i = 0; i < body && as->scroll + i < (int)accs->len; i++) {
		int idx = as->scroll + i;
		const struct config_account *a = g_ptr_array_index(accs, idx);
		const struct config_url *u = account_url(a);
		char *name = core_safe_text(a->name, (size_t)-1, false);
		char *name_col = core_text_fit(name, 20, true);
		char *host = core_safe_text(u->host ? u->host : "", (size_t)-1, false);
		char *line = g_strdup_printf("  %s %-6s %s:%u (%s)", name_col,
			config_mode_name(a->mode), host, u->port, config_tls_name(u->tls));
		int attr = idx == as->selected ? A_REVERSE : A_NORMAL;
		ui_draw_text(top + 1 + i, 0, line, cols, attr);
		g_free(line);
		g_free(host);
		g_free(name_col);
		g_free(name);
	}
}

static bool accounts_key(struct ui_screen *s, struct ui *ui, wint_t key, bool fn)
{
	struct accounts_screen *as = (struct accounts_screen *)s;
	int n = (int)as->cfg->accounts->len;

	if ((fn && key == KEY_DOWN) || (!fn && key == 'j'))
		as->selected = MIN(as->selected + 1, MAX(n - 1, 0));
	else if ((fn && key == KEY_UP) || (!fn && key == 'k'))
		as->selected = MAX(as->selected - 1, 0);
	else if (fn && key == KEY_HOME)
		as->selected = 0;
	else if (fn && key == KEY_END)
		as->selected = MAX(n - 1, 0);
	else if (n > 0 && !fn && key == 'O') {
		const struct config_account *a = g_ptr_array_index(as->cfg->accounts, as->selected);
		ui_push(ui, ui_outbox_screen_new(ui, ui_account_by_name(ui, a->name)));
	} else if (n > 0 && ((fn && key == KEY_ENTER) || (!fn && (key == '\r' || key == '\n')))) {
		const struct config_account *a = g_ptr_array_index(as->cfg->accounts, as->selected);
		ui_push(ui, ui_folders_screen_new(ui, ui_account_by_name(ui, a->name), a->name));
	} else
		return false;
	return true;
}

static void accounts_destroy(struct ui_screen *s)
{
	g_free(s);
}

struct ui_screen *ui_accounts_screen_new(struct config *cfg)
{
	struct accounts_screen *as = g_new0(struct accounts_screen, 1);
	as->base.name = "accounts";
	as->base.title = accounts_title;
	as->base.draw = accounts_draw;
	as->base.key = accounts_key;
	as->base.destroy = accounts_destroy;
	as->base.bindings = accounts_bindings;
	as->cfg = cfg;
	return &as->base;
}
