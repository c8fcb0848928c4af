/* test_password.c - config_account_password and the oauth token: the
 * command's first line, failures with the exit status but never the
 * output, and the file's password. */
#include "cfgtest.h"

struct pw_case {
	const char *name;
	const char *command; /* NULL: use password */
	const char *password;
	bool ok;
	const char *want;   /* the secret when ok, else a part of the message */
	const char *absent; /* must not be in the message */
};

static const struct pw_case pw_cases[] = {
    {"first line", "printf 'sekrit\\nsecond line\\n'", NULL, true, "sekrit", NULL},
    {"no newline", "printf 'pass word'", NULL, true, "pass word", NULL},
    {"crlf", "printf 'pw\\r\\n'", NULL, true, "pw", NULL},
    {"shell syntax", "x=abc; echo \"$x\" | tr a-c A-C", NULL, true, "ABC", NULL},
    {"stderr ignored", "echo oops >&2; echo pw", NULL, true, "pw", NULL},
    {"exit status", "exit 3", NULL, false, "exit status 3", NULL},
    {"output not shown", "echo leaked-secret; exit 2", NULL, false, "exit status 2",
     "leaked-secret"},
    {"empty output", "true", NULL, false, "printed nothing", NULL},
    {"empty first line", "printf '\\nsecond\\n'", NULL, false, "printed nothing", "second"},
    {"killed", "kill -9 $$", NULL, false, "signal 9", NULL},
    {"command not found", "/nonexistent/pass-helper", NULL, false, "exit status 127", NULL},
    {"file password", NULL, "from-file", true, "from-file", NULL},
    {"command wins", "echo from-command", "from-file", true, "from-command", NULL},
    {"nothing", NULL, NULL, false, "no password", NULL},
};

static void test_password(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(pw_cases); i++) {
		const struct pw_case *c = &pw_cases[i];
		struct config_account a = {0};
		char *out = (char *)"unset", *msg = (char *)"unset";
		bool ok;

		g_test_message("case %zu: %s", i, c->name);
		a.name = (char *)"acct";
		a.password_command = (char *)c->command;
		a.password = (char *)c->password;
		ok = config_account_password(&a, &out, &msg);
		g_assert_cmpint(ok, ==, c->ok);
		if (ok) {
			g_assert_null(msg);
			g_assert_cmpstr(out, ==, c->want);
		} else {
			g_assert_null(out);
			g_assert_nonnull(msg);
			if (!strstr(msg, c->want))
				g_error("case %s: \"%s\" lacks \"%s\"", c->name, msg, c->want);
			g_assert_nonnull(strstr(msg, "acct"));
			if (c->absent)
				g_assert_null(strstr(msg, c->absent));
		}
		g_free(out);
		g_free(msg);
	}
}

static void test_oauth_token(void)
{
	struct config_account a = {0};
	char *out, *msg;

	a.name = (char *)"acct";
	g_assert_false(config_account_oauth_token(&a, &out, &msg));
	g_assert_null(out);
	g_assert_nonnull(strstr(msg, "oauth_token_command"));
	g_free(msg);
	a.oauth_token_command = (char *)"echo ya29.token";
	g_assert_true(config_account_oauth_token(&a, &out, &msg));
	g_assert_cmpstr(out, ==, "ya29.token");
	g_assert_null(msg);
	g_free(out);
}

/* oauth_token_command stands in for a password. */
static void test_oauth_only_account(void)
{
	static const char text[] = "[account o]\nmode = imap\nfrom = a@example.org\n"
	                           "user = a\noauth_token_command = echo t\n"
	                           "imap_url = imaps://h\nsmtp_url = smtps://h\n";
	char *path = cfgtest_write("oauth", text, 0600);
	struct config *cfg = config_load(path);

	cfgtest_dump(cfg);
	g_assert_cmpuint(cfg->diags->len, ==, 0);
	config_free(cfg);
	g_free(path);
}

int main(int argc, char **argv)
{
	int r;

	g_test_init(&argc, &argv, NULL);
	cfgtest_init();
	g_test_add_func("/config/password/cases", test_password);
	g_test_add_func("/config/password/oauth_token", test_oauth_token);
	g_test_add_func("/config/password/oauth_only", test_oauth_only_account);
	r = g_test_run();
	cfgtest_cleanup();
	return r;
}
