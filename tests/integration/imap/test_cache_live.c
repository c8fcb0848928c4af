/* test_cache_live.c - the IMAP backend's header cache and live updates
 * against the real Dovecot, through the same account API the screen
 * uses.  Each run works in a folder of carol's of its own.
 *
 * Proved from the debug log's wire lines (the commands mailtui sent):
 * a second open re-SELECTs with QRESYNC and fetches headers only for the
 * UIDs the cache did not have; flag changes and expunges made by another
 * client arrive as events; a UIDVALIDITY change or a damaged cache file
 * makes the whole folder come from the server again; and mail delivered
 * while the folder is open appears without any request from the UI.
 *
 * A cold load split over two connections is also run through a small
 * TCP proxy inside the test (TLS stays end to end), which fails or holds
 * the split's second connection: the fallback and the cancel path. */
#include <arpa/inet.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "app/app.h"
#include "common.h"
#include "config/config.h"
#include "core/core.h"

static struct app *app;
static GPtrArray *accounts;
static struct app_account *acc;      /* the account the helpers use */
static const char *acc_name = "cachetest";
static char *folder, *tmpdir, *log_path, *key;

/* ---- running the loop until something happened ------------------------ */

struct seen {
	uint64_t job; /* job to wait for (0: none) */
	bool done;
	bool cancelled;   /* it ended as APP_EV_JOB_CANCELLED */
	bool cancel_sent; /* first_chunk_then_cancel asked for it */
	int status;
	char *text;
	GPtrArray *msgs;   /* struct app_msg* copies, all MSGS events */
	guint first_chunk; /* rows in the first MSGS event */
	GPtrArray *live;   /* rows of MSGS events with job 0 */
	GArray *vanished;
	GArray *flags;      /* pairs uid, flags */
	long total, unread; /* last APP_EV_FOLDER_STATUS, -1 when none */
	bool (*until)(struct seen *);
	gint64 deadline;
};

static void seen_init(struct seen *s)
{
	memset(s, 0, sizeof *s);
	s->msgs = g_ptr_array_new_with_free_func(app_msg_free);
	s->live = g_ptr_array_new_with_free_func(app_msg_free);
	s->vanished = g_array_new(FALSE, FALSE, sizeof(guint32));
	s->flags = g_array_new(FALSE, FALSE, sizeof(guint32));
	s->total = s->unread = -1;
}

static void seen_clear(struct seen *s)
{
	g_ptr_array_unref(s->msgs);
	g_ptr_array_unref(s->live);
	g_array_unref(s->vanished);
	g_array_unref(s->flags);
	g_free(s->text);
}

static void on_event(void *ctx, struct app_event *ev)
{
	struct seen *s = ctx;
	/* Both accounts' workers number their jobs from 1. */
	if (ev->account >= 0 && ev->account != app_account_index(acc))
		goto check;
	if (ev->type == (enum app_event_type)APP_EV_MSGS) {
		GPtrArray *chunk = ev->data;
		if (ev->job && !s->msgs->len && !s->first_chunk)
			s->first_chunk = chunk->len;
		for (guint i = 0; i < chunk->len; i++)
			g_ptr_array_add(ev->job ? s->msgs : s->live, g_ptr_array_index(chunk, i));
		g_ptr_array_set_free_func(chunk, NULL); /* the rows moved to us */
	} else if (ev->type == (enum app_event_type)APP_EV_VANISHED) {
		GArray *u = ev->data;
		g_array_append_vals(s->vanished, u->data, u->len);
	} else if (ev->type == (enum app_event_type)APP_EV_FLAGS) {
		const struct app_msg *m = ev->data;
		guint32 pair[2] = {m->uid, m->flags};
		g_array_append_vals(s->flags, pair, 2);
	} else if (ev->type == (enum app_event_type)APP_EV_FOLDER_STATUS) {
		const struct app_folder *f = ev->data;
		s->total = f->total;
		s->unread = f->unread;
	} else if ((ev->type == APP_EV_JOB_DONE || ev->type == APP_EV_JOB_CANCELLED) &&
		   ev->job == s->job) {
		s->done = true;
		s->cancelled = ev->type == APP_EV_JOB_CANCELLED;
		s->status = ev->status;
		s->text = g_strdup(ev->text);
	}
check:
	if (s->until(s) || g_get_monotonic_time() > s->deadline)
		app_quit(app);
}

static volatile int ticking;

