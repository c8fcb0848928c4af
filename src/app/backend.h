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
	/* Accept this certificate pin for the following connections. */
	void (*accept_once)(void *st, const char *pin);
	/* The UI left the folder (may be NULL). */
	int (*close_folder)(void *st, struct app_job *job, const char *folder, char **err);
};

extern const struct app_backend_ops app_backend_imap;

/* Post an event of type with data (ownership passes) from inside a job. */
void app_backend_post(struct app_job *job, int type, void *data, void (*free_data)(void *));

/* The loop and account a job posts to, for a backend's own threads
 * (app_post() with an event whose account is set). */
struct app *app_job_app(struct app_job *job);
int app_job_account(struct app_job *job);

/* Copy of a message's identity and flags (for jobs: the UI's copy may go). */
struct app_msg *app_msg_copy(const struct app_msg *m);

#endif
