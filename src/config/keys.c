/* keys.c - the known keys of each section and how their values parse. */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include "config/config_private.h"
#include "core/i18n.h"

/* Longest check_interval or timeout: a week; more is surely a typo. */
#define CFG_MAX_SECONDS (7 * 24 * 3600)
#define CFG_MAX_KEEP_DAYS 36500

typedef void (*account_setter)(struct cfg_loader *ld, struct cfg_account_state *st,
                               enum cfg_account_key k, const char *v, int line);

static void set_mode(struct cfg_loader *, struct cfg_account_state *, enum cfg_account_key,
                     const char *, int);
static void set_from(struct cfg_loader *, struct cfg_account_state *, enum cfg_account_key,
                     const char *, int);
static void set_string(struct cfg_loader *, struct cfg_account_state *, enum cfg_account_key,
                       const char *, int);
static void set_url(struct cfg_loader *, struct cfg_account_state *, enum cfg_account_key,
                    const char *, int);
static void set_path(struct cfg_loader *, struct cfg_account_state *, enum cfg_account_key,
                     const char *, int);
static void set_keep(struct cfg_loader *, struct cfg_account_state *, enum cfg_account_key,
                     const char *, int);
static void set_seconds(struct cfg_loader *, struct cfg_account_state *, enum cfg_account_key,
                        const char *, int);
static void set_fingerprint(struct cfg_loader *, struct cfg_account_state *, enum cfg_account_key,
                            const char *, int);
static void set_tls(struct cfg_loader *, struct cfg_account_state *, enum cfg_account_key,
                    const char *, int);
static void set_folders(struct cfg_loader *, struct cfg_account_state *, enum cfg_account_key,
                        const char *, int);
static void set_body_cache(struct cfg_loader *, struct cfg_account_state *,
                           enum cfg_account_key, const char *, int);

static const struct {
	const char *name;
	account_setter set;
	size_t field; /* offset of the char * field, for set_string and set_path */
} account_keys[CFG_ACCOUNT_KEY_COUNT] = {
    [CFG_K_MODE] = {"mode", set_mode, 0},
    [CFG_K_FROM] = {"from", set_from, 0},
    [CFG_K_NAME] = {"name", set_string, offsetof(struct config_account, display_name)},
    [CFG_K_IMAP_URL] = {"imap_url", set_url, 0},
    [CFG_K_POP3_URL] = {"pop3_url", set_url, 0},
    [CFG_K_SMTP_URL] = {"smtp_url", set_url, 0},
    [CFG_K_USER] = {"user", set_string, offsetof(struct config_account, user)},
    [CFG_K_PASSWORD] = {"password", set_string, offsetof(struct config_account, password)},
    [CFG_K_PASSWORD_COMMAND] = {"password_command", set_string,
                                offsetof(struct config_account, password_command)},
    [CFG_K_OAUTH_TOKEN_COMMAND] = {"oauth_token_command", set_string,
                                   offsetof(struct config_account, oauth_token_command)},
    [CFG_K_MAILDIR] = {"maildir", set_path, offsetof(struct config_account, maildir)},
    [CFG_K_KEEP] = {"keep", set_keep, 0},
    [CFG_K_CHECK_INTERVAL] = {"check_interval", set_seconds, 0},
    [CFG_K_SENT_FOLDER] = {"sent_folder", set_string, offsetof(struct config_account, sent_folder)},
    [CFG_K_DRAFTS_FOLDER] = {"drafts_folder", set_string,
                             offsetof(struct config_account, drafts_folder)},
    [CFG_K_SIGNATURE_FILE] = {"signature_file", set_path,
                              offsetof(struct config_account, signature_file)},
    [CFG_K_TLS_CA_FILE] = {"tls_ca_file", set_path, offsetof(struct config_account, tls_ca_file)},
    [CFG_K_TLS_FINGERPRINT] = {"tls_fingerprint", set_fingerprint, 0},
    [CFG_K_TLS] = {"tls", set_tls, 0},
    [CFG_K_TIMEOUT] = {"timeout", set_seconds, 0},
    [CFG_K_FOLDERS] = {"folders", set_folders, 0},
    [CFG_K_BODY_CACHE] = {"body_cache", set_body_cache, 0},
};

