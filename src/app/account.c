/* account.c - the account registry: one worker and one backend each.
 * The UI thread calls these; each queues a job for the worker. */
#include <stdatomic.h>

#include <glib.h>

#include "app/app.h"
#include "app/backend.h"
#include "config/config.h"
#include "core/i18n.h"
#include "net/net.h"

struct app_account {
	int index;
	const struct config_account *cfg; /* borrowed from the config */
	const struct app_backend_ops *ops;
	struct app_worker *worker;
	void *st; /* backend state: created and used on the worker only */
	atomic_bool fetching; /* a fetch is queued or running */
	void *send_st; /* send.c's state: worker only */
};

/* What a queued job needs: copies, since the UI may drop its own. */
struct job_args {
	struct app_account *acc;
	int op;
	char *folder;
	char *arg;            /* dest, query, or tags to add */
	char *arg2;           /* tags to remove */
	struct app_msg *msg;  /* owned copy */
	unsigned add, remove;
	bool copy;
	const struct mime_view_opts *view_opts; /* borrowed: lives as long as the UI */
};

enum { OP_FOLDERS, OP_OPEN, OP_MESSAGE, OP_FLAGS, OP_MOVE, OP_EXPUNGE, OP_SEARCH, OP_TRUST,
	OP_PART, OP_TAG, OP_FETCH, OP_CLOSE, OP_ADDRESSES };

static void job_args_free(void *p)
{
	struct job_args *a = p;
	/* Run or dropped unrun: either way the next fetch may be queued. */
	if (a->op == OP_FETCH)
		atomic_store(&a->acc->fetching, false);
	g_free(a->folder);
	g_free(a->arg);
	g_free(a->arg2);
	app_msg_free(a->msg);
	g_free(a);
}

void app_backend_post(struct app_job *job, int type, void *data, void (*free_data)(void *))
{
	struct app_event *ev = app_event_new((enum app_event_type)type, -1, 0, NULL);
	ev->data = data;
	ev->free_data = free_data;
	app_job_post(job, ev);
}

struct app_msg *app_msg_copy(const struct app_msg *m)
{
	struct app_msg *c = app_msg_new();
	c->uid = m->uid;
	c->key = g_strdup(m->key);
	c->path = g_strdup(m->path);
	c->date = m->date;
	c->from = g_strdup(m->from);
	c->subject = g_strdup(m->subject);
	c->message_id = g_strdup(m->message_id);
	c->in_reply_to = g_strdup(m->in_reply_to);
	c->references = g_strdup(m->references);
	c->flags = m->flags;
	c->size = m->size;
	c->tags = g_strdup(m->tags);
	c->from_addr = g_strdup(m->from_addr);
	return c;
}

static int trust(struct app_account *acc, const char *pin, bool always, char **text)
{
	int sr;
	if (app_send_trust(acc, pin, always, &sr, text))
		return sr;
	const struct config_url *u = acc->cfg->mode == CONFIG_MODE_IMAP ? &acc->cfg->imap : &acc->cfg->pop3;
	if (always) {
		int r = net_trust_add(NULL, u->host, u->port, pin);
		if (r < 0) {
			*text = g_strdup_printf(_("Cannot save the trusted certificate: %s"), g_strerror(-r));
			return -1;
		}
	}
	if (acc->ops && acc->ops->accept_once)
		acc->ops->accept_once(acc->st, pin);
	return 0;
}

/* The outcome goes to the status line as well: the screen that asked
 * ("Moving to X...") may be gone by the time the server answers. */
static int move_job(struct app_job *job, struct job_args *a, char **text)
{
	int r = a->acc->ops->move(a->acc->st, job, a->folder, a->msg, a->arg, a->copy, text);
	char *done = r == 0 ? g_strdup_printf(a->copy ? _("Copied to %s.") : _("Moved to %s."), a->arg)
			    : NULL;
	struct app_event *ev = app_event_new(APP_EV_STATUS, -1, 0, done ? done : *text);
	ev->status = r;
	if (ev->text)
		app_job_post(job, ev);
	else
		app_event_free(ev);
	g_free(done);
	return r;
}

