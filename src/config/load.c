/* load.c - reading the file: lines, sections, "key = value", quoting. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "config/config_private.h"
#include "core/core.h"
#include "core/i18n.h"

/* A config file is a few kilobytes; anything near this is a mistake. */
#define CFG_MAX_SIZE (1024 * 1024)

void cfg_diag(struct cfg_loader *ld, enum config_severity sev, int line, const char *fmt, ...)
{
	struct config_diag *d = g_new0(struct config_diag, 1);
	va_list ap;

	d->severity = sev;
	d->file = g_strdup(ld->cfg->path);
	d->line = line;
	va_start(ap, fmt);
	d->message = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_ptr_array_add(ld->cfg->diags, d);
}

static void diag_free(gpointer p)
{
	struct config_diag *d = p;

	g_free(d->file);
	g_free(d->message);
	g_free(d);
}

static void account_free(gpointer p)
{
	struct config_account *a = p;

	g_free(a->name);
	g_free(a->from);
	g_free(a->display_name);
	cfg_url_clear(&a->imap);
	cfg_url_clear(&a->pop3);
	cfg_url_clear(&a->smtp);
	g_free(a->user);
	if (a->password)
		core_wipe(a->password);
	g_free(a->password);
	g_free(a->password_command);
	g_free(a->oauth_token_command);
	g_free(a->maildir);
	g_free(a->sent_folder);
	g_free(a->drafts_folder);
	g_free(a->signature_file);
	g_free(a->tls_ca_file);
	g_free(a->tls_fingerprint);
	cfg_folders_free(a->folders);
	g_free(a);
}

static void state_free(gpointer p)
{
	struct cfg_account_state *st = p;

	g_free(st->from_name);
	g_free(st);
}

static bool valid_account_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!g_ascii_isalnum(*s) && *s != '-' && *s != '_' && *s != '.')
			return false;
	return true;
}

static void open_account(struct cfg_loader *ld, const char *name, int line)
{
	struct config_account *a;
	struct cfg_account_state *st;

	if (!valid_account_name(name)) {
		cfg_diag(ld, CONFIG_ERROR, line,
		         _("invalid account name \"%s\": use letters, digits, '-', '_' and '.'"),
		         name);
		ld->sec = CFG_SEC_SKIP;
		return;
	}
	for (guint i = 0; i < ld->cfg->accounts->len; i++) {
		a = g_ptr_array_index(ld->cfg->accounts, i);
		if (strcmp(a->name, name) == 0) {
			cfg_diag(ld, CONFIG_ERROR, line,
			         _("duplicate account \"%s\" (first defined at line %d)"), name,
			         a->line);
			ld->sec = CFG_SEC_SKIP;
			return;
		}
	}
	a = g_new0(struct config_account, 1);
	a->name = g_strdup(name);
	a->line = line;
	a->keep = CONFIG_KEEP_NO;
	a->check_interval = 300;
	a->timeout = 30;
	a->body_cache = true;
	g_ptr_array_add(ld->cfg->accounts, a);
	st = g_new0(struct cfg_account_state, 1);
	st->a = a;
	g_ptr_array_add(ld->states, st);
	ld->cur = st;
	ld->sec = CFG_SEC_ACCOUNT;
}

/* s is the trimmed line, starting with '['. */
static void parse_section(struct cfg_loader *ld, char *s, int line)
{
	size_t n = strlen(s);
	char *inner;

	ld->cur = NULL;
	ld->sec = CFG_SEC_SKIP;
	if (s[n - 1] != ']') {
		cfg_diag(ld, CONFIG_ERROR, line, _("a section header must end with ']'"));
		return;
	}
	s[n - 1] = '\0';
	inner = g_strstrip(s + 1);
	if (strcmp(inner, "general") == 0) {
		if (ld->general_section_line) {
			cfg_diag(ld, CONFIG_ERROR, line,
			         _("duplicate [general] section (first at line %d)"),
			         ld->general_section_line);
			return;
		}
		ld->general_section_line = line;
		ld->sec = CFG_SEC_GENERAL;
	} else if (strcmp(inner, "account") == 0) {
		cfg_diag(ld, CONFIG_ERROR, line, _("[account] needs a name: [account NAME]"));
	} else if (g_str_has_prefix(inner, "account") && g_ascii_isspace(inner[7])) {
		open_account(ld, g_strstrip(inner + 7), line);
	} else {
		cfg_diag(ld, CONFIG_ERROR, line,
		         _("unknown section [%s]: expected [general] or [account NAME]"), inner);
	}
}

/* A value wholly in double quotes keeps its surrounding spaces; \" and
 * \\ inside stand for " and \.  A value that only starts with a quoted
 * part ("Jane Doe" <jane@example.org>) is taken as written.  Returns
 * owned, or NULL after a diagnostic. */