static const char *const general_keys[CFG_GENERAL_KEY_COUNT] = {
    [CFG_G_DEFAULT_ACCOUNT] = "default_account",
    [CFG_G_EDITOR] = "editor",
    [CFG_G_HTML_COMMAND] = "html_command",
    [CFG_G_PAGER_HEADERS] = "pager_headers",
    [CFG_G_SORT] = "sort",
    [CFG_G_ATTACHMENT_COMMAND] = "attachment_command",
    [CFG_G_COLLAPSE_THREADS] = "collapse_threads",
};

const char *cfg_account_key_name(enum cfg_account_key k)
{
	return account_keys[k].name;
}

int cfg_edit_distance(const char *a, const char *b, int cap)
{
	size_t la = strlen(a), lb = strlen(b);
	int *prev, *cur, d;

	if ((la > lb ? la - lb : lb - la) > (size_t)cap)
		return cap + 1;
	prev = g_new(int, lb + 1);
	cur = g_new(int, lb + 1);
	for (size_t j = 0; j <= lb; j++)
		prev[j] = (int)j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = (int)i;
		for (size_t j = 1; j <= lb; j++) {
			int sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
			int del = prev[j] + 1, ins = cur[j - 1] + 1;

			cur[j] = MIN(sub, MIN(del, ins));
		}
		memcpy(prev, cur, (lb + 1) * sizeof *prev);
	}
	d = prev[lb];
	g_free(prev);
	g_free(cur);
	return MIN(d, cap + 1);
}

/* The closest of names[0..n) to key within 2 edits, or NULL. */
static const char *suggest(const char *key, const char *const *names, size_t stride, int n)
{
	const char *best = NULL;
	int best_d = 3;
	char *lower = g_ascii_strdown(key, -1);

	for (int i = 0; i < n; i++) {
		const char *name = *(const char *const *)((const char *)names + i * stride);
		int d = cfg_edit_distance(lower, name, 2);

		if (d < best_d) {
			best_d = d;
			best = name;
		}
	}
	g_free(lower);
	return best;
}

static void unknown_key(struct cfg_loader *ld, const char *key, const char *hint, int line)
{
	if (hint)
		cfg_diag(ld, CONFIG_ERROR, line, _("unknown key \"%s\" (did you mean %s?)"), key,
		         hint);
	else
		cfg_diag(ld, CONFIG_ERROR, line, _("unknown key \"%s\""), key);
}

void cfg_set_account_key(struct cfg_loader *ld, const char *key, const char *value, int line)
{
	struct cfg_account_state *st = ld->cur;
	int k;

	for (k = 0; k < CFG_ACCOUNT_KEY_COUNT; k++)
		if (strcmp(key, account_keys[k].name) == 0)
			break;
	if (k == CFG_ACCOUNT_KEY_COUNT) {
		unknown_key(ld, key,
		            suggest(key, &account_keys[0].name, sizeof account_keys[0],
		                    CFG_ACCOUNT_KEY_COUNT),
		            line);
		return;
	}
	if (st->lines[k]) {
		cfg_diag(ld, CONFIG_ERROR, line, _("%s is given twice (first at line %d)"), key,
		         st->lines[k]);
		return;
	}
	/* Remembered even when the value is bad, so the key is not also
	 * reported as missing. */
	st->lines[k] = line;
	if (!*value) {
		cfg_diag(ld, CONFIG_ERROR, line, _("%s has no value"), key);
		return;
	}
	account_keys[k].set(ld, st, k, value, line);
}

static bool valid_header_name(const char *s)
{
	for (; *s; s++)
		if (*s < 33 || *s > 126 || *s == ':')
			return false;
	return true;
}

