/* test_local_account.c - a POP3 account through the account API (the
 * UI's only door): fetch bob's mail from the real Dovecot (keep = yes),
 * then folders with counts, the index, a message with Vietnamese text
 * and an attachment, flags and tags seen in the Maildir file names,
 * search positions, purge, the unindexed folder, and a fetch while the
 * server cannot be reached. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "app/app.h"
#include "app/backend.h" /* app_msg_copy */
#include "config/config.h"
#include "local/local.h"
#include "mime/mime.h"
#include "net/net.h"
#include "testenv.h"
#include "testfs.h"

static char *dir;

/* ---- running jobs to the end --------------------------------------------- */

struct got {
	int type, status;
	char *text;
	void *data;
	void (*free_data)(void *);
	uint64_t done, total;
};

static void got_free(void *p)
{
	struct got *g = p;
	if (g->free_data && g->data)
		g->free_data(g->data);
	g_free(g->text);
	g_free(g);
}

struct waiter {
	struct app *app;
	uint64_t job;
	GPtrArray *events; /* of struct got*, this job's, in order */
};

static void on_event(void *ctx, struct app_event *ev)
{
	struct waiter *w = ctx;
	if (ev->job != w->job)
		return;
	struct got *g = g_new0(struct got, 1);
	g->type = ev->type;
	g->status = ev->status;
	g->text = g_strdup(ev->text);
	g->data = ev->data;
	g->free_data = ev->free_data;
	g->done = ev->done;
	g->total = ev->total;
	ev->data = NULL; /* ours now */
	g_ptr_array_add(w->events, g);
	if (ev->type == APP_EV_JOB_DONE || ev->type == APP_EV_JOB_CANCELLED)
		app_quit(w->app);
}

/* Every event of job, the last being its APP_EV_JOB_DONE. */
static GPtrArray *wait_job(struct app *app, uint64_t job)
{
	g_assert_cmpuint(job, >, 0);
	struct waiter w = { app, job, g_ptr_array_new_with_free_func(got_free) };
	const struct app_loop_handlers h = { .ctx = &w, .on_event = on_event };
	app_loop_run(app, &h);
	return w.events;
}

static const struct got *last(GPtrArray *evs)
{
	return g_ptr_array_index(evs, evs->len - 1);
}

static const struct got *find(GPtrArray *evs, int type)
{
	for (guint i = 0; i < evs->len; i++)
		if (((struct got *)evs->pdata[i])->type == type)
			return evs->pdata[i];
	return NULL;
}

static void assert_ok(GPtrArray *evs)
{
	const struct got *d = last(evs);
	if (d->type != APP_EV_JOB_DONE || d->status != 0)
		g_error("job failed: %s", d->text ? d->text : "(no text)");
}

static char *assert_fails(GPtrArray *evs)
{
	const struct got *d = last(evs);
	g_assert_cmpint(d->type, ==, APP_EV_JOB_DONE);
	g_assert_cmpint(d->status, !=, 0);
	g_assert_nonnull(d->text);
	g_test_message("error text: %s", d->text);
	return d->text;
}

/* ---- fixture: bob's mail fetched into a fresh Maildir -------------------- */

struct fx {
	struct config *cfg;
	struct app *app;
	GPtrArray *accs;
	struct app_account *bob;
	char *maildir;
};

