/* send.c - writing mail on the account's worker: whole messages for
 * reply and forward, sending through the outbox, the Sent and Drafts
 * copies, the outbox for the screen, and the certificate question for
 * an SMTP server nobody vouches for.
 *
 * Nothing is lost: a message is built and put into the outbox (fsynced)
 * before any network use; it leaves the outbox only after the server
 * took it and its Sent copy is stored. */
#include <errno.h>
#include <string.h>

#include <glib.h>

#include "app/app.h"
#include "app/backend.h"
#include "config/config.h"
#include "core/core.h"
#include "core/i18n.h"
#include "mime/mime.h"
#include "net/net.h"
#include "smtp/smtp.h"

/* No progress events for small messages: they are gone in a blink. */
#define PROGRESS_MIN (64u << 10)
#define OUTBOX_MAX_READ (64u << 20)

/* Per account, worker only. */
struct send_state {
	char *pin_once;  /* an SMTP key the user accepted for this run */
	char *asked_pin; /* the SMTP key we asked about last */
};

void app_send_state_free(void *p)
{
	struct send_state *ss = p;
	if (!ss)
		return;
	g_free(ss->pin_once);
	g_free(ss->asked_pin);
	g_free(ss);
}

static struct send_state *send_state(struct app_account *acc)
{
	void **slot = app_account_send_state(acc);
	if (!*slot)
		*slot = g_new0(struct send_state, 1);
	return *slot;
}

bool app_send_trust(struct app_account *acc, const char *pin, bool always, int *r, char **text)
{
	struct send_state *ss = send_state(acc);
	const struct config_account *a = app_account_config(acc);
	if (!ss->asked_pin || g_strcmp0(ss->asked_pin, pin) != 0)
		return false;
	*r = 0;
	if (always) {
		int e = net_trust_add(NULL, a->smtp.host, a->smtp.port, pin);
		if (e < 0) {
			*text = g_strdup_printf(_("Cannot save the trusted certificate: %s"),
			                        g_strerror(-e));
			*r = -1;
		}
	}
	g_free(ss->pin_once);
	ss->pin_once = g_strdup(pin);
	return true;
}

/* ---- jobs' data ---- */

enum send_op { S_RAW, S_SEND, S_POSTPONE, S_LIST, S_FLUSH, S_DELETE, S_READ };

struct send_args {
	struct app_account *acc;
	enum send_op op;
	struct mime_draft *draft;                      /* owned */
	char *folder;                                  /* S_RAW */
	struct app_msg *msg;                           /* S_RAW */
	char *reply_folder, *draft_folder, *outbox_id; /* owned */
	struct app_msg *reply_msg, *draft_msg;         /* owned copies */
};

static void send_args_free(void *p)
{
	struct send_args *a = p;
	mime_draft_free(a->draft);
	g_free(a->folder);
	app_msg_free(a->msg);
	g_free(a->reply_folder);
	g_free(a->draft_folder);
	g_free(a->outbox_id);
	app_msg_free(a->reply_msg);
	app_msg_free(a->draft_msg);
	g_free(a);
}

void app_outbox_item_free(void *p)
{
	struct app_outbox_item *it = p;
	if (!it)
		return;
	g_free(it->id);
	g_free(it->subject);
	g_free(it->recipients);
	g_free(it->state);
	g_free(it->error);
	g_free(it);
}

/* ---- SMTP server settings ---- */

/* Fill srv from the account; runs password_command / oauth_token_command. */
static bool server_for(struct app_account *acc, struct smtp_server *srv,
                       struct app_smtp_creds *c, char **err)
{
	const struct config_account *a = app_account_config(acc);

	if (!a->smtp.set) {
		memset(srv, 0, sizeof *srv);
		*err = g_strdup(_("This account has no smtp_url, so it cannot send."));
		return false;
	}
	return app_smtp_server(a, send_state(acc)->pin_once, srv, c, err);
}

/* libcurl only says "certificate problem": look at the certificate
 * ourselves (TLS or STARTTLS, nothing else sent) so the user can be
 * asked about its fingerprint. */
