/* backend_imap.c - the backend operations over an IMAP session.
 * Runs on the account's worker; the session is connected on first use
 * and reconnected (with the folder re-selected) when it dropped. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>

#include "app/app.h"
#include "app/backend.h"
#include "app/imap_live.h"
#include "config/config.h"
#include "core/core.h"
#include "core/i18n.h"
#include "imap/imap.h"
#include "mime/mime.h"
#include "net/net.h"

struct imap_backend {
	const struct config_account *cfg;
	struct imap_session *s;
	char *selected;    /* folder selected on s, owned */
	char *accept_once; /* a pin the user accepted for this run */
	char *password;    /* kept for the watcher's connection; wiped at close */
	/* The header cache of the open folder (cache_folder), saved when it
	 * changed at the end of a load, when the folder is left and at close.
	 * Its UIDNEXT/HIGHESTMODSEQ move only at a full resync, so changes
	 * not yet saved are simply reported again by the server next time. */
	struct imap_cache *cache;
	char *cache_folder;
	bool cache_dirty;
	/* The last load ran to its end.  Rows arrive newest first, so a cut
	 * load holds the newest UIDs without older ones: saving it would
	 * make the next open think those older ones are known. */
	bool cache_complete;
	struct app_imap_live *live; /* watches the open folder */
	/* What the server said unasked on s, until the job posts it. */
	struct app_job *job;
	GArray *vanished;  /* guint32 */
	GPtrArray *flags;  /* struct app_msg* (uid, flags) */
	/* The last drop was a cancelled job (IMAP cannot stop a command
	 * midway): reconnecting then is routine, not a lost connection. */
	bool dropped_by_cancel;
	unsigned body_cache_writes; /* entries written this run */
};

/* Headers the index needs beyond ENVELOPE: threading and attachments. */
/* Header fields rather than ENVELOPE: the index needs only these, and a
 * server answers them about twice as fast (Dovecot builds an ENVELOPE
 * from ten fields; see tests/bench/imap/README). */
const char *const app_imap_index_headers[] = { "From", "Subject", "Date", "Message-ID",
	"In-Reply-To", "References", "Content-Type", NULL };

const struct imap_fetch_opts app_imap_index_fetch = {
	.items = IMAP_FETCH_UID | IMAP_FETCH_FLAGS | IMAP_FETCH_INTERNALDATE | IMAP_FETCH_SIZE |
		 IMAP_FETCH_HEADERS,
	.headers = app_imap_index_headers,
};

/* A folder's load: the same without INTERNALDATE, which only stands in
 * for a missing Date header and is then asked for alone (fill_dates). */
static const struct imap_fetch_opts bulk_fetch = {
	.items = IMAP_FETCH_UID | IMAP_FETCH_FLAGS | IMAP_FETCH_SIZE | IMAP_FETCH_HEADERS,
	.headers = app_imap_index_headers,
};

static char *status_text(struct imap_backend *b, enum imap_status st)
{
	const struct config_url *u = &b->cfg->imap;
	/* A failure below IMAP: the text is GnuTLS's or the system's, not
	 * the server's, and net's words say which. */
	if (b->s && imap_session_net_error(b->s)->status != NET_OK &&
	    st != IMAP_ERR_PLAINTEXT && st != IMAP_ERR_UNSUPPORTED)
		return app_net_error_text(imap_session_net_error(b->s), u->host, u->port);
	char *server = core_safe_text(b->s ? imap_session_text(b->s) : "", (size_t)-1, false);
	char *msg;

	switch (st) {
	case IMAP_ERR_NET:
	case IMAP_ERR_TLS:
		msg = g_strdup_printf(_("Cannot reach %s: %s"), u->host, server);
		break;
	case IMAP_ERR_AUTH:
		msg = g_strdup_printf(_("%s refused the login (server said: %s)"), u->host, server);
		break;
	case IMAP_ERR_PLAINTEXT:
		msg = g_strdup_printf(_("%s would need the password sent without encryption; refused."), u->host);
		break;
	case IMAP_ERR_CLOSED:
		msg = g_strdup_printf(_("%s closed the connection (server said: %s)"), u->host, server);
		break;
	case IMAP_ERR_CANCELLED:
		msg = g_strdup(_("Cancelled."));
		break;
	case IMAP_ERR_MAILBOX:
		msg = g_strdup_printf(_("Folder error (server said: %s)"), server);
		break;
	case IMAP_ERR_UNSUPPORTED:
		msg = g_strdup(_("The server does not support this."));
		break;
	case IMAP_ERR_PROTOCOL:
	case IMAP_ERR_TOO_BIG:
	case IMAP_ERR_STATE:
		/* The text is mailtui's own (parser, limits), in English. */
		msg = g_strdup_printf(_("IMAP error %s (%s)"), imap_status_name(st), server);
		break;
	default:
		msg = g_strdup_printf(_("IMAP error %s (server said: %s)"), imap_status_name(st), server);
		break;
	}
	g_free(server);
	return msg;
}

static int fail(struct imap_backend *b, struct app_job *job, enum imap_status st, char **err)
{
	/* An unknown certificate: ask the user (as an event) instead of
	 * failing silently; the UI answers with app_account_trust(). */
	const struct net_error *ne = b->s ? imap_session_net_error(b->s) : NULL;
	if (ne && ne->status == NET_ERR_CERT_UNTRUSTED && ne->has_cert) {
		struct app_cert_question *q = g_new0(struct app_cert_question, 1);
		q->host = g_strdup(b->cfg->imap.host);
		q->port = b->cfg->imap.port;
		q->pin = g_strdup(ne->cert.pin);
		struct app_event *ev = app_event_new(APP_EV_CERT_QUESTION, -1, 0, NULL);
		ev->text = app_net_error_text(ne, q->host, q->port);
		ev->data = q;
		ev->free_data = app_cert_question_free;
		app_job_post(job, ev);
	}
	/* A split load's second session may be the one cancelled. */
	b->dropped_by_cancel = st == IMAP_ERR_CANCELLED && b->s &&
			       imap_session_state(b->s) == IMAP_STATE_DISCONNECTED;
	*err = status_text(b, st);
	return -1;
}

static void *imap_open(const struct config_account *a)
{
	struct imap_backend *b = g_new0(struct imap_backend, 1);
	b->cfg = a;
	b->vanished = g_array_new(FALSE, FALSE, sizeof(guint32));
	b->flags = g_ptr_array_new_with_free_func(app_msg_free);
	return b;
}

static void cache_save(struct imap_backend *b)
{
	if (!b->cache || !b->cache_dirty || !b->cache_complete)
		return;
	char *path = imap_cache_path(b->cfg->name, b->cache_folder);
	int r = imap_cache_save(b->cache, path);
	core_log(CORE_LOG_APP, "cache %s: saved %zu messages (%d)", b->cache_folder,
		imap_cache_count(b->cache), r);
	g_free(path);
	b->cache_dirty = false;
}

static void cache_drop(struct imap_backend *b)
{
	cache_save(b);
	imap_cache_free(b->cache);
	b->cache = NULL;
	g_free(b->cache_folder);
	b->cache_folder = NULL;
}

static void imap_close(void *st)
{
	struct imap_backend *b = st;
	app_imap_live_stop(b->live);
	cache_drop(b);
	if (b->s) {
		imap_logout(b->s, NULL);
		imap_session_free(b->s);
	}
	g_array_unref(b->vanished);
	g_ptr_array_unref(b->flags);
	g_free(b->selected);
	g_free(b->accept_once);
	core_wipe(b->password);
	g_free(b->password);
	g_free(b);
}

static enum net_tls net_tls_of(enum config_tls t)
{
	return t == CONFIG_TLS_IMPLICIT ? NET_TLS_IMPLICIT
	     : t == CONFIG_TLS_STARTTLS ? NET_TLS_STARTTLS : NET_TLS_NONE;
}

/* Session options of this account (strings borrowed from b). */
static struct imap_opts session_opts(const struct imap_backend *b)
{
	const struct config_url *u = &b->cfg->imap;
	struct imap_opts o = {
		.net = {
			.host = u->host,
			.port = u->port,
			.tls = net_tls_of(u->tls),
			.connect_timeout_ms = b->cfg->timeout * 1000,
			.read_timeout_ms = b->cfg->timeout * 1000,
			.ca_file = b->cfg->tls_ca_file,
			.pin = b->cfg->tls_fingerprint,
			.accept_once = b->accept_once,
		},
		.user = b->cfg->user,
		.password = b->password,
	};
	return o;
}

/* What the server says unasked on the worker's connection (during any
 * command, and the QRESYNC catch-up of a SELECT): noted here, applied to
 * the cache and posted by flush_unasked() once the command is over. */
static void on_session_event(const struct imap_event *ev, void *user)
{
	struct imap_backend *b = user;
	switch (ev->kind) {
	case IMAP_EVENT_VANISHED: {
		uint32_t max = b->cache ? imap_cache_max_uid(b->cache) : 0;
		const struct imap_mailbox *mb = imap_session_mailbox(b->s);
		if (mb && mb->uidnext > max)
			max = mb->uidnext - 1;
		GArray *u = app_imap_uid_set(ev->uids, max);
		g_array_append_vals(b->vanished, u->data, u->len);
		g_array_unref(u);
		break;
	}
	case IMAP_EVENT_FETCH:
		if (ev->msg && (ev->msg->have & IMAP_FETCH_UID) && (ev->msg->have & IMAP_FETCH_FLAGS)) {
			struct app_msg *m = app_msg_new();
			m->uid = ev->msg->uid;
			m->flags = ev->msg->flag_bits; /* imap bits until flushed */
			g_ptr_array_add(b->flags, m);
		}
		break;
	default:
		break;
	}
}