static struct config *write_config(const char *name, unsigned port, const char *extra)
{
	char *path = g_build_filename(dir, "config", NULL);
	char *maildir = g_build_filename(dir, "Mail", NULL);
	char *text = g_strdup_printf(
		"[account %s]\nmode = pop3\nfrom = bob@example.test\n"
		"pop3_url = pop3s://%s:%u\nuser = %s\npassword = %s\nmaildir = %s\n"
		"keep = yes\ntls_ca_file = %s\ntimeout = 20\n%s"
		"[account imap]\nmode = imap\nfrom = alice@example.test\n"
		"imap_url = imaps://127.0.0.1:1\nuser = alice\npassword = x\n",
		name, testenv_get("HOST"), port, testenv_get("USER2"), testenv_get("PASS2"),
		maildir, testenv_get("CA"), extra ? extra : "");
	g_assert_true(g_file_set_contents(path, text, -1, NULL));
	g_chmod(path, 0600);
	struct config *cfg = config_load(path);
	for (guint i = 0; i < cfg->diags->len; i++) {
		char *d = config_diag_format(g_ptr_array_index(cfg->diags, i));
		g_test_message("%s", d);
		g_free(d);
	}
	g_assert_false(config_has_errors(cfg));
	g_free(text);
	g_free(maildir);
	g_free(path);
	return cfg;
}

static void fx_open(struct fx *f, unsigned port, const char *extra)
{
	f->cfg = write_config("bob", port, extra);
	f->app = app_new(-1);
	f->accs = app_accounts_new(f->app, f->cfg);
	f->bob = g_ptr_array_index(f->accs, 0);
	f->maildir = g_build_filename(dir, "Mail", NULL);
}

static void fx_close(struct fx *f)
{
	app_accounts_free(f->accs);
	app_free(f->app);
	config_free(f->cfg);
	g_free(f->maildir);
}

static GPtrArray *folders(struct fx *f)
{
	GPtrArray *evs = wait_job(f->app, app_account_list_folders(f->bob));
	assert_ok(evs);
	const struct got *g = find(evs, APP_EV_FOLDERS);
	g_assert_nonnull(g);
	GPtrArray *out = g_ptr_array_ref(g->data);
	g_ptr_array_unref(evs);
	return out;
}

static const struct app_folder *folder_named(GPtrArray *fs, const char *name)
{
	for (guint i = 0; i < fs->len; i++) {
		const struct app_folder *af = fs->pdata[i];
		if (strcmp(af->display, name) == 0)
			return af;
	}
	return NULL;
}

/* All messages of a folder, in arrival order (chunks joined). */
static GPtrArray *open_folder(struct fx *f, const char *query, guint *chunks)
{
	GPtrArray *evs = wait_job(f->app, app_account_open_folder(f->bob, query));
	assert_ok(evs);
	GPtrArray *out = g_ptr_array_new_with_free_func(app_msg_free);
	guint n = 0;
	for (guint i = 0; i < evs->len; i++) {
		struct got *g = evs->pdata[i];
		if (g->type != APP_EV_MSGS)
			continue;
		n++;
		GPtrArray *chunk = g->data;
		for (guint k = 0; k < chunk->len; k++)
			g_ptr_array_add(out, app_msg_copy(chunk->pdata[k]));
	}
	if (chunks)
		*chunks = n;
	g_ptr_array_unref(evs);
	return out;
}

static const struct app_msg *msg_with_subject(GPtrArray *msgs, const char *subject)
{
	for (guint i = 0; i < msgs->len; i++) {
		const struct app_msg *m = msgs->pdata[i];
		if (strcmp(m->subject, subject) == 0)
			return m;
	}
	g_error("no message \"%s\"", subject);
	return NULL;
}

/* The flags part of a message's file name: "cur S", "new -". */
static char *file_flags(const char *path)
{
	char *d = g_path_get_dirname(path), *sub = g_path_get_basename(d);
	char *base = g_path_get_basename(path);
	const char *info = strstr(base, ":2,");
	char *s = g_strdup_printf("%s %s", sub, info ? info + 3 : "-");
	g_free(d);
	g_free(sub);
	g_free(base);
	return s;
}

static struct app_msg *flags_event(GPtrArray *evs)
{
	const struct got *g = find(evs, APP_EV_FLAGS);
	g_assert_nonnull(g);
	return app_msg_copy(g->data);
}

/* want_new (size_t)-1: all of bob's mail, however many other tests
 * delivered to him; returns how many were fetched. */
