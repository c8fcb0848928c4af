/* imap_live.c - the second IMAP connection of an account: it waits in
 * IDLE on the open folder so that new mail, expunges and flag changes
 * made elsewhere reach the index without a key press, while the worker's
 * own connection stays free for the user's commands (DESIGN.md). */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "app/app.h"
#include "app/imap_live.h"
#include "core/core.h"
#include "core/i18n.h"
#include "imap/imap.h"

/* How long one IDLE lasts: servers may drop it after 30 minutes. */
#define IDLE_MAX_MS (25 * 60 * 1000)
/* Waits between reconnection attempts grow to this. */
#define BACKOFF_MAX_S 30

struct app_imap_live {
	struct app *app;
	int account;
	char *folder;
	char *host;
	int poll_ms;
	struct imap_session *s;
	pthread_t thread;
	volatile int stop; /* raised by app_imap_live_stop: cancels everything */
	volatile int wake; /* raised by the event callback: leave IDLE and look */
	uint32_t last_uid;
	uint32_t exists;
	bool need_new, need_sweep;
	GArray *vanished; /* guint32 */
	GPtrArray *flags; /* struct app_msg* (uid, flags) */
	GArray *known;    /* without QRESYNC: the UIDs there, for EXPUNGE sweeps */
};

static void post(struct app_imap_live *l, int type, const char *text, void *data,
                 void (*free_data)(void *))
{
	struct app_event *ev = app_event_new((enum app_event_type)type, l->account, 0, text);
	ev->data = data;
	ev->free_data = free_data;
	app_post(l->app, ev);
}

void app_imap_post_reconnected(struct app *app, int account, const char *host, const char *folder)
{
	char *f = core_safe_text(folder, (size_t)-1, false);
	char *text = g_strdup_printf(_("Reconnected to %s; %s is open again."), host, f);
	app_post(app, app_event_new(APP_EV_STATUS, account, 0, text));
	g_free(text);
	g_free(f);
}

/* Runs inside any call on the session, even inside IDLE: only note what
 * happened and wake the loop, which does the talking. */
static void on_event(const struct imap_event *ev, void *user)
{
	struct app_imap_live *l = user;
	switch (ev->kind) {
	case IMAP_EVENT_EXISTS:
		if (ev->number > l->exists)
			l->need_new = true;
		l->exists = ev->number;
		break;
	case IMAP_EVENT_EXPUNGE:
		l->need_sweep = true; /* a sequence number only: find out which */
		if (l->exists)
			l->exists--;
		break;
	case IMAP_EVENT_VANISHED: {
		GArray *u = app_imap_uid_set(ev->uids, l->last_uid);
		g_array_append_vals(l->vanished, u->data, u->len);
		g_array_unref(u);
		break;
	}
	case IMAP_EVENT_FETCH:
		if (ev->msg && (ev->msg->have & IMAP_FETCH_UID) &&
		    (ev->msg->have & IMAP_FETCH_FLAGS) && ev->msg->uid <= l->last_uid) {
			struct app_msg *m = app_msg_new();
			m->uid = ev->msg->uid;
			m->flags = app_imap_flags(ev->msg->flag_bits);
			g_ptr_array_add(l->flags, m);
		}
		break;
	case IMAP_EVENT_ALERT:
		break;
	}
	l->wake = 1;
}

struct fetched {
	struct app_imap_live *l;
	GPtrArray *msgs;
	GArray *uids;
};

static void on_new(const struct imap_msg *m, void *user)
{
	struct fetched *f = user;
	/* "n:*" always returns the last message, even when it is older. */
	if (m->uid <= f->l->last_uid)
		return;
	g_ptr_array_add(f->msgs, app_imap_msg_from_fetch(m, NULL));
}

static void on_uid(const struct imap_msg *m, void *user)
{
	struct fetched *f = user;
	g_array_append_val(f->uids, m->uid);
}

static int cmp_u32(gconstpointer a, gconstpointer b)
{
	guint32 x = *(const guint32 *)a, y = *(const guint32 *)b;
	return x < y ? -1 : x > y;
}

/* The UIDs now in the folder (without QRESYNC, to tell which went). */
static enum imap_status sweep(struct app_imap_live *l, GArray **out)
{
	char set[32];
	snprintf(set, sizeof set, "1:%u", l->last_uid ? l->last_uid : 1);
	const char *sets[1] = {set};
	const struct imap_fetch_opts fo = {.items = IMAP_FETCH_UID};
	struct fetched f = {.l = l, .uids = g_array_new(FALSE, FALSE, sizeof(guint32))};
	enum imap_status st = imap_uid_fetch(l->s, sets, 1, &fo, on_uid, &f, &l->stop);
	if (st != IMAP_OK) {
		g_array_unref(f.uids);
		return st;
	}
	g_array_sort(f.uids, cmp_u32);
	*out = f.uids;
	return IMAP_OK;
}