static int run_job(struct app_job *job, void *data, char **text)
{
	struct job_args *a = data;
	struct app_account *acc = a->acc;
	const struct app_backend_ops *ops = acc->ops;

	if (!ops) {
		*text = g_strdup(_("This account cannot be read in the screen yet."));
		return -1;
	}
	if (!acc->st)
		acc->st = ops->open(acc->cfg);
	switch (a->op) {
	case OP_FOLDERS:
		return ops->list_folders(acc->st, job, text);
	case OP_OPEN:
		return ops->open_folder(acc->st, job, a->folder, text);
	case OP_MESSAGE:
		return ops->open_message(acc->st, job, a->folder, a->msg, a->view_opts, text);
	case OP_FLAGS:
		return ops->set_flags(acc->st, job, a->folder, a->msg, a->add, a->remove, text);
	case OP_MOVE:
		return move_job(job, a, text);
	case OP_EXPUNGE:
		return ops->expunge(acc->st, job, a->folder, text);
	case OP_SEARCH:
		return ops->search(acc->st, job, a->folder, a->arg, text);
	case OP_TRUST:
		return trust(acc, a->arg, a->copy, text);
	case OP_PART:
		/* A backend that reads whole messages has every part in its
		 * view already and may leave this out. */
		if (!ops->fetch_part) {
			*text = g_strdup(_("The server does not support this."));
			return -1;
		}
		return ops->fetch_part(acc->st, job, a->folder, a->msg, a->arg, text);
	case OP_TAG:
		if (!ops->tag)
			break;
		return ops->tag(acc->st, job, a->folder, a->msg, a->arg, a->arg2, text);
	case OP_FETCH:
		if (!ops->fetch)
			break;
		return ops->fetch(acc->st, job, text);
	case OP_CLOSE:
		return ops->close_folder ? ops->close_folder(acc->st, job, a->folder, text) : 0;
	case OP_ADDRESSES:
		/* IMAP has none: completion keeps the senders seen. */
		return ops->addresses ? ops->addresses(acc->st, job, a->arg, text) : 0;
	}
	*text = g_strdup(_("This is not available for this account."));
	return -1;
}

static uint64_t submit(struct app_account *acc, struct job_args *a)
{
	a->acc = acc;
	return app_worker_submit(acc->worker, run_job, a, job_args_free);
}

static struct job_args *args(int op, const char *folder, const struct app_msg *msg)
{
	struct job_args *a = g_new0(struct job_args, 1);
	a->op = op;
	a->folder = g_strdup(folder);
	a->msg = msg ? app_msg_copy(msg) : NULL;
	return a;
}

GPtrArray *app_accounts_new(struct app *app, struct config *cfg)
{
	GPtrArray *accs = g_ptr_array_new();
	for (guint i = 0; i < cfg->accounts->len; i++) {
		struct app_account *acc = g_new0(struct app_account, 1);
		acc->index = (int)i;
		acc->cfg = g_ptr_array_index(cfg->accounts, i);
		acc->ops = acc->cfg->mode == CONFIG_MODE_IMAP ? &app_backend_imap
							      : &app_backend_local;
		acc->worker = app_worker_new(app, (int)i, acc->cfg->name);
		g_ptr_array_add(accs, acc);
	}
	return accs;
}

void app_accounts_free(GPtrArray *accs)
{
	if (!accs)
		return;
	for (guint i = 0; i < accs->len; i++) {
		struct app_account *acc = g_ptr_array_index(accs, i);
		/* Cancels the running job and joins: after this the backend
		 * state has no other user, so it may be closed here. */
		app_worker_free(acc->worker);
		if (acc->st && acc->ops)
			acc->ops->close(acc->st);
		app_send_state_free(acc->send_st);
		g_free(acc);
	}
	g_ptr_array_free(accs, TRUE);
}

const struct app_backend_ops *app_account_backend(struct app_account *acc, void **st)
{
	if (acc->ops && !acc->st)
		acc->st = acc->ops->open(acc->cfg);
	*st = acc->st;
	return acc->ops;
}