void cfg_set_general_key(struct cfg_loader *ld, const char *key, const char *value, int line)
{
	struct config_general *g = &ld->cfg->general;
	char **parts;
	GPtrArray *hdrs;
	int k;

	for (k = 0; k < CFG_GENERAL_KEY_COUNT; k++)
		if (strcmp(key, general_keys[k]) == 0)
			break;
	if (k == CFG_GENERAL_KEY_COUNT) {
		unknown_key(
		    ld, key,
		    suggest(key, general_keys, sizeof general_keys[0], CFG_GENERAL_KEY_COUNT),
		    line);
		return;
	}
	if (ld->general_lines[k]) {
		cfg_diag(ld, CONFIG_ERROR, line, _("%s is given twice (first at line %d)"), key,
		         ld->general_lines[k]);
		return;
	}
	ld->general_lines[k] = line;
	if (!*value) {
		cfg_diag(ld, CONFIG_ERROR, line, _("%s has no value"), key);
		return;
	}
	switch ((enum cfg_general_key)k) {
	case CFG_G_DEFAULT_ACCOUNT:
		g->default_account = g_strdup(value); /* checked in validate.c */
		break;
	case CFG_G_EDITOR:
		g->editor = g_strdup(value);
		break;
	case CFG_G_HTML_COMMAND:
		g_free(g->html_command);
		g->html_command = g_strdup(value);
		break;
	case CFG_G_PAGER_HEADERS:
		parts = g_strsplit_set(value, " ,\t", -1);
		hdrs = g_ptr_array_new();
		for (char **p = parts; *p; p++) {
			if (!**p)
				continue;
			if (!valid_header_name(*p)) {
				cfg_diag(ld, CONFIG_ERROR, line,
				         _("pager_headers: \"%s\" is not a header name"), *p);
				continue;
			}
			g_ptr_array_add(hdrs, g_strdup(*p));
		}
		g_strfreev(parts);
		g_ptr_array_add(hdrs, NULL);
		g_strfreev(g->pager_headers);
		g->pager_headers = (char **)g_ptr_array_free(hdrs, FALSE);
		break;
	case CFG_G_SORT:
		if (strcmp(value, "date") != 0 && strcmp(value, "thread") != 0) {
			cfg_diag(ld, CONFIG_ERROR, line,
			         _("sort must be \"date\" or \"thread\", not \"%s\""), value);
			break;
		}
		g_free(g->sort);
		g->sort = g_strdup(value);
		break;
	case CFG_G_ATTACHMENT_COMMAND:
		g->attachment_command = g_strdup(value);
		break;
	case CFG_G_COLLAPSE_THREADS:
		if (g_ascii_strcasecmp(value, "yes") == 0)
			g->collapse_threads = true;
		else if (g_ascii_strcasecmp(value, "no") == 0)
			g->collapse_threads = false;
		else
			cfg_diag(ld, CONFIG_ERROR, line,
			         _("collapse_threads must be \"yes\" or \"no\", not \"%s\""), value);
		break;
	case CFG_GENERAL_KEY_COUNT:
		break;
	}
}

/* ---- account values ---------------------------------------------------- */

static char **field_ptr(struct config_account *a, enum cfg_account_key k)
{
	return (char **)((char *)a + account_keys[k].field);
}

static void set_string(struct cfg_loader *ld, struct cfg_account_state *st, enum cfg_account_key k,
                       const char *v, int line)
{
	(void)ld;
	(void)line;
	*field_ptr(st->a, k) = g_strdup(v);
}

static void set_mode(struct cfg_loader *ld, struct cfg_account_state *st, enum cfg_account_key k,
                     const char *v, int line)
{
	(void)k;
	if (g_ascii_strcasecmp(v, "imap") == 0)
		st->a->mode = CONFIG_MODE_IMAP;
	else if (g_ascii_strcasecmp(v, "pop3") == 0)
		st->a->mode = CONFIG_MODE_POP3;
	else {
		cfg_diag(ld, CONFIG_ERROR, line, _("mode must be \"imap\" or \"pop3\", not \"%s\""),
		         v);
		return;
	}
	st->mode_valid = true;
}

/* An addr-spec, loosely: one '@', no spaces or specials, dots inside. */
static bool valid_address(const char *s)
{
	const char *at = strchr(s, '@');

	if (!at || at == s || !at[1] || strchr(at + 1, '@'))
		return false;
	for (const char *p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c <= 32 || c == 127 || strchr("<>()[],;:\\\"", c))
			return false;
	}
	if (at[1] == '.' || g_str_has_suffix(at, ".") || strstr(at, ".."))
		return false;
	return true;
}

