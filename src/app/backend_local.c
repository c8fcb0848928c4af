/* backend_local.c - the backend operations over a notmuch-indexed Maildir
 * (POP3 accounts), read offline.  Runs on the account's worker.
 *
 * The database is opened for each job and closed at its end, read-only
 * unless the job changes tags: Xapian has a single writer, and a fetch
 * (this account's, or `mailtui fetch` from cron) must be able to take it.
 *
 * Folders are saved searches: app_folder.id is the notmuch query (or
 * UNINDEXED_ID for the files notmuch would not index).  app_msg.key is
 * the Message-ID, app_msg.uid the 1-based position in the folder's
 * result newest first when it was last opened; search answers with those
 * positions, so they match the UI's list even after tags moved messages
 * in or out of the folder since. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "app/app.h"
#include "app/backend.h"
#include "config/config.h"
#include "core/core.h"
#include "core/i18n.h"
#include "local/local.h"
#include "mime/mime.h"
#include "net/net.h"
#include "pop3/pop3.h"

/* Not a query anyone writes; the folder of unindexed files. */
#define UNINDEXED_ID "mailtui:unindexed"
/* A message file bigger than this is not opened in the pager. */
#define MAX_MESSAGE (256u << 20)

struct local_backend {
	const struct config_account *cfg;
	char *accept_once; /* a pin the user accepted for this run */
	/* folder query -> (Message-ID -> uid) as open_folder gave them. */
	GHashTable *loaded;
};

static const struct {
	const char *name; /* N_() marked */
	const char *query;
	enum app_folder_role role;
} default_folders[] = {
	{ N_("Inbox"), "tag:inbox", APP_ROLE_INBOX },
	{ N_("Unread"), "tag:unread", APP_ROLE_NONE },
	{ N_("Flagged"), "tag:flagged", APP_ROLE_NONE },
	{ N_("Sent"), "tag:sent", APP_ROLE_SENT },
	{ N_("Drafts"), "tag:draft", APP_ROLE_DRAFTS },
	{ N_("All"), "*", APP_ROLE_NONE },
};

static void *local_open(const struct config_account *a)
{
	struct local_backend *b = g_new0(struct local_backend, 1);
	b->cfg = a;
	b->loaded = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
		(GDestroyNotify)g_hash_table_unref);
	return b;
}

static void local_close(void *st)
{
	struct local_backend *b = st;
	g_free(b->accept_once);
	g_hash_table_unref(b->loaded);
	g_free(b);
}

static char *db_error(const char *maildir, int r, const char *detail)
{
	if (r == -EBUSY)
		return g_strdup(_("The mail index is busy (a fetch is writing to it); "
				  "try again in a moment."));
	char *safe = core_safe_text(detail ? detail : "", (size_t)-1, false);
	char *dir = core_safe_text(maildir, (size_t)-1, false);
	char *s = g_strdup_printf(_("Cannot open the mail index in %s: %s"), dir, safe);
	g_free(dir);
	g_free(safe);
	return s;
}

/* Open the account's database; the Maildir is created when missing so a
 * new account shows empty folders rather than an error. */
static struct local_db *open_db(struct local_backend *b, bool write, char **err)
{
	struct local_db *db = NULL;
	char *detail = NULL;
	int r = local_maildir_ensure(b->cfg->maildir);
	if (r < 0) {
		*err = db_error(b->cfg->maildir, r, g_strerror(-r));
		return NULL;
	}
	r = write ? local_db_open(b->cfg->maildir, &db, &detail)
		  : local_db_open_read(b->cfg->maildir, &db, &detail);
	if (r < 0) {
		*err = db_error(b->cfg->maildir, r, detail);
		g_free(detail);
		return NULL;
	}
	return db;
}

static char *query_error(const char *detail)
{
	char *safe = core_safe_text(detail ? detail : "", (size_t)-1, false);
	char *s = g_strdup_printf(_("notmuch could not run the search: %s"), safe);
	g_free(safe);
	return s;
}

/* ---- folders ------------------------------------------------------------ */

static void add_folder(GPtrArray *out, struct local_db *db, const char *display,
	const char *query, enum app_folder_role role)
{
	struct app_folder *f = app_folder_new();
	f->id = g_strdup(query);
	f->display = core_safe_text(display, (size_t)-1, false);
	f->role = role;
	unsigned total = 0, unread = 0;
	char *err = NULL;
	if (local_count(db, query, &total, &unread, &err) == 0) {
		f->total = total;
		f->unread = unread;
	} else {
		/* Shown without counts; opening it says what is wrong. */
		core_log(CORE_LOG_APP, "folder query failed: %s", err);
		g_free(err);
	}
	g_ptr_array_add(out, f);
}