static enum imap_status fetch_new(struct app_imap_live *l)
{
	char set[32];
	snprintf(set, sizeof set, "%u:*", l->last_uid + 1);
	const char *sets[1] = {set};
	struct fetched f = {.l = l, .msgs = g_ptr_array_new_with_free_func(app_msg_free)};
	enum imap_status st =
	    imap_uid_fetch(l->s, sets, 1, &app_imap_index_fetch, on_new, &f, &l->stop);
	if (st == IMAP_OK && f.msgs->len) {
		for (guint i = 0; i < f.msgs->len; i++) {
			const struct app_msg *m = g_ptr_array_index(f.msgs, i);
			l->last_uid = MAX(l->last_uid, m->uid);
			if (l->known)
				g_array_append_val(l->known, m->uid);
		}
		core_log(CORE_LOG_APP, "live %s: %u new", l->folder, f.msgs->len);
		struct app_event *ev =
		    app_event_new((enum app_event_type)APP_EV_MSGS, l->account, 0, l->folder);
		ev->data = f.msgs;
		ev->free_data = (void (*)(void *))g_ptr_array_unref;
		ev->done = ev->total = f.msgs->len;
		app_post(l->app, ev);
		f.msgs = NULL;
	}
	if (f.msgs)
		g_ptr_array_unref(f.msgs);
	return st;
}

static bool pending(const struct app_imap_live *l)
{
	return l->need_new || (l->need_sweep && l->known) || l->vanished->len || l->flags->len;
}

/* Post what the callback collected; fetch new mail; new counts. */
static enum imap_status catch_up_once(struct app_imap_live *l)
{
	enum imap_status st = IMAP_OK;
	bool changed = false;
	if (l->need_sweep && l->known) {
		l->need_sweep = false;
		GArray *now = NULL;
		st = sweep(l, &now);
		if (st != IMAP_OK)
			return st;
		for (guint i = 0; i < l->known->len; i++) {
			guint32 u = g_array_index(l->known, guint32, i);
			if (!bsearch(&u, now->data, now->len, sizeof(guint32),
			             (int (*)(const void *, const void *))cmp_u32))
				g_array_append_val(l->vanished, u);
		}
		g_array_unref(l->known);
		l->known = now;
	}
	if (l->vanished->len) {
		post(l, APP_EV_VANISHED, l->folder, l->vanished, (void (*)(void *))g_array_unref);
		l->vanished = g_array_new(FALSE, FALSE, sizeof(guint32));
		changed = true;
	}
	while (l->flags->len) {
		post(l, APP_EV_FLAGS, l->folder, g_ptr_array_steal_index(l->flags, 0),
		     app_msg_free);
		changed = true;
	}
	if (l->need_new) {
		l->need_new = false;
		st = fetch_new(l);
		changed = true;
	}
	if (st == IMAP_OK && changed) {
		struct imap_folder counts = {0};
		st = imap_mailbox_status(l->s, l->folder, &counts, &l->stop);
		if (st == IMAP_OK && counts.has_status) {
			struct app_folder *f = app_folder_new();
			f->id = g_strdup(l->folder);
			f->total = counts.messages;
			f->unread = counts.unseen;
			post(l, APP_EV_FOLDER_STATUS, l->folder, f, app_folder_free);
		} else if (imap_status_scope(st) != IMAP_SCOPE_CONNECTION) {
			st = IMAP_OK; /* counts are a nicety */
		}
	}
	return st;
}

/* More may arrive while catching up: look again until nothing waits. */
static enum imap_status catch_up(struct app_imap_live *l)
{
	enum imap_status st = IMAP_OK;
	for (int i = 0; i < 8 && st == IMAP_OK && pending(l); i++)
		st = catch_up_once(l);
	return st;
}