static void ask_about_certificate(struct app_account *acc, struct app_job *job)
{
	const struct config_account *a = app_account_config(acc);
	struct net_opts o = {
	    .host = a->smtp.host,
	    .port = a->smtp.port,
	    .tls = a->smtp.tls == CONFIG_TLS_IMPLICIT ? NET_TLS_IMPLICIT : NET_TLS_NONE,
	    .connect_timeout_ms = a->timeout * 1000,
	    .read_timeout_ms = a->timeout * 1000,
	    .ca_file = a->tls_ca_file,
	    .cancel = app_job_cancel_flag(job),
	};
	struct net_error err = {0};
	struct net_conn *c = NULL;
	enum net_status st = net_connect(&o, &c, &err);

	if (st == NET_OK && a->smtp.tls != CONFIG_TLS_IMPLICIT) {
		/* Greeting, EHLO, STARTTLS: multi-line replies end at "NNN ". */
		static const char *const cmds[] = {NULL, "EHLO mailtui\r\n", "STARTTLS\r\n"};
		for (size_t i = 0; i < G_N_ELEMENTS(cmds) && st == NET_OK; i++) {
			if (cmds[i])
				st = net_write(c, cmds[i], strlen(cmds[i]), &err);
			const char *line = NULL;
			size_t len = 0;
			do
				st = st == NET_OK ? net_read_line(c, &line, &len, &err) : st;
			while (st == NET_OK && len >= 4 && line[3] == '-');
			if (st == NET_OK && (len < 3 || line[0] != '2'))
				st = NET_ERR_NO_STARTTLS;
		}
		if (st == NET_OK)
			st = net_start_tls(c, &err);
	}
	if (c)
		net_close(c);
	if (st != NET_ERR_CERT_UNTRUSTED && st != NET_ERR_CERT_HOSTNAME &&
	    st != NET_ERR_CERT_EXPIRED)
		return;
	if (!err.has_cert || st != NET_ERR_CERT_UNTRUSTED)
		return; /* only an unknown issuer may be accepted by the user */
	struct send_state *ss = send_state(acc);
	g_free(ss->asked_pin);
	ss->asked_pin = g_strdup(err.cert.pin);
	struct app_cert_question *q = g_new0(struct app_cert_question, 1);
	q->host = g_strdup(a->smtp.host);
	q->port = a->smtp.port;
	q->pin = g_strdup(err.cert.pin);
	q->smtp = true;
	struct app_event *ev = app_event_new(APP_EV_CERT_QUESTION, -1, 0, NULL);
	ev->text = app_net_error_text(&err, q->host, q->port);
	ev->data = q;
	ev->free_data = app_cert_question_free;
	app_job_post(job, ev);
}

/* ---- words for SMTP results ---- */


/* One line: the status and the server's own words (or curl's, named as
 * such: they never came from the server), made terminal-safe. */
static char *result_text(const struct smtp_result *r)
{
	GString *s = g_string_new(app_smtp_status_text(r->status));
	bool own = r->status != SMTP_PARTIAL && r->status != SMTP_ERR_RECIPIENTS;
	if (own && r->reply)
		g_string_append_printf(s, _(" (server said: %s)"), r->reply);
	else if (own && r->detail[0])
		g_string_append_printf(s, _(" (curl: %s)"), r->detail);
	for (guint i = 0; r->rcpt_failures && i < r->rcpt_failures->len; i++) {
		const struct smtp_rcpt_failure *f = r->rcpt_failures->pdata[i];
		g_string_append_printf(s, _("; %s refused: %d %s"), f->address, f->code,
		                       f->reply ? f->reply : "");
	}
	char *safe = core_safe_text(s->str, s->len, false);
	g_string_free(s, TRUE);
	return safe;
}

static const char *state_words(enum smtp_outbox_state st)
{
	switch (st) {
	case SMTP_OUTBOX_QUEUED:
		return _("waiting");
	case SMTP_OUTBOX_SENDING:
		return _("interrupted");
	case SMTP_OUTBOX_ACCEPTED:
		return _("sent, no copy in Sent yet");
	case SMTP_OUTBOX_FAILED:
		return _("refused");
	case SMTP_OUTBOX_INTERRUPTED:
		return _("interrupted");
	}
	return "?";
}

/* ---- the outbox ---- */

