/* cmd_fetch.c - "mailtui fetch [ACCOUNT...]": download new mail of POP3
 * accounts (for cron and scripts).  The front end's edge: the only place
 * here that turns pop3/net codes into translated words. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>

#include "app/app.h"
#include "commands.h"
#include "config/config.h"
#include "core/core.h"
#include "core/i18n.h"
#include "pop3/pop3.h"

struct progress {
	const char *name;
	bool tty;
	int last_step; /* plain output: last tenth printed */
};

static void on_progress(void *ctx, size_t done, size_t total)
{
	struct progress *p = ctx;
	if (total == 0)
		return;
	if (p->tty) {
		enum { WIDTH = 30 };
		int fill = (int)(done * WIDTH / total);
		fprintf(stderr, "\r%s: %zu/%zu [%.*s%*s]", p->name, done, total, fill,
			"##############################", WIDTH - fill, "");
		fflush(stderr);
		return;
	}
	int step = (int)(done * 10 / total);
	if (step != p->last_step && done > 0) {
		p->last_step = step;
		fprintf(stderr, "%s: %zu/%zu\n", p->name, done, total);
	}
}

static int fetch_one(struct config_account *a)
{
	char *password = NULL, *errmsg = NULL;
	if (!config_account_password(a, &password, &errmsg)) {
		fprintf(stderr, _("%s: %s\n"), a->name, errmsg);
		g_free(errmsg);
		return 1;
	}
	struct progress prog = { a->name, isatty(STDERR_FILENO) == 1, -1 };
	struct pop3_fetch_opts o;
	app_pop3_fetch_opts(a, password, &o);
	o.progress = on_progress;
	o.progress_ctx = &prog;
	struct pop3_fetch_result res;
	struct pop3_error err;
	enum pop3_status st = pop3_fetch(&o, &res, &err);
	core_wipe(password);
	g_free(password);
	if (prog.tty && res.total_new)
		fputc('\n', stderr);

	/* TRANSLATORS: "%zu new" in "work: 3 new, 2 deleted". */
	char *n_new = g_strdup_printf(ngettext("%zu new", "%zu new", res.fetched), res.fetched);
	/* TRANSLATORS: "%zu deleted" in "work: 3 new, 2 deleted". */
	char *n_del = g_strdup_printf(ngettext("%zu deleted", "%zu deleted", res.deleted), res.deleted);
	printf(_("%s: %s, %s\n"), a->name, n_new, n_del);
	fflush(stdout);
	g_free(n_new);
	g_free(n_del);
	if (res.unindexed) {
		char *list = g_build_filename(a->maildir, ".notmuch", "mailtui-unindexed", NULL);
		fprintf(stderr, ngettext("%s: %zu message was kept in the Maildir but notmuch "
					 "would not index it (listed in %s)\n",
					 "%s: %zu messages were kept in the Maildir but notmuch "
					 "would not index them (listed in %s)\n", res.unindexed),
			a->name, res.unindexed, list);
		g_free(list);
	}
	if (res.dele_refused)
		fprintf(stderr, ngettext("%s: the server refused to delete %zu message; it stays "
					 "there and will be deleted next time\n",
					 "%s: the server refused to delete %zu messages; they stay "
					 "there and will be deleted next time\n", res.dele_refused),
			a->name, res.dele_refused);
	if (res.quit_failed)
		fprintf(stderr, _("%s: the server did not confirm the end of the session, so no "
				  "message was deleted; deletion will be tried again next time\n"),
			a->name);
	if (st != POP3_OK) {
		char *w = app_pop3_error_text(&err, o.conn.host, o.conn.port);
		fprintf(stderr, _("%s: fetch failed: %s\n"), a->name, w);
		g_free(w);
		return 1;
	}
	return 0; /* a refused DELE is reported above and retried next time */
}

int cmd_fetch(struct config *cfg, int argc, char **argv)
{
	GPtrArray *todo = g_ptr_array_new();
	int status = 0;

	net_global_init();
	for (int i = 1; i < argc; i++) {
		struct config_account *a = config_account_find(cfg, argv[i]);
		if (!a) {
			fprintf(stderr, _("No account named %s\n"), argv[i]);
			status = 1;
		} else if (a->mode != CONFIG_MODE_POP3) {
			fprintf(stderr, _("%s is an IMAP account: its mail stays on the server, "
					  "there is nothing to fetch\n"), a->name);
			status = 1;
		} else {
			g_ptr_array_add(todo, a);
		}
	}
	if (argc <= 1) {
		for (guint i = 0; i < cfg->accounts->len; i++) {
			struct config_account *a = cfg->accounts->pdata[i];
			if (a->mode == CONFIG_MODE_POP3)
				g_ptr_array_add(todo, a);
		}
		if (todo->len == 0) {
			fprintf(stderr, "%s\n", _("No POP3 account in the configuration."));
			status = 1;
		}
	}
	/* Each account on its own: one failing does not stop the others. */
	for (guint i = 0; i < todo->len; i++)
		if (fetch_one(todo->pdata[i]) != 0)
			status = 1;
	g_ptr_array_free(todo, TRUE);
	return status;
}
