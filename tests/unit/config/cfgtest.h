/* cfgtest.h - helpers shared by the config unit tests. */
#ifndef MAILTUI_CFGTEST_H
#define MAILTUI_CFGTEST_H

#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "config/config.h"
#include "testfs.h"

static char *cfgtest_dir;

/* A private temporary directory that is also $HOME, so "~" expands into
 * it.  Call before anything reads HOME. */
static inline void cfgtest_init(void)
{
	GError *err = NULL;

	cfgtest_dir = g_dir_make_tmp("mailtui-config-XXXXXX", &err);
	g_assert_no_error(err);
	g_setenv("HOME", cfgtest_dir, TRUE);
}

static inline void cfgtest_cleanup(void)
{
	testfs_rm_rf(cfgtest_dir);
	g_free(cfgtest_dir);
}

/* Write text to a new file in the test directory with mode.  Owned path. */
static inline char *cfgtest_write(const char *name, const char *text, mode_t mode)
{
	char *path = g_build_filename(cfgtest_dir, name, NULL);
	GError *err = NULL;

	g_file_set_contents(path, text, -1, &err);
	g_assert_no_error(err);
	g_assert_cmpint(g_chmod(path, mode), ==, 0);
	return path;
}

static inline void cfgtest_dump(const struct config *cfg)
{
	for (guint i = 0; i < cfg->diags->len; i++) {
		const struct config_diag *d = g_ptr_array_index(cfg->diags, i);

		g_test_message("%s:%d: %s: %s", d->file, d->line,
		               d->severity == CONFIG_ERROR ? "error" : "warning", d->message);
	}
}

static inline int cfgtest_count(const struct config *cfg, enum config_severity sev)
{
	int n = 0;

	for (guint i = 0; i < cfg->diags->len; i++) {
		const struct config_diag *d = g_ptr_array_index(cfg->diags, i);

		n += d->severity == sev;
	}
	return n;
}

#endif
