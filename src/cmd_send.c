/* cmd_send.c - "mailtui send": a sendmail-like command for scripts.
 *
 *   mailtui send [-a ACCOUNT] [FILE|-]        queue the message, then send it
 *   mailtui send [-a ACCOUNT] --flush [--requeue]  send what waits in the outbox
 *
 * The message goes into the account's outbox before any network use, so
 * a failure never loses it.  Exit status follows sysexits.h: 0 sent,
 * 64 usage, 65 bad message, 67 some recipients refused, 69 refused for
 * good (kept as failed), 75 try again later (kept queued), 78 account
 * settings or credentials.  No Sent copy is stored here (like sendmail);
 * the mail screen does that for what it sends. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include <glib.h>

#include "app/app.h"
#include "commands.h"
#include "config/config.h"
#include "core/core.h"
#include "core/i18n.h"
#include "mime/mime.h"
#include "net/net.h"
#include "smtp/smtp.h"

#define SEND_MAX_INPUT (64u << 20)
#define PROGRESS_MIN (64u << 10) /* no bar for small messages */

struct creds {
	struct app_smtp_creds smtp;
	char *from;
};

static void creds_clear(struct creds *c)
{
	app_smtp_creds_clear(&c->smtp);
	g_free(c->from);
	c->from = NULL;
}

/* The bare address of the account's from ("Name <a@b>" allowed). */
static char *account_address(const struct config_account *a)
{
	const char *lt = a->from ? strrchr(a->from, '<') : NULL;
	const char *gt = lt ? strchr(lt, '>') : NULL;

	if (lt && gt)
		return g_strndup(lt + 1, (size_t)(gt - lt - 1));
	return g_strdup(a->from ? a->from : "");
}

/* Fill srv from the account; runs password_command / oauth_token_command. */
static bool server_for(const struct config_account *a, struct smtp_server *srv, struct creds *c)
{
	char *err = NULL;

	if (!a->smtp.set) {
		memset(srv, 0, sizeof *srv);
		fprintf(stderr, _("mailtui: account \"%s\" has no smtp_url, so it cannot send.\n"),
		        a->name);
		return false;
	}
	if (app_smtp_server(a, NULL, srv, &c->smtp, &err))
		return true;
	fprintf(stderr, "mailtui: %s\n", err);
	g_free(err);
	return false;
}


/* Server text is untrusted: made terminal-safe, one indented line each. */
static void print_server_text(const char *label, const char *text)
{
	char *safe = core_safe_text(text, (size_t)-1, true);
	char **lines = g_strsplit(safe, "\n", -1);

	for (char **l = lines; *l; l++)
		fprintf(stderr, "  %s %s\n", label, *l);
	g_strfreev(lines);
	g_free(safe);
}

static void print_result(const struct smtp_result *r)
{
	if (r->status != SMTP_OK)
		fprintf(stderr, "mailtui: %s\n", app_smtp_status_text(r->status));
	/* Refused recipients are listed below, each with its reply. */
	if (r->status != SMTP_OK && r->status != SMTP_PARTIAL && r->status != SMTP_ERR_RECIPIENTS) {
		if (r->reply)
			print_server_text(_("server:"), r->reply);
		else if (r->detail[0])
			print_server_text(_("curl:"), r->detail); /* not the server's words */
	}
	for (guint i = 0; r->rcpt_failures && i < r->rcpt_failures->len; i++) {
		const struct smtp_rcpt_failure *f = r->rcpt_failures->pdata[i];
		char *addr = core_safe_text(f->address, (size_t)-1, false);

		fprintf(stderr, _("mailtui: recipient %s refused%s\n"), addr,
		        f->code < 500 ? _(" for now (it will be retried)") : "");
		print_server_text(_("server:"), f->reply);
		g_free(addr);
	}
}

static int exit_for(const struct smtp_result *r)
{
	if (r->status == SMTP_OK)
		return EX_OK;
	if (r->status == SMTP_PARTIAL)
		return EX_NOUSER;
	switch (r->retry) {
	case SMTP_RETRY_PERMANENT:
		return EX_UNAVAILABLE;
	case SMTP_RETRY_ACCOUNT:
		return EX_CONFIG;
	default:
		return EX_TEMPFAIL;
	}
}

