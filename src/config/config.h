/* config.h - the config file: [general] and [account NAME] sections.
 *
 * INI style: "key = value", '#' or ';' comments on their own line,
 * surrounding whitespace trimmed.  Loading never stops at the first
 * problem: every error and warning is collected with file:line, so
 * `mailtui check-config` can show them all.  Messages are already
 * translated (they speak about the user's own file). */
#ifndef MAILTUI_CONFIG_H
#define MAILTUI_CONFIG_H

#include <stdbool.h>
#include <glib.h>

enum config_mode { CONFIG_MODE_IMAP, CONFIG_MODE_POP3 };

/* How a URL's connection is secured (derived from its scheme and tls). */
enum config_tls {
	CONFIG_TLS_IMPLICIT, /* imaps, pop3s, smtps */
	CONFIG_TLS_STARTTLS, /* imap, pop3, smtp: STARTTLS required */
	CONFIG_TLS_NONE,     /* imap, pop3, smtp with an explicit tls = none */
};

enum config_keep { CONFIG_KEEP_NO, CONFIG_KEEP_YES, CONFIG_KEEP_DAYS };

struct config_url {
	bool set;
	char *raw;      /* as written, owned */
	char *scheme;   /* "imap", "imaps", ... owned */
	char *host;     /* owned; IPv6 without brackets */
	unsigned port;  /* explicit or the scheme's default */
	enum config_tls tls;
};

struct config_account {
	char *name;             /* from [account NAME] */
	int line;               /* line of the section header */
	enum config_mode mode;
	char *from;             /* address, "user@example.org" */
	char *display_name;     /* key "name" */
	struct config_url imap, pop3, smtp;
	char *user;
	char *password;         /* NULL unless given in the file */
	char *password_command; /* run by sh -c; first line of stdout */
	char *oauth_token_command;
	char *maildir;          /* pop3: absolute, ~ expanded */
	enum config_keep keep;
	int keep_days;          /* with CONFIG_KEEP_DAYS */
	int check_interval;     /* seconds, 0 = off */
	char *sent_folder, *drafts_folder;
	char *signature_file;   /* ~ expanded */
	char *tls_ca_file;      /* ~ expanded */
	char *tls_fingerprint;  /* "sha256:..." as written */
	bool tls_none;          /* tls = none */
	int timeout;            /* seconds for connect and each read; default 30 */
};

struct config_general {
	char *default_account;
	char *editor;           /* overrides $VISUAL/$EDITOR */
	char *html_command;     /* default: "w3m -dump -T text/html" */
	char **pager_headers;   /* NULL-terminated; default From To Cc Date Subject */
	char *sort;             /* "date" | "thread" */
};

enum config_severity { CONFIG_ERROR, CONFIG_WARNING };

struct config_diag {
	enum config_severity severity;
	char *file;  /* owned */
	int line;    /* 0 when the problem is not on one line */
	char *message; /* owned, translated */
};

struct config {
	char *path;                 /* owned */
	struct config_general general;
	GPtrArray *accounts;        /* of struct config_account*, owned */
	GPtrArray *diags;           /* of struct config_diag*, owned */
};

/* Default path: $XDG_CONFIG_HOME/mailtui/config.  Owned. */
char *config_default_path(void);

/* Load and validate.  Always returns a config (possibly with no accounts);
 * check config_has_errors().  A missing file is one error at line 0. */
struct config *config_load(const char *path);
bool config_has_errors(const struct config *cfg);
void config_free(struct config *cfg);

/* Account by name, or NULL.  Borrowed. */
struct config_account *config_account_find(struct config *cfg, const char *name);

/* The password: from password_command (run now, blocking: call it from a
 * worker, never the UI thread) or from the file.  *out owned, free with
 * core_wipe() + g_free().  false with *errmsg (owned, translated) on failure. */
bool config_account_password(const struct config_account *a, char **out, char **errmsg);

/* "imaps", "starttls", "none" style names for check-config output. */
const char *config_tls_name(enum config_tls tls);
const char *config_mode_name(enum config_mode mode);

#endif
