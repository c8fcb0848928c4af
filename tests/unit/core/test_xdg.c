/* test_xdg.c - core_xdg_path with and without XDG_* variables. */
#include "core/core.h"

#include <stdlib.h>

#include <glib.h>

static void test_xdg(void)
{
	static const struct {
		enum core_xdg kind;
		const char *var;
		const char *value; /* NULL: unset */
		const char *rel;
		const char *want;
	} cases[] = {
		{ CORE_XDG_CONFIG, "XDG_CONFIG_HOME", NULL, "config", "/home/t/.config/mailtui/config" },
		{ CORE_XDG_DATA, "XDG_DATA_HOME", NULL, NULL, "/home/t/.local/share/mailtui" },
		{ CORE_XDG_CACHE, "XDG_CACHE_HOME", NULL, "h", "/home/t/.cache/mailtui/h" },
		{ CORE_XDG_STATE, "XDG_STATE_HOME", NULL, "", "/home/t/.local/state/mailtui" },
		{ CORE_XDG_CONFIG, "XDG_CONFIG_HOME", "/x/conf", "config", "/x/conf/mailtui/config" },
		{ CORE_XDG_DATA, "XDG_DATA_HOME", "/x/data/", NULL, "/x/data/mailtui" },
		{ CORE_XDG_CACHE, "XDG_CACHE_HOME", "/x/cache", "a/b", "/x/cache/mailtui/a/b" },
		{ CORE_XDG_STATE, "XDG_STATE_HOME", "/x/state", "outbox", "/x/state/mailtui/outbox" },
		/* Relative values are invalid per the spec: ignored. */
		{ CORE_XDG_CONFIG, "XDG_CONFIG_HOME", "rel/conf", "config",
		  "/home/t/.config/mailtui/config" },
		{ CORE_XDG_CACHE, "XDG_CACHE_HOME", "", NULL, "/home/t/.cache/mailtui" },
	};

	g_setenv("HOME", "/home/t", TRUE);
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		char *got;

		if (cases[i].value)
			g_setenv(cases[i].var, cases[i].value, TRUE);
		else
			g_unsetenv(cases[i].var);
		got = core_xdg_path(cases[i].kind, cases[i].rel);
		g_assert_cmpstr(got, ==, cases[i].want);
		g_free(got);
		g_unsetenv(cases[i].var);
	}
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/core/xdg/paths", test_xdg);
	return g_test_run();
}