/* Connect and log in when not connected; reconnect after a drop. */
static int ensure(struct imap_backend *b, struct app_job *job, char **err)
{
	const volatile int *cancel = app_job_cancel_flag(job);
	enum imap_status st;

	/* A connection the server closed while we were not asking (a
	 * restart's BYE, an idle timeout) is found here, before the
	 * command: reconnecting now beats failing the user's action. */
	if (b->s && imap_session_state(b->s) >= IMAP_STATE_AUTHENTICATED &&
	    imap_session_state(b->s) != IMAP_STATE_LOGOUT && imap_session_check(b->s) == IMAP_OK)
		return 0;
	bool again = b->s != NULL;
	if (!b->s) {
		char *perr = NULL;
		if (!b->password && !config_account_password(b->cfg, &b->password, &perr)) {
			*err = perr;
			return -1;
		}
		core_log_add_secret(b->password);
		struct imap_opts o = session_opts(b);
		b->s = imap_session_new(&o);
		imap_session_set_event_cb(b->s, on_session_event, b);
		st = imap_session_connect(b->s, cancel);
	} else {
		if (b->dropped_by_cancel)
			again = false; /* nothing to announce, before or after */
		else
			app_job_post(job, app_event_new(APP_EV_STATUS, -1, 0,
				_("Connection lost; reconnecting...")));
		st = imap_session_reconnect(b->s, cancel);
	}
	if (st != IMAP_OK) {
		int r = fail(b, job, st, err);
		if (st == IMAP_ERR_AUTH) { /* ask password_command again next time */
			core_wipe(b->password);
			g_free(b->password);
			b->password = NULL;
		}
		imap_session_free(b->s); /* the next try starts clean */
		b->s = NULL;
		g_free(b->selected);
		b->selected = NULL;
		return r;
	}
	b->dropped_by_cancel = false;
	if (again && b->selected) {
		app_imap_post_reconnected(app_job_app(job), app_job_account(job), b->cfg->imap.host,
			b->selected);
	} else if (again) {
		/* Replaces "Connection lost; reconnecting..." in the status line. */
		char *text = g_strdup_printf(_("Reconnected to %s."), b->cfg->imap.host);
		app_job_post(job, app_event_new(APP_EV_STATUS, -1, 0, text));
		g_free(text);
	}
	return 0;
}

static enum app_folder_role role_of(enum imap_special sp)
{
	switch (sp) {
	case IMAP_SPECIAL_INBOX: return APP_ROLE_INBOX;
	case IMAP_SPECIAL_DRAFTS: return APP_ROLE_DRAFTS;
	case IMAP_SPECIAL_SENT: return APP_ROLE_SENT;
	case IMAP_SPECIAL_ARCHIVE: return APP_ROLE_ARCHIVE;
	case IMAP_SPECIAL_JUNK: return APP_ROLE_JUNK;
	case IMAP_SPECIAL_TRASH: return APP_ROLE_TRASH;
	default: return APP_ROLE_NONE;
	}
}

/* Special-use folders first in a fixed order, then the rest by name. */
static int folder_cmp(gconstpointer pa, gconstpointer pb)
{
	const struct app_folder *a = *(struct app_folder *const *)pa;
	const struct app_folder *b = *(struct app_folder *const *)pb;
	int ra = a->role == APP_ROLE_NONE ? 100 : (int)a->role;
	int rb = b->role == APP_ROLE_NONE ? 100 : (int)b->role;
	if (ra != rb)
		return ra - rb;
	return g_utf8_collate(a->id, b->id);
}

static int imap_list(void *st, struct app_job *job, char **err)
{
	struct imap_backend *b = st;
	GPtrArray *list = NULL;

	if (ensure(b, job, err) < 0)
		return -1;
	enum imap_status s = imap_list_folders(b->s, true, &list, app_job_cancel_flag(job));
	if (s != IMAP_OK)
		return fail(b, job, s, err);

	GPtrArray *out = g_ptr_array_new_with_free_func(app_folder_free);
	for (guint i = 0; i < list->len; i++) {
		const struct imap_folder *f = g_ptr_array_index(list, i);
		if (f->attrs & IMAP_MBX_NONEXISTENT)
			continue;
		struct app_folder *af = app_folder_new();
		af->id = g_strdup(f->name);
		const char *leaf = f->name;
		if (f->delim) {
			for (const char *p = f->name; *p; p++)
				if (*p == f->delim && p[1]) {
					af->depth++;
					leaf = p + 1;
				}
		}
		af->display = core_safe_text(leaf, (size_t)-1, false);
		af->role = role_of(f->special);
		af->selectable = !(f->attrs & IMAP_MBX_NOSELECT);
		if (f->has_status) {
			af->total = f->messages;
			af->unread = f->unseen;
		}
		g_ptr_array_add(out, af);
	}
	g_ptr_array_unref(list);
	g_ptr_array_sort(out, folder_cmp);
	app_backend_post(job, APP_EV_FOLDERS, out, (void (*)(void *))g_ptr_array_unref);
	return 0;
}

static int select_folder(struct imap_backend *b, struct app_job *job, const char *folder, char **err)
{
	if (ensure(b, job, err) < 0)
		return -1;
	if (b->selected && strcmp(b->selected, folder) == 0 &&
	    imap_session_state(b->s) == IMAP_STATE_SELECTED)
		return 0;
	enum imap_status s = imap_select(b->s, folder, NULL, app_job_cancel_flag(job));
	if (s != IMAP_OK)
		return fail(b, job, s, err);
	g_free(b->selected);
	b->selected = g_strdup(folder);
	return 0;
}

unsigned app_imap_flags(uint32_t imap_bits)
{
	unsigned f = 0;
	if (imap_bits & IMAP_FLAG_SEEN) f |= APP_MSG_SEEN;
	if (imap_bits & IMAP_FLAG_ANSWERED) f |= APP_MSG_ANSWERED;
	if (imap_bits & IMAP_FLAG_FLAGGED) f |= APP_MSG_FLAGGED;
	if (imap_bits & IMAP_FLAG_DELETED) f |= APP_MSG_DELETED;
	if (imap_bits & IMAP_FLAG_DRAFT) f |= APP_MSG_DRAFT;
	if (imap_bits & IMAP_CACHE_ATTACHMENT) f |= APP_MSG_ATTACHMENT;
	return f;
}

/* The cache's form of app flags (the inverse of app_imap_flags). */
static uint32_t cache_flags_of(unsigned f)
{
	uint32_t b = 0;
	if (f & APP_MSG_SEEN) b |= IMAP_FLAG_SEEN;
	if (f & APP_MSG_ANSWERED) b |= IMAP_FLAG_ANSWERED;
	if (f & APP_MSG_FLAGGED) b |= IMAP_FLAG_FLAGGED;
	if (f & APP_MSG_DELETED) b |= IMAP_FLAG_DELETED;
	if (f & APP_MSG_DRAFT) b |= IMAP_FLAG_DRAFT;
	if (f & APP_MSG_ATTACHMENT) b |= IMAP_CACHE_ATTACHMENT;
	return b;
}

/* The system flags the server reports; attachment is ours. */
#define SERVER_FLAGS (IMAP_FLAG_SEEN | IMAP_FLAG_ANSWERED | IMAP_FLAG_FLAGGED | \
		      IMAP_FLAG_DELETED | IMAP_FLAG_DRAFT)

GArray *app_imap_uid_set(const char *set, uint32_t max)
{
	GArray *out = g_array_new(FALSE, FALSE, sizeof(guint32));
	struct imap_range *rg = NULL;
	size_t n = 0;
	if (!set || !imap_seqset_parse(set, 100000, &rg, &n))
		return out;
	for (size_t i = 0; i < n; i++)
		for (uint64_t u = rg[i].lo; u <= rg[i].hi && u <= max; u++) {
			guint32 v = (guint32)u;
			g_array_append_val(out, v);
		}
	g_free(rg);
	return out;
}

/* The header fields a row is made of, in app_imap_index_headers' order. */
enum { H_FROM, H_SUBJECT, H_DATE, H_MESSAGE_ID, H_IN_REPLY_TO, H_REFERENCES, H_CONTENT_TYPE, H_N };

/* The values of app_imap_index_headers in a "Name: value" block, each
 * unfolded (the first of a name wins), in one pass over the block: the
 * index reads 100,000 of them.  Owned strings or NULL. */
static void header_values(const char *block, size_t len, char *out[H_N])
{
#define H(name) { name, sizeof name - 1 }
	/* app_imap_index_headers, in the order of the H_ names */
	static const struct { const char *name; size_t len; } names[H_N] = {
		H("From"), H("Subject"), H("Date"), H("Message-ID"), H("In-Reply-To"),
		H("References"), H("Content-Type"),
	};
#undef H
	const char *p = block, *end = block + len;
	for (int k = 0; k < H_N; k++)
		out[k] = NULL;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			eol = end;
		const char *colon = memchr(p, ':', (size_t)(eol - p));
		int k = H_N;
		if (colon && *p != ' ' && *p != '\t') {
			size_t nl = (size_t)(colon - p);
			for (k = 0; k < H_N; k++)
				if (names[k].len == nl &&
				    g_ascii_strncasecmp(p, names[k].name, nl) == 0)
					break;
		}
		if (k == H_N || out[k]) {
			p = eol + 1;
			continue;
		}
		const char *q = eol + 1;
		if (q >= end || (*q != ' ' && *q != '\t')) {
			/* One line, the common case: no buffer to grow. */
			out[k] = g_strstrip(g_strndup(colon + 1, (size_t)(eol - colon - 1)));
			p = q;
			continue;
		}
		GString *v = g_string_new_len(colon + 1, eol - colon - 1);
		while (q < end && (*q == ' ' || *q == '\t')) {
			const char *e2 = memchr(q, '\n', (size_t)(end - q));
			if (!e2)
				e2 = end;
			g_string_append_len(v, q, e2 - q);
			q = e2 + 1;
		}
		out[k] = g_strstrip(g_string_free(v, FALSE));
		p = q;
	}
}

/* The common form of a Date ("Tue, 1 Jul 2003 10:52:37 +0200", the day
 * name, seconds and a trailing comment optional) without GMime, which
 * takes several times as long; 0 for anything else (then GMime). */