/* Wakes the loop now and then so a deadline is noticed. */
static void *ticker(void *arg)
{
	(void)arg;
	while (core_flag_raised(&ticking)) {
		app_post(app, app_event_new(APP_EV_USER, -1, 0, NULL));
		g_usleep(200 * 1000);
	}
	return NULL;
}

static void run(struct seen *s, bool (*until)(struct seen *), int seconds)
{
	s->until = until;
	s->deadline = g_get_monotonic_time() + (gint64)seconds * G_USEC_PER_SEC;
	const struct app_loop_handlers h = {.ctx = s, .on_event = on_event};
	pthread_t t;
	__atomic_store_n(&ticking, 1, __ATOMIC_RELAXED);
	pthread_create(&t, NULL, ticker, NULL);
	app_loop_run(app, &h);
	__atomic_store_n(&ticking, 0, __ATOMIC_RELAXED);
	pthread_join(t, NULL);
}

static bool job_done(struct seen *s)
{
	return s->done;
}

static void close_folder(void)
{
	struct seen x;
	seen_init(&x);
	x.job = app_account_close_folder(acc, folder);
	run(&x, job_done, 30);
	seen_clear(&x);
}

static void open_folder(struct seen *s)
{
	seen_init(s);
	s->job = app_account_open_folder(acc, folder);
	run(s, job_done, 60);
	if (!s->done)
		g_error("opening %s did not finish", folder);
	if (s->status != 0 || s->cancelled)
		g_error("opening %s failed: %s", folder, s->text);
}

/* ---- helpers --------------------------------------------------------- */

static void deliver(const char *subject)
{
	char *path = g_build_filename(tmpdir, "msg.eml", NULL);
	char *body = g_strdup_printf("From: Bình <binh@example.test>\nTo: carol@example.test\n"
	                             "Subject: %s\nMessage-ID: <%s.%d@example.test>\n"
	                             "Date: Mon, 1 Jan 2024 10:00:00 +0000\n\nHello.\n",
	                             subject, subject, (int)getpid());
	g_assert_true(g_file_set_contents(path, body, -1, NULL));
	g_setenv("FOLDER", folder, TRUE);
	g_assert_cmpint(testenv_deliver(testenv_get("USER3"), path), ==, 0);
	g_unsetenv("FOLDER");
	g_free(body);
	g_free(path);
}

static size_t log_size(void)
{
	struct stat st;
	return stat(log_path, &st) == 0 ? (size_t)st.st_size : 0;
}

/* Client lines of the debug log written since offset. */
static GPtrArray *wire_since(size_t offset)
{
	gchar *all;
	gsize len;
	g_assert_true(g_file_get_contents(log_path, &all, &len, NULL));
	GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
	char **lines = g_strsplit(offset < len ? all + offset : "", "\n", -1);
	for (char **l = lines; *l; l++)
		if (strstr(*l, " C: "))
			g_ptr_array_add(out, g_strdup(*l));
	g_strfreev(lines);
	g_free(all);
	return out;
}

/* Lines fetching index rows (their header fields); each must ask for
 * only_set when given. */
static guint header_fetches(GPtrArray *wire, const char *only_set)
{
	guint n = 0;
	for (guint i = 0; i < wire->len; i++) {
		const char *l = g_ptr_array_index(wire, i);
		if (!strstr(l, "UID FETCH") || !strstr(l, "HEADER.FIELDS (From"))
			continue;
		n++;
		if (only_set) {
			char *want = g_strdup_printf("UID FETCH %s ", only_set);
			if (!strstr(l, want))
				g_error("fetched more than the new UIDs: %s", l);
			g_free(want);
		}
	}
	return n;
}

static bool has_line(GPtrArray *wire, const char *a, const char *b)
{
	for (guint i = 0; i < wire->len; i++) {
		const char *l = g_ptr_array_index(wire, i);
		if (strstr(l, a) && (!b || strstr(l, b)))
			return true;
	}
	return false;
}

static char *cache_file(void)
{
	return imap_cache_path(acc_name, folder);
}

static struct imap_cache *load_cache(void)
{
	char *path = cache_file();
	struct imap_cache *c = NULL;
	enum imap_cache_result r = imap_cache_load(path, key, &c);
	if (r != IMAP_CACHE_OK)
		g_error("cache %s: %s", path, imap_cache_result_name(r));
	g_free(path);
	return c;
}

static const struct app_msg *find_subject(GPtrArray *msgs, const char *subject)
{
	for (guint i = 0; i < msgs->len; i++) {
		const struct app_msg *m = g_ptr_array_index(msgs, i);
		if (g_strcmp0(m->subject, subject) == 0)
			return m;
	}
	return NULL;
}