static struct smtp_outbox *open_outbox(struct app_account *acc, bool create, char **err)
{
	char *dir = smtp_outbox_default_dir(app_account_config(acc)->name);
	struct smtp_outbox *ob = NULL;
	int e = 0;
	if (create || g_file_test(dir, G_FILE_TEST_IS_DIR)) {
		ob = smtp_outbox_open(dir, &e);
		if (!ob && err)
			*err = g_strdup_printf(_("Cannot open the outbox %s: %s"), dir,
			                       g_strerror(-e));
	}
	g_free(dir);
	return ob;
}

/* The value of header name in the header block of a CRLF message. */
static char *raw_header(const char *data, size_t len, const char *name)
{
	size_t nl = strlen(name);
	const char *p = data, *end = data + len;
	while (p < end && *p != '\r' && *p != '\n') {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			eol = end;
		if ((size_t)(eol - p) > nl && g_ascii_strncasecmp(p, name, nl) == 0 &&
		    p[nl] == ':') {
			GString *v = g_string_new_len(p + nl + 1, eol - p - (ptrdiff_t)nl - 1);
			for (const char *q = eol + 1; q < end && (*q == ' ' || *q == '\t');) {
				const char *e2 = memchr(q, '\n', (size_t)(end - q));
				if (!e2)
					e2 = end;
				g_string_append_len(v, q, e2 - q);
				q = e2 + 1;
			}
			char *raw = g_string_free(v, FALSE);
			char *dec = mime_header_decode(g_strstrip(raw));
			g_free(raw);
			return dec;
		}
		p = eol + 1;
	}
	return NULL;
}

static struct app_outbox_item *item_of(struct smtp_outbox *ob, const struct smtp_outbox_entry *e)
{
	struct app_outbox_item *it = g_new0(struct app_outbox_item, 1);
	it->id = g_strdup(e->id);
	it->created = (time_t)e->created;
	char *data = NULL;
	size_t len = 0;
	/* Only the header block is needed; the file may be large. */
	if (smtp_outbox_read(ob, e->id, &data, &len) == 0) {
		const char *hend = g_strstr_len(data, (gssize)len, "\r\n\r\n");
		size_t hlen = hend ? (size_t)(hend - data) + 2 : len;
		it->subject = raw_header(data, hlen, "Subject");
		g_free(data);
	}
	if (!it->subject)
		it->subject = g_strdup("");
	char *rc = e->rcpts ? g_strjoinv(", ", e->rcpts) : g_strdup("");
	it->recipients = core_safe_text(rc, (size_t)-1, false);
	g_free(rc);
	it->state = g_strdup(state_words(e->state));
	it->editable = e->state == SMTP_OUTBOX_FAILED || e->state == SMTP_OUTBOX_INTERRUPTED ||
	               e->state == SMTP_OUTBOX_SENDING;
	if (e->last_error) {
		const char *words = app_smtp_status_text(e->last_status);
		char *t = e->last_code ? g_strdup_printf(_("%s (server said: %d %s)"), words,
		                                         e->last_code, e->last_error)
		                       : g_strdup_printf(_("%s (%s)"), words, e->last_error);
		it->error = core_safe_text(t, (size_t)-1, false);
		g_free(t);
	}
	return it;
}

static void post_list(struct app_account *acc, struct app_job *job)
{
	GPtrArray *items = g_ptr_array_new_with_free_func(app_outbox_item_free);
	struct smtp_outbox *ob = open_outbox(acc, false, NULL);
	if (ob) {
		GPtrArray *all = smtp_outbox_list(ob);
		for (guint i = 0; i < all->len; i++)
			g_ptr_array_add(items, item_of(ob, all->pdata[i]));
		g_ptr_array_unref(all);
		smtp_outbox_close(ob);
	}
	app_backend_post(job, APP_EV_OUTBOX, items, (void (*)(void *))g_ptr_array_unref);
}

/* ---- the copies after sending ---- */

/* Store the Sent copy; NULL or a warning (owned). */
static char *store_sent(struct app_account *acc, struct app_job *job, const char *data, size_t len)
{
	void *st = NULL;
	const struct app_backend_ops *ops = app_account_backend(acc, &st);
	char *err = NULL;
	if (!ops || !ops->append)
		return g_strdup(_(
		    "This account cannot store a copy in Sent yet; the copy waits in the outbox."));
	if (ops->append(st, job, APP_ROLE_SENT, app_account_config(acc)->sent_folder, data, len,
	                APP_MSG_SEEN, &err) < 0)
		return err;
	return NULL;
}

