/* local.h - a notmuch-indexed Maildir.
 *
 * For now: safe delivery (tmp/ -> fsync -> rename into new/ -> fsync the
 * directory -> index with tags) and the notmuch database it feeds.  The
 * reading backend (saved searches as folders, tags as flags, Maildir flag
 * sync) comes later and adds itself to this header.
 *
 * The notmuch database lives at the Maildir root (<maildir>/.notmuch) and
 * is created when missing; no notmuch config file is read, so the user's
 * ~/.notmuch-config never redirects it.  A database handle is used by one
 * thread at a time.
 *
 * Files notmuch refuses as "not mail" stay in the Maildir and are listed,
 * one Maildir-relative path per line, in <maildir>/.notmuch/mailtui-unindexed
 * (inside notmuch's own directory so that `notmuch new` does not take the
 * list for mail).  Nothing returned here is translated: callers at the edge
 * turn codes and detail text into words. */
#ifndef MAILTUI_LOCAL_H
#define MAILTUI_LOCAL_H

#include <stdbool.h>
#include <stddef.h>
#include <glib.h>

/* ---- Maildir ------------------------------------------------------------ */

/* mkdir -p the root with cur/ new/ tmp/ (mode 0700).  0 or -errno. */
int local_maildir_ensure(const char *maildir);

/* Remove tmp/ files whose names start with prefix: leftovers of a killed
 * delivery (the caller holds a lock that rules out a live one).  Returns
 * how many were removed, or -errno. */
int local_maildir_clean_tmp(const char *maildir, const char *prefix);

/* Files in new/ and cur/ whose names start with prefix: base name (without
 * the ":2,FLAGS" info) -> path relative to the Maildir ("new/x",
 * "cur/x:2,S").  Owned GHashTable, keys and values freed with it. */
GHashTable *local_maildir_names(const char *maildir, const char *prefix);

/* Write data to tmp/name (created 0600, replacing a stale file of that
 * name) without syncing; *fd stays open for local_maildir_commit().
 * 0 or -errno (then nothing is left behind). */
int local_maildir_write_tmp(const char *maildir, const char *name, const void *data,
	size_t len, int *fd);

/* fsync and close fd, then rename tmp/name into new/name.  The directory
 * is not synced: call local_maildir_sync_new() once per batch, before the
 * messages are indexed or recorded.  0 or -errno (the tmp file removed). */
int local_maildir_commit(const char *maildir, const char *name, int fd);
int local_maildir_sync_new(const char *maildir);

/* Drop a tmp/ file whose commit will not happen (fd closed when >= 0). */
void local_maildir_abort(const char *maildir, const char *name, int fd);

/* A fresh unique Maildir base name "time.M<usec>P<pid>Q<n>.<host>".
 * Owned. */
char *local_maildir_unique_name(void);

/* ---- notmuch ------------------------------------------------------------ */

struct local_db;

/* Open <maildir>'s database read-write, creating it when missing.
 * *out owned (local_db_close).  0, or -1 with *err (owned, untranslated
 * notmuch text). */
int local_db_open(const char *maildir, struct local_db **out, char **err);
/* Commits anything pending.  NULL is fine. */
void local_db_close(struct local_db *db);

/* Group many index calls into one notmuch atomic section: much faster,
 * and a crash leaves all or none of them.  0 or -1 with *err. */
int local_db_begin(struct local_db *db, char **err);
int local_db_end(struct local_db *db, char **err);

enum local_index {
	LOCAL_INDEX_NEW,       /* indexed and tagged */
	LOCAL_INDEX_DUPLICATE, /* Message-ID (or this file) already indexed: success */
	LOCAL_INDEX_NOT_MAIL,  /* notmuch refused the file; it stays in the Maildir */
	LOCAL_INDEX_ERROR,     /* database problem, *err says which */
};

/* Index path (absolute) and add tags (NULL-terminated) to a new message.
 * A duplicate keeps the tags it has. *err owned, only with ERROR. */
enum local_index local_db_index(struct local_db *db, const char *path,
	const char *const *tags, char **err);

/* The single-message path in one call: write tmp/ (unique name when name is
 * NULL), fsync, rename into new/, fsync new/, index with tags, and list the
 * file as unindexed when notmuch refuses it.  0 with *result, or -errno
 * (disk) / -EIO with *err (index).  *path_out (owned, may be NULL) gets the
 * final path. */
int local_deliver(struct local_db *db, const char *maildir, const char *name,
	const void *data, size_t len, const char *const *tags, enum local_index *result,
	char **path_out, char **err);

/* ---- files notmuch would not index --------------------------------------- */

/* <maildir>/.notmuch/mailtui-unindexed, owned. */
char *local_unindexed_path(const char *maildir);
/* Append Maildir-relative paths (atomic rewrite of the list).  0 or -errno. */
int local_unindexed_add(const char *maildir, const char *const *rel_paths, size_t n);
/* The listed paths that still exist, owned NULL-terminated (g_strfreev). */
char **local_unindexed_list(const char *maildir);

#endif