/* ---- the test, in steps that build on each other --------------------- */

static uint32_t uid_flagged, uid_gone;

static void test_cold_then_warm(void)
{
	for (int i = 1; i <= 5; i++) {
		char subject[32];
		snprintf(subject, sizeof subject, "cached %d", i);
		deliver(subject);
	}
	struct seen a;
	open_folder(&a);
	g_assert_cmpuint(a.msgs->len, ==, 5);
	g_assert_nonnull(find_subject(a.msgs, "cached 3"));
	g_assert_cmpstr(((struct app_msg *)a.msgs->pdata[0])->from, ==, "Bình");
	struct imap_cache *c = load_cache();
	g_assert_cmpuint(imap_cache_count(c), ==, 5);
	g_assert_cmpuint(imap_cache_uidnext(c), ==, imap_cache_max_uid(c) + 1);
	g_assert_cmpuint(imap_cache_modseq(c), >, 0);
	imap_cache_free(c);
	uid_flagged = find_subject(a.msgs, "cached 2")->uid;
	uid_gone = find_subject(a.msgs, "cached 4")->uid;
	seen_clear(&a);
	close_folder();

	/* Meanwhile another client flags one, expunges one; two arrive. */
	struct imap_session *s = session_open(CAROL, true);
	CHECK_OK(s, imap_select(s, folder, NULL, NULL));
	char set[16];
	snprintf(set, sizeof set, "%u", uid_flagged);
	CHECK_OK(s, imap_uid_store(s, set, IMAP_STORE_ADD, "\\Flagged", true, NULL));
	snprintf(set, sizeof set, "%u", uid_gone);
	CHECK_OK(s, imap_uid_store(s, set, IMAP_STORE_ADD, "\\Deleted", true, NULL));
	CHECK_OK(s, imap_uid_expunge(s, set, NULL));
	imap_logout(s, NULL);
	imap_session_free(s);
	deliver("new 6");
	deliver("new 7");

	size_t offset = log_size();
	struct seen b;
	open_folder(&b);
	/* The cached rows came first, all of them. */
	g_assert_cmpuint(b.first_chunk, ==, 5);
	g_assert_nonnull(find_subject(b.msgs, "new 6"));
	g_assert_nonnull(find_subject(b.msgs, "new 7"));
	g_assert_cmpuint(b.msgs->len, ==, 7); /* 5 cached + 2 new */
	g_assert_cmpuint(b.vanished->len, ==, 1);
	g_assert_cmpuint(g_array_index(b.vanished, guint32, 0), ==, uid_gone);
	bool flagged = false;
	for (guint i = 0; i < b.flags->len; i += 2)
		if (g_array_index(b.flags, guint32, i) == uid_flagged)
			flagged = g_array_index(b.flags, guint32, i + 1) & APP_MSG_FLAGGED;
	g_assert_true(flagged);
	GPtrArray *wire = wire_since(offset);
	g_assert_true(has_line(wire, "SELECT", "(QRESYNC ("));
	/* Headers were fetched for the two new UIDs only. */
	char *newset = g_strdup_printf("%u:%u", find_subject(b.msgs, "new 6")->uid,
	                               find_subject(b.msgs, "new 7")->uid);
	g_assert_cmpuint(header_fetches(wire, newset), ==, 1);
	g_free(newset);
	g_ptr_array_unref(wire);
	seen_clear(&b);

	c = load_cache();
	g_assert_cmpuint(imap_cache_count(c), ==, 6);
	g_assert_cmpint(imap_cache_find(c, uid_gone), ==, -1);
	struct imap_cache_msg cm;
	imap_cache_get(c, (size_t)imap_cache_find(c, uid_flagged), &cm);
	g_assert_true(cm.flags & IMAP_FLAG_FLAGGED);
	imap_cache_free(c);

	/* Nothing changed: a third open fetches no headers at all. */
	offset = log_size();
	struct seen d;
	open_folder(&d);
	g_assert_cmpuint(d.msgs->len, ==, 6);
	wire = wire_since(offset);
	g_assert_cmpuint(header_fetches(wire, NULL), ==, 0);
	g_ptr_array_unref(wire);
	seen_clear(&d);
}

/* A cache written under another UIDVALIDITY: every row is dropped and
 * the folder comes from the server again. */
