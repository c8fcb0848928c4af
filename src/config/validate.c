/* validate.c - checks that need the whole file: required keys, keys that
 * do not fit the mode, TLS consistency, file permissions. */
#include <string.h>

#include "config/config_private.h"
#include "core/i18n.h"

static void require(struct cfg_loader *ld, struct cfg_account_state *st, enum cfg_account_key k)
{
	if (!st->lines[k])
		cfg_diag(ld, CONFIG_ERROR, st->a->line,
		         _("account \"%s\": the required key %s is missing"), st->a->name,
		         cfg_account_key_name(k));
}

static void unused(struct cfg_loader *ld, struct cfg_account_state *st, enum cfg_account_key k)
{
	if (st->lines[k])
		cfg_diag(ld, CONFIG_WARNING, st->lines[k],
		         _("%s is ignored: account \"%s\" uses mode = %s"), cfg_account_key_name(k),
		         st->a->name, config_mode_name(st->a->mode));
}

static void check_credentials(struct cfg_loader *ld, struct cfg_account_state *st)
{
	int pw = st->lines[CFG_K_PASSWORD], cmd = st->lines[CFG_K_PASSWORD_COMMAND];

	if (pw && cmd) {
		cfg_diag(ld, CONFIG_ERROR, MAX(pw, cmd),
		         _("password (line %d) and password_command (line %d) are both given: "
		           "keep only one"),
		         pw, cmd);
	} else if (!pw && !cmd && !st->lines[CFG_K_OAUTH_TOKEN_COMMAND]) {
		cfg_diag(ld, CONFIG_ERROR, st->a->line,
		         _("account \"%s\": the required key password_command (or password) is "
		           "missing"),
		         st->a->name);
	}
	/* A password readable by others is an error, not a warning: the
	 * secret has already leaked if we only warn. */
	if (pw && ld->mode_insecure)
		cfg_diag(ld, CONFIG_ERROR, pw,
		         _("this file holds a password and is readable by other users: run "
		           "\"chmod 600 %s\" or use password_command"),
		         ld->cfg->path);
}

static void check_mode_keys(struct cfg_loader *ld, struct cfg_account_state *st)
{
	if (!st->lines[CFG_K_MODE]) {
		require(ld, st, CFG_K_MODE);
		return;
	}
	if (!st->mode_valid)
		return;
	if (st->a->mode == CONFIG_MODE_IMAP) {
		require(ld, st, CFG_K_IMAP_URL);
		unused(ld, st, CFG_K_POP3_URL);
		unused(ld, st, CFG_K_MAILDIR);
		unused(ld, st, CFG_K_KEEP);
		unused(ld, st, CFG_K_FOLDERS);
	} else {
		require(ld, st, CFG_K_POP3_URL);
		require(ld, st, CFG_K_MAILDIR);
		unused(ld, st, CFG_K_IMAP_URL);
	}
}

static void check_tls(struct cfg_loader *ld, struct cfg_account_state *st)
{
	struct config_account *a = st->a;
	struct config_url *urls[] = {&a->imap, &a->pop3, &a->smtp};
	static const enum cfg_account_key keys[] = {CFG_K_IMAP_URL, CFG_K_POP3_URL, CFG_K_SMTP_URL};
	bool contradiction = false;

	if (!a->tls_none)
		return;
	for (size_t i = 0; i < G_N_ELEMENTS(urls); i++) {
		if (!urls[i]->set)
			continue;
		if (urls[i]->tls == CONFIG_TLS_IMPLICIT) {
			cfg_diag(ld, CONFIG_ERROR, st->lines[CFG_K_TLS],
			         _("tls = none contradicts %s (line %d): %s:// always uses TLS"),
			         cfg_account_key_name(keys[i]), st->lines[keys[i]],
			         urls[i]->scheme);
			contradiction = true;
		} else {
			urls[i]->tls = CONFIG_TLS_NONE;
		}
	}
	if (!contradiction)
		cfg_diag(ld, CONFIG_WARNING, st->lines[CFG_K_TLS],
		         _("tls = none: account \"%s\" sends its password and mail unencrypted"),
		         a->name);
}

static void check_account(struct cfg_loader *ld, struct cfg_account_state *st)
{
	struct config_account *a = st->a;

	check_mode_keys(ld, st);
	require(ld, st, CFG_K_FROM);
	require(ld, st, CFG_K_USER);
	check_credentials(ld, st);
	check_tls(ld, st);
	if (!st->lines[CFG_K_SMTP_URL])
		cfg_diag(ld, CONFIG_WARNING, a->line,
		         _("account \"%s\" has no smtp_url: it cannot send mail"), a->name);
	if (!a->display_name && st->from_name)
		a->display_name = g_strdup(st->from_name);
}

static gint by_line(gconstpointer pa, gconstpointer pb)
{
	const struct config_diag *a = *(struct config_diag *const *)pa;
	const struct config_diag *b = *(struct config_diag *const *)pb;

	return (a->line > b->line) - (a->line < b->line);
}

void cfg_validate(struct cfg_loader *ld)
{
	struct config *cfg = ld->cfg;
	int line = ld->general_lines[CFG_G_DEFAULT_ACCOUNT];

	for (guint i = 0; i < ld->states->len; i++)
		check_account(ld, g_ptr_array_index(ld->states, i));
	if (cfg->accounts->len == 0)
		cfg_diag(ld, CONFIG_ERROR, 0,
		         _("no account is configured: add an [account NAME] section"));
	if (cfg->general.default_account) {
		if (!config_account_find(cfg, cfg->general.default_account))
			cfg_diag(ld, CONFIG_ERROR, line,
			         _("default_account \"%s\" is not an account of this file"),
			         cfg->general.default_account);
	} else if (cfg->accounts->len > 0) {
		struct config_account *first = g_ptr_array_index(cfg->accounts, 0);

		cfg->general.default_account = g_strdup(first->name);
	}
	/* Stable since GLib 2.32: same-line messages keep their order. */
	g_ptr_array_sort(cfg->diags, by_line);
}