static int local_list(void *st, struct app_job *job, char **err)
{
	struct local_backend *b = st;
	struct local_db *db = open_db(b, false, err);
	if (!db)
		return -1;
	GPtrArray *out = g_ptr_array_new_with_free_func(app_folder_free);
	if (b->cfg->folders) {
		for (guint i = 0; i < b->cfg->folders->len; i++) {
			const struct config_folder *cf = g_ptr_array_index(b->cfg->folders, i);
			add_folder(out, db, cf->name, cf->query, APP_ROLE_NONE);
		}
	} else {
		for (size_t i = 0; i < G_N_ELEMENTS(default_folders); i++)
			add_folder(out, db, _(default_folders[i].name), default_folders[i].query,
				default_folders[i].role);
	}
	local_db_close(db);
	char **un = local_unindexed_list(b->cfg->maildir);
	guint n = g_strv_length(un);
	g_strfreev(un);
	if (n > 0) {
		struct app_folder *f = app_folder_new();
		f->id = g_strdup(UNINDEXED_ID);
		/* TRANSLATORS: the folder of downloaded files notmuch could not index. */
		f->display = g_strdup(_("Unindexed"));
		f->total = n;
		f->unread = 0;
		g_ptr_array_add(out, f);
	}
	app_backend_post(job, APP_EV_FOLDERS, out, (void (*)(void *))g_ptr_array_unref);
	return 0;
}

/* ---- messages ------------------------------------------------------------ */

static bool has_tag(const char *tags, const char *tag)
{
	size_t n = strlen(tag);
	for (const char *p = tags ? tags : ""; *p;) {
		const char *sp = strchr(p, ' ');
		size_t len = sp ? (size_t)(sp - p) : strlen(p);
		if (len == n && memcmp(p, tag, n) == 0)
			return true;
		p += len;
		while (*p == ' ')
			p++;
	}
	return false;
}

static unsigned flags_of_tags(const char *tags)
{
	unsigned f = 0;
	if (!has_tag(tags, "unread"))
		f |= APP_MSG_SEEN;
	if (has_tag(tags, "replied"))
		f |= APP_MSG_ANSWERED;
	if (has_tag(tags, "flagged"))
		f |= APP_MSG_FLAGGED;
	if (has_tag(tags, "deleted"))
		f |= APP_MSG_DELETED;
	if (has_tag(tags, "draft"))
		f |= APP_MSG_DRAFT;
	if (has_tag(tags, "attachment"))
		f |= APP_MSG_ATTACHMENT;
	return f;
}

/* The name of "Name <addr>", else the address; terminal-safe, owned. */
static char *from_text(const char *from)
{
	if (!from)
		return g_strdup("");
	const char *lt = strrchr(from, '<');
	char *s;
	if (lt && lt > from) {
		s = g_strstrip(g_strndup(from, (gsize)(lt - from)));
		size_t n = strlen(s);
		if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
			memmove(s, s + 1, n - 2);
			s[n - 2] = '\0';
		}
		if (!*s) {
			g_free(s);
			s = NULL;
		}
	} else {
		s = NULL;
	}
	if (!s && lt) {
		const char *gt = strchr(lt, '>');
		s = g_strndup(lt + 1, gt ? (gsize)(gt - lt - 1) : strlen(lt + 1));
	}
	if (!s)
		s = g_strdup(from);
	char *safe = core_safe_text(s, (size_t)-1, false);
	g_free(s);
	return safe;
}

static struct app_msg *app_msg_of(struct local_msg *lm, uint32_t uid)
{
	struct app_msg *m = app_msg_new();
	m->uid = uid;
	m->key = lm->id;
	lm->id = NULL;
	m->path = lm->path;
	lm->path = NULL;
	m->date = lm->date;
	m->from = from_text(lm->from);
	m->subject = core_safe_text(lm->subject ? lm->subject : "", (size_t)-1, false);
	m->message_id = g_strdup_printf("<%s>", m->key);
	m->in_reply_to = lm->in_reply_to;
	lm->in_reply_to = NULL;
	m->references = lm->references;
	lm->references = NULL;
	m->tags = lm->tags;
	lm->tags = NULL;
	m->flags = flags_of_tags(m->tags);
	m->size = lm->size;
	local_msg_free(lm);
	return m;
}

