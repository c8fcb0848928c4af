/* imap_live.h - private to src/app: what backend_imap.c shares with the
 * thread that watches the open folder (imap_live.c). */
#ifndef MAILTUI_APP_IMAP_LIVE_H
#define MAILTUI_APP_IMAP_LIVE_H

#include <stdint.h>

#include <glib.h>

#include "app/app.h"
#include "imap/imap.h"

/* Header fields fetched for the index beyond ENVELOPE. */
extern const char *const app_imap_index_headers[];
/* The FETCH items of an index row. */
extern const struct imap_fetch_opts app_imap_index_fetch;

/* An index row from a FETCH of app_imap_index_fetch's items.  Owned.
 * *cache_flags (may be NULL) gets the flags as the header cache keeps
 * them (imap flag bits | IMAP_CACHE_ATTACHMENT). */
struct app_msg *app_imap_msg_from_fetch(const struct imap_msg *m, uint32_t *cache_flags);
/* enum app_msg_flag bits of imap flag bits (and IMAP_CACHE_ATTACHMENT). */
unsigned app_imap_flags(uint32_t imap_bits);
/* The UIDs of a set, ranges cut at max (so "1:*" stays small).  Owned
 * GArray of guint32, empty when the set is malformed. */
GArray *app_imap_uid_set(const char *set, uint32_t max);

/* "Reconnected to HOST; FOLDER is open again." as a status event. */
void app_imap_post_reconnected(struct app *app, int account, const char *host, const char *folder);

/* The watcher: its own connection, in its own thread, IDLEs on one
 * folder (NOOP every poll_ms where IDLE is missing) and posts what
 * changes: new mail as APP_EV_MSGS (job 0, text = folder), expunges as
 * APP_EV_VANISHED, flags as APP_EV_FLAGS, and the folder's counts as
 * APP_EV_FOLDER_STATUS.  A dropped connection is re-established, with a
 * notice in the status line. */
struct app_imap_live;

struct app_imap_live_opts {
	struct app *app;
	int account;
	const struct imap_opts *session; /* copied by imap_session_new */
	const char *folder;              /* copied */
	uint32_t last_uid;               /* the highest UID the index already has */
	int poll_ms;
};

/* Starts the thread (connecting is its job).  Owned: app_imap_live_stop. */
struct app_imap_live *app_imap_live_start(const struct app_imap_live_opts *o);
/* Stops the thread (within about 250 ms), joins it and frees l. */
void app_imap_live_stop(struct app_imap_live *l);
const char *app_imap_live_folder(const struct app_imap_live *l);

#endif
