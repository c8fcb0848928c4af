/* backend.h - private to src/app: the table of operations a mail store
 * implements (isync's driver.h in spirit).  Every operation runs on the
 * account's worker thread; st is the backend's own state, created by open
 * and owned by the worker.  Results are posted as events through job. */
#ifndef MAILTUI_APP_BACKEND_H
#define MAILTUI_APP_BACKEND_H

#include "app/app.h"

struct config_account;
struct mime_view_opts;

/* Status of an operation: 0, or -1 with *err (owned, translated). */
struct app_backend_ops {
	const char *name;
	void *(*open)(const struct config_account *a);
	void (*close)(void *st);
	int (*list_folders)(void *st, struct app_job *job, char **err);
	int (*open_folder)(void *st, struct app_job *job, const char *folder, char **err);
	int (*open_message)(void *st, struct app_job *job, const char *folder,
		const struct app_msg *msg, const struct mime_view_opts *opts, char **err);
	int (*set_flags)(void *st, struct app_job *job, const char *folder,
		const struct app_msg *msg, unsigned add, unsigned remove, char **err);
	int (*move)(void *st, struct app_job *job, const char *folder,
		const struct app_msg *msg, const char *dest, bool copy, char **err);
	int (*expunge)(void *st, struct app_job *job, const char *folder, char **err);
	int (*search)(void *st, struct app_job *job, const char *folder, const char *query,
		char **err);
	/* Post APP_EV_PART with the decoded bytes of section. */
	int (*fetch_part)(void *st, struct app_job *job, const char *folder,
		const struct app_msg *msg, const char *section, char **err);
	/* Accept this certificate pin for the following connections. */
	void (*accept_once)(void *st, const char *pin);
	/* Add then remove tags (space-separated, may be NULL); posts
	 * APP_EV_FLAGS.  NULL: the account has no tags. */
	int (*tag)(void *st, struct app_job *job, const char *folder, const struct app_msg *msg,
		const char *add, const char *remove, char **err);
	/* Download new mail; posts APP_EV_PROGRESS and APP_EV_FETCHED.
	 * NULL: nothing to fetch for this account. */
	int (*fetch)(void *st, struct app_job *job, char **err);
	/* Optional (NULL: this store cannot; the caller says so).
	 * fetch_raw: the whole message; *out owned.
	 * append: store raw (CRLF) in the folder named name, or when name is
	 * NULL the folder with role (special-use, else a default name),
	 * with flags (enum app_msg_flag).
	 * delete_message: remove one message for good (a sent draft). */
	int (*fetch_raw)(void *st, struct app_job *job, const char *folder,
		const struct app_msg *msg, GBytes **out, char **err);
	int (*append)(void *st, struct app_job *job, enum app_folder_role role, const char *name,
		const char *raw, size_t len, unsigned flags, char **err);
	int (*delete_message)(void *st, struct app_job *job, const char *folder,
		const struct app_msg *msg, char **err);
	/* The UI left the folder (may be NULL). */
	int (*close_folder)(void *st, struct app_job *job, const char *folder, char **err);
	/* Post APP_EV_ADDRESSES with the store's addresses starting with
	 * prefix (NULL: all).  NULL: the store has no address list. */
	int (*addresses)(void *st, struct app_job *job, const char *prefix, char **err);
};

extern const struct app_backend_ops app_backend_imap;
extern const struct app_backend_ops app_backend_local;

/* Post an event of type with data (ownership passes) from inside a job. */
void app_backend_post(struct app_job *job, int type, void *data, void (*free_data)(void *));

/* For jobs in other files of src/app (send.c), on the worker only: the
 * backend's ops (NULL for a store not built yet) and its state, opened
 * on first use. */
const struct app_backend_ops *app_account_backend(struct app_account *acc, void **st);
struct app_worker *app_account_worker(struct app_account *acc);

/* send.c: state kept per account for sending (worker only), freed with
 * the account; the trust answer for an SMTP certificate question (true
 * when pin was asked for by SMTP: then *r and *text are set). */
void app_send_state_free(void *send_st);
bool app_send_trust(struct app_account *acc, const char *pin, bool always, int *r, char **text);
void **app_account_send_state(struct app_account *acc);
/* The loop and account a job posts to, for a backend's own threads
 * (app_post() with an event whose account is set). */
struct app *app_job_app(struct app_job *job);
int app_job_account(struct app_job *job);

/* Copy of a message's identity and flags (for jobs: the UI's copy may go). */
struct app_msg *app_msg_copy(const struct app_msg *m);

#endif