static size_t fetch_bob(struct fx *f, size_t want_new)
{
	GPtrArray *evs = wait_job(f->app, app_account_fetch(f->bob));
	assert_ok(evs);
	const struct got *g = find(evs, APP_EV_FETCHED);
	g_assert_nonnull(g);
	g_test_message("fetched: %s", g->text);
	g_assert_cmpint(g->status, ==, 0);
	size_t got = g->done;
	if (want_new == (size_t)-1)
		g_assert_cmpuint(got, >=, 25); /* the seeded INBOX, and maybe more */
	else
		g_assert_cmpuint(got, ==, want_new);
	char *want = g_strdup_printf("bob: %zu new, 0 deleted", got);
	g_assert_cmpstr(g->text, ==, want);
	g_free(want);
	if (got)
		g_assert_nonnull(find(evs, APP_EV_PROGRESS));
	g_ptr_array_unref(evs);
	return got;
}

static void test_read_offline_store(void)
{
	struct fx f;
	fx_open(&f, testenv_port("POP3S_PORT"), NULL);

	/* Nothing fetched yet: the folders exist, empty. */
	GPtrArray *fs = folders(&f);
	g_assert_cmpuint(fs->len, ==, 6);
	g_assert_cmpint(folder_named(fs, "Inbox")->total, ==, 0);
	g_ptr_array_unref(fs);

	unsigned n = (unsigned)fetch_bob(&f, (size_t)-1);
	/* Only one fetch at a time: a second request while one is queued
	 * is not queued again. */
	uint64_t j1 = app_account_fetch(f.bob);
	g_assert_cmpuint(j1, >, 0);
	g_assert_cmpuint(app_account_fetch(f.bob), ==, 0);
	GPtrArray *evs = wait_job(f.app, j1);
	assert_ok(evs);
	g_assert_cmpstr(find(evs, APP_EV_FETCHED)->text, ==, "bob: 0 new, 0 deleted");
	g_ptr_array_unref(evs);

	/* Folders: the defaults with counts, in order. */
	fs = folders(&f);
	const char *names[] = { "Inbox", "Unread", "Flagged", "Sent", "Drafts", "All" };
	g_assert_cmpuint(fs->len, ==, G_N_ELEMENTS(names));
	for (guint i = 0; i < fs->len; i++)
		g_assert_cmpstr(((struct app_folder *)fs->pdata[i])->display, ==, names[i]);
	const struct app_folder *inbox = folder_named(fs, "Inbox");
	g_assert_cmpstr(inbox->id, ==, "tag:inbox");
	g_assert_cmpint(inbox->role, ==, APP_ROLE_INBOX);
	g_assert_cmpint(inbox->total, ==, n);
	g_assert_cmpint(inbox->unread, ==, n);
	g_assert_cmpint(folder_named(fs, "Flagged")->total, ==, 0);
	g_assert_cmpint(folder_named(fs, "All")->total, ==, n);
	g_assert_null(folder_named(fs, "Unindexed"));
	g_ptr_array_unref(fs);

	/* The index: newest first, uids are positions, tags and flags. */
	guint chunks = 0;
	GPtrArray *msgs = open_folder(&f, "tag:inbox", &chunks);
	g_assert_cmpuint(msgs->len, ==, n);
	g_assert_cmpuint(chunks, >=, 1);
	for (guint i = 0; i < msgs->len; i++) {
		const struct app_msg *m = msgs->pdata[i];
		g_assert_cmpuint(m->uid, ==, i + 1);
		g_assert_nonnull(m->key);
		g_assert_true(g_str_has_prefix(m->message_id, "<"));
		g_assert_cmpuint(strlen(m->message_id), ==, strlen(m->key) + 2);
		g_assert_false(m->flags & APP_MSG_SEEN);
		g_assert_nonnull(strstr(m->tags, "inbox"));
		g_assert_nonnull(strstr(m->tags, "unread"));
		g_assert_nonnull(strstr(m->tags, "bob"));
		if (i > 0)
			g_assert_cmpint(m->date, <=, ((struct app_msg *)msgs->pdata[i - 1])->date);
	}
	const struct app_msg *vi = msg_with_subject(msgs, "Thư số 14: meeting");
	g_assert_cmpstr(vi->from, ==, "Nguyễn Văn An");
	g_assert_true(vi->flags & APP_MSG_ATTACHMENT);
	g_assert_false(msg_with_subject(msgs, "POP3 test message 1")->flags & APP_MSG_ATTACHMENT);
	/* A reply carries its parent for threading. */
	const struct app_msg *re = msg_with_subject(msgs, "Re: Build server");
	g_assert_nonnull(re->in_reply_to);
	char *path0 = file_flags(vi->path);
	g_assert_cmpstr(path0, ==, "new -");
	g_free(path0);

	/* Open it: text and attachment from the file, at once; read now. */
	struct mime_view_opts vo = { .html_no_command = true, .cols = 80 };
	evs = wait_job(f.app, app_account_open_message(f.bob, "tag:inbox", vi, &vo));
	assert_ok(evs);
	struct mime_view *view = find(evs, APP_EV_VIEW)->data;
	size_t nl = 0, na = 0;
	const struct mime_line *lines = mime_view_lines(view, &nl);
	bool greeting = false, subject = false;
	for (size_t i = 0; i < nl; i++) {
		greeting |= strstr(lines[i].text, "Chào chị Alice") != NULL;
		subject |= strstr(lines[i].text, "Subject: Thư số 14: meeting") != NULL;
	}
	g_assert_true(greeting);
	g_assert_true(subject);
	const struct mime_attachment *att = mime_view_attachments(view, &na);
	bool pdf = false;
	for (size_t i = 0; i < na; i++)
		if (att[i].filename && strcmp(att[i].filename, "doc.pdf") == 0) {
			pdf = true;
			g_assert_true(att[i].fetched);
			GBytes *bytes = NULL;
			g_assert_cmpint(mime_attachment_bytes(view, i, &bytes), ==, MIME_VIEW_OK);
			g_assert_cmpuint(g_bytes_get_size(bytes), >, 100);
			g_assert_cmpmem(g_bytes_get_data(bytes, NULL), 5, "%PDF-", 5);
			g_bytes_unref(bytes);
		}
	g_assert_true(pdf);
	struct app_msg *read = flags_event(evs);
	g_assert_true(read->flags & APP_MSG_SEEN);
	g_assert_null(strstr(read->tags, "unread"));
	char *ff = file_flags(read->path);
	g_assert_cmpstr(ff, ==, "cur S");
	g_free(ff);
	g_ptr_array_unref(evs);

	/* Flag it: the F flag joins S in the file name. */
	evs = wait_job(f.app, app_account_set_flags(f.bob, "tag:inbox", read, APP_MSG_FLAGGED, 0));
	assert_ok(evs);
	struct app_msg *flagged = flags_event(evs);
	g_assert_true(flagged->flags & APP_MSG_FLAGGED);
	ff = file_flags(flagged->path);
	g_assert_cmpstr(ff, ==, "cur FS");
	g_free(ff);
	g_ptr_array_unref(evs);
	/* Mark unread again through flags: S goes. */
	evs = wait_job(f.app, app_account_set_flags(f.bob, "tag:inbox", flagged, 0, APP_MSG_SEEN));
	assert_ok(evs);
	struct app_msg *unread = flags_event(evs);
	g_assert_nonnull(strstr(unread->tags, "unread"));
	ff = file_flags(unread->path);
	g_assert_cmpstr(ff, ==, "cur F");
	g_free(ff);
	g_ptr_array_unref(evs);

	/* Tags: add two, remove inbox. */
	evs = wait_job(f.app,
		app_account_tag(f.bob, "tag:inbox", unread, "work  meeting", "inbox"));
	assert_ok(evs);
	struct app_msg *tagged = flags_event(evs);
	g_assert_cmpstr(tagged->tags, ==, "attachment bob flagged meeting unread work");
	g_ptr_array_unref(evs);
	/* A bad tag is refused in words. */
	evs = wait_job(f.app, app_account_tag(f.bob, "tag:inbox", tagged, "a\x1b[2Jb", NULL));
	g_assert_nonnull(strstr(assert_fails(evs), "tag"));
	g_ptr_array_unref(evs);

	fs = folders(&f);
	g_assert_cmpint(folder_named(fs, "Inbox")->total, ==, n - 1);
	g_assert_cmpint(folder_named(fs, "Flagged")->total, ==, 1);
	g_assert_cmpint(folder_named(fs, "Unread")->total, ==, n);
	g_ptr_array_unref(fs);

	/* Search answers with positions in the folder's order. */
	evs = wait_job(f.app, app_account_search(f.bob, "tag:inbox", "subject:party"));
	assert_ok(evs);
	GArray *hits = find(evs, APP_EV_SEARCH)->data;
	g_assert_cmpuint(hits->len, >=, 2); /* 2 seeded; other tests may send more */
	for (guint i = 0; i < hits->len; i++) {
		guint32 uid = g_array_index(hits, guint32, i);
		g_assert_cmpuint(uid, >=, 1);
		g_assert_cmpuint(uid, <=, msgs->len);
		const struct app_msg *m = msgs->pdata[uid - 1];
		g_assert_nonnull(strstr(m->subject, "party"));
	}
	g_ptr_array_unref(evs);
	/* from:, date:, tag: and free text, ANDed with the folder. */
	static const struct {
		const char *folder, *query;
		guint want;
	} searches[] = {
		{ "*", "from:an@example.test", 0 },
		{ "*", "tag:meeting", 1 },
		{ "tag:inbox", "tag:meeting", 0 },
		{ "*", "\"Tuần tới nhóm mình\"", 1 },
		{ "*", "date:2000-01-01..2001-01-01", 0 },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(searches); i++) {
		evs = wait_job(f.app,
			app_account_search(f.bob, searches[i].folder, searches[i].query));
		assert_ok(evs);
		hits = find(evs, APP_EV_SEARCH)->data;
		g_test_message("search %s in %s: %u", searches[i].query, searches[i].folder,
			hits->len);
		if (i == 0)
			g_assert_cmpuint(hits->len, >, 0); /* An sends several */
		else
			g_assert_cmpuint(hits->len, ==, searches[i].want);
		g_ptr_array_unref(evs);
	}
	evs = wait_job(f.app, app_account_search(f.bob, "*", "date:garbage"));
	g_assert_nonnull(strstr(assert_fails(evs), "notmuch"));
	g_ptr_array_unref(evs);

	/* Delete (T in the name), then purge: the file and the entry go. */
	evs = wait_job(f.app, app_account_set_flags(f.bob, "*", tagged, APP_MSG_DELETED, 0));
	assert_ok(evs);
	struct app_msg *deleted = flags_event(evs);
	ff = file_flags(deleted->path);
	g_assert_cmpstr(ff, ==, "cur FT");
	g_free(ff);
	g_ptr_array_unref(evs);
	evs = wait_job(f.app, app_account_expunge(f.bob, "*"));
	assert_ok(evs);
	g_assert_cmpstr(find(evs, APP_EV_STATUS)->text, ==, "1 message deleted for good.");
	g_ptr_array_unref(evs);
	g_assert_false(g_file_test(deleted->path, G_FILE_TEST_EXISTS));
	GPtrArray *all = open_folder(&f, "*", NULL);
	g_assert_cmpuint(all->len, ==, n - 1);
	g_ptr_array_unref(all);
	/* The server still has it (keep = yes) and it is recorded: a fetch
	 * does not bring it back. */
	fetch_bob(&f, 0);

	/* Moving makes no sense here; it says so. */
	evs = wait_job(f.app, app_account_move(f.bob, "*", msgs->pdata[0], "Archive", false));
	g_assert_nonnull(strstr(assert_fails(evs), "tags"));
	g_ptr_array_unref(evs);
	/* An IMAP account has no fetch and no tags. */
	struct app_account *imap = g_ptr_array_index(f.accs, 1);
	evs = wait_job(f.app, app_account_tag(imap, "INBOX", msgs->pdata[0], "x", NULL));
	g_assert_nonnull(strstr(assert_fails(evs), "not available"));
	g_ptr_array_unref(evs);
	evs = wait_job(f.app, app_account_fetch(imap));
	g_assert_nonnull(strstr(assert_fails(evs), "not available"));
	g_ptr_array_unref(evs);

	app_msg_free(read);
	app_msg_free(flagged);
	app_msg_free(unread);
	app_msg_free(tagged);
	app_msg_free(deleted);
	g_ptr_array_unref(msgs);
	fx_close(&f);
}