/* Accepted messages: Sent copy, then out of the outbox.  Warnings are
 * appended to warn. */
static int finish_accepted(struct app_account *acc, struct app_job *job, struct smtp_outbox *ob,
                           const char *id, GString *warn)
{
	char *data = NULL;
	size_t len = 0;
	int e = smtp_outbox_read(ob, id, &data, &len);
	if (e < 0)
		return e;
	char *w = store_sent(acc, job, data, len);
	g_free(data);
	if (w) {
		g_string_append_printf(warn, "%s%s", warn->len ? "; " : "", w);
		g_free(w);
		return -EAGAIN;
	}
	return smtp_outbox_remove(ob, id);
}

struct progress {
	struct app_job *job;
	int last;
};

static bool on_progress(void *ud, uint64_t sent, uint64_t total)
{
	struct progress *p = ud;
	if (total < PROGRESS_MIN)
		return !app_job_cancelled(p->job);
	int pct = (int)(sent * 100 / total);
	if (pct != p->last) {
		p->last = pct;
		struct app_event *ev = app_event_new(APP_EV_PROGRESS, -1, 0, NULL);
		ev->text = g_strdup_printf(_("Sending: %d%% of %.1f MB"), pct, total / 1e6);
		ev->done = sent;
		ev->total = total;
		app_job_post(p->job, ev);
	}
	return !app_job_cancelled(p->job);
}

static struct mime_build_opts build_opts(struct app_account *acc)
{
	const struct config_account *a = app_account_config(acc);
	struct mime_build_opts o = {
	    .from_address = a->from,
	    .from_name = a->display_name,
	};
	return o;
}

static char *mime_words(const struct mime_error *e)
{
	char *safe = core_safe_text(e->detail, (size_t)-1, false);
	char *t;
	switch (e->status) {
	case MIME_ERR_ADDRESS:
		t = g_strdup_printf(_("Cannot understand the address \"%s\"."), safe);
		break;
	case MIME_ERR_NO_RECIPIENTS:
		t = g_strdup(_("The message has no recipients (To, Cc or Bcc)."));
		break;
	case MIME_ERR_NO_FROM:
		t = g_strdup(_("The message needs exactly one From address."));
		break;
	case MIME_ERR_ATTACHMENT:
		t = g_strdup_printf(_("Cannot read the attachment %s."), safe);
		break;
	case MIME_ERR_LINE_TOO_LONG:
		t = g_strdup_printf(_("Line %d of the message is too long to send."), e->line);
		break;
	default:
		t = g_strdup_printf(_("Cannot build the message (%s)."),
		                    mime_status_name(e->status));
	}
	g_free(safe);
	return t;
}

/* After a send or a postpone: the reply's original answered, the old
 * draft gone.  Failures only warn. */
static void after(struct send_args *a, struct app_job *job, bool sent, GString *warn)
{
	void *st = NULL;
	const struct app_backend_ops *ops = app_account_backend(a->acc, &st);
	char *err = NULL;
	if (!ops)
		return;
	if (sent && a->reply_msg && a->reply_folder &&
	    ops->set_flags(st, job, a->reply_folder, a->reply_msg, APP_MSG_ANSWERED, 0, &err) < 0) {
		g_string_append_printf(warn, "%s%s", warn->len ? "; " : "", err);
		g_clear_pointer(&err, g_free);
	}
	if (a->draft_msg && a->draft_folder && ops->delete_message &&
	    ops->delete_message(st, job, a->draft_folder, a->draft_msg, &err) < 0) {
		g_string_append_printf(warn, "%s%s", warn->len ? "; " : "", err);
		g_clear_pointer(&err, g_free);
	}
}