static time_t fast_date(const char *s)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	const char *p = s;
	int v[7] = { 0 }; /* day, year, hour, minute, second, zone hours, zone minutes */
	if (g_ascii_isalpha(p[0])) {
		if (!g_ascii_isalpha(p[1]) || !g_ascii_isalpha(p[2]) || p[3] != ',')
			return 0;
		p += 4;
		while (*p == ' ')
			p++;
	}
	int n = 0;
	for (; g_ascii_isdigit(*p) && n < 2; p++, n++)
		v[0] = v[0] * 10 + (*p - '0');
	if (!n || *p++ != ' ')
		return 0;
	int mon = -1;
	for (int i = 0; i < 12 && mon < 0; i++)
		if (g_ascii_strncasecmp(p, months + 3 * i, 3) == 0)
			mon = i;
	if (mon < 0 || p[3] != ' ')
		return 0;
	p += 4;
	for (n = 0; g_ascii_isdigit(*p) && n < 4; p++, n++)
		v[1] = v[1] * 10 + (*p - '0');
	if (n != 4 || *p++ != ' ')
		return 0;
	for (int f = 2; f <= 4; f++) {
		if (!g_ascii_isdigit(p[0]) || !g_ascii_isdigit(p[1]))
			return 0;
		v[f] = (p[0] - '0') * 10 + (p[1] - '0');
		p += 2;
		if (*p != ':')
			break;
		p++;
	}
	if (*p++ != ' ' || (*p != '+' && *p != '-'))
		return 0;
	int sign = *p++ == '-' ? -1 : 1;
	for (n = 0; n < 4; n++)
		if (!g_ascii_isdigit(p[n]))
			return 0;
	v[5] = (p[0] - '0') * 10 + (p[1] - '0');
	v[6] = (p[2] - '0') * 10 + (p[3] - '0');
	p += 4;
	if (*p && *p != ' ')
		return 0;
	if (v[0] < 1 || v[1] < 1970 || v[2] > 23 || v[3] > 59 || v[4] > 60 || v[6] > 59)
		return 0;
	struct tm tm = { .tm_year = v[1] - 1900, .tm_mon = mon, .tm_mday = v[0],
			 .tm_hour = v[2], .tm_min = v[3], .tm_sec = v[4] };
	time_t t = timegm(&tm);
	if (t == (time_t)-1 || tm.tm_mday != v[0]) /* 31 Feb: let GMime decide */
		return 0;
	t -= sign * (v[5] * 3600 + v[6] * 60);
	return t > 0 ? t : 0;
}

/* The display name of a From value ("Name <a@b>", "a@b", "\"N\" <a@b>"),
 * else its address: decoded and terminal-safe.  Owned. */
static char *from_text(const char *raw)
{
	if (!raw)
		return g_strdup("");
	const char *lt = NULL;
	bool quoted = false;
	for (const char *p = raw; *p; p++) {
		if (*p == '\\' && quoted && p[1])
			p++;
		else if (*p == '"')
			quoted = !quoted;
		else if (*p == '<' && !quoted)
			lt = p;
	}
	if (!lt)
		return mime_header_decode(raw);
	GString *name = g_string_new_len(raw, lt - raw);
	g_strstrip(name->str);
	g_string_set_size(name, strlen(name->str));
	if (name->len >= 2 && name->str[0] == '"' && name->str[name->len - 1] == '"') {
		GString *u = g_string_new(NULL);
		for (size_t i = 1; i + 1 < name->len; i++) {
			if (name->str[i] == '\\' && i + 2 < name->len)
				i++;
			g_string_append_c(u, name->str[i]);
		}
		g_string_free(name, TRUE);
		name = u;
	}
	char *out;
	if (name->len) {
		out = mime_header_decode(name->str);
	} else {
		const char *gt = strchr(lt, '>');
		char *addr = g_strndup(lt + 1, gt ? (size_t)(gt - lt - 1) : strlen(lt + 1));
		out = core_safe_text(addr, (size_t)-1, false);
		g_free(addr);
	}
	g_string_free(name, TRUE);
	return out;
}

/* The last <message-id> of a References value: all the threading on the
 * client uses (app_thread_order), and a fraction of the memory.  Owned. */
static char *last_reference(char *refs)
{
	if (!refs)
		return NULL;
	char *end = strrchr(refs, '>');
	char *start = end;
	while (start && start > refs && *start != '<')
		start--;
	if (!end || *start != '<' || start == refs)
		return refs;
	char *last = g_strndup(start, (size_t)(end - start + 1));
	g_free(refs);
	return last;
}

/* The bare address of a From value: inside <> when there, else the
 * value when it looks like one.  Terminal-safe; NULL when none.  Owned. */
static char *from_address(const char *raw)
{
	if (!raw)
		return NULL;
	const char *lt = strrchr(raw, '<');
	const char *gt = lt ? strchr(lt, '>') : NULL;
	char *addr = lt && gt ? g_strndup(lt + 1, (gsize)(gt - lt - 1)) : g_strdup(raw);
	g_strstrip(addr);
	char *safe = NULL;
	if (*addr && strchr(addr, '@') && !strpbrk(addr, " \t\"<>,"))
		safe = core_safe_text(addr, (size_t)-1, false);
	g_free(addr);
	return safe;
}

struct app_msg *app_imap_msg_from_fetch(const struct imap_msg *m, uint32_t *cache_flags)
{
	struct app_msg t = { 0 }; /* owned strings until packed into the row */
	uint32_t cf = m->flag_bits & SERVER_FLAGS;
	t.date = m->internaldate_t;
	for (size_t i = 0; i < m->n_sections; i++) {
		const struct imap_section_data *sd = &m->sections[i];
		if (!sd->data)
			continue;
		char *h[H_N];
		header_values(sd->data, sd->len, h);
		t.from = from_text(h[H_FROM]);
		t.from_addr = from_address(h[H_FROM]);
		t.subject = mime_header_decode(h[H_SUBJECT] ? h[H_SUBJECT] : "");
		t.message_id = h[H_MESSAGE_ID];
		t.in_reply_to = last_reference(h[H_IN_REPLY_TO]);
		t.references = last_reference(h[H_REFERENCES]);
		if (h[H_DATE]) {
			time_t d = fast_date(h[H_DATE]);
			if (!d)
				d = mime_parse_date(h[H_DATE]);
			if (d > 0)
				t.date = d;
		}
		const char *ct = h[H_CONTENT_TYPE];
		if (ct && (g_ascii_strncasecmp(ct, "multipart/mixed", 15) == 0 ||
			   g_ascii_strncasecmp(ct, "application/", 12) == 0))
			cf |= IMAP_CACHE_ATTACHMENT;
		g_free(h[H_FROM]);
		g_free(h[H_SUBJECT]);
		g_free(h[H_DATE]);
		g_free(h[H_CONTENT_TYPE]);
		break; /* one header block is asked for */
	}
	struct app_msg *am = app_msg_new_packed(t.from ? t.from : "", t.subject ? t.subject : "",
		t.message_id, t.in_reply_to, t.references, t.from_addr);
	g_free(t.from);
	g_free(t.from_addr);
	g_free(t.subject);
	g_free(t.message_id);
	g_free(t.in_reply_to);
	g_free(t.references);
	am->uid = m->uid;
	am->size = m->size;
	am->date = t.date;
	am->flags = app_imap_flags(cf);
	if (cache_flags)
		*cache_flags = cf;
	return am;
}

/* ---- the header cache of the open folder -------------------------------- */

static char *cache_key(const struct imap_backend *b, const char *folder)
{
	return g_strdup_printf("%s\n%s@%s:%u\n%s", b->cfg->name, b->cfg->user ? b->cfg->user : "",
		b->cfg->imap.host, b->cfg->imap.port, folder);
}

/* A cached string for the screen.  It was made safe before it was saved,
 * but the file is not trusted: plain printable ASCII passes as it is,
 * anything else goes through core_safe_text again. */
/* Separates the sender's display text from its address in the cache's
 * from field: safe text never holds a control character. */
#define FROM_SEP '\x1f'

static char *cached_text(const char *s)
{
	if (!s)
		return NULL;
	const unsigned char *p = (const unsigned char *)s;
	while (*p >= 0x20 && *p < 0x7f)
		p++;
	return *p ? core_safe_text(s, (size_t)-1, false) : g_strdup(s);
}

static struct app_msg *msg_from_cache(const struct imap_cache_msg *c)
{
	/* "display\x1faddress" (FROM_SEP): one cache field holds both. */
	const char *sep = c->from ? strchr(c->from, FROM_SEP) : NULL;
	char *from, *from_addr = NULL;
	if (sep) {
		char *display = g_strndup(c->from, (gsize)(sep - c->from));
		from = cached_text(display);
		from_addr = *(sep + 1) ? cached_text(sep + 1) : NULL;
		g_free(display);
	} else {
		from = cached_text(c->from);
	}
	char *subject = cached_text(c->subject);
	struct app_msg *m = app_msg_new_packed(from, subject, c->message_id, c->in_reply_to,
		c->references, from_addr);
	g_free(from);
	g_free(from_addr);
	g_free(subject);
	m->uid = c->uid;
	m->flags = app_imap_flags(c->flags);
	m->date = (time_t)c->date;
	m->size = c->size;
	return m;
}

static void post_msgs(struct app_job *job, const char *folder, GPtrArray *msgs, uint64_t done,
	uint64_t total)
{
	struct app_event *ev = app_event_new((enum app_event_type)APP_EV_MSGS, -1, 0, folder);
	ev->data = msgs;
	ev->free_data = (void (*)(void *))g_ptr_array_unref;
	ev->done = done;
	ev->total = total;
	app_job_post(job, ev);
}

/* Everything cached, newest first: one screenful at once, then the rest
 * in large chunks (each chunk costs the index a re-sort). */