/* A file notmuch refuses stays reachable: its own folder, readable. */
static void test_unindexed_folder(void)
{
	struct fx f;
	fx_open(&f, testenv_port("POP3S_PORT"), NULL);
	g_assert_cmpint(local_maildir_ensure(f.maildir), ==, 0);
	char *junk = g_build_filename(f.maildir, "new", "junk-1", NULL);
	g_assert_true(g_file_set_contents(junk,
		"From nobody Mon Jan  1 00:00:00 2024\n"
		"Subject: =?UTF-8?Q?Ghi_ch=C3=BA?=\n\nnot quite mail\n", -1, NULL));
	const char *rel[] = { "new/junk-1" };
	g_assert_cmpint(local_unindexed_add(f.maildir, rel, 1), ==, 0);
	GPtrArray *fs = folders(&f);
	const struct app_folder *u = folder_named(fs, "Unindexed");
	g_assert_nonnull(u);
	g_assert_cmpint(u->total, ==, 1);
	char *id = g_strdup(u->id);
	g_ptr_array_unref(fs);
	GPtrArray *msgs = open_folder(&f, id, NULL);
	g_assert_cmpuint(msgs->len, ==, 1);
	const struct app_msg *m = msgs->pdata[0];
	g_assert_null(m->key);
	g_assert_cmpstr(m->path, ==, junk);
	g_test_message("unindexed: from \"%s\" subject \"%s\"", m->from, m->subject);
	g_assert_cmpstr(m->subject, ==, "Ghi chú");
	struct mime_view_opts vo = { .html_no_command = true, .cols = 80 };
	GPtrArray *evs = wait_job(f.app, app_account_open_message(f.bob, id, m, &vo));
	assert_ok(evs);
	size_t nl = 0;
	const struct mime_line *lines = mime_view_lines(find(evs, APP_EV_VIEW)->data, &nl);
	bool body = false;
	for (size_t i = 0; i < nl; i++)
		body |= strstr(lines[i].text, "not quite mail") != NULL;
	g_assert_true(body);
	g_ptr_array_unref(evs);
	evs = wait_job(f.app, app_account_tag(f.bob, id, m, "x", NULL));
	assert_fails(evs);
	g_ptr_array_unref(evs);
	g_ptr_array_unref(msgs);
	g_free(id);
	g_free(junk);
	fx_close(&f);
}