static int do_send(struct send_args *a, struct app_job *job, char **text)
{
	struct app_account *acc = a->acc;
	struct mime_build_opts bo = build_opts(acc);
	struct mime_outgoing *m = NULL;
	struct mime_error merr = {0};
	char *id = NULL;

	if (mime_build(a->draft, &bo, &m, &merr) != MIME_OK) {
		*text = mime_words(&merr);
		return -1;
	}
	struct smtp_outbox *ob = open_outbox(acc, true, text);
	if (!ob) {
		mime_outgoing_free(m);
		return -1;
	}
	int e = smtp_outbox_add(ob, m->envelope_from, (const char *const *)m->recipients->pdata,
	                        m->recipients->len, m->message_id, m->wire, m->wire_len, &id);
	if (e < 0) {
		*text = g_strdup_printf(_("Cannot queue the message: %s"), g_strerror(-e));
		smtp_outbox_close(ob);
		mime_outgoing_free(m);
		return -1;
	}
	/* The edited message replaces the one that was refused. */
	if (a->outbox_id)
		smtp_outbox_remove(ob, a->outbox_id);

	int status = APP_SEND_QUEUED;
	struct smtp_server srv;
	struct app_smtp_creds c = {0};
	char *err = NULL;
	GString *warn = g_string_new(NULL);
	e = smtp_outbox_lock(ob);
	if (e == -EWOULDBLOCK) {
		*text = g_strdup(
		    _("Another mailtui is sending from this outbox; the message waits there."));
	} else if (e < 0) {
		*text = g_strdup_printf(_("Cannot lock the outbox: %s"), g_strerror(-e));
	} else if (!server_for(acc, &srv, &c, &err)) {
		*text = g_strdup_printf(_("The message waits in the outbox: %s"), err);
		g_free(err);
	} else {
		struct smtp_session *s = smtp_session_new(&srv);
		struct progress pr = {.job = job, .last = -1};
		struct smtp_result res = {0};
		smtp_session_set_progress(s, on_progress, &pr);
		smtp_session_set_cancel(s, app_job_cancel_flag(job));
		e = smtp_outbox_send(ob, s, id, &res);
		smtp_session_free(s);
		if (e < 0) {
			*text = g_strdup_printf(_("Cannot update the outbox: %s"), g_strerror(-e));
		} else if (res.status == SMTP_OK || res.status == SMTP_PARTIAL) {
			status = 0;
			if (res.status == SMTP_PARTIAL) {
				char *t = result_text(&res);
				g_string_append(warn, t);
				g_free(t);
			}
			/* The Sent copy keeps the Bcc header (only the wire lost it). */
			char *w = store_sent(acc, job, m->copy, m->copy_len);
			if (w) {
				g_string_append_printf(warn, "%s%s", warn->len ? "; " : "", w);
				g_free(w);
			} else {
				smtp_outbox_remove(ob, id);
			}
			after(a, job, true, warn);
		} else {
			char *t = result_text(&res);
			*text = res.retry == SMTP_RETRY_PERMANENT
			            ? g_strdup_printf(
			                  _("Refused; kept in the outbox (O) to edit: %s"), t)
			            : g_strdup_printf(
			                  _("Not sent yet; it waits in the outbox (O): %s"), t);
			g_free(t);
			if (res.status == SMTP_ERR_CERT)
				ask_about_certificate(acc, job);
		}
		smtp_result_clear(&res);
	}
	if (status == 0 && warn->len)
		*text = g_strdup_printf(_("Sent, but: %s"), warn->str);
	g_string_free(warn, TRUE);
	app_smtp_creds_clear(&c);
	smtp_outbox_close(ob);
	mime_outgoing_free(m);
	g_free(id);
	return status;
}

static int do_postpone(struct send_args *a, struct app_job *job, char **text)
{
	struct mime_build_opts bo = build_opts(a->acc);
	struct mime_outgoing *m = NULL;
	struct mime_error merr = {0};
	void *st = NULL;
	const struct app_backend_ops *ops = app_account_backend(a->acc, &st);

	if (!ops || !ops->append) {
		*text = g_strdup(_("This account cannot store drafts yet."));
		return -1;
	}
	/* A draft may still lack recipients. */
	bo.draft = true;
	if (mime_build(a->draft, &bo, &m, &merr) != MIME_OK)
		m = NULL;
	if (!m) {
		*text = mime_words(&merr);
		return -1;
	}
	int r = ops->append(st, job, APP_ROLE_DRAFTS, app_account_config(a->acc)->drafts_folder,
	                    m->copy, m->copy_len, APP_MSG_DRAFT | APP_MSG_SEEN, text);
	mime_outgoing_free(m);
	if (r < 0)
		return -1;
	GString *warn = g_string_new(NULL);
	after(a, job, false, warn);
	if (warn->len)
		*text = g_strdup_printf(_("Postponed, but: %s"), warn->str);
	g_string_free(warn, TRUE);
	return 0;
}