static void test_uidvalidity_change(void)
{
	close_folder(); /* saves and forgets it: the next open reads the file */
	struct imap_cache *c = load_cache();
	struct imap_cache *other = imap_cache_new(key, imap_cache_uidvalidity(c) + 1);
	for (size_t i = 0; i < imap_cache_count(c); i++) {
		struct imap_cache_msg m;
		imap_cache_get(c, i, &m);
		imap_cache_put(other, &m);
	}
	imap_cache_set_sync(other, imap_cache_uidnext(c), imap_cache_modseq(c));
	char *path = cache_file();
	g_assert_cmpint(imap_cache_save(other, path), ==, 0);
	imap_cache_free(other);

	size_t offset = log_size();
	struct seen s;
	open_folder(&s);
	g_assert_cmpuint(s.first_chunk, ==, 6);   /* shown from the cache at first */
	g_assert_cmpuint(s.vanished->len, ==, 6); /* then all withdrawn */
	g_assert_cmpuint(s.msgs->len, ==, 12);    /* and fetched again */
	GPtrArray *wire = wire_since(offset);
	char *all = g_strdup_printf("1:%u", imap_cache_max_uid(c));
	g_assert_cmpuint(header_fetches(wire, all), ==, 1);
	g_free(all);
	g_ptr_array_unref(wire);
	seen_clear(&s);
	imap_cache_free(c);
	c = load_cache();
	g_assert_cmpuint(imap_cache_count(c), ==, 6);
	imap_cache_free(c);
	g_free(path);
}

/* A damaged cache file is not used, and is rebuilt. */
static void test_corrupt_cache(void)
{
	close_folder();
	char *path = cache_file();
	gchar *data;
	gsize len;
	g_assert_true(g_file_get_contents(path, &data, &len, NULL));
	data[len / 2] ^= 0x20;
	g_assert_true(g_file_set_contents(path, data, (gssize)len, NULL));
	g_free(data);

	size_t offset = log_size();
	struct seen s;
	open_folder(&s);
	g_assert_cmpuint(s.msgs->len, ==, 6); /* nothing from the cache: all from the server */
	GPtrArray *wire = wire_since(offset);
	g_assert_cmpuint(header_fetches(wire, NULL), ==, 1);
	g_assert_false(has_line(wire, "SELECT", "QRESYNC"));
	g_ptr_array_unref(wire);
	gchar *log;
	g_assert_true(g_file_get_contents(log_path, &log, NULL, NULL));
	g_assert_nonnull(strstr(log + offset, ": checksum, 0 messages"));
	g_free(log);
	seen_clear(&s);
	struct imap_cache *c = load_cache(); /* valid again */
	g_assert_cmpuint(imap_cache_count(c), ==, 6);
	imap_cache_free(c);
	g_free(path);
}

static bool live_arrived(struct seen *s)
{
	return find_subject(s->live, "live 8") && s->total == 7;
}

static bool live_gone(struct seen *s)
{
	return s->vanished->len > 0 && s->total == 6;
}

/* The folder is open (the last test left it so): mail delivered now
 * arrives by itself, and so does an expunge by another client. */
static void test_live(void)
{
	struct seen s;
	seen_init(&s);
	deliver("live 8");
	run(&s, live_arrived, 30);
	if (!live_arrived(&s))
		g_error("the delivered message did not arrive (%u live rows, total %ld)",
		        s.live->len, s.total);
	uint32_t uid = find_subject(s.live, "live 8")->uid;
	seen_clear(&s);

	struct imap_session *c = session_open(CAROL, true);
	CHECK_OK(c, imap_select(c, folder, NULL, NULL));
	char set[16];
	snprintf(set, sizeof set, "%u", uid);
	CHECK_OK(c, imap_uid_store(c, set, IMAP_STORE_ADD, "\\Deleted", true, NULL));
	CHECK_OK(c, imap_uid_expunge(c, set, NULL));
	imap_logout(c, NULL);
	imap_session_free(c);
	seen_init(&s);
	run(&s, live_gone, 30);
	g_assert_cmpuint(s.vanished->len, ==, 1);
	g_assert_cmpuint(g_array_index(s.vanished, guint32, 0), ==, uid);
	seen_clear(&s);
}

static int cmp_uid(gconstpointer a, gconstpointer b)
{
	guint32 x = *(const guint32 *)a, y = *(const guint32 *)b;
	return x < y ? -1 : x > y;
}

/* ---- a split load ---------------------------------------------------- */