/* Configured folders replace the defaults, in their order. */
static void test_configured_folders(void)
{
	struct fx f;
	fx_open(&f, testenv_port("POP3S_PORT"),
		"folders = Việt=tag:vi; Attachments=tag:attachment and not tag:deleted;"
		" Bad=date:x\n");
	GPtrArray *fs = folders(&f);
	g_assert_cmpuint(fs->len, ==, 3);
	g_assert_cmpstr(((struct app_folder *)fs->pdata[0])->display, ==, "Việt");
	g_assert_cmpint(((struct app_folder *)fs->pdata[0])->total, ==, 0);
	/* A folder whose query notmuch rejects has no counts... */
	g_assert_cmpint(((struct app_folder *)fs->pdata[2])->total, ==, -1);
	g_ptr_array_unref(fs);
	/* ...and opening it says why. */
	GPtrArray *evs = wait_job(f.app, app_account_open_folder(f.bob, "date:x"));
	g_assert_nonnull(strstr(assert_fails(evs), "date"));
	g_ptr_array_unref(evs);
	fx_close(&f);
}

/* Writing from a POP3 account: reply and forward read the whole file,
 * drafts and the Sent copy go into the Maildir with their tags, a
 * resumed draft is deleted for good, the original is marked replied. */
static void test_compose_store(void)
{
	struct fx f;
	char *smtp = g_strdup_printf("smtp_url = smtp://%s:%u\n", testenv_get("HOST"),
		testenv_port("SMTP_PORT"));
	fx_open(&f, testenv_port("POP3S_PORT"), smtp);
	g_free(smtp);
	fetch_bob(&f, (size_t)-1);
	GPtrArray *msgs = open_folder(&f, "tag:inbox", NULL);
	const struct app_msg *orig = msg_with_subject(msgs, "Thư số 14: meeting");

	/* The whole message, as the file has it. */
	GPtrArray *evs = wait_job(f.app, app_account_fetch_raw(f.bob, "tag:inbox", orig));
	assert_ok(evs);
	GBytes *raw = find(evs, APP_EV_RAW)->data;
	char *file = NULL;
	gsize flen = 0;
	g_assert_true(g_file_get_contents(orig->path, &file, &flen, NULL));
	g_assert_cmpmem(g_bytes_get_data(raw, NULL), g_bytes_get_size(raw), file, flen);
	g_free(file);
	g_ptr_array_unref(evs);

	/* Postpone twice: the second replaces the first. */
	struct mime_draft *d = mime_draft_new();
	d->to = g_strdup("someone@elsewhere.test");
	d->subject = g_strdup("Nháp thư");
	d->body = g_strdup("Bản nháp.\n");
	evs = wait_job(f.app, app_account_postpone(f.bob, d, NULL));
	assert_ok(evs);
	g_ptr_array_unref(evs);
	GPtrArray *drafts = open_folder(&f, "tag:draft", NULL);
	g_assert_cmpuint(drafts->len, ==, 1);
	const struct app_msg *d1 = drafts->pdata[0];
	g_assert_true(d1->flags & APP_MSG_DRAFT);
	g_assert_true(d1->flags & APP_MSG_SEEN);
	char *ff = file_flags(d1->path);
	g_assert_cmpstr(ff, ==, "cur DS");
	g_free(ff);
	char *d1_path = g_strdup(d1->path);
	d = mime_draft_new();
	d->to = g_strdup("someone@elsewhere.test");
	d->subject = g_strdup("Nháp thư (2)");
	d->body = g_strdup("Bản nháp thứ hai.\n");
	struct app_send_ref ref = { .draft_folder = "tag:draft", .draft_msg = d1 };
	evs = wait_job(f.app, app_account_postpone(f.bob, d, &ref));
	assert_ok(evs);
	g_ptr_array_unref(evs);
	g_assert_false(g_file_test(d1_path, G_FILE_TEST_EXISTS));
	g_free(d1_path);
	g_ptr_array_unref(drafts);
	drafts = open_folder(&f, "tag:draft", NULL);
	g_assert_cmpuint(drafts->len, ==, 1);
	g_assert_cmpstr(((struct app_msg *)drafts->pdata[0])->subject, ==, "Nháp thư (2)");

	/* Send it as a reply (to another domain: the SMTP server only logs
	 * it): the Sent copy is stored, read; the original is replied; the
	 * draft is gone. */
	d = mime_draft_new();
	d->to = g_strdup("someone@elsewhere.test");
	d->subject = g_strdup("Re: Thư số 14: meeting");
	d->body = g_strdup("Cảm ơn.\n");
	struct app_send_ref sref = { .reply_folder = "tag:inbox", .reply_msg = orig,
		.draft_folder = "tag:draft", .draft_msg = drafts->pdata[0] };
	evs = wait_job(f.app, app_account_send(f.bob, d, &sref));
	assert_ok(evs);
	g_test_message("send: %s", last(evs)->text ? last(evs)->text : "ok");
	g_assert_null(last(evs)->text); /* no warning: the copy was stored */
	g_ptr_array_unref(evs);
	GPtrArray *sent = open_folder(&f, "tag:sent", NULL);
	g_assert_cmpuint(sent->len, ==, 1);
	const struct app_msg *copy = sent->pdata[0];
	g_assert_cmpstr(copy->subject, ==, "Re: Thư số 14: meeting");
	g_assert_nonnull(strstr(copy->tags, "bob"));
	ff = file_flags(copy->path);
	g_assert_cmpstr(ff, ==, "cur S");
	g_free(ff);
	GPtrArray *replied = open_folder(&f, "tag:replied", NULL);
	g_assert_cmpuint(replied->len, ==, 1);
	g_assert_cmpstr(((struct app_msg *)replied->pdata[0])->key, ==, orig->key);
	ff = file_flags(((struct app_msg *)replied->pdata[0])->path);
	g_assert_cmpstr(ff, ==, "cur R");
	g_free(ff);
	GPtrArray *none = open_folder(&f, "tag:draft", NULL);
	g_assert_cmpuint(none->len, ==, 0);
	g_ptr_array_unref(none);
	g_ptr_array_unref(replied);
	g_ptr_array_unref(sent);
	g_ptr_array_unref(drafts);
	g_ptr_array_unref(msgs);
	fx_close(&f);
}