static void post_cached(struct imap_backend *b, struct app_job *job, const char *folder)
{
	size_t n = imap_cache_count(b->cache), done = 0;
	size_t chunk = 200;
	while (done < n) {
		size_t take = MIN(chunk, n - done);
		GPtrArray *msgs = g_ptr_array_new_full((guint)take, app_msg_free);
		for (size_t i = 0; i < take; i++) {
			struct imap_cache_msg c;
			imap_cache_get(b->cache, n - 1 - done - i, &c);
			g_ptr_array_add(msgs, msg_from_cache(&c));
		}
		done += take;
		post_msgs(job, folder, msgs, done, n);
		chunk = 50000;
	}
	imap_cache_release_pages(b->cache);
}

/* Post and apply to the cache what on_session_event noted. */
static void flush_unasked(struct imap_backend *b, struct app_job *job, const char *folder)
{
	bool ours = b->cache && b->cache_folder && strcmp(b->cache_folder, folder) == 0;
	if (b->vanished->len) {
		if (ours && imap_cache_remove(b->cache, (const uint32_t *)(void *)b->vanished->data,
				    b->vanished->len))
			b->cache_dirty = true;
		struct app_event *ev = app_event_new((enum app_event_type)APP_EV_VANISHED, -1, 0,
			folder);
		ev->data = b->vanished;
		ev->free_data = (void (*)(void *))g_array_unref;
		app_job_post(job, ev);
		b->vanished = g_array_new(FALSE, FALSE, sizeof(guint32));
	}
	while (b->flags->len) {
		struct app_msg *m = g_ptr_array_steal_index(b->flags, 0);
		uint32_t bits = m->flags & SERVER_FLAGS;
		ssize_t i = ours ? imap_cache_find(b->cache, m->uid) : -1;
		if (i >= 0) {
			struct imap_cache_msg c;
			imap_cache_get(b->cache, (size_t)i, &c);
			bits |= c.flags & IMAP_CACHE_ATTACHMENT;
			if (c.flags != bits) {
				imap_cache_set_flags(b->cache, m->uid, bits);
				b->cache_dirty = true;
			}
		}
		m->flags = app_imap_flags(bits);
		struct app_event *ev = app_event_new((enum app_event_type)APP_EV_FLAGS, -1, 0, folder);
		ev->data = m;
		ev->free_data = app_msg_free;
		app_job_post(job, ev);
	}
}

struct chunk {
	GPtrArray *msgs;
	struct imap_cache *cache; /* new rows go here too, or NULL */
	uint32_t min_uid;         /* rows below are not new: "n:*" may return one */
	GArray *seen;             /* FLAGS sweep: the UIDs there */
	GArray *undated;          /* indexes in msgs of rows without a Date */
	struct imap_backend *b;
};

static void cache_put_row(struct imap_cache *cache, const struct app_msg *am)
{
	char sep[2] = { FROM_SEP, '\0' };
	char *from = am->from_addr ? g_strconcat(am->from, sep, am->from_addr, NULL) : NULL;
	struct imap_cache_msg cm = {
		.uid = am->uid, .flags = cache_flags_of(am->flags), .date = am->date,
		.size = am->size, .from = from ? from : am->from, .subject = am->subject,
		.message_id = am->message_id, .in_reply_to = am->in_reply_to,
		.references = am->references,
	};
	imap_cache_put(cache, &cm);
	g_free(from);
}

static void on_msg(const struct imap_msg *m, void *user)
{
	struct chunk *c = user;
	if (m->uid < c->min_uid)
		return;
	struct app_msg *am = app_imap_msg_from_fetch(m, NULL);
	if (!am->date && c->undated) {
		/* Dated by INTERNALDATE once the chunk is in (fill_dates). */
		guint i = c->msgs->len;
		g_array_append_val(c->undated, i);
	} else if (c->cache) {
		cache_put_row(c->cache, am);
	}
	g_ptr_array_add(c->msgs, am);
}

static void on_date(const struct imap_msg *m, void *user)
{
	struct chunk *c = user;
	if (!(m->have & IMAP_FETCH_INTERNALDATE))
		return;
	for (guint k = 0; k < c->undated->len; k++) {
		struct app_msg *am = g_ptr_array_index(c->msgs, g_array_index(c->undated, guint, k));
		if (am->uid == m->uid)
			am->date = m->internaldate_t;
	}
}

/* The rows of a chunk without a usable Date header get the server's
 * INTERNALDATE, asked for them alone: asking it of every message would
 * cost Dovecot a third more time (tests/bench/imap/README). */
static enum imap_status fill_dates(struct imap_session *s, struct chunk *c,
	const volatile int *cancel)
{
	enum imap_status st = IMAP_OK;
	if (c->undated->len) {
		GPtrArray *sets = g_ptr_array_new_with_free_func(g_free);
		GString *set = g_string_new(NULL);
		for (guint k = 0; k < c->undated->len; k++) {
			const struct app_msg *am =
				g_ptr_array_index(c->msgs, g_array_index(c->undated, guint, k));
			g_string_append_printf(set, "%s%u", set->len ? "," : "", am->uid);
			if (set->len > 900 || k + 1 == c->undated->len) {
				g_ptr_array_add(sets, g_string_free(set, FALSE));
				set = g_string_new(NULL);
			}
		}
		g_string_free(set, TRUE);
		const struct imap_fetch_opts fo = { .items = IMAP_FETCH_UID | IMAP_FETCH_INTERNALDATE };
		st = imap_uid_fetch(s, (const char *const *)sets->pdata, sets->len, &fo, on_date, c,
			cancel);
		g_ptr_array_unref(sets);
	}
	for (guint k = 0; st == IMAP_OK && c->cache && k < c->undated->len; k++)
		cache_put_row(c->cache, g_ptr_array_index(c->msgs, g_array_index(c->undated, guint, k)));
	g_array_set_size(c->undated, 0);
	return st;
}

/* FLAGS sweep or CHANGEDSINCE answer: differences become flag events. */
static void on_flags(const struct imap_msg *m, void *user)
{
	struct chunk *c = user;
	if (!(m->have & IMAP_FETCH_FLAGS))
		return;
	if (c->seen)
		g_array_append_val(c->seen, m->uid);
	ssize_t i = imap_cache_find(c->b->cache, m->uid);
	if (i < 0)
		return;
	struct imap_cache_msg cm;
	imap_cache_get(c->b->cache, (size_t)i, &cm);
	if ((cm.flags & SERVER_FLAGS) == (m->flag_bits & SERVER_FLAGS))
		return;
	struct app_msg *am = app_msg_new();
	am->uid = m->uid;
	am->flags = m->flag_bits; /* imap bits, as flush_unasked expects */
	g_ptr_array_add(c->b->flags, am);
}

static void on_uid_only(const struct imap_msg *m, void *user)
{
	struct chunk *c = user;
	g_array_append_val(c->seen, m->uid);
}

static int cmp_u32(gconstpointer a, gconstpointer b)
{
	guint32 x = *(const guint32 *)a, y = *(const guint32 *)b;
	return x < y ? -1 : x > y;
}

/* Bring the cached part up to date where QRESYNC did not: CHANGEDSINCE
 * for flags with CONDSTORE, else a FLAGS sweep; vanished ones are those
 * cached but no longer listed (a UID sweep when counts disagree). */
static enum imap_status resync_cached(struct imap_backend *b, const volatile int *cancel)
{
	uint32_t max = imap_cache_max_uid(b->cache);
	uint64_t modseq = imap_cache_modseq(b->cache);
	const struct imap_mailbox *mb = imap_session_mailbox(b->s);
	if ((imap_session_enabled(b->s) & IMAP_CAP_QRESYNC) && modseq && mb->highestmodseq)
		return IMAP_OK; /* the SELECT already said it all */
	char set[32];
	snprintf(set, sizeof set, "1:%u", max);
	const char *sets[1] = {set};
	bool condstore = (imap_session_caps(b->s) & IMAP_CAP_CONDSTORE) && modseq &&
			 mb->highestmodseq;
	struct chunk c = {.b = b, .seen = condstore ? NULL : g_array_new(FALSE, FALSE, sizeof(guint32))};
	struct imap_fetch_opts fo = {.items = IMAP_FETCH_UID | IMAP_FETCH_FLAGS,
		.changedsince = condstore ? modseq : 0};
	enum imap_status st = imap_uid_fetch(b->s, sets, 1, &fo, on_flags, &c, cancel);
	if (st == IMAP_OK && condstore) {
		/* Whether any went: the server's count of old messages. */
		c.seen = g_array_new(FALSE, FALSE, sizeof(guint32));
		fo = (struct imap_fetch_opts){.items = IMAP_FETCH_UID};
		st = imap_uid_fetch(b->s, sets, 1, &fo, on_uid_only, &c, cancel);
	}
	if (st == IMAP_OK && c.seen) {
		g_array_sort(c.seen, cmp_u32);
		size_t n = imap_cache_count(b->cache);
		for (size_t i = 0; i < n; i++) {
			struct imap_cache_msg cm;
			imap_cache_get(b->cache, i, &cm);
			if (!bsearch(&cm.uid, c.seen->data, c.seen->len, sizeof(guint32),
				    (int (*)(const void *, const void *))cmp_u32))
				g_array_append_val(b->vanished, cm.uid);
		}
	}
	if (c.seen)
		g_array_unref(c.seen);
	return st;
}

/* Fetch the headers of UIDs lo..hi on s, newest first in growing chunks,
 * so the first screen is there before the rest of the folder.  Rows go to
 * cache (may be NULL) and are posted to job a chunk at a time; the first
 * chunk has span UIDs; *posted counts the rows posted (shared by the two
 * halves of a split load, hence atomic); *left is the highest UID whose
 * row was not posted when it stops early (lo - 1 when all went). */
