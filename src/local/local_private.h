/* local_private.h - shared by the files of src/local/ only. */
#ifndef MAILTUI_LOCAL_PRIVATE_H
#define MAILTUI_LOCAL_PRIVATE_H

#include <notmuch.h>

#include "local/local.h"

struct local_db {
	notmuch_database_t *nm;
	char *maildir; /* root, owned */
	int atomic;    /* nesting, so close can end what was begun */
	bool writable;
};

/* notmuch's words for a failure: msg (freed here) when set, else the
 * database's last status text, else the status name.  Owned. */
char *local_status_text(notmuch_database_t *nm, notmuch_status_t st, char *msg);

/* A query in notmuch's Xapian syntax (what `notmuch search` takes), or
 * NULL with *err. */
notmuch_query_t *local_query_new(struct local_db *db, const char *query, char **err);

/* Walk query newest first; each message goes to fn (borrowed for the
 * call) until fn returns false.  0, or -1 with *err. */
int local_each_message(struct local_db *db, const char *query,
	bool (*fn)(void *ctx, notmuch_message_t *m), void *ctx, char **err);

#endif