/* No server: reading works, fetch says it cannot reach it, by name. */
static void test_fetch_offline(void)
{
	struct fx f;
	fx_open(&f, 9, NULL); /* the discard port: nothing listens on it here */
	GPtrArray *evs = wait_job(f.app, app_account_fetch(f.bob));
	char *text = assert_fails(evs);
	g_assert_nonnull(strstr(text, "Fetching bob failed"));
	g_assert_nonnull(strstr(text, testenv_get("HOST")));
	const struct got *g = find(evs, APP_EV_FETCHED);
	g_assert_nonnull(g);
	g_assert_cmpint(g->status, !=, 0);
	g_ptr_array_unref(evs);
	GPtrArray *fs = folders(&f);
	g_assert_cmpuint(fs->len, ==, 6);
	g_ptr_array_unref(fs);
	fx_close(&f);
}

static char *state_dir;

/* Each test in a fresh directory: its own Maildir and UIDL state (the
 * state directory is set once, before any thread exists). */
static void fresh(void (*fn)(void))
{
	dir = g_dir_make_tmp("mailtui-local-app-XXXXXX", NULL);
	char *uidl = g_build_filename(state_dir, "mailtui", NULL);
	testfs_rm_rf(uidl);
	fn();
	testfs_rm_rf(dir);
	g_free(uidl);
	g_free(dir);
}

static void t_read(void)
{
	fresh(test_read_offline_store);
}
static void t_unindexed(void)
{
	fresh(test_unindexed_folder);
}
static void t_folders(void)
{
	fresh(test_configured_folders);
}
static void t_compose(void)
{
	fresh(test_compose_store);
}
static void t_offline(void)
{
	fresh(test_fetch_offline);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	testenv_get("POP3S_PORT"); /* skip early without servers */
	state_dir = g_dir_make_tmp("mailtui-local-state-XXXXXX", NULL);
	g_setenv("XDG_STATE_HOME", state_dir, TRUE);
	net_global_init();
	mime_init();
	g_test_add_func("/local-account/read", t_read);
	g_test_add_func("/local-account/unindexed", t_unindexed);
	g_test_add_func("/local-account/configured-folders", t_folders);
	g_test_add_func("/local-account/compose-store", t_compose);
	g_test_add_func("/local-account/fetch-offline", t_offline);
	int r = g_test_run();
	testfs_rm_rf(state_dir);
	g_free(state_dir);
	return r;
}