/* Worse exit statuses win when several messages are sent. */
static int worse(int a, int b)
{
	static const int order[] = {EX_OK, EX_NOUSER, EX_TEMPFAIL, EX_UNAVAILABLE, EX_CONFIG};
	int ra = 0, rb = 0;

	for (int i = 0; i < (int)G_N_ELEMENTS(order); i++) {
		if (order[i] == a)
			ra = i;
		if (order[i] == b)
			rb = i;
	}
	return ra >= rb ? a : b;
}

struct bar {
	bool on, drawn;
};

static bool on_progress(void *ud, uint64_t sent, uint64_t total)
{
	struct bar *b = ud;
	int width = 30, done;

	if (!b->on || total < PROGRESS_MIN)
		return true;
	done = (int)(sent * (uint64_t)width / total);
	fprintf(stderr, "\r[%.*s%*s] %3d%% %.1f/%.1f MB", done, "##############################",
	        width - done, "", (int)(sent * 100 / total), sent / 1e6, total / 1e6);
	b->drawn = true;
	return true;
}

static void bar_end(struct bar *b)
{
	if (b->drawn)
		fputc('\n', stderr);
	b->drawn = false;
}

static struct config_account *pick_account(struct config *cfg, const char *name)
{
	struct config_account *a = NULL;

	if (name)
		a = config_account_find(cfg, name);
	else if (cfg->general.default_account)
		a = config_account_find(cfg, cfg->general.default_account);
	else if (cfg->accounts->len > 0)
		a = cfg->accounts->pdata[0];
	if (!a) {
		if (name)
			fprintf(stderr, _("mailtui: no account named \"%s\".\n"), name);
		else
			fprintf(stderr, "%s\n", _("mailtui: the configuration has no account."));
	}
	return a;
}

static struct smtp_outbox *open_outbox(const char *account, bool create)
{
	char *dir = smtp_outbox_default_dir(account);
	struct smtp_outbox *ob = NULL;
	int err = 0;

	if (create || g_file_test(dir, G_FILE_TEST_IS_DIR)) {
		ob = smtp_outbox_open(dir, &err);
		if (!ob)
			fprintf(stderr, _("mailtui: cannot open the outbox %s: %s\n"), dir,
			        g_strerror(-err));
	}
	g_free(dir);
	return ob;
}

static bool read_input(const char *file, char **data, size_t *len)
{
	GString *s;
	char buf[65536];
	size_t n;

	if (file && strcmp(file, "-") != 0) {
		int rc = core_read_file(file, SEND_MAX_INPUT, data, len);

		if (rc < 0)
			fprintf(stderr, _("mailtui: cannot read %s: %s\n"), file, g_strerror(-rc));
		return rc == 0;
	}
	s = g_string_new(NULL);
	while ((n = fread(buf, 1, sizeof buf, stdin)) > 0) {
		g_string_append_len(s, buf, (gssize)n);
		if (s->len > SEND_MAX_INPUT) {
			fprintf(stderr, _("mailtui: the message is larger than %u MiB.\n"),
			        SEND_MAX_INPUT >> 20);
			g_string_free(s, TRUE);
			return false;
		}
	}
	*len = s->len;
	*data = g_string_free(s, FALSE);
	return true;
}

static void print_mime_error(const struct mime_error *e)
{
	switch (e->status) {
	case MIME_ERR_LINE_TOO_LONG:
		fprintf(stderr,
		        _("mailtui: line %d is longer than %d octets, which SMTP cannot "
		          "carry; encode the message (quoted-printable or base64) first.\n"),
		        e->line, MIME_MAX_LINE);
		break;
	case MIME_ERR_NUL:
		fprintf(stderr,
		        _("mailtui: line %d contains a NUL byte, which SMTP cannot carry.\n"),
		        e->line);
		break;
	case MIME_ERR_NO_RECIPIENTS:
		fprintf(stderr, "%s\n",
		        _("mailtui: the message has no recipients (To, Cc or Bcc)."));
		break;
	case MIME_ERR_ADDRESS: {
		char *safe = core_safe_text(e->detail, (size_t)-1, false);

		fprintf(stderr, _("mailtui: cannot understand the address \"%s\".\n"), safe);
		g_free(safe);
		break;
	}
	case MIME_ERR_HEADER:
		fprintf(stderr,
		        _("mailtui: line %d is not a header line (\"Name: value\"); "
		          "is the blank line after the headers missing?\n"),
		        e->line);
		break;
	default:
		fprintf(stderr, _("mailtui: cannot prepare the message (%s).\n"),
		        mime_status_name(e->status));
	}
}

