/* testfs.h - file helpers the C tests and benchmarks share (GLib). */
#ifndef MAILTUI_TESTFS_H
#define MAILTUI_TESTFS_H

#include <glib.h>
#include <glib/gstdio.h>

/* Remove path and everything below it (a test's scratch Maildir). */
static inline void testfs_rm_rf(const char *path)
{
	GDir *d = g_dir_open(path, 0, NULL);
	if (!d) {
		g_remove(path);
		return;
	}
	const char *name;
	while ((name = g_dir_read_name(d))) {
		char *child = g_build_filename(path, name, NULL);
		testfs_rm_rf(child);
		g_free(child);
	}
	g_dir_close(d);
	g_rmdir(path);
}

#endif
