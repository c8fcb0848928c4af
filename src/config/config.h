/* config.h - the config file: [general] and [account NAME] sections.
 *
 * INI style: "key = value", '#' or ';' comments on their own line,
 * surrounding whitespace trimmed, double quotes keep it.  Loading never
 * stops at the first problem: every error and warning is collected with
 * file:line, so `mailtui check-config` can show them all.  Messages are
 * already translated (they speak about the user's own file); the front
 * end prints them, see config_diag_format().  doc/mailtui.conf.5 is the
 * user's description of every key. */
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
	bool set;       /* false: the key was absent (or invalid, then an error) */
	char *raw;      /* as written, owned */
	char *scheme;   /* "imap", "imaps", ... owned */
	char *host;     /* owned; IPv6 without brackets */
	unsigned port;  /* explicit or the scheme's default */
	enum config_tls tls; /* implicit for "s" schemes; else starttls or none */
};

/* Every char * field is owned by the account and NULL when the key was
 * absent.  Paths are absolute with ~ expanded.  A config with errors may
 * hold half-filled accounts: use accounts only when !config_has_errors(). */
struct config_account {
	char *name;             /* from [account NAME]: letters, digits, - _ . */
	int line;               /* line of the section header */
	enum config_mode mode;
	char *from;             /* bare address, "user@example.org" */
	char *display_name;     /* key "name", else the Name of "from = Name <addr>" */
	struct config_url imap, pop3, smtp;
	char *user;
	char *password;         /* NULL unless given in the file; wiped by config_free */
	char *password_command; /* run by sh -c; first line of stdout */
	char *oauth_token_command; /* may stand in for password(_command) */
	char *maildir;          /* pop3: absolute, ~ expanded */
	enum config_keep keep;  /* pop3: default CONFIG_KEEP_NO (delete after download) */
	int keep_days;          /* with CONFIG_KEEP_DAYS, 1..36500 */
	int check_interval;     /* seconds, 0 = off; default 300 */
	char *sent_folder, *drafts_folder;
	char *signature_file;   /* ~ expanded */
	char *tls_ca_file;      /* ~ expanded; was readable at load time */
	char *tls_fingerprint;  /* "sha256:..." as written, format checked (see
	                           net_pin_normalize); SPKI hash */
	bool tls_none;          /* tls = none */
	int timeout;            /* seconds for connect and each read; default 30 */
	bool body_cache;        /* imap: keep opened messages' text on disk; default true */
	GPtrArray *folders;     /* pop3: of struct config_folder*, in the order
	                           written; NULL: the default saved searches */
};

/* A saved search of a POP3 account: "folders = Name=query; Name=query". */
struct config_folder {
	char *name;  /* owned, as written (UTF-8, no controls) */
	char *query; /* owned: a notmuch query, checked only when it runs */
};

struct config_general {
	/* All owned; defaults are filled in, so nothing is NULL but editor
	 * and attachment_command. */
	char *default_account;  /* checked; default: the first account */
	char *editor;           /* overrides $VISUAL/$EDITOR */
	char *html_command;     /* default: "w3m -dump -T text/html" */
	char **pager_headers;   /* NULL-terminated; default From To Cc Date Subject */
	char *sort;             /* "date" | "thread" */
	char *attachment_command; /* views any attachment (%s: the file, %t: its
	                             type); NULL: mailcap */
	bool collapse_threads;  /* threads start collapsed; default false */
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

/* "error" or "warning", translated.  Static. */
const char *config_severity_name(enum config_severity sev);

/* "FILE:LINE: error: MESSAGE" ("FILE: error: MESSAGE" for line 0), for
 * the front end to print.  Owned. */
char *config_diag_format(const struct config_diag *d);

/* Account by name, or NULL.  Borrowed. */
struct config_account *config_account_find(struct config *cfg, const char *name);

/* The password: from password_command (run now by /bin/sh -c, blocking:
 * call it from a worker, never the UI thread; its first stdout line, its
 * stderr discarded) or from the file.  *out owned: the caller must wipe
 * it, core_wipe() then g_free().  false with *errmsg (owned, translated,
 * with the exit status, never the command's output) when the command
 * fails, prints nothing, or there is no password. */
bool config_account_password(const struct config_account *a, char **out, char **errmsg);

/* The same for oauth_token_command (an OAuth2 access token for XOAUTH2).
 * *out owned, wipe it like a password. */
bool config_account_oauth_token(const struct config_account *a, char **out, char **errmsg);

/* Translated "TLS", "STARTTLS", "no TLS" for check-config output.  Static. */
const char *config_tls_name(enum config_tls tls);
/* "imap" or "pop3" (the config keyword, not translated).  Static. */
const char *config_mode_name(enum config_mode mode);

/* One line for check-config: "personal  imap  imap: imap.example.org:993
 * (TLS)  smtp: smtp.example.org:587 (STARTTLS)".  Owned. */
char *config_account_summary(const struct config_account *a);

#endif
