/* mailtui.c - arguments, subcommands and start-up. */
#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "app/app.h"
#include "commands.h"
#include "config/config.h"
#include "core/core.h"
#include "core/i18n.h"
#include "ui/ui.h"

static void init_i18n(void)
{
	setlocale(LC_ALL, "");
	/* MAILTUI_LOCALEDIR lets the tests use the catalogues of a build tree. */
	const char *dir = getenv("MAILTUI_LOCALEDIR");
	bindtextdomain(GETTEXT_PACKAGE, dir && *dir ? dir : LOCALEDIR);
	bind_textdomain_codeset(GETTEXT_PACKAGE, "UTF-8");
	textdomain(GETTEXT_PACKAGE);
}

static void usage(FILE *out)
{
	fprintf(out, _("Usage: %s [OPTION...] [COMMAND [ARG...]]\n"), "mailtui");
	fputs(_("A terminal mail client for IMAP and POP3 accounts.\n\n"), out);
	fputs(_("Options:\n"
		"  -c, --config FILE    read FILE instead of $XDG_CONFIG_HOME/mailtui/config\n"
		"  -a, --account NAME   open the account NAME\n"
		"  -f, --folder NAME    with -a: open its folder NAME at once\n"
		"  -d, --debug FILE     write a debug log to FILE (passwords are never logged)\n"
		"  -h, --help           show this help and exit\n"
		"  -V, --version        show the version and exit\n\n"), out);
	fputs(_("Commands:\n"
		"  (none)               open the mail screen\n"
		"  check-config         check the configuration and list the accounts\n"
		"  fetch [ACCOUNT...]   download new mail of POP3 accounts\n"
		"  send [-a ACCOUNT] [FILE|-]\n"
		"                       send a prepared message (like sendmail)\n"
		"  send --flush         send what waits in the outbox\n\n"), out);
	fputs(_("See mailtui(1) and mailtui.conf(5).\n"), out);
}

/* Print every problem as FILE:LINE: severity: message. */
static void print_diags(const struct config *cfg)
{
	for (guint i = 0; i < cfg->diags->len; i++) {
		char *line = config_diag_format(g_ptr_array_index(cfg->diags, i));
		fprintf(stderr, "%s\n", line);
		g_free(line);
	}
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "account", required_argument, NULL, 'a' },
		{ "folder", required_argument, NULL, 'f' },
		{ "debug", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config_path = NULL, *account = NULL, *log_path = NULL;
	int c;

	init_i18n();
	/* '+': options after the command belong to the command. */
	while ((c = getopt_long(argc, argv, "+c:a:f:d:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': config_path = optarg; break;
		case 'a': account = optarg; break;
		case 'f': ui_set_start_folder(optarg); break;
		case 'd': log_path = optarg; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("mailtui %s\n", VERSION); return 0;
		default:
			fprintf(stderr, _("Try '%s --help' for more information.\n"), "mailtui");
			return 2;
		}
	}
	const char *command = optind < argc ? argv[optind] : NULL;
	if (command && strcmp(command, "check-config") != 0 && strcmp(command, "fetch") != 0 &&
	    strcmp(command, "send") != 0) {
		fprintf(stderr, _("Unknown command: %s\n"), command);
		fprintf(stderr, _("Try '%s --help' for more information.\n"), "mailtui");
		return 2;
	}
	if (log_path) {
		int r = core_log_open(log_path);
		if (r < 0) {
			fprintf(stderr, _("Cannot open the debug log %s: %s\n"), log_path, g_strerror(-r));
			return 1;
		}
		core_log(CORE_LOG_APP, "mailtui %s starting", VERSION);
	}

	char *default_path = config_path ? NULL : config_default_path();
	struct config *cfg = config_load(config_path ? config_path : default_path);
	g_free(default_path);
	int status;

	if (command && strcmp(command, "check-config") == 0) {
		status = cmd_check_config(cfg, argc - optind, argv + optind);
	} else if (config_has_errors(cfg)) {
		print_diags(cfg);
		fprintf(stderr, "%s\n", _("Fix the configuration (mailtui check-config lists every problem)."));
		status = 1;
	} else if (command && strcmp(command, "fetch") == 0) {
		status = cmd_fetch(cfg, argc - optind, argv + optind);
	} else if (command && strcmp(command, "send") == 0) {
		status = cmd_send(cfg, argc - optind, argv + optind);
	} else {
		struct app *app = app_new(STDIN_FILENO);
		if (!app) {
			fprintf(stderr, "%s\n", _("Cannot start the event loop."));
			status = 1;
		} else {
			status = ui_run(cfg, app, account);
			app_free(app);
		}
	}
	config_free(cfg);
	core_log_close();
	return status;
}

int cmd_check_config(struct config *cfg, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	print_diags(cfg);
	if (config_has_errors(cfg)) {
		fprintf(stderr, _("%s: the configuration has errors.\n"), cfg->path);
		return 1;
	}
	for (guint i = 0; i < cfg->accounts->len; i++) {
		char *line = config_account_summary(g_ptr_array_index(cfg->accounts, i));
		printf("%s\n", line);
		g_free(line);
	}
	return 0;
}
