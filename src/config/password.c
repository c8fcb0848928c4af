/* password.c - credentials: the file's password or a command's output. */
#include <string.h>
#include <sys/wait.h>

#include "config/config_private.h"
#include "core/i18n.h"

/* Run cmd with /bin/sh -c and take the first line of its stdout.  Its
 * stderr goes to /dev/null: it must not reach a curses screen, and the
 * output is never put into messages since it may be the secret. */
static bool run_secret_command(const char *account, const char *key, const char *cmd, char **out,
                               char **errmsg)
{
	char *argv[] = {"/bin/sh", "-c", (char *)cmd, NULL};
	char *sout = NULL;
	GError *err = NULL;
	int status = 0;
	size_t n;

	*out = NULL;
	if (!g_spawn_sync(NULL, argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &sout, NULL,
	                  &status, &err)) {
		*errmsg = g_strdup_printf(_("account \"%s\": cannot run %s: %s"), account, key,
		                          err->message);
		g_error_free(err);
		return false;
	}
	n = strcspn(sout, "\n");
	if (n > 0 && sout[n - 1] == '\r')
		n--;
	if (WIFSIGNALED(status)) {
		*errmsg = g_strdup_printf(_("account \"%s\": %s was killed by signal %d"), account,
		                          key, WTERMSIG(status));
	} else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		*errmsg =
		    g_strdup_printf(_("account \"%s\": %s failed with exit status %d"), account,
		                    key, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	} else if (n == 0) {
		*errmsg = g_strdup_printf(_("account \"%s\": %s printed nothing"), account, key);
	} else {
		*out = g_strndup(sout, n);
	}
	explicit_bzero(sout, strlen(sout));
	g_free(sout);
	return *out != NULL;
}

bool config_account_password(const struct config_account *a, char **out, char **errmsg)
{
	*out = NULL;
	*errmsg = NULL;
	if (a->password_command)
		return run_secret_command(a->name, "password_command", a->password_command, out,
		                          errmsg);
	if (a->password) {
		*out = g_strdup(a->password);
		return true;
	}
	*errmsg = g_strdup_printf(_("account \"%s\" has no password or password_command"), a->name);
	return false;
}

bool config_account_oauth_token(const struct config_account *a, char **out, char **errmsg)
{
	*out = NULL;
	*errmsg = NULL;
	if (a->oauth_token_command)
		return run_secret_command(a->name, "oauth_token_command", a->oauth_token_command,
		                          out, errmsg);
	*errmsg = g_strdup_printf(_("account \"%s\" has no oauth_token_command"), a->name);
	return false;
}
