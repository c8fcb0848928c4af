/* xdg.c - XDG base directories (XDG Base Directory Specification 0.8). */
#include "core/core.h"

#include <pwd.h>
#include <stdlib.h>
#include <unistd.h>

#include <glib.h>

static const struct {
	const char *env;
	const char *home_rel;
} xdg_dirs[] = {
	[CORE_XDG_CONFIG] = { "XDG_CONFIG_HOME", ".config" },
	[CORE_XDG_DATA] = { "XDG_DATA_HOME", ".local/share" },
	[CORE_XDG_CACHE] = { "XDG_CACHE_HOME", ".cache" },
	[CORE_XDG_STATE] = { "XDG_STATE_HOME", ".local/state" },
};

/* $HOME, else the password database, else "/" (never NULL). */
static const char *home_dir(void)
{
	const char *home = getenv("HOME");
	struct passwd *pw;

	if (home && *home)
		return home;
	pw = getpwuid(getuid());
	if (pw && pw->pw_dir && *pw->pw_dir)
		return pw->pw_dir;
	return "/";
}

char *core_xdg_path(enum core_xdg kind, const char *rel)
{
	const char *val;
	char *base;
	char *path;

	if ((unsigned)kind >= G_N_ELEMENTS(xdg_dirs))
		kind = CORE_XDG_CONFIG;
	val = getenv(xdg_dirs[kind].env);
	/* The spec says relative values are invalid and must be ignored. */
	if (val && val[0] == '/')
		base = g_strdup(val);
	else
		base = g_build_filename(home_dir(), xdg_dirs[kind].home_rel, NULL);
	if (rel && *rel)
		path = g_build_filename(base, "mailtui", rel, NULL);
	else
		path = g_build_filename(base, "mailtui", NULL);
	g_free(base);
	return path;
}