struct app_worker *app_account_worker(struct app_account *acc)
{
	return acc->worker;
}

void **app_account_send_state(struct app_account *acc)
{
	return &acc->send_st;
}

const struct config_account *app_account_config(const struct app_account *acc)
{
	return acc->cfg;
}

int app_account_index(const struct app_account *acc)
{
	return acc->index;
}

uint64_t app_account_list_folders(struct app_account *acc)
{
	return submit(acc, args(OP_FOLDERS, NULL, NULL));
}

uint64_t app_account_open_folder(struct app_account *acc, const char *folder)
{
	return submit(acc, args(OP_OPEN, folder, NULL));
}

uint64_t app_account_close_folder(struct app_account *acc, const char *folder)
{
	return submit(acc, args(OP_CLOSE, folder, NULL));
}

uint64_t app_account_open_message(struct app_account *acc, const char *folder,
	const struct app_msg *msg, const struct mime_view_opts *opts)
{
	struct job_args *a = args(OP_MESSAGE, folder, msg);
	a->view_opts = opts;
	return submit(acc, a);
}

uint64_t app_account_set_flags(struct app_account *acc, const char *folder,
	const struct app_msg *msg, unsigned add, unsigned remove)
{
	struct job_args *a = args(OP_FLAGS, folder, msg);
	a->add = add;
	a->remove = remove;
	return submit(acc, a);
}

uint64_t app_account_move(struct app_account *acc, const char *folder,
	const struct app_msg *msg, const char *dest, bool copy)
{
	struct job_args *a = args(OP_MOVE, folder, msg);
	a->arg = g_strdup(dest);
	a->copy = copy;
	return submit(acc, a);
}

uint64_t app_account_expunge(struct app_account *acc, const char *folder)
{
	return submit(acc, args(OP_EXPUNGE, folder, NULL));
}

uint64_t app_account_search(struct app_account *acc, const char *folder, const char *query)
{
	struct job_args *a = args(OP_SEARCH, folder, NULL);
	a->arg = g_strdup(query);
	return submit(acc, a);
}

uint64_t app_account_tag(struct app_account *acc, const char *folder, const struct app_msg *msg,
	const char *add, const char *remove)
{
	struct job_args *a = args(OP_TAG, folder, msg);
	a->arg = g_strdup(add);
	a->arg2 = g_strdup(remove);
	return submit(acc, a);
}

uint64_t app_account_fetch(struct app_account *acc)
{
	if (atomic_exchange(&acc->fetching, true))
		return 0;
	return submit(acc, args(OP_FETCH, NULL, NULL));
}

uint64_t app_account_fetch_part(struct app_account *acc, const char *folder,
	const struct app_msg *msg, const char *section)
{
	struct job_args *a = args(OP_PART, folder, msg);
	a->arg = g_strdup(section);
	return submit(acc, a);
}

void app_part_free(void *p)
{
	struct app_part *part = p;
	if (!part)
		return;
	g_free(part->section);
	if (part->bytes)
		g_bytes_unref(part->bytes);
	g_free(part);
}

uint64_t app_account_addresses(struct app_account *acc, const char *prefix)
{
	struct job_args *a = args(OP_ADDRESSES, NULL, NULL);
	a->arg = g_strdup(prefix);
	return submit(acc, a);
}

void app_address_free(void *p)
{
	struct app_address *a = p;
	if (!a)
		return;
	g_free(a->name);
	g_free(a->addr);
	g_free(a);
}

void app_cert_question_free(void *p)
{
	struct app_cert_question *q = p;
	if (!q)
		return;
	g_free(q->host);
	g_free(q->pin);
	g_free(q);
}

uint64_t app_account_trust(struct app_account *acc, const char *pin, bool always)
{
	struct job_args *a = args(OP_TRUST, NULL, NULL);
	a->arg = g_strdup(pin);
	a->copy = always;
	return submit(acc, a);
}

void app_account_cancel(struct app_account *acc, uint64_t job)
{
	app_worker_cancel(acc->worker, job);
}
