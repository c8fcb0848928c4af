/* db.c - the notmuch database at the Maildir root: open or create,
 * atomic sections, index a file with tags. */
#include "local/local.h"
#include "local/local_private.h"
#include "core/core.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include <notmuch.h>

char *local_status_text(notmuch_database_t *nm, notmuch_status_t st, char *msg)
{
	char *t;
	if (msg && *msg)
		t = g_strdup(msg);
	else if (nm && notmuch_database_status_string(nm))
		t = g_strdup(notmuch_database_status_string(nm));
	else
		t = g_strdup(notmuch_status_to_string(st));
	free(msg);
	g_strchomp(t);
	return t;
}

/* Our own notmuch config file, never the user's: autocommit = 1 makes
 * every end_atomic a real Xapian commit (by default notmuch only commits
 * every 8000 atomic sections), so a message counts as indexed only once it
 * is on disk.  Returns the path (owned) or NULL with *err. */
static char *own_config(const char *maildir, char **err)
{
	static const char text[] = "# written by mailtui: settings for its own use of this "
				   "database\n[database]\nautocommit=1\n";
	char *dir = g_build_filename(maildir, ".notmuch", NULL);
	char *path = g_build_filename(dir, "mailtui-notmuch.conf", NULL);
	int r = core_mkdir_p(dir, 0700);
	if (r == 0 && !g_file_test(path, G_FILE_TEST_EXISTS))
		r = core_atomic_write(path, text, sizeof text - 1, 0600);
	g_free(dir);
	if (r < 0) {
		*err = g_strdup_printf("%s: %s", path, g_strerror(-r));
		g_free(path);
		return NULL;
	}
	return path;
}

/* Xapian allows one writer, and notmuch asks it to wait for the lock
 * without a limit.  Another process (a cron fetch) may hold it for long,
 * so a writer first looks at the lock (an OFD lock on flintlock) and
 * waits a few seconds at most before saying "busy". */
#define LOCK_WAIT_US (3 * G_USEC_PER_SEC)

static bool lock_held(const char *maildir)
{
	char *path = g_build_filename(maildir, ".notmuch", "xapian", "flintlock", NULL);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	g_free(path);
	if (fd < 0)
		return false;
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	bool held = fcntl(fd, F_OFD_GETLK, &fl) == 0 && fl.l_type != F_UNLCK;
	close(fd);
	return held;
}

static int open_db(const char *maildir, bool write, struct local_db **out, char **err)
{
	notmuch_database_t *nm = NULL;
	char *msg = NULL;
	char *conf = own_config(maildir, err);
	if (!conf)
		return -1;
	notmuch_database_mode_t mode = write ? NOTMUCH_DATABASE_MODE_READ_WRITE
					     : NOTMUCH_DATABASE_MODE_READ_ONLY;
	gint64 give_up = g_get_monotonic_time() + LOCK_WAIT_US;
	while (write && lock_held(maildir)) {
		if (g_get_monotonic_time() > give_up) {
			*err = g_strdup("the notmuch database is locked by another writer");
			g_free(conf);
			return -EBUSY;
		}
		g_usleep(50000);
	}
	notmuch_status_t st = notmuch_database_open_with_config(maildir, mode, conf, NULL, &nm,
		&msg);
	if (st != NOTMUCH_STATUS_SUCCESS) {
		/* 0.37 says NO_DATABASE or FILE_ERROR when there is none yet. */
		char *x = g_build_filename(maildir, ".notmuch", "xapian", NULL);
		bool missing = !g_file_test(x, G_FILE_TEST_IS_DIR);
		g_free(x);
		if (missing) {
			free(msg);
			msg = NULL;
			st = notmuch_database_create_with_config(maildir, conf, NULL, &nm, &msg);
			/* Created read-write; a reader reopens it as asked. */
			if (st == NOTMUCH_STATUS_SUCCESS && !write) {
				notmuch_database_destroy(nm);
				nm = NULL;
				st = notmuch_database_open_with_config(maildir, mode, conf, NULL,
					&nm, &msg);
			}
		}
	}
	g_free(conf);
	if (st != NOTMUCH_STATUS_SUCCESS) {
		*err = local_status_text(NULL, st, msg);
		if (nm)
			notmuch_database_destroy(nm);
		return -1;
	}
	free(msg);
	struct local_db *db = g_new0(struct local_db, 1);
	db->nm = nm;
	db->maildir = g_strdup(maildir);
	db->writable = write;
	*out = db;
	core_log(CORE_LOG_LOCAL, "notmuch database open at %s (%s)", maildir,
		write ? "read-write" : "read-only");
	return 0;
}

int local_db_open(const char *maildir, struct local_db **out, char **err)
{
	return open_db(maildir, true, out, err);
}

int local_db_open_read(const char *maildir, struct local_db **out, char **err)
{
	return open_db(maildir, false, out, err);
}

void local_db_close(struct local_db *db)
{
	if (!db)
		return;
	while (db->atomic > 0) {
		notmuch_database_end_atomic(db->nm);
		db->atomic--;
	}
	notmuch_database_close(db->nm);
	notmuch_database_destroy(db->nm);
	g_free(db->maildir);
	g_free(db);
}

int local_db_begin(struct local_db *db, char **err)
{
	notmuch_status_t st = notmuch_database_begin_atomic(db->nm);
	if (st != NOTMUCH_STATUS_SUCCESS) {
		*err = local_status_text(db->nm, st, NULL);
		return -1;
	}
	db->atomic++;
	return 0;
}

int local_db_end(struct local_db *db, char **err)
{
	notmuch_status_t st = notmuch_database_end_atomic(db->nm);
	if (db->atomic > 0)
		db->atomic--;
	if (st != NOTMUCH_STATUS_SUCCESS) {
		*err = local_status_text(db->nm, st, NULL);
		return -1;
	}
	return 0;
}

enum local_index local_db_index(struct local_db *db, const char *path,
	const char *const *tags, char **err)
{
	notmuch_message_t *msg = NULL;
	notmuch_status_t st = notmuch_database_index_file(db->nm, path, NULL, &msg);

	if (st == NOTMUCH_STATUS_DUPLICATE_MESSAGE_ID) {
		notmuch_message_destroy(msg);
		return LOCAL_INDEX_DUPLICATE;
	}
	if (st == NOTMUCH_STATUS_FILE_NOT_EMAIL)
		return LOCAL_INDEX_NOT_MAIL;
	if (st != NOTMUCH_STATUS_SUCCESS) {
		*err = local_status_text(db->nm, st, NULL);
		return LOCAL_INDEX_ERROR;
	}
	notmuch_message_freeze(msg);
	for (const char *const *t = tags; t && *t; t++) {
		st = notmuch_message_add_tag(msg, *t);
		if (st != NOTMUCH_STATUS_SUCCESS)
			break;
	}
	if (st == NOTMUCH_STATUS_SUCCESS)
		st = notmuch_message_thaw(msg);
	notmuch_message_destroy(msg);
	if (st != NOTMUCH_STATUS_SUCCESS) {
		*err = local_status_text(db->nm, st, NULL);
		return LOCAL_INDEX_ERROR;
	}
	return LOCAL_INDEX_NEW;
}