struct flush_ctx {
	GPtrArray *accepted;
	GString *errors;
	struct app_account *acc;
	struct app_job *job;
	bool cert;
};

static void on_flushed(void *ud, const struct smtp_outbox_entry *e, const struct smtp_result *r)
{
	struct flush_ctx *f = ud;
	if (r->status == SMTP_OK || r->status == SMTP_PARTIAL)
		g_ptr_array_add(f->accepted, g_strdup(e->id));
	if (r->status != SMTP_OK) {
		char *t = result_text(r);
		g_string_append_printf(f->errors, "%s%s", f->errors->len ? "; " : "", t);
		g_free(t);
	}
	f->cert = f->cert || r->status == SMTP_ERR_CERT;
}

static int do_flush(struct send_args *a, struct app_job *job, char **text)
{
	struct app_account *acc = a->acc;
	struct smtp_outbox *ob = open_outbox(acc, false, text);
	struct flush_ctx f = {.accepted = g_ptr_array_new_with_free_func(g_free),
	                      .errors = g_string_new(NULL),
	                      .acc = acc,
	                      .job = job};
	int status = 0, queued = 0;

	if (!ob) {
		status = *text ? -1 : 0;
		goto out;
	}
	if (a->outbox_id)
		smtp_outbox_requeue(ob, a->outbox_id);
	GPtrArray *all = smtp_outbox_list(ob);
	for (guint i = 0; i < all->len; i++) {
		const struct smtp_outbox_entry *e = all->pdata[i];
		if (e->state == SMTP_OUTBOX_ACCEPTED) {
			void *st = NULL;
			const struct app_backend_ops *ops = app_account_backend(acc, &st);
			if (ops && ops->append)
				finish_accepted(acc, job, ob, e->id, f.errors);
		}
		queued += e->state == SMTP_OUTBOX_QUEUED;
	}
	g_ptr_array_unref(all);
	if (queued) {
		struct smtp_server srv;
		struct app_smtp_creds c = {0};
		char *err = NULL;
		if (!server_for(acc, &srv, &c, &err)) {
			g_string_append_printf(f.errors, "%s%s", f.errors->len ? "; " : "", err);
			g_free(err);
		} else {
			struct smtp_session *s = smtp_session_new(&srv);
			struct smtp_flush_summary sum = {0};
			smtp_session_set_cancel(s, app_job_cancel_flag(job));
			int e = smtp_outbox_flush(ob, s, on_flushed, &f, &sum);
			smtp_session_free(s);
			if (e == -EWOULDBLOCK)
				g_string_append_printf(
				    f.errors, "%s%s", f.errors->len ? "; " : "",
				    _("another mailtui is sending from this outbox"));
			else if (e < 0)
				g_string_append_printf(f.errors, "%s%s", f.errors->len ? "; " : "",
				                       g_strerror(-e));
			for (guint i = 0; i < f.accepted->len; i++) {
				void *st = NULL;
				const struct app_backend_ops *ops = app_account_backend(acc, &st);
				if (ops && ops->append)
					finish_accepted(acc, job, ob, f.accepted->pdata[i],
					                f.errors);
			}
			if (f.cert)
				ask_about_certificate(acc, job);
		}
		app_smtp_creds_clear(&c);
	}
	smtp_outbox_close(ob);
	if (f.errors->len) {
		*text = g_strdup_printf(_("Outbox: %s"), f.errors->str);
		status = -1;
		/* Also for the flush at start-up, which no screen waits for. */
		struct app_event *ev = app_event_new(APP_EV_STATUS, -1, 0, *text);
		ev->status = 1;
		app_job_post(job, ev);
	} else if (f.accepted->len) {
		*text = g_strdup_printf(ngettext("Outbox: %u message sent.",
		                                 "Outbox: %u messages sent.", f.accepted->len),
		                        f.accepted->len);
		app_job_post(job, app_event_new(APP_EV_STATUS, -1, 0, *text));
	}
out:
	post_list(acc, job);
	g_ptr_array_unref(f.accepted);
	g_string_free(f.errors, TRUE);
	return status;
}