static void set_from(struct cfg_loader *ld, struct cfg_account_state *st, enum cfg_account_key k,
                     const char *v, int line)
{
	const char *lt = strchr(v, '<'), *gt = strrchr(v, '>');
	char *addr, *name = NULL;

	(void)k;
	if (lt) {
		if (!gt || gt < lt || gt[1] != '\0') {
			addr = NULL;
		} else {
			addr = g_strndup(lt + 1, (size_t)(gt - lt - 1));
			name = g_strstrip(g_strndup(v, (size_t)(lt - v)));
			if (name[0] == '"' && strlen(name) >= 2 && g_str_has_suffix(name, "\"")) {
				memmove(name, name + 1, strlen(name));
				name[strlen(name) - 1] = '\0';
			}
		}
	} else {
		addr = g_strdup(v);
	}
	if (!addr || !valid_address(addr)) {
		cfg_diag(ld, CONFIG_ERROR, line,
		         _("from must be an address such as \"user@example.org\" or "
		           "\"Name <user@example.org>\", not \"%s\""),
		         v);
		g_free(addr);
		g_free(name);
		return;
	}
	st->a->from = addr;
	if (name && *name)
		st->from_name = name;
	else
		g_free(name);
}

static void set_url(struct cfg_loader *ld, struct cfg_account_state *st, enum cfg_account_key k,
                    const char *v, int line)
{
	struct config_url *u = k == CFG_K_IMAP_URL   ? &st->a->imap
	                       : k == CFG_K_POP3_URL ? &st->a->pop3
	                                             : &st->a->smtp;
	const char *want = k == CFG_K_IMAP_URL ? "imap" : k == CFG_K_POP3_URL ? "pop3" : "smtp";
	char *why = NULL;

	if (!cfg_url_parse(v, u, &why)) {
		/* The URL is not echoed: it may hold a password. */
		cfg_diag(ld, CONFIG_ERROR, line, "%s: %s", account_keys[k].name, why);
		g_free(why);
		return;
	}
	if (!g_str_has_prefix(u->scheme, want)) {
		cfg_diag(ld, CONFIG_ERROR, line, _("%s must start with %s:// or %ss://, not %s://"),
		         account_keys[k].name, want, want, u->scheme);
		cfg_url_clear(u);
	}
}

char *cfg_expand_tilde(const char *path)
{
	const char *home;

	if (path[0] != '~' || (path[1] != '\0' && path[1] != '/'))
		return g_strdup(path);
	home = g_getenv("HOME");
	if (!home || !*home)
		home = g_get_home_dir();
	return g_strconcat(home, path + 1, NULL);
}

static void set_path(struct cfg_loader *ld, struct cfg_account_state *st, enum cfg_account_key k,
                     const char *v, int line)
{
	char *p = cfg_expand_tilde(v);

	if (!g_path_is_absolute(p)) {
		cfg_diag(ld, CONFIG_ERROR, line,
		         _("%s must be an absolute path (it may start with ~/), not \"%s\""),
		         account_keys[k].name, v);
		g_free(p);
		return;
	}
	if (k == CFG_K_TLS_CA_FILE && access(p, R_OK) != 0) {
		cfg_diag(ld, CONFIG_ERROR, line, _("tls_ca_file %s cannot be read: %s"), p,
		         g_strerror(errno));
	} else if (k == CFG_K_SIGNATURE_FILE && access(p, R_OK) != 0) {
		cfg_diag(ld, CONFIG_WARNING, line, _("signature_file %s cannot be read: %s"), p,
		         g_strerror(errno));
	}
	*field_ptr(st->a, k) = p;
}

/* "300", "300s", "5m", "1h" (a space before the unit is fine). */
static bool parse_seconds(const char *v, int *out)
{
	long long n = 0;
	const char *p = v;

	if (!g_ascii_isdigit(*p))
		return false;
	for (; g_ascii_isdigit(*p); p++) {
		n = n * 10 + (*p - '0');
		if (n > CFG_MAX_SECONDS)
			return false;
	}
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == 'm')
		n *= 60;
	else if (*p == 'h')
		n *= 3600;
	else if (*p != 's' && *p != '\0')
		return false;
	if (*p && p[1])
		return false;
	if (n > CFG_MAX_SECONDS)
		return false;
	*out = (int)n;
	return true;
}