/* A new folder of carol's (made the current one, with its cache key for
 * the current account) holding UIDs 1..900 less 10, 450 and 800: above
 * the split threshold (lowered to 100 in main), with gaps in either half.
 * Split at 351: the newest chunk 701:900, the worker 351:700, the second
 * session 1:350. */
static void set_key(void)
{
	g_free(key);
	key = g_strdup_printf("%s\n%s@%s:%u\n%s", acc_name, testenv_get("USER3"),
	                      app_account_config(acc)->imap.host,
	                      app_account_config(acc)->imap.port, folder);
}

static void split_folder_new(const char *prefix)
{
	g_free(folder);
	folder = g_strdup_printf("%s-%d-%" G_GINT64_FORMAT, prefix, (int)getpid(),
	                         g_get_real_time() % 1000000);
	set_key();
	deliver("split 0"); /* creates the folder */
	struct imap_session *c = session_open(CAROL, true);
	for (int i = 1; i < 900; i++) {
		char *msg = g_strdup_printf("From: Split <split@example.test>\r\n"
		                            "Subject: split %d\r\nMessage-ID: <split.%d.%d@test>\r\n"
		                            "Date: Mon, 1 Jan 2024 10:00:00 +0000\r\n\r\nBody.\r\n",
		                            i, i, (int)getpid());
		CHECK_OK(c, imap_append(c, folder, NULL, 0, msg, strlen(msg), NULL, NULL, NULL));
		g_free(msg);
	}
	CHECK_OK(c, imap_select(c, folder, NULL, NULL));
	CHECK_OK(c, imap_uid_store(c, "10,450,800", IMAP_STORE_ADD, "\\Deleted", true, NULL));
	CHECK_OK(c, imap_uid_expunge(c, "10,450,800", NULL));
	imap_logout(c, NULL);
	imap_session_free(c);
}

/* The UIDs of msgs, sorted, each checked to be there exactly once. */
static GArray *split_uids(GPtrArray *msgs)
{
	GArray *uids = g_array_new(FALSE, FALSE, sizeof(guint32));
	for (guint i = 0; i < msgs->len; i++)
		g_array_append_val(uids, ((struct app_msg *)msgs->pdata[i])->uid);
	g_array_sort(uids, cmp_uid);
	for (guint i = 1; i < uids->len; i++)
		if (g_array_index(uids, guint32, i) == g_array_index(uids, guint32, i - 1))
			g_error("UID %u arrived twice", g_array_index(uids, guint32, i));
	return uids;
}

/* Every UID of the split folder exactly once, in msgs and in the cache
 * file written afterwards. */
static void check_split_whole(GPtrArray *msgs)
{
	GArray *uids = split_uids(msgs);
	g_assert_cmpuint(uids->len, ==, 897);
	guint32 want = 1;
	for (guint i = 0; i < uids->len; i++, want++) {
		while (want == 10 || want == 450 || want == 800)
			want++;
		g_assert_cmpuint(g_array_index(uids, guint32, i), ==, want);
	}
	struct imap_cache *cache = load_cache();
	g_assert_cmpuint(imap_cache_count(cache), ==, 897);
	for (guint i = 0; i < uids->len; i++) {
		struct imap_cache_msg cm;
		imap_cache_get(cache, i, &cm);
		g_assert_cmpuint(cm.uid, ==, g_array_index(uids, guint32, i));
		g_assert_true(g_str_has_prefix(cm.subject, "split "));
	}
	imap_cache_free(cache);
	g_array_unref(uids);
}

/* The debug log since offset has line, or the test fails showing it. */
static void log_has(size_t offset, const char *line)
{
	gchar *log;
	g_assert_true(g_file_get_contents(log_path, &log, NULL, NULL));
	if (!strstr(log + offset, line))
		g_error("the log does not say \"%s\":\n%s", line, log + offset);
	g_free(log);
}

/* A cold load above the split threshold (lowered to 100 in main) fetches
 * its older half on a second connection: every UID arrives exactly once,
 * and the cache written afterwards holds every row, from both halves. */
static void test_split_load(void)
{
	close_folder();
	split_folder_new("SplitTest");
	size_t offset = log_size();
	struct seen s;
	open_folder(&s);
	g_assert_cmpuint(s.first_chunk, ==, 199); /* the newest chunk (701:900 less 800) first */
	log_has(offset, ": split at 351, second session ok, 349 rows");
	check_split_whole(s.msgs);
	seen_clear(&s);
}

