/* test_sample.c - the shipped mailtui.conf.sample loads with no error and
 * no warning (copied with mode 0600, as a user would install it). */
#include <stdlib.h>

#include "cfgtest.h"

static void test_sample(void)
{
	const char *src = g_getenv("MAILTUI_SAMPLE_CONF");
	char *text = NULL, *path;
	GError *err = NULL;
	struct config *cfg;

	g_assert_nonnull(src);
	g_file_get_contents(src, &text, NULL, &err);
	g_assert_no_error(err);
	path = cfgtest_write("config", text, 0600);
	cfg = config_load(path);
	cfgtest_dump(cfg);
	g_assert_cmpuint(cfg->diags->len, ==, 0);
	g_assert_cmpuint(cfg->accounts->len, ==, 2);
	g_assert_nonnull(config_account_find(cfg, cfg->general.default_account));
	config_free(cfg);
	g_free(path);
	g_free(text);
}

static void test_default_path(void)
{
	char *path;

	g_setenv("XDG_CONFIG_HOME", "/xdg/conf", TRUE);
	path = config_default_path();
	g_assert_cmpstr(path, ==, "/xdg/conf/mailtui/config");
	g_free(path);
}

int main(int argc, char **argv)
{
	int r;

	g_test_init(&argc, &argv, NULL);
	cfgtest_init();
	g_test_add_func("/config/sample", test_sample);
	g_test_add_func("/config/default_path", test_default_path);
	r = g_test_run();
	cfgtest_cleanup();
	return r;
}