static char *unquote(struct cfg_loader *ld, const char *v, int line)
{
	GString *out;
	const char *p;

	if (*v != '"')
		return g_strdup(v);
	out = g_string_new(NULL);
	for (p = v + 1; *p && *p != '"'; p++) {
		if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
			p++;
		g_string_append_c(out, *p);
	}
	if (*p != '"') {
		cfg_diag(ld, CONFIG_ERROR, line, _("missing closing quote '\"'"));
		g_string_free(out, TRUE);
		return NULL;
	}
	if (p[1]) {
		g_string_free(out, TRUE);
		return g_strdup(v);
	}
	return g_string_free(out, FALSE);
}

static void parse_line(struct cfg_loader *ld, char *raw, int line)
{
	char *s = g_strstrip(raw);
	char *eq, *key, *value;

	if (!*s || *s == '#' || *s == ';')
		return;
	if (!g_utf8_validate(s, -1, NULL)) {
		cfg_diag(ld, CONFIG_ERROR, line, _("the line is not valid UTF-8"));
		return;
	}
	if (*s == '[') {
		parse_section(ld, s, line);
		return;
	}
	eq = strchr(s, '=');
	if (!eq) {
		cfg_diag(ld, CONFIG_ERROR, line,
		         _("expected \"key = value\" or a [section] header"));
		return;
	}
	*eq = '\0';
	key = g_strstrip(s);
	if (!*key) {
		cfg_diag(ld, CONFIG_ERROR, line, _("missing key name before '='"));
		return;
	}
	switch (ld->sec) {
	case CFG_SEC_SKIP:
		return; /* the section header was already reported */
	case CFG_SEC_NONE:
		cfg_diag(ld, CONFIG_ERROR, line,
		         _("key \"%s\" is outside a section: put it under [general] or "
		           "[account NAME]"),
		         key);
		return;
	default:
		break;
	}
	value = unquote(ld, g_strstrip(eq + 1), line);
	if (!value)
		return;
	if (ld->sec == CFG_SEC_GENERAL)
		cfg_set_general_key(ld, key, value, line);
	else
		cfg_set_account_key(ld, key, value, line);
	if (strstr(key, "password"))
		core_wipe(value);
	g_free(value);
}

static void parse_text(struct cfg_loader *ld, char *text)
{
	int line = 1;
	char *p = text;

	while (p && *p) {
		char *nl = strchr(p, '\n');

		if (nl)
			*nl = '\0';
		parse_line(ld, p, line++);
		p = nl ? nl + 1 : NULL;
	}
}

static void set_general_defaults(struct config_general *g)
{
	g->html_command = g_strdup("w3m -dump -T text/html");
	g->pager_headers = g_strsplit("From To Cc Date Subject", " ", -1);
	g->sort = g_strdup("date");
}

char *config_default_path(void)
{
	return core_xdg_path(CORE_XDG_CONFIG, "config");
}

struct config *config_load(const char *path)
{
	struct config *cfg = g_new0(struct config, 1);
	struct cfg_loader ld = {0};
	struct stat st;
	char *text = NULL;
	size_t len = 0;
	int r;

	cfg->path = g_strdup(path);
	cfg->accounts = g_ptr_array_new_with_free_func(account_free);
	cfg->diags = g_ptr_array_new_with_free_func(diag_free);
	set_general_defaults(&cfg->general);
	ld.cfg = cfg;
	ld.states = g_ptr_array_new_with_free_func(state_free);

	r = core_read_file(path, CFG_MAX_SIZE, &text, &len);
	if (r < 0) {
		cfg_diag(&ld, CONFIG_ERROR, 0, _("cannot read the config file: %s"),
		         g_strerror(-r));
		goto out;
	}
	if (strlen(text) != len) {
		cfg_diag(&ld, CONFIG_ERROR, 0, _("the config file contains NUL bytes"));
		goto out;
	}
	if (stat(path, &st) == 0 && (st.st_mode & 077))
		ld.mode_insecure = true;
	parse_text(&ld, text);
	cfg_validate(&ld);
out:
	if (text) {
		explicit_bzero(text, len); /* it may hold passwords */
		g_free(text);
	}
	g_ptr_array_free(ld.states, TRUE);
	return cfg;
}

bool config_has_errors(const struct config *cfg)
{
	for (guint i = 0; i < cfg->diags->len; i++) {
		const struct config_diag *d = g_ptr_array_index(cfg->diags, i);

		if (d->severity == CONFIG_ERROR)
			return true;
	}
	return false;
}

void config_free(struct config *cfg)
{
	if (!cfg)
		return;
	g_free(cfg->path);
	g_free(cfg->general.default_account);
	g_free(cfg->general.editor);
	g_free(cfg->general.html_command);
	g_strfreev(cfg->general.pager_headers);
	g_free(cfg->general.sort);
	g_free(cfg->general.attachment_command);
	g_ptr_array_free(cfg->accounts, TRUE);
	g_ptr_array_free(cfg->diags, TRUE);
	g_free(cfg);
}

struct config_account *config_account_find(struct config *cfg, const char *name)
{
	for (guint i = 0; i < cfg->accounts->len; i++) {
		struct config_account *a = g_ptr_array_index(cfg->accounts, i);

		if (strcmp(a->name, name) == 0)
			return a;
	}
	return NULL;
}