static enum imap_status fetch_on(struct imap_session *s, struct imap_cache *cache,
	struct app_job *job, const volatile int *cancel, const char *folder, uint32_t lo,
	uint32_t hi, uint32_t expect, uint32_t total, uint32_t span, uint64_t *posted,
	uint32_t *left)
{
	uint64_t got = 0;
	*left = hi;
	while (hi >= lo && hi > 0) {
		uint32_t from = hi - lo + 1 > span ? hi - span + 1 : lo;
		char set[32];
		const char *sets[1] = { set };
		snprintf(set, sizeof set, "%u:%u", from, hi);
		struct chunk c = { .msgs = g_ptr_array_new_with_free_func(app_msg_free),
				   .cache = cache, .min_uid = lo,
				   .undated = g_array_new(FALSE, FALSE, sizeof(guint)) };
		enum imap_status st = imap_uid_fetch(s, sets, 1, &bulk_fetch, on_msg, &c, cancel);
		if (st == IMAP_OK)
			st = fill_dates(s, &c, cancel);
		g_array_unref(c.undated);
		if (st != IMAP_OK) {
			g_ptr_array_unref(c.msgs);
			return st;
		}
		got += c.msgs->len;
		uint64_t now = __atomic_add_fetch(posted, c.msgs->len, __ATOMIC_RELAXED);
		post_msgs(job, folder, c.msgs, now, MAX(total, now));
		*left = from - 1;
		if (from == lo || (expect && got >= expect))
			break;
		hi = from - 1;
		span = span < 20000 ? span * 4 : span;
	}
	return IMAP_OK;
}

static enum imap_status fetch_range_span(struct imap_backend *b, struct app_job *job,
	const char *folder, uint32_t lo, uint32_t hi, uint32_t expect, uint32_t total,
	uint32_t span, uint64_t *posted)
{
	uint32_t left;
	enum imap_status st = fetch_on(b->s, b->cache, job, app_job_cancel_flag(job), folder, lo,
		hi, expect, total, span, posted, &left);
	if (left != hi)
		b->cache_dirty = true; /* a chunk went in */
	return st;
}

static enum imap_status fetch_range(struct imap_backend *b, struct app_job *job,
	const char *folder, uint32_t lo, uint32_t hi, uint32_t expect, uint32_t total,
	uint64_t *posted)
{
	return fetch_range_span(b, job, folder, lo, hi, expect, total, 200, posted);
}

/* A cold load of more UIDs than this (MAILTUI_IMAP_SPLIT_FROM overrides
 * it, for tests) fetches its older half on a second connection: Dovecot
 * serialises the fields of one connection on one core, so with cores to
 * spare on the server two sessions nearly halve the wait (where client
 * and server share two cores, as in tests/bench/imap, CPU is the floor
 * and it gains nothing). */
#define SPLIT_FROM 5000u
/* The halves' chunks: the first screen is there already, and each chunk
 * costs the index a re-sort, so they start large. */
#define SPLIT_SPAN 20000u

/* The older half of a split load, fetched on its own session and thread
 * into its own cache.  The thread touches nothing of the backend (the
 * worker goes on with b->s and b->cache meanwhile): its session is made
 * by the worker, it posts rows through the job (app_job_post is
 * thread-safe) and counts them in *posted atomically. */
struct half {
	struct imap_session *s; /* the thread's: it logs out and frees it */
	struct app_job *job;
	const char *folder;
	uint32_t uidvalidity;
	uint32_t lo, hi;
	uint32_t total;
	uint64_t *posted;
	struct imap_cache *cache; /* owned; merged into b->cache after the join */
	/* Raised by the worker when its own half failed or was cancelled:
	 * the load is over, the rest of this half is of no use.  The job's
	 * cancel flag also stops the session's I/O at once (net.cancel). */
	volatile int stop;
	uint32_t left; /* highest UID not posted: the worker's to fetch */
	enum imap_status st;
	pthread_t thread;
};

static void *half_main(void *arg)
{
	struct half *h = arg;
	const volatile int *stop = &h->stop;
	struct imap_select_opts so = { .read_only = true };
	h->left = h->hi;
	h->st = imap_session_connect(h->s, stop);
	if (h->st == IMAP_OK)
		h->st = imap_select(h->s, h->folder, &so, stop);
	if (h->st == IMAP_OK && imap_session_mailbox(h->s)->uidvalidity != h->uidvalidity)
		h->st = IMAP_ERR_MAILBOX; /* recreated meanwhile: not the same UIDs */
	if (h->st == IMAP_OK)
		h->st = fetch_on(h->s, h->cache, h->job, stop, h->folder, h->lo, h->hi, 0,
			h->total, SPLIT_SPAN, h->posted, &h->left);
	if (h->st == IMAP_OK)
		imap_logout(h->s, stop);
	imap_session_free(h->s);
	h->s = NULL;
	return NULL;
}

static uint32_t split_from(void)
{
	const char *e = getenv("MAILTUI_IMAP_SPLIT_FROM");
	long v = e && *e ? strtol(e, NULL, 10) : 0;
	return v > 0 ? (uint32_t)v : SPLIT_FROM;
}

/* A cold load of lo..hi: the newest chunk first on the worker's session
 * (the first screen), then the rest in two halves, the older one on a
 * second session in a thread.  Its rows reach the cache after the join;
 * whatever it did not post is fetched here, so no row is lost.  Returns
 * IMAP_OK only when every UID of lo..hi was fetched. */
static enum imap_status fetch_split(struct imap_backend *b, struct app_job *job,
	const char *folder, uint32_t lo, uint32_t hi, uint32_t total, uint64_t *posted)
{
	const volatile int *cancel = app_job_cancel_flag(job);
	uint32_t first_lo = hi - 199; /* the caller checked hi - lo > 400 */
	enum imap_status st = fetch_range(b, job, folder, first_lo, hi, 0, total, posted);
	if (st != IMAP_OK)
		return st;
	uint32_t mid = lo + (first_lo - lo) / 2;
	struct half h = {
		.job = job, .folder = folder, .lo = lo, .hi = mid - 1, .total = total,
		.uidvalidity = imap_session_mailbox(b->s)->uidvalidity, .posted = posted,
		.cache = imap_cache_new("split", imap_session_mailbox(b->s)->uidvalidity),
	};
	struct imap_opts o = session_opts(b); /* copied by imap_session_new */
	o.net.cancel = cancel;
	h.s = imap_session_new(&o);
	char *path = imap_cache_path(b->cfg->name, folder);
	char *dir = g_path_get_dirname(path);
	if (imap_cache_spill(h.cache, dir) < 0)
		core_log(CORE_LOG_APP, "cache %s: no spill file for the split", folder);
	g_free(dir);
	g_free(path);
	bool threaded = pthread_create(&h.thread, NULL, half_main, &h) == 0;
	if (!threaded) {
		imap_session_free(h.s);
		h.st = IMAP_ERR_STATE;
		h.left = h.hi;
	}
	st = fetch_range_span(b, job, folder, mid, first_lo - 1, 0, total, SPLIT_SPAN, posted);
	if (st != IMAP_OK)
		__atomic_store_n(&h.stop, 1, __ATOMIC_RELAXED);
	if (threaded)
		pthread_join(h.thread, NULL);
	size_t n = imap_cache_count(h.cache);
	for (size_t i = 0; i < n; i++) {
		struct imap_cache_msg cm;
		imap_cache_get(h.cache, i, &cm);
		imap_cache_put(b->cache, &cm);
	}
	if (n)
		b->cache_dirty = true;
	imap_cache_free(h.cache);
	core_log(CORE_LOG_APP, "load %s: split at %u, second session %s, %zu rows", folder, mid,
		imap_status_name(h.st), n);
	if (st != IMAP_OK || h.left < lo)
		return st;
	/* UIDs lo..h.left are missing: never report the load whole. */
	if (core_flag_raised(cancel))
		return IMAP_ERR_CANCELLED;
	core_log(CORE_LOG_APP, "load %s: UIDs %u:%u on the first session", folder, lo, h.left);
	return fetch_range_span(b, job, folder, lo, h.left, 0, total, SPLIT_SPAN, posted);
}

static void live_restart(struct imap_backend *b, struct app_job *job, const char *folder,
	uint32_t last_uid)
{
	if (b->live) {
		app_imap_live_stop(b->live);
		b->live = NULL;
	}
	struct imap_opts o = session_opts(b);
	int poll = b->cfg->check_interval > 0 ? CLAMP(b->cfg->check_interval, 5, 60) : 30;
	const struct app_imap_live_opts lo = {
		.app = app_job_app(job),
		.account = app_job_account(job),
		.session = &o,
		.folder = folder,
		.last_uid = last_uid,
		.poll_ms = poll * 1000,
	};
	b->live = app_imap_live_start(&lo);
}

/* Loads of more UIDs than this spill the cache's records to a file. */
#define SPILL_FROM 2000u