static void set_seconds(struct cfg_loader *ld, struct cfg_account_state *st, enum cfg_account_key k,
                        const char *v, int line)
{
	int n;

	if (!parse_seconds(v, &n)) {
		cfg_diag(ld, CONFIG_ERROR, line,
		         _("%s must be a number of seconds, optionally with the unit s, m or h "
		           "(such as 300 or 5m), at most a week, not \"%s\""),
		         account_keys[k].name, v);
		return;
	}
	if (k == CFG_K_TIMEOUT) {
		if (n == 0) {
			cfg_diag(ld, CONFIG_ERROR, line, _("timeout must be more than 0 seconds"));
			return;
		}
		st->a->timeout = n;
	} else {
		st->a->check_interval = n;
	}
}

static void set_keep(struct cfg_loader *ld, struct cfg_account_state *st, enum cfg_account_key k,
                     const char *v, int line)
{
	const char *p = v;
	long n = 0;

	(void)k;
	if (g_ascii_strcasecmp(v, "no") == 0) {
		st->a->keep = CONFIG_KEEP_NO;
		return;
	}
	if (g_ascii_strcasecmp(v, "yes") == 0) {
		st->a->keep = CONFIG_KEEP_YES;
		return;
	}
	for (; g_ascii_isdigit(*p) && n <= CFG_MAX_KEEP_DAYS; p++)
		n = n * 10 + (*p - '0');
	if (p == v || n < 1 || n > CFG_MAX_KEEP_DAYS)
		goto bad;
	while (*p == ' ' || *p == '\t')
		p++;
	if (strcmp(p, "day") != 0 && strcmp(p, "days") != 0)
		goto bad;
	st->a->keep = CONFIG_KEEP_DAYS;
	st->a->keep_days = (int)n;
	return;
bad:
	cfg_diag(ld, CONFIG_ERROR, line,
	         _("keep must be \"no\", \"yes\" or \"N days\" with N from 1 to %d, not \"%s\""),
	         CFG_MAX_KEEP_DAYS, v);
}

static bool all_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!g_ascii_isxdigit(s[i]))
			return false;
	return true;
}

/* "sha256:" (or curl's "sha256//", as mailtui shows a key) then the
 * SPKI hash: 64 hex digits, the same as 32 colon-separated pairs, or
 * canonical base64 (44 characters, or 43 without the final '=').
 * Returns the value as written, '=' added to unpadded base64 so that
 * net_pin_normalize() takes it; NULL when malformed. */
static char *check_fingerprint(const char *v)
{
	const char *p;
	char *b64, *back;
	guchar *raw;
	gsize len = 0;
	size_t n;
	bool ok;

	if (g_ascii_strncasecmp(v, "sha256//", 8) == 0)
		p = v + 8;
	else if (g_ascii_strncasecmp(v, "sha256:", 7) == 0)
		p = v + 7;
	else
		return NULL;
	n = strlen(p);
	if (n == 64)
		return all_hex(p, 64) ? g_strdup(v) : NULL;
	if (n == 95) {
		for (size_t i = 0; i < n; i++)
			if (i % 3 == 2 ? p[i] != ':' : !g_ascii_isxdigit(p[i]))
				return NULL;
		return g_strdup(v);
	}
	if (n != 43 && n != 44)
		return NULL;
	for (size_t i = 0; i < 43; i++)
		if (!g_ascii_isalnum(p[i]) && p[i] != '+' && p[i] != '/')
			return NULL;
	if (n == 44 && p[43] != '=')
		return NULL;
	b64 = n == 43 ? g_strconcat(p, "=", NULL) : g_strdup(p);
	raw = g_base64_decode(b64, &len);
	back = g_base64_encode(raw, len);
	/* Only the canonical spelling, as net_pin_normalize() wants. */
	ok = len == 32 && strcmp(back, b64) == 0;
	g_free(raw);
	g_free(back);
	g_free(b64);
	if (!ok)
		return NULL;
	return n == 43 ? g_strconcat(v, "=", NULL) : g_strdup(v);
}