static int run_send_job(struct app_job *job, void *data, char **text)
{
	struct send_args *a = data;
	switch (a->op) {
	case S_RAW: {
		void *st = NULL;
		const struct app_backend_ops *ops = app_account_backend(a->acc, &st);
		GBytes *raw = NULL;
		if (!ops || !ops->fetch_raw) {
			*text = g_strdup(_("This account cannot give whole messages yet."));
			return -1;
		}
		if (ops->fetch_raw(st, job, a->folder, a->msg, &raw, text) < 0)
			return -1;
		app_backend_post(job, APP_EV_RAW, raw, (void (*)(void *))g_bytes_unref);
		return 0;
	}
	case S_SEND:
		return do_send(a, job, text);
	case S_POSTPONE:
		return do_postpone(a, job, text);
	case S_LIST:
		post_list(a->acc, job);
		return 0;
	case S_FLUSH:
		return do_flush(a, job, text);
	case S_DELETE:
	case S_READ: {
		struct smtp_outbox *ob = open_outbox(a->acc, false, text);
		int e = -ENOENT;
		char *raw = NULL;
		size_t len = 0;
		if (ob && a->op == S_DELETE)
			e = smtp_outbox_remove(ob, a->outbox_id);
		else if (ob)
			e = smtp_outbox_read(ob, a->outbox_id, &raw, &len);
		if (ob)
			smtp_outbox_close(ob);
		if (e < 0 && !*text)
			*text = g_strdup_printf(_("Outbox: %s"), g_strerror(-e));
		if (e == 0 && a->op == S_READ)
			app_backend_post(job, APP_EV_RAW, g_bytes_new_take(raw, len),
			                 (void (*)(void *))g_bytes_unref);
		if (a->op == S_DELETE)
			post_list(a->acc, job);
		return e < 0 ? -1 : 0;
	}
	}
	return -1;
}

static struct send_args *sargs(struct app_account *acc, enum send_op op,
                               const struct app_send_ref *ref)
{
	struct send_args *a = g_new0(struct send_args, 1);
	a->acc = acc;
	a->op = op;
	if (ref) {
		a->reply_folder = g_strdup(ref->reply_folder);
		a->reply_msg = ref->reply_msg ? app_msg_copy(ref->reply_msg) : NULL;
		a->draft_folder = g_strdup(ref->draft_folder);
		a->draft_msg = ref->draft_msg ? app_msg_copy(ref->draft_msg) : NULL;
		a->outbox_id = g_strdup(ref->outbox_id);
	}
	return a;
}

static uint64_t submit(struct send_args *a)
{
	return app_worker_submit(app_account_worker(a->acc), run_send_job, a, send_args_free);
}

uint64_t app_account_fetch_raw(struct app_account *acc, const char *folder,
                               const struct app_msg *msg)
{
	struct send_args *a = sargs(acc, S_RAW, NULL);
	a->folder = g_strdup(folder);
	a->msg = app_msg_copy(msg);
	return submit(a);
}

uint64_t app_account_send(struct app_account *acc, struct mime_draft *draft,
                          const struct app_send_ref *ref)
{
	struct send_args *a = sargs(acc, S_SEND, ref);
	a->draft = draft;
	return submit(a);
}

uint64_t app_account_postpone(struct app_account *acc, struct mime_draft *draft,
                              const struct app_send_ref *ref)
{
	struct send_args *a = sargs(acc, S_POSTPONE, ref);
	a->draft = draft;
	return submit(a);
}

uint64_t app_account_outbox_list(struct app_account *acc)
{
	return submit(sargs(acc, S_LIST, NULL));
}

uint64_t app_account_outbox_flush(struct app_account *acc, const char *requeue_id)
{
	struct send_args *a = sargs(acc, S_FLUSH, NULL);
	a->outbox_id = g_strdup(requeue_id);
	return submit(a);
}

uint64_t app_account_outbox_delete(struct app_account *acc, const char *id)
{
	struct send_args *a = sargs(acc, S_DELETE, NULL);
	a->outbox_id = g_strdup(id);
	return submit(a);
}

uint64_t app_account_outbox_read(struct app_account *acc, const char *id)
{
	struct send_args *a = sargs(acc, S_READ, NULL);
	a->outbox_id = g_strdup(id);
	return submit(a);
}