/* Connect and select, or re-establish after a drop. */
static enum imap_status attach(struct app_imap_live *l, bool again)
{
	enum imap_status st;
	if (again) {
		st = imap_session_reconnect(l->s, &l->stop);
	} else {
		st = imap_session_connect(l->s, &l->stop);
		if (st == IMAP_OK) {
			struct imap_select_opts so = {.read_only = true};
			st = imap_select(l->s, l->folder, &so, &l->stop);
		}
	}
	if (st != IMAP_OK)
		return st;
	const struct imap_mailbox *mb = imap_session_mailbox(l->s);
	l->exists = mb->exists;
	/* Mail that came between the index's load and now. */
	l->need_new = mb->uidnext > l->last_uid + 1;
	if (!(imap_session_enabled(l->s) & IMAP_CAP_QRESYNC)) {
		GArray *now = NULL;
		st = sweep(l, &now);
		if (st != IMAP_OK)
			return st;
		if (l->known) /* after a drop: what went meanwhile */
			for (guint i = 0; i < l->known->len; i++) {
				guint32 u = g_array_index(l->known, guint32, i);
				if (!bsearch(&u, now->data, now->len, sizeof(guint32),
				             (int (*)(const void *, const void *))cmp_u32))
					g_array_append_val(l->vanished, u);
			}
		if (l->known)
			g_array_unref(l->known);
		l->known = now;
	}
	return catch_up(l);
}

static void *live_main(void *arg)
{
	struct app_imap_live *l = arg;
	bool attached = false, lost = false;
	int backoff = 1;
	while (!core_flag_raised(&l->stop)) {
		enum imap_status st;
		if (!attached) {
			st = attach(l, lost);
			if (st == IMAP_OK) {
				attached = true;
				backoff = 1;
				if (lost)
					app_imap_post_reconnected(l->app, l->account, l->host,
					                          l->folder);
				lost = false;
				continue;
			}
			core_log(CORE_LOG_APP, "live %s: %s; retrying in %d s", l->folder,
			         imap_status_name(st), backoff);
			if (imap_status_retry(st) == IMAP_RETRY_FINAL && st != IMAP_ERR_MAILBOX)
				break; /* credentials or certificate: the worker reports those */
			for (int i = 0; i < backoff * 4 && !core_flag_raised(&l->stop); i++)
				g_usleep(250 * 1000);
			backoff = MIN(backoff * 2, BACKOFF_MAX_S);
			continue;
		}
		l->wake = 0;
		st = imap_idle(l->s, IDLE_MAX_MS, l->poll_ms, &l->wake, &l->stop);
		if (st == IMAP_OK)
			st = catch_up(l);
		if (st != IMAP_OK && !core_flag_raised(&l->stop)) {
			core_log(CORE_LOG_APP, "live %s: %s", l->folder, imap_status_name(st));
			if (imap_status_scope(st) == IMAP_SCOPE_CONNECTION) {
				if (!lost)
					app_post(
					    l->app,
					    app_event_new(APP_EV_STATUS, l->account, 0,
					                  _("Connection lost; reconnecting...")));
				attached = false;
				lost = true;
			}
		}
	}
	return NULL;
}

struct app_imap_live *app_imap_live_start(const struct app_imap_live_opts *o)
{
	struct app_imap_live *l = g_new0(struct app_imap_live, 1);
	l->app = o->app;
	l->account = o->account;
	l->folder = g_strdup(o->folder);
	l->host = g_strdup(o->session->net.host);
	l->poll_ms = o->poll_ms;
	l->last_uid = o->last_uid;
	l->vanished = g_array_new(FALSE, FALSE, sizeof(guint32));
	l->flags = g_ptr_array_new_with_free_func(app_msg_free);
	struct imap_opts so = *o->session;
	so.net.cancel = &l->stop;
	l->s = imap_session_new(&so);
	imap_session_set_event_cb(l->s, on_event, l);
	if (pthread_create(&l->thread, NULL, live_main, l) != 0) {
		imap_session_free(l->s);
		g_array_unref(l->vanished);
		g_ptr_array_unref(l->flags);
		g_free(l->folder);
		g_free(l->host);
		g_free(l);
		return NULL;
	}
	core_log(CORE_LOG_APP, "live %s: watching from uid %u", l->folder, l->last_uid);
	return l;
}

void app_imap_live_stop(struct app_imap_live *l)
{
	if (!l)
		return;
	__atomic_store_n(&l->stop, 1, __ATOMIC_RELAXED);
	pthread_join(l->thread, NULL);
	imap_session_free(l->s);
	g_array_unref(l->vanished);
	g_ptr_array_unref(l->flags);
	if (l->known)
		g_array_unref(l->known);
	core_log(CORE_LOG_APP, "live %s: stopped", l->folder);
	g_free(l->folder);
	g_free(l->host);
	g_free(l);
}

const char *app_imap_live_folder(const struct app_imap_live *l)
{
	return l->folder;
}