static void set_fingerprint(struct cfg_loader *ld, struct cfg_account_state *st,
                            enum cfg_account_key k, const char *v, int line)
{
	(void)k;
	st->a->tls_fingerprint = check_fingerprint(v);
	if (!st->a->tls_fingerprint)
		cfg_diag(ld, CONFIG_ERROR, line,
		         _("tls_fingerprint must be \"sha256:\" followed by 64 hex digits "
		           "(colons allowed) or 44 base64 characters"));
}

static void set_tls(struct cfg_loader *ld, struct cfg_account_state *st, enum cfg_account_key k,
                    const char *v, int line)
{
	(void)k;
	if (strcmp(v, "none") == 0)
		st->a->tls_none = true;
	else if (strcmp(v, "required") == 0)
		st->a->tls_none = false;
	else
		cfg_diag(ld, CONFIG_ERROR, line,
		         _("tls must be \"none\" or \"required\", not \"%s\""), v);
}

static void set_body_cache(struct cfg_loader *ld, struct cfg_account_state *st,
                           enum cfg_account_key k, const char *v, int line)
{
	(void)k;
	if (strcmp(v, "yes") == 0)
		st->a->body_cache = true;
	else if (strcmp(v, "no") == 0)
		st->a->body_cache = false;
	else
		cfg_diag(ld, CONFIG_ERROR, line,
		         _("body_cache must be \"yes\" or \"no\", not \"%s\""), v);
}

static void folder_free(gpointer p)
{
	struct config_folder *f = p;

	g_free(f->name);
	g_free(f->query);
	g_free(f);
}

void cfg_folders_free(GPtrArray *folders)
{
	if (folders)
		g_ptr_array_unref(folders);
}

static bool valid_folder_name(const char *s)
{
	if (!*s || !g_utf8_validate(s, -1, NULL))
		return false;
	for (const char *p = s; *p; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);

		if (g_unichar_iscntrl(c) || g_unichar_type(c) == G_UNICODE_FORMAT)
			return false;
	}
	return true;
}

/* "Inbox=tag:inbox and not tag:deleted; Work=tag:work": a name, '=', a
 * notmuch query, entries separated by ';'.  The query itself is checked
 * by notmuch when the folder is opened. */
static void set_folders(struct cfg_loader *ld, struct cfg_account_state *st,
                        enum cfg_account_key k, const char *v, int line)
{
	GPtrArray *out = g_ptr_array_new_with_free_func(folder_free);
	char **entries = g_strsplit(v, ";", -1);
	bool ok = true;

	(void)k;
	for (char **e = entries; *e; e++) {
		char *entry = g_strstrip(*e);
		char *eq = strchr(entry, '=');

		if (!*entry)
			continue;
		if (!eq) {
			cfg_diag(ld, CONFIG_ERROR, line,
			         _("folders: \"%s\" should be NAME=QUERY, such as "
			           "Inbox=tag:inbox"),
			         entry);
			ok = false;
			continue;
		}
		*eq = '\0';
		char *name = g_strstrip(entry), *query = g_strstrip(eq + 1);

		if (!valid_folder_name(name)) {
			cfg_diag(ld, CONFIG_ERROR, line,
			         _("folders: a folder needs a name of printable characters "
			           "before '=' (\"%s\")"),
			         query);
			ok = false;
			continue;
		}
		if (!*query) {
			cfg_diag(ld, CONFIG_ERROR, line, _("folders: %s has an empty query"), name);
			ok = false;
			continue;
		}
		for (guint i = 0; i < out->len; i++) {
			struct config_folder *f = g_ptr_array_index(out, i);

			if (strcmp(f->name, name) == 0) {
				cfg_diag(ld, CONFIG_ERROR, line, _("folders: %s is given twice"),
				         name);
				ok = false;
				name = NULL;
				break;
			}
		}
		if (!name)
			continue;
		struct config_folder *f = g_new0(struct config_folder, 1);

		f->name = g_strdup(name);
		f->query = g_strdup(query);
		g_ptr_array_add(out, f);
	}
	g_strfreev(entries);
	if (ok && out->len == 0) {
		cfg_diag(ld, CONFIG_ERROR, line, _("folders lists no folder"));
		ok = false;
	}
	if (!ok) {
		g_ptr_array_unref(out);
		return;
	}
	st->a->folders = out;
}