static int send_file(struct config_account *a, const char *file)
{
	struct mime_outgoing *m = NULL;
	struct mime_error merr = {0};
	struct smtp_result res = {0};
	struct smtp_server srv;
	struct creds c = {0};
	struct smtp_outbox *ob;
	struct smtp_session *s;
	struct bar bar = {.on = isatty(STDERR_FILENO)};
	char *data = NULL, *id = NULL;
	size_t len = 0;
	int rc, status;

	if (!read_input(file, &data, &len))
		return EX_NOINPUT;
	c.from = account_address(a);
	if (mime_prepare_raw_named(data, len, c.from, a->display_name, &m, &merr) != MIME_OK) {
		print_mime_error(&merr);
		g_free(data);
		creds_clear(&c);
		return EX_DATAERR;
	}
	g_free(data);
	ob = open_outbox(a->name, true);
	rc = ob ? smtp_outbox_add(ob, m->envelope_from, (const char *const *)m->recipients->pdata,
	                          m->recipients->len, m->message_id, m->wire, m->wire_len, &id)
	        : -EIO;
	mime_outgoing_free(m);
	if (rc < 0) {
		if (ob)
			fprintf(stderr, _("mailtui: cannot queue the message: %s\n"),
			        g_strerror(-rc));
		smtp_outbox_close(ob);
		creds_clear(&c);
		return EX_CANTCREAT;
	}
	rc = smtp_outbox_lock(ob);
	if (rc < 0 || !server_for(a, &srv, &c)) {
		if (rc == -EWOULDBLOCK)
			fprintf(stderr, "%s\n",
			        _("mailtui: another mailtui is sending from this outbox; "
			          "the message is queued and goes with the next flush."));
		fprintf(stderr, "%s\n",
		        _("mailtui: the message waits in the outbox (mailtui send --flush)."));
		g_free(id);
		smtp_outbox_close(ob);
		creds_clear(&c);
		return rc < 0 ? EX_TEMPFAIL : EX_CONFIG;
	}
	s = smtp_session_new(&srv);
	smtp_session_set_progress(s, on_progress, &bar);
	rc = smtp_outbox_send(ob, s, id, &res);
	bar_end(&bar);
	if (rc < 0) {
		fprintf(stderr, _("mailtui: cannot update the outbox: %s\n"), g_strerror(-rc));
		status = EX_IOERR;
	} else {
		print_result(&res);
		status = exit_for(&res);
		if (res.status == SMTP_OK || res.status == SMTP_PARTIAL)
			smtp_outbox_remove(ob, id);
		else if (res.retry == SMTP_RETRY_PERMANENT)
			fprintf(stderr, "%s\n",
			        _("mailtui: the message is kept in the outbox as failed."));
		else
			fprintf(
			    stderr, "%s\n",
			    _("mailtui: the message waits in the outbox (mailtui send --flush)."));
	}
	smtp_result_clear(&res);
	smtp_session_free(s);
	smtp_outbox_close(ob);
	creds_clear(&c);
	g_free(id);
	return status;
}

struct flush_ctx {
	GPtrArray *accepted; /* ids sent by this run: removed after */
	int status;
};

static void on_flushed(void *ud, const struct smtp_outbox_entry *e, const struct smtp_result *r)
{
	struct flush_ctx *f = ud;

	if (r->status == SMTP_OK || r->status == SMTP_PARTIAL)
		g_ptr_array_add(f->accepted, g_strdup(e->id));
	if (r->status != SMTP_OK) {
		char *mid =
		    core_safe_text(e->message_id ? e->message_id : e->id, (size_t)-1, false);

		fprintf(stderr, _("mailtui: message <%s>:\n"), mid);
		g_free(mid);
		print_result(r);
	}
	f->status = worse(f->status, exit_for(r));
}