static int imap_open_folder(void *st, struct app_job *job, const char *folder, char **err)
{
	struct imap_backend *b = st;
	const volatile int *cancel = app_job_cancel_flag(job);
	uint64_t posted = 0;

	/* The watcher of another folder (or of this one, restarted after the
	 * load with what the load saw) must not post meanwhile. */
	app_imap_live_stop(b->live);
	b->live = NULL;
	/* A load cut short left rows newest first, or with holes (a split):
	 * read again from the file, the last whole state (cache_save keeps
	 * such rows off the disk). */
	if (b->cache && (strcmp(b->cache_folder, folder) != 0 || !b->cache_complete))
		cache_drop(b);
	if (!b->cache) {
		char *path = imap_cache_path(b->cfg->name, folder);
		char *key = cache_key(b, folder);
		enum imap_cache_result r = imap_cache_load(path, key, &b->cache);
		core_log(CORE_LOG_APP, "cache %s: %s, %zu messages", folder,
			imap_cache_result_name(r), b->cache ? imap_cache_count(b->cache) : 0);
		if (r != IMAP_CACHE_OK && r != IMAP_CACHE_MISSING)
			unlink(path); /* damaged or foreign: rebuilt below */
		g_free(key);
		g_free(path);
		b->cache_folder = g_strdup(folder);
		b->cache_dirty = false;
	}
	b->cache_complete = false;
	/* Cached rows first: no network needed for the first screen. */
	if (b->cache) {
		post_cached(b, job, folder);
		posted = imap_cache_count(b->cache);
	}

	g_array_set_size(b->vanished, 0);
	g_ptr_array_set_size(b->flags, 0);
	if (ensure(b, job, err) < 0)
		return -1;
	/* Always SELECT again: a re-SELECT is how a server reports changes
	 * (QRESYNC), and the folder may have changed since the last look. */
	struct imap_select_opts so = { 0 };
	if (b->cache) {
		so.uidvalidity = imap_cache_uidvalidity(b->cache);
		so.modseq = imap_cache_modseq(b->cache);
	}
	enum imap_status s = imap_select(b->s, folder, &so, cancel);
	if (s != IMAP_OK)
		return fail(b, job, s, err);
	g_free(b->selected);
	b->selected = g_strdup(folder);
	const struct imap_mailbox *mb = imap_session_mailbox(b->s);
	uint32_t uidnext = mb->uidnext, exists = mb->exists;
	uint64_t modseq = mb->highestmodseq;

	if (b->cache && imap_cache_uidvalidity(b->cache) != mb->uidvalidity) {
		/* A new folder under the old name: every cached row is wrong. */
		core_log(CORE_LOG_APP, "cache %s: UIDVALIDITY %u -> %u, dropped", folder,
			imap_cache_uidvalidity(b->cache), mb->uidvalidity);
		GArray *all = g_array_sized_new(FALSE, FALSE, sizeof(guint32),
			(guint)imap_cache_count(b->cache));
		for (size_t i = 0; i < imap_cache_count(b->cache); i++) {
			struct imap_cache_msg c;
			imap_cache_get(b->cache, i, &c);
			g_array_append_val(all, c.uid);
		}
		app_backend_post(job, APP_EV_VANISHED, all, (void (*)(void *))g_array_unref);
		imap_cache_free(b->cache);
		b->cache = NULL;
		g_array_set_size(b->vanished, 0);
		g_ptr_array_set_size(b->flags, 0);
		posted = 0;
	}
	uint32_t lo = 1;
	bool cold = !b->cache || imap_cache_count(b->cache) == 0;
	if (b->cache) {
		s = resync_cached(b, cancel);
		if (s != IMAP_OK)
			return fail(b, job, s, err);
		flush_unasked(b, job, folder);
		lo = MAX(imap_cache_max_uid(b->cache) + 1, imap_cache_uidnext(b->cache));
		posted = imap_cache_count(b->cache);
	} else {
		char *key = cache_key(b, folder);
		b->cache = imap_cache_new(key, mb->uidvalidity);
		g_free(key);
		b->cache_dirty = true;
	}
	/* Only UIDs the cache has not seen. */
	if (uidnext > lo && exists > 0) {
		/* A large load keeps the cache's copy of its rows on disk. */
		if (uidnext - lo > SPILL_FROM && !imap_cache_spilled(b->cache)) {
			char *path = imap_cache_path(b->cfg->name, folder);
			char *dir = g_path_get_dirname(path);
			int r = imap_cache_spill(b->cache, dir);
			if (r < 0)
				core_log(CORE_LOG_APP, "cache %s: no spill file (%d)", folder, r);
			g_free(dir);
			g_free(path);
		}
		uint32_t expect = exists > posted ? exists - (uint32_t)posted : 0;
		if (cold && uidnext - lo > split_from() && uidnext - lo > 400)
			s = fetch_split(b, job, folder, lo, uidnext - 1, exists, &posted);
		else
			s = fetch_range(b, job, folder, lo, uidnext - 1, expect, exists, &posted);
		if (s != IMAP_OK)
			return fail(b, job, s, err);
	} else if (!posted) {
		post_msgs(job, folder, g_ptr_array_new_with_free_func(app_msg_free), 0, 0);
	}
	flush_unasked(b, job, folder);
	b->cache_complete = true;
	if (imap_cache_uidnext(b->cache) != uidnext || imap_cache_modseq(b->cache) != modseq) {
		imap_cache_set_sync(b->cache, uidnext, modseq);
		b->cache_dirty = true;
	}
	cache_save(b);
	live_restart(b, job, folder, uidnext > 0 ? uidnext - 1 : 0);
	return 0;
}

static int imap_close_folder(void *st, struct app_job *job, const char *folder, char **err)
{
	struct imap_backend *b = st;
	(void)job;
	(void)err;
	if (b->live && strcmp(app_imap_live_folder(b->live), folder) == 0) {
		app_imap_live_stop(b->live);
		b->live = NULL;
	}
	/* Saved and forgotten: reopening reads the file, which is fast. */
	if (b->cache_folder && strcmp(b->cache_folder, folder) == 0)
		cache_drop(b);
	return 0;
}

static const char *param(const struct imap_param *p, size_t n, const char *name);

/* A multipart without a boundary parameter: nothing separates its parts. */
static bool is_boundless(const struct imap_body *b)
{
	return g_ascii_strcasecmp(b->type, "multipart") == 0 &&
	       !param(b->params, b->n_params, "boundary");
}

/* The parts shown for a body: text/plain in an alternative (else html),
 * every inline text of a mixed; others listed as attachments. */
static void collect_parts(const struct imap_body *body, GPtrArray *out)
{
	if (is_boundless(body)) {
		/* Its children are the server's guess (Dovecot: one empty part);
		 * the body text is all there is, so show that. */
		g_ptr_array_add(out, (gpointer)body);
		return;
	}
	if (g_ascii_strcasecmp(body->type, "multipart") == 0) {
		if (g_ascii_strcasecmp(body->subtype, "alternative") == 0 && body->n_parts) {
			const struct imap_body *pick = &body->parts[body->n_parts - 1];
			for (size_t i = 0; i < body->n_parts; i++)
				if (g_ascii_strcasecmp(body->parts[i].type, "text") == 0 &&
				    g_ascii_strcasecmp(body->parts[i].subtype, "plain") == 0)
					pick = &body->parts[i];
			collect_parts(pick, out);
			return;
		}
		for (size_t i = 0; i < body->n_parts; i++)
			collect_parts(&body->parts[i], out);
		return;
	}
	g_ptr_array_add(out, (gpointer)body);
}

static const char *param(const struct imap_param *p, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (p[i].name && g_ascii_strcasecmp(p[i].name, name) == 0)
			return p[i].value;
	return NULL;
}

/* A parameter by name, RFC 2231 continuations and charsets decoded
 * (the server sends "filename*" as it is in the message).  Owned. */
static char *param_decoded(const struct imap_param *p, size_t n, const char *name)
{
	GString *s = g_string_new(NULL);
	for (size_t i = 0; i < n; i++) {
		if (!p[i].name || !p[i].value)
			continue;
		if (s->len)
			g_string_append(s, "; ");
		if (g_str_has_suffix(p[i].name, "*")) {
			g_string_append_printf(s, "%s=%s", p[i].name, p[i].value);
			continue;
		}
		g_string_append_printf(s, "%s=\"", p[i].name);
		for (const char *c = p[i].value; *c; c++) {
			if (*c == '"' || *c == '\\')
				g_string_append_c(s, '\\');
			g_string_append_c(s, *c);
		}
		g_string_append_c(s, '"');
	}
	char *v = mime_param_decode(s->str, name);
	g_string_free(s, TRUE);
	return v;
}

static bool is_inline_text(const struct imap_body *b)
{
	if (g_ascii_strcasecmp(b->type, "text") != 0)
		return false;
	if (b->disposition && g_ascii_strcasecmp(b->disposition, "attachment") == 0)
		return false;
	return g_ascii_strcasecmp(b->subtype, "plain") == 0 || g_ascii_strcasecmp(b->subtype, "html") == 0;
}

/* What opening a message needs: its parts, copied out of the borrowed
 * BODYSTRUCTURE, then its header and shown text (the body cache's entry). */
struct structure {
	uint32_t uid;
	struct imap_msgcache_entry *entry; /* NULL until found */
};

static void on_structure(const struct imap_msg *m, void *user)
{
	struct structure *c = user;
	if (!m->body || c->entry || m->uid != c->uid)
		return;
	GPtrArray *bodies = g_ptr_array_new();
	collect_parts(m->body, bodies);
	c->entry = g_new0(struct imap_msgcache_entry, 1);
	c->entry->parts = g_new0(struct imap_msgcache_part, bodies->len + 1);
	c->entry->n_parts = bodies->len;
	for (guint i = 0; i < bodies->len; i++) {
		const struct imap_body *lb = g_ptr_array_index(bodies, i);
		struct imap_msgcache_part *l = &c->entry->parts[i];
		if (is_boundless(lb)) {
			/* Shown as plain text: the top body is "TEXT", a nested
			 * multipart's body its own section. */
			l->content_type = g_strdup("text/plain");
			l->section = g_strdup(*lb->section ? lb->section : "TEXT");
			l->encoding = g_strdup(lb->encoding);
			l->size = -1;
			l->shown = true;
			continue;
		}
		char *full = g_strdup_printf("%s/%s", lb->type, lb->subtype);
		l->content_type = g_ascii_strdown(full, -1);
		g_free(full);
		l->section = g_strdup(*lb->section ? lb->section : "1");
		l->encoding = g_strdup(lb->encoding);
		l->charset = g_strdup(param(lb->params, lb->n_params, "charset"));
		l->filename = param_decoded(lb->disp_params, lb->n_disp_params, "filename");
		if (!l->filename)
			l->filename = param_decoded(lb->params, lb->n_params, "name");
		/* BODYSTRUCTURE counts encoded octets; people want the file's
		 * size: base64 carries 57 bytes in each 78-octet line. */
		l->size = lb->encoding && g_ascii_strcasecmp(lb->encoding, "base64") == 0
			? lb->size / 78 * 57 + lb->size % 78 * 3 / 4
			: lb->size;
		l->shown = is_inline_text(lb);
	}
	g_ptr_array_free(bodies, TRUE);
	/* The header came with it (one round trip, not two). */
	for (size_t i = 0; i < m->n_sections; i++)
		if (g_ascii_strcasecmp(m->sections[i].section, "HEADER") == 0 &&
		    m->sections[i].data && m->sections[i].len <= 1u << 20)
			c->entry->header = g_bytes_new(m->sections[i].data, m->sections[i].len);
}

