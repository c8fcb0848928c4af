/* backend_imap.c - the backend operations over an IMAP session.
 * Runs on the account's worker; the session is connected on first use
 * and reconnected (with the folder re-selected) when it dropped. */
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "app/app.h"
#include "app/backend.h"
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
};

/* Headers the index needs beyond ENVELOPE: threading and attachments. */
static const char *const index_headers[] = { "References", "Content-Type", NULL };

static char *status_text(struct imap_backend *b, enum imap_status st)
{
	const struct config_url *u = &b->cfg->imap;
	char *server = core_safe_text(b->s ? imap_session_text(b->s) : "", (size_t)-1, false);
	char *msg;

	switch (st) {
	case IMAP_ERR_NET:
	case IMAP_ERR_TLS:
		if (b->s && imap_session_net_error(b->s)->status != NET_OK) {
			msg = app_net_error_text(imap_session_net_error(b->s), u->host, u->port);
			break;
		}
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
	*err = status_text(b, st);
	return -1;
}

static void *imap_open(const struct config_account *a)
{
	struct imap_backend *b = g_new0(struct imap_backend, 1);
	b->cfg = a;
	return b;
}

static void imap_close(void *st)
{
	struct imap_backend *b = st;
	if (b->s) {
		imap_logout(b->s, NULL);
		imap_session_free(b->s);
	}
	g_free(b->selected);
	g_free(b->accept_once);
	g_free(b);
}

static enum net_tls net_tls_of(enum config_tls t)
{
	return t == CONFIG_TLS_IMPLICIT ? NET_TLS_IMPLICIT
	     : t == CONFIG_TLS_STARTTLS ? NET_TLS_STARTTLS : NET_TLS_NONE;
}

/* Connect and log in when not connected; reconnect after a drop. */
static int ensure(struct imap_backend *b, struct app_job *job, char **err)
{
	const volatile int *cancel = app_job_cancel_flag(job);
	enum imap_status st;

	if (b->s && imap_session_state(b->s) >= IMAP_STATE_AUTHENTICATED &&
	    imap_session_state(b->s) != IMAP_STATE_LOGOUT)
		return 0;
	if (!b->s) {
		char *password = NULL, *perr = NULL;
		if (!config_account_password(b->cfg, &password, &perr)) {
			*err = perr;
			return -1;
		}
		core_log_add_secret(password);
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
			.password = password,
		};
		b->s = imap_session_new(&o);
		core_wipe(password);
		g_free(password);
		st = imap_session_connect(b->s, cancel);
	} else {
		app_job_post(job, app_event_new(APP_EV_STATUS, -1, 0,
			_("Connection lost; reconnecting...")));
		st = imap_session_reconnect(b->s, cancel);
	}
	if (st != IMAP_OK) {
		int r = fail(b, job, st, err);
		imap_session_free(b->s); /* the next try starts clean */
		b->s = NULL;
		g_free(b->selected);
		b->selected = NULL;
		return r;
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

static char *address_text(const struct imap_address *a, size_t n)
{
	if (!n || !a)
		return g_strdup("");
	if (a->name && *a->name)
		return mime_header_decode(a->name);
	char *raw = g_strdup_printf("%s@%s", a->mailbox ? a->mailbox : "", a->host ? a->host : "");
	char *s = core_safe_text(raw, (size_t)-1, false);
	g_free(raw);
	return s;
}

static unsigned flags_of(unsigned imap_bits)
{
	unsigned f = 0;
	if (imap_bits & IMAP_FLAG_SEEN) f |= APP_MSG_SEEN;
	if (imap_bits & IMAP_FLAG_ANSWERED) f |= APP_MSG_ANSWERED;
	if (imap_bits & IMAP_FLAG_FLAGGED) f |= APP_MSG_FLAGGED;
	if (imap_bits & IMAP_FLAG_DELETED) f |= APP_MSG_DELETED;
	if (imap_bits & IMAP_FLAG_DRAFT) f |= APP_MSG_DRAFT;
	return f;
}

/* The value of header name in a "Name: value" block, unfolded.  Owned. */
static char *header_value(const char *block, size_t len, const char *name)
{
	size_t nl = strlen(name);
	const char *p = block, *end = block + len;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			eol = end;
		if ((size_t)(eol - p) > nl && g_ascii_strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
			GString *v = g_string_new_len(p + nl + 1, eol - p - (ptrdiff_t)nl - 1);
			const char *q = eol + 1;
			while (q < end && (*q == ' ' || *q == '\t')) {
				const char *e2 = memchr(q, '\n', (size_t)(end - q));
				if (!e2)
					e2 = end;
				g_string_append_len(v, q, e2 - q);
				q = e2 + 1;
			}
			return g_strstrip(g_string_free(v, FALSE));
		}
		p = eol + 1;
	}
	return NULL;
}

struct chunk {
	GPtrArray *msgs;
};

static void on_msg(const struct imap_msg *m, void *user)
{
	struct chunk *c = user;
	struct app_msg *am = app_msg_new();
	am->uid = m->uid;
	am->flags = flags_of(m->flag_bits);
	am->size = m->size;
	am->date = m->internaldate_t;
	if (m->envelope) {
		am->from = address_text(m->envelope->from, m->envelope->n_from);
		if (m->envelope->n_from && m->envelope->from->mailbox && m->envelope->from->host) {
			char *raw = g_strdup_printf("%s@%s", m->envelope->from->mailbox,
				m->envelope->from->host);
			am->from_addr = core_safe_text(raw, (size_t)-1, false);
			g_free(raw);
		}
		am->subject = mime_header_decode(m->envelope->subject ? m->envelope->subject : "");
		am->message_id = g_strdup(m->envelope->message_id);
		am->in_reply_to = g_strdup(m->envelope->in_reply_to);
		if (m->envelope->date) {
			time_t t = mime_parse_date(m->envelope->date);
			if (t > 0)
				am->date = t;
		}
	}
	for (size_t i = 0; i < m->n_sections; i++) {
		const struct imap_section_data *sd = &m->sections[i];
		if (!sd->data)
			continue;
		am->references = header_value(sd->data, sd->len, "References");
		char *ct = header_value(sd->data, sd->len, "Content-Type");
		if (ct && (g_ascii_strncasecmp(ct, "multipart/mixed", 15) == 0 ||
			   g_ascii_strncasecmp(ct, "application/", 12) == 0))
			am->flags |= APP_MSG_ATTACHMENT;
		g_free(ct);
	}
	g_ptr_array_add(c->msgs, am);
}

static int imap_open_folder(void *st, struct app_job *job, const char *folder, char **err)
{
	struct imap_backend *b = st;
	/* A fresh SELECT: UIDNEXT from an earlier one would miss the mail
	 * that arrived since (a reload after expunge). */
	g_free(b->selected);
	b->selected = NULL;
	if (select_folder(b, job, folder, err) < 0)
		return -1;
	const struct imap_mailbox *mb = imap_session_mailbox(b->s);
	uint32_t total = mb->exists, got = 0;
	uint32_t hi = mb->uidnext > 1 ? mb->uidnext - 1 : 0;
	/* The newest messages are on the first screen: fetch them first,
	 * then older chunks while the UI already shows what it has. */
	uint32_t span = 200;
	const struct imap_fetch_opts fo = {
		.items = IMAP_FETCH_UID | IMAP_FETCH_FLAGS | IMAP_FETCH_INTERNALDATE |
			 IMAP_FETCH_SIZE | IMAP_FETCH_ENVELOPE | IMAP_FETCH_HEADERS,
		.headers = index_headers,
	};

	if (total == 0 || hi == 0) {
		app_backend_post(job, APP_EV_MSGS, g_ptr_array_new_with_free_func(app_msg_free),
			(void (*)(void *))g_ptr_array_unref);
		return 0;
	}
	while (hi > 0 && got < total) {
		uint32_t lo = hi > span ? hi - span + 1 : 1;
		char set[32];
		const char *sets[1] = { set };
		snprintf(set, sizeof set, "%u:%u", lo, hi);
		struct chunk c = { g_ptr_array_new_with_free_func(app_msg_free) };
		enum imap_status s = imap_uid_fetch(b->s, sets, 1, &fo, on_msg, &c,
			app_job_cancel_flag(job));
		if (s != IMAP_OK) {
			g_ptr_array_unref(c.msgs);
			return fail(b, job, s, err);
		}
		got += c.msgs->len;
		struct app_event *ev = app_event_new((enum app_event_type)APP_EV_MSGS, -1, 0, folder);
		ev->data = c.msgs;
		ev->free_data = (void (*)(void *))g_ptr_array_unref;
		ev->done = got;
		ev->total = total;
		app_job_post(job, ev);
		hi = lo - 1;
		span = span < 5000 ? span * 4 : span;
	}
	return 0;
}

/* The parts shown for a body: text/plain in an alternative (else html),
 * every inline text of a mixed; others listed as attachments. */
static void collect_parts(const struct imap_body *body, GPtrArray *out)
{
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

/* A shown or listed part, copied out of the borrowed BODYSTRUCTURE. */
struct leaf {
	char *content_type, *section, *encoding, *charset, *filename;
	int64_t size;
	bool inline_text;
};

static void leaf_free(void *p)
{
	struct leaf *l = p;
	g_free(l->content_type);
	g_free(l->section);
	g_free(l->encoding);
	g_free(l->charset);
	g_free(l->filename);
	g_free(l);
}

struct structure {
	uint32_t uid;
	GPtrArray *leaves; /* of struct leaf*, NULL until found */
};

static void on_structure(const struct imap_msg *m, void *user)
{
	struct structure *c = user;
	if (!m->body || c->leaves || m->uid != c->uid)
		return;
	GPtrArray *bodies = g_ptr_array_new();
	collect_parts(m->body, bodies);
	c->leaves = g_ptr_array_new_with_free_func(leaf_free);
	for (guint i = 0; i < bodies->len; i++) {
		const struct imap_body *lb = g_ptr_array_index(bodies, i);
		struct leaf *l = g_new0(struct leaf, 1);
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
		l->inline_text = is_inline_text(lb);
		g_ptr_array_add(c->leaves, l);
	}
	g_ptr_array_free(bodies, TRUE);
}

/* Fetch the header and the shown text parts only; attachments stay on
 * the server until they are viewed or saved. */
static enum imap_status build_view(struct imap_backend *b, uint32_t uid, GPtrArray *leaves,
	const struct mime_view_opts *opts, const volatile int *cancel, struct mime_view **out)
{
	GByteArray *header = NULL;
	enum imap_status st = imap_fetch_section(b->s, uid, "HEADER", 0, 0, 1 << 20, &header, cancel);
	if (st != IMAP_OK)
		return st;
	struct mime_view_part *parts = g_new0(struct mime_view_part, leaves->len + 1);
	GPtrArray *texts = g_ptr_array_new_with_free_func(g_free);
	for (guint i = 0; i < leaves->len && st == IMAP_OK; i++) {
		const struct leaf *l = g_ptr_array_index(leaves, i);
		parts[i].content_type = l->content_type;
		parts[i].size = l->size;
		parts[i].section = l->section;
		parts[i].filename = l->filename;
		if (!l->inline_text)
			continue;
		GByteArray *raw = NULL;
		st = imap_fetch_section(b->s, uid, l->section, 0, 0, 32u << 20, &raw, cancel);
		if (st != IMAP_OK)
			break;
		char *utf8 = NULL;
		mime_decode_part((const char *)raw->data, raw->len, l->encoding, l->charset, &utf8);
		g_byte_array_unref(raw);
		g_ptr_array_add(texts, utf8);
		parts[i].text = utf8;
	}
	if (st == IMAP_OK)
		*out = mime_view_new_from_parts((const char *)header->data, header->len,
			parts, leaves->len, opts);
	g_byte_array_unref(header);
	g_free(parts);
	g_ptr_array_unref(texts);
	return st;
}

static int imap_open_message(void *st, struct app_job *job, const char *folder,
	const struct app_msg *msg, const struct mime_view_opts *opts, char **err)
{
	struct imap_backend *b = st;
	const volatile int *cancel = app_job_cancel_flag(job);
	if (select_folder(b, job, folder, err) < 0)
		return -1;
	char set[16];
	const char *sets[1] = { set };
	snprintf(set, sizeof set, "%u", msg->uid);
	const struct imap_fetch_opts fo = { .items = IMAP_FETCH_UID | IMAP_FETCH_BODYSTRUCTURE };
	struct structure c = { .uid = msg->uid };
	struct mime_view *view = NULL;
	enum imap_status s = imap_uid_fetch(b->s, sets, 1, &fo, on_structure, &c, cancel);
	if (s == IMAP_OK && c.leaves)
		s = build_view(b, msg->uid, c.leaves, opts, cancel, &view);
	if (c.leaves)
		g_ptr_array_unref(c.leaves);
	if (s != IMAP_OK) {
		mime_view_free(view);
		return fail(b, job, s, err);
	}
	if (!view) {
		*err = g_strdup(_("The message is no longer on the server."));
		return -1;
	}
	/* Reading a message marks it read, as in every mail client (the
	 * BODY.PEEK fetches above do not); the index hears it as FLAGS. */
	if (!(msg->flags & APP_MSG_SEEN) &&
	    imap_uid_store(b->s, set, IMAP_STORE_ADD, "\\Seen", true, cancel) == IMAP_OK) {
		struct app_msg *m = app_msg_copy(msg);
		m->flags |= APP_MSG_SEEN;
		app_backend_post(job, APP_EV_FLAGS, m, app_msg_free);
	}
	app_backend_post(job, APP_EV_VIEW, view, (void (*)(void *))mime_view_free);
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
	app_backend_post(job, APP_EV_FLAGS, m, app_msg_free);
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
};