static int flush_account(struct config_account *a, bool requeue)
{
	struct smtp_outbox *ob = open_outbox(a->name, false);
	struct flush_ctx f = {.accepted = g_ptr_array_new_with_free_func(g_free)};
	struct smtp_flush_summary sum = {0};
	struct smtp_server srv;
	struct creds c = {0};
	struct smtp_session *s;
	GPtrArray *all;
	int queued = 0, rc;

	if (!ob) {
		g_ptr_array_unref(f.accepted);
		return EX_OK;
	}
	all = smtp_outbox_list(ob);
	for (guint i = 0; i < all->len; i++) {
		struct smtp_outbox_entry *e = all->pdata[i];

		if (requeue &&
		    (e->state == SMTP_OUTBOX_FAILED || e->state == SMTP_OUTBOX_INTERRUPTED) &&
		    smtp_outbox_requeue(ob, e->id) == 0)
			e->state = SMTP_OUTBOX_QUEUED;
		queued += e->state == SMTP_OUTBOX_QUEUED || e->state == SMTP_OUTBOX_SENDING;
	}
	g_ptr_array_unref(all);
	if (queued == 0 || !server_for(a, &srv, &c)) {
		smtp_outbox_close(ob);
		g_ptr_array_unref(f.accepted);
		creds_clear(&c);
		return queued == 0 ? EX_OK : EX_CONFIG;
	}
	s = smtp_session_new(&srv);
	rc = smtp_outbox_flush(ob, s, on_flushed, &f, &sum);
	if (rc == -EWOULDBLOCK) {
		fprintf(
		    stderr,
		    _("mailtui: account \"%s\": another mailtui is sending from this outbox.\n"),
		    a->name);
		f.status = worse(f.status, EX_TEMPFAIL);
	} else if (rc < 0) {
		fprintf(stderr, _("mailtui: account \"%s\": outbox error: %s\n"), a->name,
		        g_strerror(-rc));
		f.status = worse(f.status, EX_IOERR);
	}
	for (guint i = 0; i < f.accepted->len; i++)
		smtp_outbox_remove(ob, f.accepted->pdata[i]);
	if (sum.deferred)
		fprintf(stderr,
		        ngettext("mailtui: account \"%s\": %d message waits in the outbox.\n",
		                 "mailtui: account \"%s\": %d messages wait in the outbox.\n",
		                 (unsigned long)sum.deferred),
		        a->name, sum.deferred);
	if (sum.interrupted) {
		fprintf(stderr,
		        ngettext("mailtui: account \"%s\": %d message was being sent when mailtui "
		                 "stopped; the server may have it.\n",
		                 "mailtui: account \"%s\": %d messages were being "
		                 "sent when mailtui stopped; the server may have them.\n",
		                 (unsigned long)sum.interrupted),
		        a->name, sum.interrupted);
		fprintf(stderr, "%s\n",
		        _("mailtui: to send them again anyway: mailtui send --flush --requeue"));
		f.status = worse(f.status, EX_TEMPFAIL);
	}
	smtp_session_free(s);
	smtp_outbox_close(ob);
	creds_clear(&c);
	g_ptr_array_unref(f.accepted);
	return f.status;
}

static void usage(void)
{
	fprintf(stderr, "%s\n",
	        _("Usage: mailtui send [-a ACCOUNT] [FILE|-]\n"
	          "       mailtui send [-a ACCOUNT] --flush [--requeue]"));
}

int cmd_send(struct config *cfg, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"account", required_argument, NULL, 'a'},
	    {"flush", no_argument, NULL, 'f'},
	    {"requeue", no_argument, NULL, 'r'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *account = NULL;
	bool flush = false, requeue = false;
	int c, status = EX_OK;

	optind = 0; /* glibc: restart parsing on the subcommand's own argv */
	while ((c = getopt_long(argc, argv, "+a:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'a':
			account = optarg;
			break;
		case 'f':
			flush = true;
			break;
		case 'r':
			requeue = true;
			break;
		case 'h':
			usage();
			return EX_OK;
		default:
			usage();
			return EX_USAGE;
		}
	}
	if (argc - optind > 1 || (flush && argc - optind > 0) || (requeue && !flush)) {
		usage();
		return EX_USAGE;
	}
	if (flush) {
		if (account) {
			struct config_account *a = pick_account(cfg, account);

			return a ? flush_account(a, requeue) : EX_USAGE;
		}
		for (guint i = 0; i < cfg->accounts->len; i++)
			status = worse(status, flush_account(cfg->accounts->pdata[i], requeue));
		return status;
	}
	struct config_account *a = pick_account(cfg, account);

	if (!a)
		return EX_USAGE;
	return send_file(a, optind < argc ? argv[optind] : NULL);
}