/* ---- a pass-through proxy to Dovecot's IMAPS port -----------------------
 * Forwards each connection byte for byte (TLS stays end to end, so the
 * certificate checks as usual), except the next one after proxy_arm(),
 * which gets the fault armed. */

enum proxy_fault { PROXY_PASS, PROXY_CLOSE, PROXY_HOLD };

static struct {
	int fd;
	unsigned port;
	pthread_t thread;
	int stop;
	GMutex lock;
	GPtrArray *conns; /* struct proxy_conn*, joined at the end */
	int next;         /* enum proxy_fault for the next connection */
	int live;         /* connections open through it (forwarded or held) */
	int faults;       /* faults applied */
	int held_closed;  /* held connections the client closed */
} proxy;

struct proxy_conn {
	int client;
	int fault;
	pthread_t thread;
};

static bool proxy_stopping(void)
{
	return g_atomic_int_get(&proxy.stop) != 0;
}

static int proxy_upstream(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = {.sin_family = AF_INET,
	                        .sin_port = htons((uint16_t)testenv_port("IMAPS_PORT"))};
	inet_pton(AF_INET, testenv_get("HOST"), &a.sin_addr);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

static bool copy_some(int from, int to)
{
	char buf[16384];
	ssize_t n = recv(from, buf, sizeof buf, 0);
	if (n <= 0)
		return false;
	for (ssize_t off = 0; off < n;) {
		ssize_t w = send(to, buf + off, (size_t)(n - off), MSG_NOSIGNAL);
		if (w <= 0)
			return false;
		off += w;
	}
	return true;
}

static void *proxy_conn_main(void *arg)
{
	struct proxy_conn *c = arg;
	if (c->fault == PROXY_HOLD) {
		/* Nothing goes on: the client waits for the server's TLS
		 * answer until it gives up and closes. */
		while (!proxy_stopping()) {
			struct pollfd p = {.fd = c->client, .events = POLLIN};
			if (poll(&p, 1, 100) <= 0)
				continue;
			char buf[4096];
			if (recv(c->client, buf, sizeof buf, 0) <= 0) {
				g_atomic_int_inc(&proxy.held_closed);
				break;
			}
		}
	} else {
		int up = proxy_upstream();
		while (up >= 0 && !proxy_stopping()) {
			struct pollfd p[2] = {{.fd = c->client, .events = POLLIN},
			                      {.fd = up, .events = POLLIN}};
			if (poll(p, 2, 100) <= 0)
				continue;
			if ((p[0].revents && !copy_some(c->client, up)) ||
			    (p[1].revents && !copy_some(up, c->client)))
				break;
		}
		if (up >= 0)
			close(up);
	}
	close(c->client);
	g_atomic_int_add(&proxy.live, -1);
	return NULL;
}

static void *proxy_main(void *arg)
{
	(void)arg;
	while (!proxy_stopping()) {
		struct pollfd p = {.fd = proxy.fd, .events = POLLIN};
		if (poll(&p, 1, 100) <= 0)
			continue;
		int fd = accept4(proxy.fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		g_mutex_lock(&proxy.lock);
		int fault = proxy.next;
		proxy.next = PROXY_PASS;
		g_mutex_unlock(&proxy.lock);
		if (fault != PROXY_PASS)
			g_atomic_int_inc(&proxy.faults);
		if (fault == PROXY_CLOSE) {
			close(fd);
			continue;
		}
		struct proxy_conn *c = g_new0(struct proxy_conn, 1);
		c->client = fd;
		c->fault = fault;
		g_atomic_int_inc(&proxy.live);
		pthread_create(&c->thread, NULL, proxy_conn_main, c);
		g_mutex_lock(&proxy.lock);
		g_ptr_array_add(proxy.conns, c);
		g_mutex_unlock(&proxy.lock);
	}
	return NULL;
}

static void proxy_start(void)
{
	proxy.fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = {.sin_family = AF_INET};
	inet_pton(AF_INET, testenv_get("HOST"), &a.sin_addr);
	socklen_t len = sizeof a;
	g_assert_cmpint(bind(proxy.fd, (struct sockaddr *)&a, sizeof a), ==, 0);
	g_assert_cmpint(listen(proxy.fd, 16), ==, 0);
	g_assert_cmpint(getsockname(proxy.fd, (struct sockaddr *)&a, &len), ==, 0);
	proxy.port = ntohs(a.sin_port);
	proxy.conns = g_ptr_array_new_with_free_func(g_free);
	g_mutex_init(&proxy.lock);
	pthread_create(&proxy.thread, NULL, proxy_main, NULL);
}

static void proxy_stop(void)
{
	g_atomic_int_set(&proxy.stop, 1);
	pthread_join(proxy.thread, NULL);
	for (guint i = 0; i < proxy.conns->len; i++)
		pthread_join(((struct proxy_conn *)proxy.conns->pdata[i])->thread, NULL);
	g_ptr_array_unref(proxy.conns);
	g_mutex_clear(&proxy.lock);
	close(proxy.fd);
}

static void proxy_arm(enum proxy_fault f)
{
	g_mutex_lock(&proxy.lock);
	proxy.next = f;
	g_mutex_unlock(&proxy.lock);
}

/* Waits (deadline: seconds) until *counter is want. */
static void wait_count(int *counter, int want, const char *what)
{
	gint64 end = g_get_monotonic_time() + 30 * G_USEC_PER_SEC;
	while (g_atomic_int_get(counter) != want) {
		if (g_get_monotonic_time() > end)
			g_error("%s: %d, not %d", what, g_atomic_int_get(counter), want);
		g_usleep(20 * 1000);
	}
}

static struct app_account *acc_direct, *acc_proxy;
static char *proxy_folder; /* the split folder of the proxy tests, made once */

/* The helpers work on the proxied account, connected (only the worker's
 * connection open), so the next connection it makes is a split's. */
static void use_proxy(void)
{
	close_folder(); /* the direct account's, watcher and all */
	acc = acc_proxy;
	acc_name = "splitproxy";
	struct seen s;
	seen_init(&s);
	s.job = app_account_list_folders(acc);
	run(&s, job_done, 60);
	if (!s.done || s.status != 0)
		g_error("listing through the proxy failed: %s", s.text);
	seen_clear(&s);
	wait_count(&proxy.live, 1, "connections through the proxy");
}

static void use_direct(void)
{
	close_folder(); /* the proxied account's: its next open reads the file */
	acc = acc_direct;
	acc_name = "cachetest";
}

/* The proxied account's split folder, with no cache: the next open is a
 * cold load. */
static void proxy_split_folder(void)
{
	if (!proxy_folder) {
		split_folder_new("SplitProxy");
		proxy_folder = g_strdup(folder);
	} else {
		g_free(folder);
		folder = g_strdup(proxy_folder);
		set_key();
	}
	char *path = cache_file();
	unlink(path);
	g_free(path);
}

/* The second connection of a split load fails at once: the worker
 * fetches what it would have, and nothing is lost. */
static void test_split_fallback(void)
{
	use_proxy();
	proxy_split_folder();
	proxy_arm(PROXY_CLOSE);
	int faults = g_atomic_int_get(&proxy.faults);
	size_t offset = log_size();
	struct seen s;
	open_folder(&s);
	g_assert_cmpint(g_atomic_int_get(&proxy.faults), ==, faults + 1);
	g_assert_cmpuint(s.first_chunk, ==, 199);
	gchar *log;
	g_assert_true(g_file_get_contents(log_path, &log, NULL, NULL));
	const char *line = strstr(log + offset, ": split at 351, second session ");
	if (!line || g_str_has_prefix(line + strlen(": split at 351, second session "), "ok"))
		g_error("the second session did not fail: %s", log + offset);
	g_free(log);
	log_has(offset, ", 0 rows");
	log_has(offset, ": UIDs 1:350 on the first session");
	check_split_whole(s.msgs);
	seen_clear(&s);
	use_direct();
}

static bool first_chunk_then_cancel(struct seen *s)
{
	if (s->first_chunk && !s->cancel_sent) {
		app_account_cancel(acc, s->job);
		s->cancel_sent = true;
	}
	return s->done;
}

/* The open is cancelled while the second connection hangs (the proxy
 * holds it: the job cannot have ended by itself).  The job ends
 * cancelled, the second session is closed, no cache is saved, and the
 * next open fetches every UID exactly once: the rows the cut load left
 * in memory are not taken for the whole folder. */
static void test_split_cancel(void)
{
	use_proxy();
	proxy_split_folder();
	proxy_arm(PROXY_HOLD);
	int faults = g_atomic_int_get(&proxy.faults);
	int held = g_atomic_int_get(&proxy.held_closed);
	size_t offset = log_size();
	struct seen s;
	seen_init(&s);
	s.job = app_account_open_folder(acc, folder);
	/* The session's read timeout is 120 s here: only the cancel ends it. */
	run(&s, first_chunk_then_cancel, 60);
	if (!s.done)
		g_error("the cancelled load did not end (first chunk %u)", s.first_chunk);
	g_assert_cmpint(g_atomic_int_get(&proxy.faults), ==, faults + 1);
	g_assert_true(s.cancel_sent);
	g_assert_true(s.cancelled);
	g_assert_cmpint(s.status, !=, 0);
	GArray *some = split_uids(s.msgs);
	g_assert_cmpuint(some->len, <, 897);
	g_array_unref(some);
	log_has(offset, ": split at 351, second session cancelled, 0 rows");
	wait_count(&proxy.held_closed, held + 1, "held connections closed by mailtui");
	char *path = cache_file();
	g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
	g_free(path);
	seen_clear(&s);

	offset = log_size();
	open_folder(&s);
	log_has(offset, ": split at 351, second session ok, 349 rows");
	check_split_whole(s.msgs);
	seen_clear(&s);
	use_direct();
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	const char *user = testenv_get("USER3"), *pass = testenv_get("PASS3");
	tmpdir = g_dir_make_tmp("mailtui-cache-live-XXXXXX", NULL);
	char *xdg = g_build_filename(tmpdir, "cache", NULL);
	g_setenv("XDG_CACHE_HOME", xdg, TRUE);
	log_path = g_build_filename(tmpdir, "debug.log", NULL);
	g_assert_cmpint(core_log_open(log_path), ==, 0);
	folder = g_strdup_printf("CacheTest-%d-%" G_GINT64_FORMAT, (int)getpid(),
	                         g_get_real_time() % 1000000);
	GString *esc = g_string_new(NULL);
	for (const char *p = pass; *p; p++) {
		if (*p == '"' || *p == '\\')
			g_string_append_c(esc, '\\');
		g_string_append_c(esc, *p);
	}
	proxy_start();
	char *conf = g_strdup_printf("[account cachetest]\nmode = imap\nfrom = %s@example.test\n"
	                             "imap_url = imaps://%s:%s\nuser = %s\npassword = \"%s\"\n"
	                             "tls_ca_file = %s\n"
	                             "[account splitproxy]\nmode = imap\nfrom = %s@example.test\n"
	                             "imap_url = imaps://%s:%u\nuser = %s\npassword = \"%s\"\n"
	                             "tls_ca_file = %s\ntimeout = 120\n",
	                             user, testenv_get("HOST"), testenv_get("IMAPS_PORT"), user,
	                             esc->str, testenv_get("CA"), user, testenv_get("HOST"),
	                             proxy.port, user, esc->str, testenv_get("CA"));
	char *conf_path = g_build_filename(tmpdir, "config", NULL);
	g_assert_true(g_file_set_contents(conf_path, conf, -1, NULL));
	g_chmod(conf_path, 0600);
	struct config *cfg = config_load(conf_path);
	g_assert_false(config_has_errors(cfg));
	key = g_strdup_printf("cachetest\n%s@%s:%s\n%s", user, testenv_get("HOST"),
	                      testenv_get("IMAPS_PORT"), folder);
	/* Small folders split their cold load too (test_split_load). */
	g_setenv("MAILTUI_IMAP_SPLIT_FROM", "100", TRUE);
	app = app_new(-1);
	accounts = app_accounts_new(app, cfg);
	acc = acc_direct = g_ptr_array_index(accounts, 0);
	acc_proxy = g_ptr_array_index(accounts, 1);

	g_test_add_func("/imap/cache-live/cold-then-warm", test_cold_then_warm);
	g_test_add_func("/imap/cache-live/uidvalidity", test_uidvalidity_change);
	g_test_add_func("/imap/cache-live/corrupt", test_corrupt_cache);
	g_test_add_func("/imap/cache-live/live", test_live);
	g_test_add_func("/imap/cache-live/split", test_split_load);
	g_test_add_func("/imap/cache-live/split-fallback", test_split_fallback);
	g_test_add_func("/imap/cache-live/split-cancel", test_split_cancel);
	int r = g_test_run();

	app_accounts_free(accounts);
	app_free(app);
	proxy_stop();
	config_free(cfg);
	core_log_close();
	g_string_free(esc, TRUE);
	g_free(conf);
	g_free(conf_path);
	g_free(xdg);
	g_free(key);
	g_free(folder);
	g_free(proxy_folder);
	g_free(log_path);
	/* tmpdir is kept on failure for the log; removed by the OS's tmp cleaning */
	g_free(tmpdir);
	return r;
}
