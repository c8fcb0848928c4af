/* state.h - private to src/pop3: the UIDL state file and the fetch lock
 * (format described in pop3.h). */
#ifndef MAILTUI_POP3_STATE_H
#define MAILTUI_POP3_STATE_H

#include <glib.h>

/* "<dir>/<escaped account><ext>", owned. */
char *pop3_state_file(const char *dir, const char *account, const char *ext);
/* uidl (owned key) -> download time (gint64 in a pointer).  A missing file
 * is an empty table.  *out always set (owned).  0 or -errno. */
int pop3_state_load(const char *path, GHashTable **out);
/* Atomic rewrite; the directory is created.  0 or -errno. */
int pop3_state_save(const char *path, GHashTable *t);
/* flock the file (created): an fd to close to unlock, or -EWOULDBLOCK
 * when another process holds it, or -errno. */
int pop3_state_lock(const char *path);

#endif