struct stream {
	struct app_job *job;
	const char *folder;
	GPtrArray *chunk;
	GHashTable *pos; /* Message-ID -> uid, owned keys */
	guint span;      /* messages per chunk: small first, for the first screen */
	uint32_t done, total;
};

static void flush(struct stream *s)
{
	struct app_event *ev = app_event_new((enum app_event_type)APP_EV_MSGS, -1, 0, s->folder);
	ev->data = s->chunk;
	ev->free_data = (void (*)(void *))g_ptr_array_unref;
	ev->done = s->done;
	ev->total = s->total;
	app_job_post(s->job, ev);
	s->chunk = g_ptr_array_new_with_free_func(app_msg_free);
}

static bool on_local_msg(void *ctx, struct local_msg *lm)
{
	struct stream *s = ctx;
	if (app_job_cancelled(s->job)) {
		local_msg_free(lm);
		return false;
	}
	struct app_msg *m = app_msg_of(lm, ++s->done);
	g_hash_table_insert(s->pos, g_strdup(m->key), GUINT_TO_POINTER(m->uid));
	g_ptr_array_add(s->chunk, m);
	if (s->chunk->len >= s->span) {
		flush(s);
		s->span = MIN(s->span * 4, 5000u);
	}
	return true;
}

/* The first bytes of a file (enough for its header), or NULL.  Owned. */
static char *file_head(const char *path, size_t max, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = g_malloc(max + 1);
	*len = fread(buf, 1, max, f);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

/* "Name: value" of a view's header lines, the value borrowed. */
static const char *view_header(const struct mime_line *lines, size_t n, const char *name)
{
	size_t k = strlen(name);
	for (size_t i = 0; i < n; i++)
		if (lines[i].kind == MIME_LINE_HEADER && lines[i].depth == 0 &&
		    (size_t)lines[i].name_len == k + 1 && strncmp(lines[i].text, name, k) == 0)
			return lines[i].text + k + 1 + (lines[i].text[k + 1] == ' ');
	return NULL;
}

/* The files notmuch refused, as messages: whatever headers they have,
 * else the file name. */
static int open_unindexed(struct local_backend *b, struct app_job *job, const char *folder)
{
	char **rel = local_unindexed_list(b->cfg->maildir);
	GPtrArray *chunk = g_ptr_array_new_with_free_func(app_msg_free);
	for (guint i = 0; rel[i]; i++) {
		struct app_msg *m = app_msg_new();
		m->uid = i + 1;
		m->path = g_build_filename(b->cfg->maildir, rel[i], NULL);
		char *data = NULL;
		size_t len = 0;
		GStatBuf sb;
		if (g_stat(m->path, &sb) == 0) {
			m->size = (uint64_t)sb.st_size;
			m->date = sb.st_mtime;
		}
		/* GMime reads the header, as for any message: decoded and
		 * terminal-safe, however odd the file. */
		if ((data = file_head(m->path, 64u << 10, &len))) {
			static const char *const want[] = { "From", "Subject", NULL };
			const struct mime_view_opts vo = { .headers = want, .html_no_command = true,
				.cols = 1000 };
			struct mime_view *v = mime_view_new_from_bytes(data, len, &vo);
			size_t n = 0;
			const struct mime_line *lines = mime_view_lines(v, &n);
			const char *from = view_header(lines, n, "From");
			const char *subject = view_header(lines, n, "Subject");
			if (from)
				m->from = from_text(from);
			if (subject)
				m->subject = g_strdup(subject);
			mime_view_free(v);
		}
		g_free(data);
		if (!m->from)
			m->from = g_strdup("");
		if (!m->subject || !*m->subject) {
			g_free(m->subject);
			m->subject = core_safe_text(rel[i], (size_t)-1, false);
		}
		m->flags = APP_MSG_SEEN;
		g_ptr_array_add(chunk, m);
	}
	struct app_event *ev = app_event_new((enum app_event_type)APP_EV_MSGS, -1, 0, folder);
	ev->done = ev->total = chunk->len;
	ev->data = chunk;
	ev->free_data = (void (*)(void *))g_ptr_array_unref;
	app_job_post(job, ev);
	g_strfreev(rel);
	return 0;
}

static int local_open_folder(void *st, struct app_job *job, const char *folder, char **err)
{
	struct local_backend *b = st;
	if (strcmp(folder, UNINDEXED_ID) == 0)
		return open_unindexed(b, job, folder);
	struct local_db *db = open_db(b, false, err);
	if (!db)
		return -1;
	unsigned total = 0;
	char *detail = NULL;
	struct stream s = { .job = job, .folder = folder, .span = 200 };
	s.pos = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	int r = local_count(db, folder, &total, NULL, &detail);
	s.total = total;
	s.chunk = g_ptr_array_new_with_free_func(app_msg_free);
	if (r == 0)
		r = local_messages(db, folder, LOCAL_MSG_THREADING, on_local_msg, &s, &detail);
	local_db_close(db);
	if (r < 0) {
		g_ptr_array_unref(s.chunk);
		g_hash_table_unref(s.pos);
		*err = query_error(detail);
		g_free(detail);
		return -1;
	}
	/* The last chunk, possibly empty: the UI learns the folder is loaded. */
	flush(&s);
	g_ptr_array_unref(s.chunk);
	if (app_job_cancelled(job))
		g_hash_table_unref(s.pos); /* the UI did not get them all */
	else
		g_hash_table_replace(b->loaded, g_strdup(folder), s.pos);
	return 0;
}

/* id:"..." for a Message-ID, quotes doubled as Xapian wants them. */
static char *id_query(const char *id)
{
	GString *q = g_string_new("id:\"");
	for (const char *p = id; *p; p++) {
		if (*p == '"')
			g_string_append_c(q, '"');
		g_string_append_c(q, *p);
	}
	g_string_append_c(q, '"');
	return g_string_free(q, FALSE);
}

static bool first_msg(void *ctx, struct local_msg *lm)
{
	*(struct local_msg **)ctx = lm;
	return false;
}

/* The message's current file: a tag change may have renamed it since the
 * index was loaded.  Owned, or NULL when it is no longer indexed. */
static char *current_path(struct local_db *db, const char *id)
{
	struct local_msg *lm = NULL;
	char *q = id_query(id), *err = NULL;
	local_messages(db, q, 0, first_msg, &lm, &err);
	g_free(q);
	g_free(err);
	if (!lm)
		return NULL;
	char *path = lm->path;
	lm->path = NULL;
	local_msg_free(lm);
	return path;
}

static char *tag_error(int r, const char *detail)
{
	if (r == -EINVAL)
		return g_strdup(
			_("A tag must not be empty or contain spaces or control characters."));
	if (r == -ENOENT)
		return g_strdup(_("The message is no longer in the mail index."));
	char *safe = core_safe_text(detail ? detail : "", (size_t)-1, false);
	char *s = g_strdup_printf(_("Cannot change the tags: %s"), safe);
	g_free(safe);
	return s;
}

/* Tag msg and post APP_EV_FLAGS with its new tags, flags and file.  With
 * quiet, failures are only logged (marking read when opening). */
static int retag(struct local_backend *b, struct app_job *job, const struct app_msg *msg,
	const char *const *add, const char *const *remove, bool quiet, char **err)
{
	if (!msg->key) {
		if (!quiet)
			*err = g_strdup(
				_("This file is not in the mail index, so it has no tags."));
		return quiet ? 0 : -1;
	}
	char *e = NULL, *detail = NULL;
	struct local_db *db = open_db(b, true, &e);
	if (!db) {
		if (quiet) {
			core_log(CORE_LOG_APP, "not marked read: %s", e);
			g_free(e);
			return 0;
		}
		*err = e;
		return -1;
	}
	char *tags = NULL, *path = NULL;
	int r = local_tag(db, msg->key, add, remove, &tags, &path, &detail);
	local_db_close(db);
	if (r < 0) {
		if (quiet) {
			core_log(CORE_LOG_APP, "not marked read: %d %s", r, detail ? detail : "");
			g_free(detail);
			return 0;
		}
		*err = tag_error(r, detail);
		g_free(detail);
		return -1;
	}
	struct app_msg *m = app_msg_copy(msg);
	g_free(m->tags);
	m->tags = tags;
	g_free(m->path);
	m->path = path;
	m->flags = flags_of_tags(tags);
	app_backend_post(job, APP_EV_FLAGS, m, app_msg_free);
	return 0;
}

static int local_open_message(void *st, struct app_job *job, const char *folder,
	const struct app_msg *msg, const struct mime_view_opts *opts, char **err)
{
	struct local_backend *b = st;
	(void)folder;
	char *path = NULL;
	if (msg->key) {
		struct local_db *db = open_db(b, false, err);
		if (!db)
			return -1;
		path = current_path(db, msg->key);
		local_db_close(db);
		if (!path) {
			*err = g_strdup(_("The message is no longer in the mail index."));
			return -1;
		}
	} else {
		path = g_strdup(msg->path);
	}
	char *data = NULL;
	size_t len = 0;
	int r = core_read_file(path, MAX_MESSAGE, &data, &len);
	if (r < 0) {
		char *safe = core_safe_text(path, (size_t)-1, false);
		*err = g_strdup_printf(_("Cannot read %s: %s"), safe, g_strerror(-r));
		g_free(safe);
		g_free(path);
		return -1;
	}
	g_free(path);
	/* The whole file is here: every attachment is available at once. */
	struct mime_view *view = mime_view_new_from_bytes(data, len, opts);
	g_free(data);
	app_backend_post(job, APP_EV_VIEW, view, (void (*)(void *))mime_view_free);
	/* Reading a message marks it read, as in every mail client. */
	if (msg->key && !(msg->flags & APP_MSG_SEEN)) {
		const char *remove[] = { "unread", NULL };
		retag(b, job, msg, NULL, remove, true, err);
	}
	return 0;
}

static const struct {
	unsigned flag;
	const char *tag;
	bool inverse; /* the flag is set when the tag is absent */
} flag_tags[] = {
	{ APP_MSG_SEEN, "unread", true },
	{ APP_MSG_ANSWERED, "replied", false },
	{ APP_MSG_FLAGGED, "flagged", false },
	{ APP_MSG_DELETED, "deleted", false },
	{ APP_MSG_DRAFT, "draft", false },
};

static int local_set_flags(void *st, struct app_job *job, const char *folder,
	const struct app_msg *msg, unsigned add, unsigned remove, char **err)
{
	(void)folder;
	const char *tadd[G_N_ELEMENTS(flag_tags) + 1] = { 0 };
	const char *tremove[G_N_ELEMENTS(flag_tags) + 1] = { 0 };
	size_t na = 0, nr = 0;
	for (size_t i = 0; i < G_N_ELEMENTS(flag_tags); i++) {
		bool set = add & flag_tags[i].flag, clear = remove & flag_tags[i].flag;
		if (set)
			*(flag_tags[i].inverse ? &tremove[nr++] : &tadd[na++]) = flag_tags[i].tag;
		else if (clear)
			*(flag_tags[i].inverse ? &tadd[na++] : &tremove[nr++]) = flag_tags[i].tag;
	}
	return retag(st, job, msg, tadd, tremove, false, err);
}

static int local_tag_op(void *st, struct app_job *job, const char *folder,
	const struct app_msg *msg, const char *add, const char *remove, char **err)
{
	(void)folder;
	char **a = local_tag_list(add), **r = local_tag_list(remove);
	int rc;
	if (!a[0] && !r[0]) {
		*err = g_strdup(_("No tag given."));
		rc = -1;
	} else {
		rc = retag(st, job, msg, (const char *const *)a, (const char *const *)r, false,
			err);
	}
	g_strfreev(a);
	g_strfreev(r);
	return rc;
}

static int local_move(void *st, struct app_job *job, const char *folder,
	const struct app_msg *msg, const char *dest, bool copy, char **err)
{
	(void)st, (void)job, (void)folder, (void)msg, (void)dest, (void)copy;
	*err = g_strdup(_("Local folders are searches: use tags (+ and -) instead of moving."));
	return -1;
}

static int local_expunge(void *st, struct app_job *job, const char *folder, char **err)
{
	struct local_backend *b = st;
	if (strcmp(folder, UNINDEXED_ID) == 0) {
		*err = g_strdup(_("Unindexed files have no tags, so none is marked deleted."));
		return -1;
	}
	struct local_db *db = open_db(b, true, err);
	if (!db)
		return -1;
	size_t removed = 0;
	char *detail = NULL;
	int r = local_purge(db, folder, &removed, &detail);
	local_db_close(db);
	if (r < 0) {
		char *safe = core_safe_text(detail ? detail : "", (size_t)-1, false);
		*err = g_strdup_printf(_("Purging deleted messages failed: %s"), safe);
		g_free(safe);
		g_free(detail);
		return -1;
	}
	char *text = g_strdup_printf(ngettext("%zu message deleted for good.",
		"%zu messages deleted for good.", removed), removed);
	app_job_post(job, app_event_new(APP_EV_STATUS, -1, 0, text));
	g_free(text);
	return 0;
}

static int local_search(void *st, struct app_job *job, const char *folder, const char *query,
	char **err)
{
	struct local_backend *b = st;
	if (strcmp(folder, UNINDEXED_ID) == 0) {
		*err = g_strdup(_("Unindexed files cannot be searched."));
		return -1;
	}
	struct local_db *db = open_db(b, false, err);
	if (!db)
		return -1;
	GPtrArray *all = NULL, *hits = NULL;
	char *detail = NULL;
	char *q = local_query_and(folder, query);
	/* Positions as the UI has them; computed now only for a folder
	 * that was never opened. */
	GHashTable *pos = g_hash_table_lookup(b->loaded, folder);
	int r = pos ? 0 : local_message_ids(db, folder, &all, &detail);
	if (r == 0)
		r = local_message_ids(db, q, &hits, &detail);
	local_db_close(db);
	g_free(q);
	if (r < 0) {
		if (all)
			g_ptr_array_unref(all);
		*err = query_error(detail);
		g_free(detail);
		return -1;
	}
	if (pos) {
		g_hash_table_ref(pos);
	} else {
		pos = g_hash_table_new(g_str_hash, g_str_equal);
		for (guint i = 0; i < all->len; i++)
			g_hash_table_insert(pos, all->pdata[i], GUINT_TO_POINTER(i + 1));
	}
	/* A message that arrived since the folder was loaded is not in the
	 * UI's list: it has no position and is left out. */
	GArray *out = g_array_sized_new(FALSE, FALSE, sizeof(guint32), hits->len);
	for (guint i = 0; i < hits->len; i++) {
		guint32 uid = GPOINTER_TO_UINT(g_hash_table_lookup(pos, hits->pdata[i]));
		if (uid)
			g_array_append_val(out, uid);
	}
	g_hash_table_unref(pos);
	if (all)
		g_ptr_array_unref(all);
	g_ptr_array_unref(hits);
	app_backend_post(job, APP_EV_SEARCH, out, (void (*)(void *))g_array_unref);
	return 0;
}

/* ---- fetch ---------------------------------------------------------------- */

struct fetch_progress {
	struct app_job *job;
	const char *name;
	size_t last; /* last percentage posted, + 1; 0 for none */
};

/* From the fetch's threads, one call at a time: post when the whole
 * percentage changes, so a big download does not flood the UI. */
static void on_fetch_progress(void *ctx, size_t done, size_t total)
{
	struct fetch_progress *p = ctx;
	if (total == 0)
		return;
	size_t pct = done * 100 / total;
	if (p->last == pct + 1)
		return;
	p->last = pct + 1;
	char *text = g_strdup_printf(_("Fetching %s: %zu of %zu"), p->name, done, total);
	struct app_event *ev = app_event_new(APP_EV_PROGRESS, -1, 0, text);
	ev->done = done;
	ev->total = total;
	app_job_post(p->job, ev);
	g_free(text);
}

static void post_fetched(struct app_job *job, int status, const char *text, size_t fetched,
	size_t deleted)
{
	struct app_event *ev = app_event_new((enum app_event_type)APP_EV_FETCHED, -1, 0, text);
	ev->status = status;
	ev->done = fetched;
	ev->total = deleted;
	app_job_post(job, ev);
}

static int local_fetch(void *st, struct app_job *job, char **err)
{
	struct local_backend *b = st;
	const struct config_account *a = b->cfg;
	char *name = core_safe_text(a->name, (size_t)-1, false);
	char *password = NULL, *perr = NULL;
	if (!config_account_password(a, &password, &perr)) {
		*err = g_strdup_printf(_("Fetching %s failed: %s"), name, perr);
		post_fetched(job, -1, *err, 0, 0);
		g_free(perr);
		g_free(name);
		return -1;
	}
	core_log_add_secret(password);
	char *status = g_strdup_printf(_("Fetching %s..."), name);
	app_job_post(job, app_event_new(APP_EV_STATUS, -1, 0, status));
	g_free(status);
	struct fetch_progress prog = { .job = job, .name = name };
	struct pop3_fetch_opts o;
	app_pop3_fetch_opts(a, password, &o);
	o.conn.accept_once = b->accept_once;
	o.conn.cancel = app_job_cancel_flag(job);
	o.progress = on_fetch_progress;
	o.progress_ctx = &prog;
	struct pop3_fetch_result res;
	struct pop3_error pe;
	enum pop3_status s = pop3_fetch(&o, &res, &pe);
	core_wipe(password);
	g_free(password);

	if (s != POP3_OK) {
		if (s == POP3_ERR_NET && pe.net.status == NET_ERR_CERT_UNTRUSTED &&
		    pe.net.has_cert) {
			struct app_cert_question *q = g_new0(struct app_cert_question, 1);
			q->host = g_strdup(a->pop3.host);
			q->port = a->pop3.port;
			q->pin = g_strdup(pe.net.cert.pin);
			struct app_event *ev = app_event_new(APP_EV_CERT_QUESTION, -1, 0, NULL);
			ev->text = app_net_error_text(&pe.net, q->host, q->port);
			ev->data = q;
			ev->free_data = app_cert_question_free;
			app_job_post(job, ev);
		}
		char *words = app_pop3_error_text(&pe, a->pop3.host, a->pop3.port);
		*err = g_strdup_printf(_("Fetching %s failed: %s"), name, words);
		g_free(words);
		post_fetched(job, -1, *err, res.fetched, res.deleted);
		g_free(name);
		return -1;
	}
	/* TRANSLATORS: "%zu new" in "work: 3 new, 2 deleted". */
	char *n_new = g_strdup_printf(ngettext("%zu new", "%zu new", res.fetched), res.fetched);
	/* TRANSLATORS: "%zu deleted" in "work: 3 new, 2 deleted". */
	char *n_del = g_strdup_printf(ngettext("%zu deleted", "%zu deleted", res.deleted),
		res.deleted);
	GString *sum = g_string_new(NULL);
	/* TRANSLATORS: account name, then "3 new", then "2 deleted". */
	g_string_printf(sum, _("%s: %s, %s"), name, n_new, n_del);
	if (res.unindexed)
		g_string_append_printf(sum,
			ngettext("; %zu kept unindexed (see the Unindexed folder)",
				"; %zu kept unindexed (see the Unindexed folder)", res.unindexed),
			res.unindexed);
	if (res.quit_failed)
		g_string_append(sum, _("; the server did not confirm the deletions: they will be "
				       "retried"));
	post_fetched(job, 0, sum->str, res.fetched, res.deleted);
	g_string_free(sum, TRUE);
	g_free(n_new);
	g_free(n_del);
	g_free(name);
	return 0;
}

/* ---- whole messages: reply, forward, drafts, the Sent copy ------------- */

static char *message_path(struct local_backend *b, const struct app_msg *msg, char **err)
{
	if (!msg->key)
		return g_strdup(msg->path);
	struct local_db *db = open_db(b, false, err);
	if (!db)
		return NULL;
	char *path = current_path(db, msg->key);
	local_db_close(db);
	if (!path)
		*err = g_strdup(_("The message is no longer in the mail index."));
	return path;
}

static int local_fetch_raw(void *st, struct app_job *job, const char *folder,
	const struct app_msg *msg, GBytes **out, char **err)
{
	(void)job, (void)folder;
	char *path = message_path(st, msg, err);
	if (!path)
		return -1;
	char *data = NULL;
	size_t len = 0;
	int r = core_read_file(path, MAX_MESSAGE, &data, &len);
	if (r < 0) {
		char *safe = core_safe_text(path, (size_t)-1, false);
		*err = g_strdup_printf(_("Cannot read %s: %s"), safe, g_strerror(-r));
		g_free(safe);
		g_free(path);
		return -1;
	}
	g_free(path);
	*out = g_bytes_new_take(data, len);
	return 0;
}

/* CRLF (the wire's) to LF, as Maildir files are written.  Owned. */
static char *to_lf(const char *raw, size_t len, size_t *out_len)
{
	char *out = g_malloc(len + 1);
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		if (!(raw[i] == '\r' && i + 1 < len && raw[i + 1] == '\n'))
			out[n++] = raw[i];
	out[n] = '\0';
	*out_len = n;
	return out;
}

/* The Sent copy and drafts: into the Maildir and the index, tagged so the
 * Sent and Drafts searches find them (role), or with the folder's name
 * as a tag (another folder), and flags as tags. */
static int local_append(void *st, struct app_job *job, enum app_folder_role role, const char *name,
	const char *raw, size_t len, unsigned flags, char **err)
{
	struct local_backend *b = st;
	const char *add[6] = { 0 };
	size_t na = 0;
	(void)job;
	add[na++] = b->cfg->name;
	if (role == APP_ROLE_SENT)
		add[na++] = "sent";
	else if (role == APP_ROLE_DRAFTS)
		add[na++] = "draft";
	else if (name && *name && !strpbrk(name, " \t"))
		add[na++] = name;
	if ((flags & APP_MSG_DRAFT) && role != APP_ROLE_DRAFTS)
		add[na++] = "draft";
	if (flags & APP_MSG_FLAGGED)
		add[na++] = "flagged";
	const char *unread[] = { "unread", NULL };
	const char *const *remove = (flags & APP_MSG_SEEN) ? unread : NULL;
	if (!(flags & APP_MSG_SEEN))
		add[na++] = "unread";

	struct local_db *db = open_db(b, true, err);
	if (!db)
		return -1;
	size_t n = 0;
	char *data = to_lf(raw, len, &n);
	enum local_index res = LOCAL_INDEX_ERROR;
	char *path = NULL, *detail = NULL, *id = NULL;
	int r = local_deliver(db, b->cfg->maildir, NULL, data, n, NULL, &res, &path, &detail);
	g_free(data);
	if (r == 0 && res == LOCAL_INDEX_NOT_MAIL) {
		detail = g_strdup("notmuch would not index it");
		r = -1;
	}
	if (r == 0)
		r = local_id_of_file(db, path, &id, &detail);
	/* A duplicate (the copy of a message already here) gets the tags
	 * too; the flags follow in the file names. */
	if (r == 0)
		r = local_tag(db, id, add, remove, NULL, NULL, &detail);
	local_db_close(db);
	if (r < 0) {
		char *safe = core_safe_text(detail ? detail : g_strerror(r < -1 ? -r : EIO),
			(size_t)-1, false);
		char *dir = core_safe_text(b->cfg->maildir, (size_t)-1, false);
		*err = g_strdup_printf(_("Cannot store the message in %s: %s"), dir, safe);
		g_free(dir);
		g_free(safe);
	} else {
		core_log(CORE_LOG_APP, "stored <%s> in the Maildir", id);
	}
	g_free(detail);
	g_free(path);
	g_free(id);
	return r < 0 ? -1 : 0;
}

/* A draft that was sent: gone for good, file and index entry. */
static int local_delete_message(void *st, struct app_job *job, const char *folder,
	const struct app_msg *msg, char **err)
{
	struct local_backend *b = st;
	(void)job, (void)folder;
	if (!msg->key) {
		*err = g_strdup(_("This file is not in the mail index, so it has no tags."));
		return -1;
	}
	struct local_db *db = open_db(b, true, err);
	if (!db)
		return -1;
	const char *del[] = { "deleted", NULL };
	char *detail = NULL, *q = id_query(msg->key);
	int r = local_tag(db, msg->key, del, NULL, NULL, NULL, &detail);
	if (r == 0)
		r = local_purge(db, q, NULL, &detail);
	local_db_close(db);
	g_free(q);
	if (r < 0) {
		*err = tag_error(r, detail);
		g_free(detail);
		return -1;
	}
	return 0;
}

/* ---- addresses for completion -------------------------------------------- */

/* As many as completion can use; the rarest go. */
#define MAX_ADDRESSES 2000

static int local_addresses_op(void *st, struct app_job *job, const char *prefix, char **err)
{
	struct local_backend *b = st;
	struct local_db *db = open_db(b, false, err);
	if (!db)
		return -1;
	GPtrArray *found = NULL;
	char *detail = NULL;
	int r = local_addresses(db, prefix, MAX_ADDRESSES, app_job_cancel_flag(job), &found,
		&detail);
	local_db_close(db);
	if (r == -ECANCELED)
		return 0;
	if (r < 0) {
		*err = query_error(detail);
		g_free(detail);
		return -1;
	}
	GPtrArray *out = g_ptr_array_new_full(found->len, app_address_free);
	for (guint i = 0; i < found->len; i++) {
		const struct local_address *la = found->pdata[i];
		struct app_address *a = g_new0(struct app_address, 1);
		a->addr = core_safe_text(la->addr, (size_t)-1, false);
		a->name = la->name ? core_safe_text(la->name, (size_t)-1, false) : NULL;
		a->count = la->count;
		g_ptr_array_add(out, a);
	}
	g_ptr_array_unref(found);
	core_log(CORE_LOG_APP, "%u addresses from the mail index", out->len);
	app_backend_post(job, APP_EV_ADDRESSES, out, (void (*)(void *))g_ptr_array_unref);
	return 0;
}

static void local_accept_once(void *st, const char *pin)
{
	struct local_backend *b = st;
	g_free(b->accept_once);
	b->accept_once = g_strdup(pin);
}

const struct app_backend_ops app_backend_local = {
	.name = "local",
	.open = local_open,
	.close = local_close,
	.list_folders = local_list,
	.open_folder = local_open_folder,
	.open_message = local_open_message,
	.set_flags = local_set_flags,
	.move = local_move,
	.expunge = local_expunge,
	.search = local_search,
	.accept_once = local_accept_once,
	.tag = local_tag_op,
	.fetch = local_fetch,
	.fetch_raw = local_fetch_raw,
	.append = local_append,
	.delete_message = local_delete_message,
	.addresses = local_addresses_op,
};
