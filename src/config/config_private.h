/* config_private.h - shared by the files of src/config/ only. */
#ifndef MAILTUI_CONFIG_PRIVATE_H
#define MAILTUI_CONFIG_PRIVATE_H

#include "config/config.h"

/* Keys of an [account NAME] section; the order is the table's in keys.c. */
enum cfg_account_key {
	CFG_K_MODE,
	CFG_K_FROM,
	CFG_K_NAME,
	CFG_K_IMAP_URL,
	CFG_K_POP3_URL,
	CFG_K_SMTP_URL,
	CFG_K_USER,
	CFG_K_PASSWORD,
	CFG_K_PASSWORD_COMMAND,
	CFG_K_OAUTH_TOKEN_COMMAND,
	CFG_K_MAILDIR,
	CFG_K_KEEP,
	CFG_K_CHECK_INTERVAL,
	CFG_K_SENT_FOLDER,
	CFG_K_DRAFTS_FOLDER,
	CFG_K_SIGNATURE_FILE,
	CFG_K_TLS_CA_FILE,
	CFG_K_TLS_FINGERPRINT,
	CFG_K_TLS,
	CFG_K_TIMEOUT,
	CFG_K_FOLDERS,
	CFG_K_BODY_CACHE,
	CFG_ACCOUNT_KEY_COUNT
};

enum cfg_general_key {
	CFG_G_DEFAULT_ACCOUNT,
	CFG_G_EDITOR,
	CFG_G_HTML_COMMAND,
	CFG_G_PAGER_HEADERS,
	CFG_G_SORT,
	CFG_G_ATTACHMENT_COMMAND,
	CFG_G_COLLAPSE_THREADS,
	CFG_GENERAL_KEY_COUNT
};

/* Parse state of one account: the line of each key, 0 when absent, so
 * later checks can point at the line that is wrong. */
struct cfg_account_state {
	struct config_account *a;
	int lines[CFG_ACCOUNT_KEY_COUNT];
	char *from_name; /* display name from "Name <addr>", owned */
	bool mode_valid; /* mode was given and understood */
};

enum cfg_section { CFG_SEC_NONE, CFG_SEC_GENERAL, CFG_SEC_ACCOUNT, CFG_SEC_SKIP };

struct cfg_loader {
	struct config *cfg;
	enum cfg_section sec;
	struct cfg_account_state *cur;
	GPtrArray *states; /* of struct cfg_account_state*, owned */
	int general_section_line;
	int general_lines[CFG_GENERAL_KEY_COUNT];
	bool mode_insecure; /* the file is readable by group or others */
};

/* Record an error or warning about the loader's file. */
void cfg_diag(struct cfg_loader *ld, enum config_severity sev, int line, const char *fmt, ...)
    G_GNUC_PRINTF(4, 5);

/* keys.c: set one key of the current section from its (unquoted) value. */
void cfg_set_account_key(struct cfg_loader *ld, const char *key, const char *value, int line);
void cfg_set_general_key(struct cfg_loader *ld, const char *key, const char *value, int line);
/* Frees a config_account's folders list (NULL is fine). */
void cfg_folders_free(GPtrArray *folders);
/* Name of an account key, for messages. */
const char *cfg_account_key_name(enum cfg_account_key k);

/* url.c: parse "scheme://host[:port][/]".  On failure returns false with
 * *why (owned, translated) saying what is wrong. */
bool cfg_url_parse(const char *raw, struct config_url *out, char **why);
void cfg_url_clear(struct config_url *u);

/* validate.c: checks that need the whole file (required keys, TLS,
 * permissions, default_account). */
void cfg_validate(struct cfg_loader *ld);

/* "~" and "~/x" become $HOME and $HOME/x.  Owned. */
char *cfg_expand_tilde(const char *path);

/* Levenshtein distance, capped: returns at most cap + 1. */
int cfg_edit_distance(const char *a, const char *b, int cap);

#endif