/* Fetch the shown text parts only, in one command, into e; attachments
 * stay on the server until they are viewed or saved. */
static enum imap_status fetch_shown(struct imap_backend *b, uint32_t uid,
	struct imap_msgcache_entry *e, const volatile int *cancel)
{
	enum imap_status st = IMAP_OK;
	if (!e->header) { /* none came with BODYSTRUCTURE */
		GByteArray *raw = NULL;
		st = imap_fetch_section(b->s, uid, "HEADER", 0, 0, 1 << 20, &raw, cancel);
		if (st != IMAP_OK)
			return st;
		e->header = g_byte_array_free_to_bytes(raw);
	}
	const char **sections = g_new0(const char *, e->n_parts + 1);
	size_t *which = g_new0(size_t, e->n_parts + 1);
	size_t n = 0;
	for (size_t i = 0; i < e->n_parts; i++)
		if (e->parts[i].shown) {
			which[n] = i;
			sections[n++] = e->parts[i].section;
		}
	GByteArray **raws = g_new0(GByteArray *, n + 1);
	if (n)
		st = imap_fetch_sections(b->s, uid, sections, n, 32u << 20, raws, cancel);
	for (size_t k = 0; k < n && st == IMAP_OK; k++)
		e->parts[which[k]].data = g_byte_array_free_to_bytes(raws[k]);
	g_free(raws);
	g_free(which);
	g_free(sections);
	return st;
}

/* The pager's view of a complete entry (from the server or the cache). */
static struct mime_view *view_of_entry(const struct imap_msgcache_entry *e,
	const struct mime_view_opts *opts)
{
	struct mime_view_part *parts = g_new0(struct mime_view_part, e->n_parts + 1);
	GPtrArray *texts = g_ptr_array_new_with_free_func(g_free);
	for (size_t i = 0; i < e->n_parts; i++) {
		const struct imap_msgcache_part *l = &e->parts[i];
		parts[i].content_type = l->content_type;
		parts[i].size = l->size;
		parts[i].section = l->section;
		parts[i].filename = l->filename;
		if (!l->shown || !l->data)
			continue;
		gsize len;
		const char *data = g_bytes_get_data(l->data, &len);
		char *utf8 = NULL;
		mime_decode_part(data, len, l->encoding, l->charset, &utf8);
		g_ptr_array_add(texts, utf8);
		parts[i].text = utf8;
	}
	gsize hlen;
	const char *header = g_bytes_get_data(e->header, &hlen);
	struct mime_view *v = mime_view_new_from_parts(header, hlen, parts, e->n_parts, opts);
	g_free(parts);
	g_ptr_array_unref(texts);
	return v;
}

/* The body cache keeps what opening a message fetched, up to this much a
 * message (a larger text is fetched again when opened again) and this
 * much an account (the oldest go first). */
#define BODY_CACHE_MSG_MAX (2u << 20)
#define BODY_CACHE_ACCOUNT_MAX (64ull << 20)
/* Trim the account's body cache after this many new entries. */
#define BODY_CACHE_TRIM_EVERY 64

/* Where uid of folder is kept, when the body cache is on and the
 * folder's UIDVALIDITY is known without asking the server (the header
 * cache's, or the selected mailbox's).  Owned, or NULL. */
static char *body_cache_path(const struct imap_backend *b, const char *folder, uint32_t uid)
{
	if (!b->cfg->body_cache)
		return NULL;
	uint32_t uidvalidity = 0;
	if (b->cache && g_strcmp0(b->cache_folder, folder) == 0)
		uidvalidity = imap_cache_uidvalidity(b->cache);
	else if (b->s && g_strcmp0(b->selected, folder) == 0 &&
		 imap_session_state(b->s) == IMAP_STATE_SELECTED)
		uidvalidity = imap_session_mailbox(b->s)->uidvalidity;
	return uidvalidity ? imap_msgcache_path(b->cfg->name, folder, uidvalidity, uid) : NULL;
}

static void body_cache_put(struct imap_backend *b, const char *path,
	const struct imap_msgcache_entry *e)
{
	size_t bytes = g_bytes_get_size(e->header);
	for (size_t i = 0; i < e->n_parts; i++)
		bytes += e->parts[i].data ? g_bytes_get_size(e->parts[i].data) : 0;
	if (bytes > BODY_CACHE_MSG_MAX)
		return;
	int r = imap_msgcache_save(e, path);
	if (r < 0) {
		core_log(CORE_LOG_APP, "body cache: cannot write %s: %s", path, g_strerror(-r));
		return;
	}
	if (b->body_cache_writes++ % BODY_CACHE_TRIM_EVERY == 0) {
		char *root = imap_msgcache_root(b->cfg->name);
		uint64_t left = imap_msgcache_trim(root, BODY_CACHE_ACCOUNT_MAX);
		core_log(CORE_LOG_APP, "body cache: %" G_GUINT64_FORMAT " bytes kept", left);
		g_free(root);
	}
}

static int imap_open_message(void *st, struct app_job *job, const char *folder,
	const struct app_msg *msg, const struct mime_view_opts *opts, char **err)
{
	struct imap_backend *b = st;
	const volatile int *cancel = app_job_cancel_flag(job);
	struct structure c = { .uid = msg->uid };
	struct mime_view *view = NULL;
	/* Seen before: no network at all to show it (the server may be
	 * away; marking it read then waits for the next time). */
	char *cpath = body_cache_path(b, folder, msg->uid);
	bool cached = cpath && imap_msgcache_load(cpath, &c.entry) == IMAP_CACHE_OK;
	if (!cached) {
		if (select_folder(b, job, folder, err) < 0) {
			g_free(cpath);
			return -1;
		}
		char set[16];
		const char *sets[1] = { set };
		snprintf(set, sizeof set, "%u", msg->uid);
		const struct imap_fetch_opts fo = {
			.items = IMAP_FETCH_UID | IMAP_FETCH_BODYSTRUCTURE | IMAP_FETCH_HEADER,
		};
		enum imap_status s = imap_uid_fetch(b->s, sets, 1, &fo, on_structure, &c, cancel);
		if (s == IMAP_OK && c.entry)
			s = fetch_shown(b, msg->uid, c.entry, cancel);
		if (s != IMAP_OK) {
			imap_msgcache_entry_free(c.entry);
			g_free(cpath);
			return fail(b, job, s, err);
		}
		if (!c.entry) {
			g_free(cpath);
			*err = g_strdup(_("The message is no longer on the server."));
			return -1;
		}
		if (!cpath)
			cpath = body_cache_path(b, folder, msg->uid); /* selected now */
		if (cpath)
			body_cache_put(b, cpath, c.entry);
	}
	g_free(cpath);
	view = view_of_entry(c.entry, opts);
	imap_msgcache_entry_free(c.entry);
	/* Shown first: marking it read is one more round trip. */
	app_backend_post(job, APP_EV_VIEW, view, (void (*)(void *))mime_view_free);
	/* Reading a message marks it read, as in every mail client (the
	 * BODY.PEEK fetches above do not); the index hears it as FLAGS. */
	if (!(msg->flags & APP_MSG_SEEN)) {
		char set[16];
		snprintf(set, sizeof set, "%u", msg->uid);
		char *serr = NULL;
		if ((!cached || select_folder(b, job, folder, &serr) == 0) &&
		    imap_uid_store(b->s, set, IMAP_STORE_ADD, "\\Seen", true, cancel) == IMAP_OK) {
			struct app_msg *m = app_msg_copy(msg);
			m->flags |= APP_MSG_SEEN;
			app_backend_post(job, APP_EV_FLAGS, m, app_msg_free);
		} else if (serr) {
			core_log(CORE_LOG_APP, "not marked read (shown from the cache): %s", serr);
			g_free(serr);
		}
	}
	return 0;
}

static char *flag_names(unsigned f)
{
	GString *s = g_string_new("");
	if (f & APP_MSG_SEEN) g_string_append(s, " \\Seen");
	if (f & APP_MSG_ANSWERED) g_string_append(s, " \\Answered");
	if (f & APP_MSG_FLAGGED) g_string_append(s, " \\Flagged");
	if (f & APP_MSG_DELETED) g_string_append(s, " \\Deleted");
	if (f & APP_MSG_DRAFT) g_string_append(s, " \\Draft");
	if (s->len)
		g_string_erase(s, 0, 1);
	return g_string_free(s, FALSE);
}

static int imap_set_flags(void *st, struct app_job *job, const char *folder,
	const struct app_msg *msg, unsigned add, unsigned remove, char **err)
{
	struct imap_backend *b = st;
	if (select_folder(b, job, folder, err) < 0)
		return -1;
	char set[16];
	snprintf(set, sizeof set, "%u", msg->uid);
	enum imap_status s = IMAP_OK;
	if (add) {
		char *names = flag_names(add);
		s = imap_uid_store(b->s, set, IMAP_STORE_ADD, names, true, app_job_cancel_flag(job));
		g_free(names);
	}
	if (s == IMAP_OK && remove) {
		char *names = flag_names(remove);
		s = imap_uid_store(b->s, set, IMAP_STORE_REMOVE, names, true, app_job_cancel_flag(job));
		g_free(names);
	}
	if (s != IMAP_OK)
		return fail(b, job, s, err);
	struct app_msg *m = app_msg_copy(msg);
	m->flags = (m->flags | add) & ~remove;
	if (b->cache && strcmp(b->cache_folder, folder) == 0 &&
	    imap_cache_set_flags(b->cache, m->uid, cache_flags_of(m->flags)))
		b->cache_dirty = true;
	app_backend_post(job, APP_EV_FLAGS, m, app_msg_free);
	flush_unasked(b, job, folder);
	return 0;
}

