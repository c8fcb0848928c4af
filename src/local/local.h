/* local.h - a notmuch-indexed Maildir.
 *
 * Safe delivery (tmp/ -> fsync -> rename into new/ -> fsync the
 * directory -> index with tags), the notmuch database it feeds, and the
 * reading side: queries with counts, messages and threads of a query,
 * tags kept in step with Maildir flags, and purging deleted mail.
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
 * Xapian has one writer at a time: while another process holds the lock
 * this waits up to 3 s, then gives up with -EBUSY.  *out owned
 * (local_db_close).  0, or -1 / -EBUSY with *err (owned, untranslated
 * notmuch text). */
int local_db_open(const char *maildir, struct local_db **out, char **err);
/* The same read-only: never waits for nor blocks a writer.  The
 * database is created first when missing (the Maildir must exist). */
int local_db_open_read(const char *maildir, struct local_db **out, char **err);
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

/* ---- reading: queries, messages, threads (query.c) ----------------------
 *
 * A query is notmuch's own syntax, as `notmuch search` takes it: "*",
 * "tag:inbox and not tag:deleted", "from:an subject:\"họp\"", "date:1w..",
 * free words.  A malformed query is an error whose text says why. */

/* "(a) and (b)", where NULL, "" or "*" stands for everything.  Owned. */
char *local_query_and(const char *a, const char *b);

/* Messages matching query, and how many of them are tagged unread
 * (unread may be NULL).  0, or -1 with *err. */
int local_count(struct local_db *db, const char *query, unsigned *total, unsigned *unread,
	char **err);

/* One message of a query.  Strings are owned, UTF-8 as notmuch stored them
 * (RFC 2047 decoded) but not yet terminal-safe. */
struct local_msg {
	char *id;          /* Message-ID without angle brackets */
	char *path;        /* absolute path of one of its files */
	char *from;        /* "Name <addr>" or "addr" */
	char *subject;
	char *thread;      /* notmuch thread id */
	char *in_reply_to; /* with LOCAL_MSG_THREADING only, else NULL: raw */
	char *references;  /* header values, "<a@b> <c@d>" */
	char *tags;        /* space separated, in notmuch's (sorted) order */
	time_t date;
	unsigned long long size; /* bytes of the file, 0 when unknown */
};
void local_msg_free(void *m);

/* Also read In-Reply-To and References (notmuch keeps them only in the
 * files, so this opens each one: slower). */
#define LOCAL_MSG_THREADING 1u

/* Called for each message in order; m passes to the callee.  Return
 * false to stop early (not an error). */
typedef bool (*local_msg_cb)(void *ctx, struct local_msg *m);

/* The messages of query, newest first (equal dates in notmuch's document
 * order: the same order every time for the same database).  0, or -1
 * with *err. */
int local_messages(struct local_db *db, const char *query, unsigned what, local_msg_cb cb,
	void *ctx, char **err);

/* Only the Message-IDs of query in the order local_messages gives them:
 * the cheap way to map a message to its position.  *ids owned
 * (g_ptr_array_unref, strings freed with it).  0, or -1 with *err. */
int local_message_ids(struct local_db *db, const char *query, GPtrArray **ids, char **err);

/* The Message-ID of the indexed file path (absolute).  *id owned.  0,
 * -ENOENT when that file is not indexed, or -1 with *err. */
int local_id_of_file(struct local_db *db, const char *path, char **id, char **err);

/* One notmuch thread of a query.  Strings owned, as notmuch gives them. */
struct local_thread {
	char *id;
	char *subject;   /* of the oldest or newest message (notmuch's choice) */
	char *authors;   /* "A, B| C": matched authors before '|' */
	char *tags;      /* union of its messages' tags, space separated */
	time_t oldest, newest;
	unsigned total;  /* messages in the thread */
	unsigned matched;/* of them, those matching the query */
};
void local_thread_free(void *t);

/* The threads of query, newest first.  *out owned (g_ptr_array_unref
 * frees the threads).  0, or -1 with *err. */
int local_threads(struct local_db *db, const char *query, GPtrArray **out, char **err);

/* ---- addresses (address.c) ---------------------------------------------- */

/* One address of the indexed mail.  Strings owned, UTF-8 as GMime decoded
 * them, not yet terminal-safe. */
struct local_address {
	char *name;     /* display name, or NULL */
	char *addr;     /* bare address, as last written */
	unsigned count; /* times it appears in From, To, Cc and Bcc */
};
void local_address_free(void *a);

/* The senders and recipients (From, To, Cc, Bcc) of the indexed mail,
 * one per address (compared ignoring case), most frequent first, ties
 * by address; each keeps the name of its newest message that has one.
 * Like `notmuch address --output=sender --output=recipients
 * --deduplicate=address`, but only the newest 20,000 messages are read.
 * prefix (NULL or "" for all): only addresses whose address, name, or a
 * later word of the name starts with it, ignoring case and diacritics
 * (filtered here, not by notmuch, whose terms keep their diacritics).
 * At most limit of them (0: no limit).  cancel (may be NULL) is checked
 * between messages.  *out owned (g_ptr_array_unref frees the entries).
 * 0, -ECANCELED, or -1 with *err. */
int local_addresses(struct local_db *db, const char *prefix, size_t limit,
	const volatile int *cancel, GPtrArray **out, char **err);

/* ---- tags and Maildir flags (tags.c) ---------------------------------------
 *
 * Tags and the flags in the file names (":2,FLAGS") say the same thing:
 *   unread   <-> no S        replied <-> R        flagged <-> F
 *   draft    <-> D           passed  <-> P        deleted <-> T
 * notmuch maps the first five; mailtui adds T, which notmuch leaves alone.
 * A file whose flags change is renamed (and moved from new/ to cur/) and
 * the index follows the new name. */

/* Add then remove tags (NULL-terminated lists, either may be NULL) on the
 * message with Message-ID id, then rename its files to match.  Needs a
 * read-write database.  *tags_out and *path_out (each may be NULL) get
 * its tags afterwards (space separated) and one current file, owned.
 * 0, -ENOENT when no message has that id, -EINVAL for an empty or
 * malformed tag, or -1 with *err. */
int local_tag(struct local_db *db, const char *id, const char *const *add,
	const char *const *remove, char **tags_out, char **path_out, char **err);

/* Rename the files of message id so their flags match its tags (after
 * tags were changed by other means).  0, -ENOENT or -1 with *err. */
int local_sync_flags(struct local_db *db, const char *id, char **err);

/* Delete for good every message matching "(query) and tag:deleted"
 * (query NULL: every message tagged deleted): each file is unlinked, then
 * its index entry removed.  *removed (may be NULL) counts messages.  0,
 * or -1 with *err (what was removed before stays removed). */
int local_purge(struct local_db *db, const char *query, size_t *removed, char **err);

/* Split "a b  c" (spaces) into a NULL-terminated list, empty words
 * dropped.  Owned (g_strfreev). */
char **local_tag_list(const char *words);

#endif