static int imap_move(void *st, struct app_job *job, const char *folder,
	const struct app_msg *msg, const char *dest, bool copy, char **err)
{
	struct imap_backend *b = st;
	if (select_folder(b, job, folder, err) < 0)
		return -1;
	char set[16];
	snprintf(set, sizeof set, "%u", msg->uid);
	struct imap_copy_result res = { 0 };
	enum imap_status s = copy ? imap_uid_copy(b->s, set, dest, &res, app_job_cancel_flag(job))
				  : imap_uid_move(b->s, set, dest, &res, app_job_cancel_flag(job));
	imap_copy_result_clear(&res);
	if (s != IMAP_OK)
		return fail(b, job, s, err);
	flush_unasked(b, job, folder);
	return 0;
}

static int imap_expunge_op(void *st, struct app_job *job, const char *folder, char **err)
{
	struct imap_backend *b = st;
	if (select_folder(b, job, folder, err) < 0)
		return -1;
	enum imap_status s = imap_expunge(b->s, app_job_cancel_flag(job));
	if (s != IMAP_OK)
		return fail(b, job, s, err);
	flush_unasked(b, job, folder);
	return 0;
}

static int imap_search_op(void *st, struct app_job *job, const char *folder, const char *query,
	char **err)
{
	struct imap_backend *b = st;
	if (select_folder(b, job, folder, err) < 0)
		return -1;
	uint32_t *uids = NULL;
	size_t n = 0;
	enum imap_status s = imap_uid_search_text(b->s, query, &uids, &n, app_job_cancel_flag(job));
	if (s != IMAP_OK)
		return fail(b, job, s, err);
	GArray *out = g_array_sized_new(FALSE, FALSE, sizeof(guint32), (guint)n);
	g_array_append_vals(out, uids, (guint)n);
	g_free(uids);
	app_backend_post(job, APP_EV_SEARCH, out, (void (*)(void *))g_array_unref);
	return 0;
}

/* The part at section in a BODYSTRUCTURE (a lone body is section "1"). */
static const struct imap_body *find_section(const struct imap_body *b, const char *section)
{
	if (strcmp(*b->section ? b->section : "1", section) == 0 &&
	    g_ascii_strcasecmp(b->type, "multipart") != 0)
		return b;
	for (size_t i = 0; i < b->n_parts; i++) {
		const struct imap_body *f = find_section(&b->parts[i], section);
		if (f)
			return f;
	}
	return b->message ? find_section(b->message, section) : NULL;
}

struct part_info {
	uint32_t uid;
	const char *section;
	bool found;
	char *encoding;
	uint32_t size;
};

static void on_part_structure(const struct imap_msg *m, void *user)
{
	struct part_info *pi = user;
	if (!m->body || pi->found || m->uid != pi->uid)
		return;
	const struct imap_body *b = find_section(m->body, pi->section);
	if (!b)
		return;
	pi->found = true;
	pi->encoding = g_strdup(b->encoding);
	pi->size = b->size;
}

/* Bytes per partial fetch: progress between them, and a cancel is
 * answered within one chunk. */
#define PART_CHUNK (512u * 1024u)
#define PART_MAX (1024u * 1024u * 1024u)

static int imap_fetch_part(void *st, struct app_job *job, const char *folder,
	const struct app_msg *msg, const char *section, char **err)
{
	struct imap_backend *b = st;
	const volatile int *cancel = app_job_cancel_flag(job);
	if (select_folder(b, job, folder, err) < 0)
		return -1;
	char set[16];
	const char *sets[1] = { set };
	snprintf(set, sizeof set, "%u", msg->uid);
	const struct imap_fetch_opts fo = { .items = IMAP_FETCH_UID | IMAP_FETCH_BODYSTRUCTURE };
	struct part_info pi = { .uid = msg->uid, .section = section };
	enum imap_status s = imap_uid_fetch(b->s, sets, 1, &fo, on_part_structure, &pi, cancel);
	if (s != IMAP_OK) {
		g_free(pi.encoding);
		return fail(b, job, s, err);
	}
	if (!pi.found) {
		*err = g_strdup(_("The message is no longer on the server."));
		return -1;
	}
	GByteArray *all = g_byte_array_sized_new(MIN(pi.size, PART_MAX));
	uint64_t offset = 0;
	for (;;) {
		GByteArray *chunk = NULL;
		s = imap_fetch_section(b->s, msg->uid, section, offset, PART_CHUNK, PART_CHUNK,
			&chunk, cancel);
		if (s != IMAP_OK)
			break;
		g_byte_array_append(all, chunk->data, chunk->len);
		offset += chunk->len;
		bool last = chunk->len < PART_CHUNK || offset >= PART_MAX;
		g_byte_array_unref(chunk);
		if (last)
			break;
		struct app_event *ev = app_event_new(APP_EV_PROGRESS, -1, 0, NULL);
		ev->done = offset;
		ev->total = MAX(offset, (uint64_t)pi.size);
		app_job_post(job, ev);
	}
	if (s != IMAP_OK) {
		g_byte_array_unref(all);
		g_free(pi.encoding);
		return fail(b, job, s, err);
	}
	struct app_part *part = g_new0(struct app_part, 1);
	part->section = g_strdup(section);
	part->bytes = mime_decode_transfer((const char *)all->data, all->len, pi.encoding);
	g_byte_array_unref(all);
	g_free(pi.encoding);
	app_backend_post(job, APP_EV_PART, part, app_part_free);
	return 0;
}

static void imap_accept_once(void *st, const char *pin)
{
	struct imap_backend *b = st;
	g_free(b->accept_once);
	b->accept_once = g_strdup(pin);
}

/* ---- whole messages: reply, forward, Sent and Drafts copies ---- */

/* Messages bigger than this are not fetched whole (a reply needs text). */
#define RAW_MAX (64u << 20)

static int imap_fetch_raw(void *st, struct app_job *job, const char *folder,
	const struct app_msg *msg, GBytes **out, char **err)
{
	struct imap_backend *b = st;
	GByteArray *raw = NULL;
	if (select_folder(b, job, folder, err) < 0)
		return -1;
	enum imap_status s = imap_fetch_section(b->s, msg->uid, "", 0, 0, RAW_MAX, &raw,
		app_job_cancel_flag(job));
	if (s == IMAP_ERR_MESSAGE || (s == IMAP_OK && raw->len == 0)) {
		if (raw)
			g_byte_array_unref(raw);
		*err = g_strdup(_("The message is no longer on the server."));
		return -1;
	}
	if (s != IMAP_OK)
		return fail(b, job, s, err);
	*out = g_byte_array_free_to_bytes(raw);
	return 0;
}

/* The folder with a special-use role, from the server's list. */
static char *folder_with_role(struct imap_backend *b, struct app_job *job, enum app_folder_role role)
{
	GPtrArray *list = NULL;
	char *name = NULL;
	if (imap_list_folders(b->s, false, &list, app_job_cancel_flag(job)) != IMAP_OK)
		return NULL;
	for (guint i = 0; i < list->len && !name; i++) {
		const struct imap_folder *f = g_ptr_array_index(list, i);
		if (role_of(f->special) == role && !(f->attrs & IMAP_MBX_NOSELECT))
			name = g_strdup(f->name);
	}
	g_ptr_array_unref(list);
	return name;
}

static int imap_append_op(void *st, struct app_job *job, enum app_folder_role role,
	const char *name, const char *raw, size_t len, unsigned flags, char **err)
{
	struct imap_backend *b = st;
	if (ensure(b, job, err) < 0)
		return -1;
	char *folder = name ? g_strdup(name) : folder_with_role(b, job, role);
	if (!folder)
		folder = g_strdup(role == APP_ROLE_DRAFTS ? "Drafts" : "Sent");
	char *names = flag_names(flags);
	enum imap_status s = imap_append(b->s, folder, names, 0, raw, len, NULL, NULL,
		app_job_cancel_flag(job));
	g_free(names);
	if (s != IMAP_OK) {
		int r = fail(b, job, s, err);
		char *safe = core_safe_text(folder, (size_t)-1, false);
		char *with = g_strdup_printf(_("Cannot store the message in %s: %s"), safe, *err);
		g_free(*err);
		*err = with;
		g_free(safe);
		g_free(folder);
		return r;
	}
	g_free(folder);
	return 0;
}

static int imap_delete_message(void *st, struct app_job *job, const char *folder,
	const struct app_msg *msg, char **err)
{
	struct imap_backend *b = st;
	const volatile int *cancel = app_job_cancel_flag(job);
	if (select_folder(b, job, folder, err) < 0)
		return -1;
	char set[16];
	snprintf(set, sizeof set, "%u", msg->uid);
	enum imap_status s = imap_uid_store(b->s, set, IMAP_STORE_ADD, "\\Deleted", true, cancel);
	/* UID EXPUNGE removes only this one; without UIDPLUS it stays
	 * marked deleted rather than expunging the user's other choices. */
	if (s == IMAP_OK)
		s = imap_uid_expunge(b->s, set, cancel);
	if (s == IMAP_ERR_UNSUPPORTED)
		s = IMAP_OK;
	if (s != IMAP_OK)
		return fail(b, job, s, err);
	return 0;
}

const struct app_backend_ops app_backend_imap = {
	.name = "imap",
	.open = imap_open,
	.close = imap_close,
	.list_folders = imap_list,
	.open_folder = imap_open_folder,
	.open_message = imap_open_message,
	.set_flags = imap_set_flags,
	.move = imap_move,
	.expunge = imap_expunge_op,
	.search = imap_search_op,
	.fetch_part = imap_fetch_part,
	.accept_once = imap_accept_once,
	.fetch_raw = imap_fetch_raw,
	.append = imap_append_op,
	.delete_message = imap_delete_message,
	.close_folder = imap_close_folder,
};
