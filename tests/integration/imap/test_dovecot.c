/* test_dovecot.c - the IMAP session against the real test Dovecot:
 * login both ways, folders, envelopes, lazy body fetch, flags and moves
 * seen by a second session, APPEND, IDLE. */
#include <unistd.h>

#include "common.h"

#include <string.h>

static void test_connect(void)
{
	for (int implicit = 0; implicit < 2; implicit++) {
		struct imap_session *s = session_open(ALICE, implicit);
		g_assert_cmpint(imap_session_state(s), ==, IMAP_STATE_AUTHENTICATED);
		uint64_t caps = imap_session_caps(s);
		/* Dovecot lists these only after login: we asked again. */
		g_assert_true(caps & IMAP_CAP_MOVE);
		g_assert_true(caps & IMAP_CAP_IDLE);
		g_assert_true(caps & IMAP_CAP_UIDPLUS);
		g_assert_true(imap_session_enabled(s) & IMAP_CAP_QRESYNC);
		CHECK_OK(s, imap_logout(s, NULL));
		g_assert_cmpint(imap_session_state(s), ==, IMAP_STATE_DISCONNECTED);
		imap_session_free(s);
	}
}

static void test_bad_password(void)
{
	struct imap_opts o = {0};
	o.net.host = testenv_get("HOST");
	o.net.port = testenv_port("IMAPS_PORT");
	o.net.tls = NET_TLS_IMPLICIT;
	o.net.ca_file = testenv_get("CA");
	o.net.trust_file = "/dev/null";
	o.user = testenv_get("USER");
	o.password = "wrong password";
	struct imap_session *s = imap_session_new(&o);
	enum imap_status st = imap_session_connect(s, NULL);
	g_assert_cmpint(st, ==, IMAP_ERR_AUTH);
	g_assert_cmpint(imap_status_retry(st), ==, IMAP_RETRY_FINAL);
	g_assert_cmpint(imap_session_state(s), ==, IMAP_STATE_DISCONNECTED);
	g_assert_cmpstr(imap_session_code(s), ==, "AUTHENTICATIONFAILED");
	imap_session_free(s);
}

static const struct imap_folder *find_folder(GPtrArray *fs, const char *name)
{
	for (guint i = 0; i < fs->len; i++) {
		const struct imap_folder *f = g_ptr_array_index(fs, i);
		if (strcmp(f->name, name) == 0)
			return f;
	}
	return NULL;
}

static void test_list_folders(void)
{
	struct imap_session *s = session_open(ALICE, true);
	GPtrArray *fs;
	CHECK_OK(s, imap_list_folders(s, true, &fs, NULL));
	static const struct {
		const char *name;
		enum imap_special special;
		uint32_t messages;
	} want[] = {
		{"INBOX", IMAP_SPECIAL_INBOX, 40}, {"Sent", IMAP_SPECIAL_SENT, 3},
		{"Drafts", IMAP_SPECIAL_DRAFTS, 1}, {"Trash", IMAP_SPECIAL_TRASH, 0},
		{"Junk", IMAP_SPECIAL_JUNK, 0}, {"Archive", IMAP_SPECIAL_ARCHIVE, 3},
		{"Thư mục", IMAP_SPECIAL_NONE, 3},
	};
	for (size_t i = 0; i < G_N_ELEMENTS(want); i++) {
		const struct imap_folder *f = find_folder(fs, want[i].name);
		if (!f)
			g_error("folder %s not listed", want[i].name);
		g_assert_cmpint(f->special, ==, want[i].special);
		g_assert_true(f->has_status);
		g_assert_cmpuint(f->messages, ==, want[i].messages);
		g_assert_true(f->name_valid);
	}
	g_assert_cmpstr(find_folder(fs, "Thư mục")->raw_name, ==, "Th&AbA- m&HuU-c");
	g_assert_cmpuint(find_folder(fs, "INBOX")->unseen, >=, 5);
	g_ptr_array_unref(fs);

	/* STATUS of the non-ASCII folder by its UTF-8 name. */
	struct imap_folder c = {0};
	CHECK_OK(s, imap_mailbox_status(s, "Thư mục", &c, NULL));
	g_assert_cmpuint(c.messages, ==, 3);
	g_assert_cmpint(imap_mailbox_status(s, "No such folder", &c, NULL), ==,
		IMAP_ERR_MAILBOX);
	/* A mailbox-level failure keeps the connection. */
	g_assert_cmpint(imap_session_state(s), ==, IMAP_STATE_AUTHENTICATED);
	imap_session_free(s);
}

struct collect {
	GArray *uids;
	GPtrArray *subjects;
};

static void on_msg(const struct imap_msg *m, void *user)
{
	struct collect *c = user;
	g_assert_true(m->have & IMAP_FETCH_UID);
	g_assert_true(m->have & IMAP_FETCH_ENVELOPE);
	g_assert_true(m->have & IMAP_FETCH_FLAGS);
	g_assert_true(m->have & IMAP_FETCH_HEADERS);
	g_assert_cmpuint(m->size, >, 0);
	g_assert_cmpint(m->internaldate_t, >, 0);
	g_array_append_val(c->uids, m->uid);
	g_ptr_array_add(c->subjects, g_strdup(m->envelope->subject ? m->envelope->subject : ""));
}

static void test_fetch_envelopes(void)
{
	struct imap_session *s = session_open(ALICE, false);
	struct imap_select_opts so = {.read_only = true};
	CHECK_OK(s, imap_select(s, "INBOX", &so, NULL));
	const struct imap_mailbox *mb = imap_session_mailbox(s);
	g_assert_nonnull(mb);
	g_assert_cmpuint(mb->exists, ==, 40);
	g_assert_cmpuint(mb->uidvalidity, >, 0);
	g_assert_cmpuint(mb->uidnext, >, 40);
	g_assert_true(mb->read_only);
	g_assert_cmpuint(mb->highestmodseq, >, 0);

	static const char *headers[] = {"References", "In-Reply-To", "List-Id", NULL};
	struct imap_fetch_opts fo = {
		.items = IMAP_FETCH_UID | IMAP_FETCH_FLAGS | IMAP_FETCH_INTERNALDATE |
			IMAP_FETCH_SIZE | IMAP_FETCH_ENVELOPE | IMAP_FETCH_HEADERS |
			IMAP_FETCH_MODSEQ,
		.headers = headers,
	};
	const char *sets[] = {"31:*", "21:30", "1:20"};
	struct collect c = {g_array_new(FALSE, FALSE, sizeof(uint32_t)),
		g_ptr_array_new_with_free_func(g_free)};
	CHECK_OK(s, imap_uid_fetch(s, sets, G_N_ELEMENTS(sets), &fo, on_msg, &c, NULL));
	g_assert_cmpuint(c.uids->len, ==, 40);
	/* Chunks come back in the order asked: newest first. */
	g_assert_cmpuint(g_array_index(c.uids, uint32_t, 0), ==, 31);
	g_assert_cmpuint(g_array_index(c.uids, uint32_t, 10), ==, 21);
	/* UID 7: RFC 2047 subject left encoded for the MIME layer. */
	const char *subj7 = g_ptr_array_index(c.subjects, 20 + 6);
	g_assert_nonnull(strstr(subj7, "=?"));
	g_array_free(c.uids, TRUE);
	g_ptr_array_unref(c.subjects);
	imap_session_free(s);
}

static const struct imap_body *find_text_part(const struct imap_body *b)
{
	if (g_ascii_strcasecmp(b->type, "TEXT") == 0 && !(b->disposition &&
		g_ascii_strcasecmp(b->disposition, "attachment") == 0))
		return b;
	for (size_t i = 0; i < b->n_parts; i++) {
		const struct imap_body *t = find_text_part(&b->parts[i]);
		if (t)
			return t;
	}
	return NULL;
}

struct bs {
	uint32_t uid;
	char *text_section;
	uint32_t text_size;
	uint32_t biggest;
	char *big_section;
};

static void find_big(const struct imap_body *b, struct bs *r)
{
	if (b->n_parts == 0 && b->size > r->biggest) {
		r->biggest = b->size;
		g_free(r->big_section);
		r->big_section = g_strdup(b->section);
	}
	for (size_t i = 0; i < b->n_parts; i++)
		find_big(&b->parts[i], r);
}

static void on_bodystructure(const struct imap_msg *m, void *user)
{
	struct bs *r = user;
	g_assert_true(m->have & IMAP_FETCH_BODYSTRUCTURE);
	const struct imap_body *t = find_text_part(m->body);
	g_assert_nonnull(t);
	r->uid = m->uid;
	r->text_section = g_strdup(t->section);
	r->text_size = t->size;
	find_big(m->body, r);
}

static void test_lazy_body(void)
{
	struct imap_session *s = session_open(ALICE, true);
	struct imap_select_opts so = {.read_only = true};
	CHECK_OK(s, imap_select(s, "INBOX", &so, NULL));
	struct imap_fetch_opts fo = {.items = IMAP_FETCH_BODYSTRUCTURE | IMAP_FETCH_SIZE};
	const char *set = "22"; /* the message with the 5 MB attachment */
	struct bs r = {0};
	CHECK_OK(s, imap_uid_fetch(s, &set, 1, &fo, on_bodystructure, &r, NULL));
	g_assert_cmpuint(r.uid, ==, 22);
	g_assert_cmpuint(r.biggest, >, 5u << 20);
	g_assert_cmpstr(r.text_section, ==, "1");

	unsigned long long before = imap_session_bytes_read(s);
	GByteArray *body;
	CHECK_OK(s, imap_fetch_section(s, 22, r.text_section, 0, 0, 1 << 20, &body, NULL));
	unsigned long long crossed = imap_session_bytes_read(s) - before;
	g_assert_cmpuint(body->len, ==, r.text_size);
	g_assert_cmpuint(crossed, <, 64 * 1024);
	g_test_message("text part: %u bytes, %llu bytes crossed", body->len, crossed);
	g_byte_array_unref(body);

	/* The attachment over a 100 KB cap: refused after only cap + 1 bytes. */
	before = imap_session_bytes_read(s);
	g_assert_cmpint(imap_fetch_section(s, 22, r.big_section, 0, 0, 100 * 1024, &body, NULL),
		==, IMAP_ERR_TOO_BIG);
	g_assert_null(body);
	g_assert_cmpuint(imap_session_bytes_read(s) - before, <, 200 * 1024);
	g_assert_cmpint(imap_session_state(s), ==, IMAP_STATE_SELECTED);
	/* A partial range. */
	CHECK_OK(s, imap_fetch_section(s, 22, r.big_section, 1000, 500, 1 << 20, &body, NULL));
	g_assert_cmpuint(body->len, ==, 500);
	g_byte_array_unref(body);
	/* A UID that does not exist. */
	g_assert_cmpint(imap_fetch_section(s, 99999, "1", 0, 0, 1000, &body, NULL), ==,
		IMAP_ERR_MESSAGE);
	g_free(r.text_section);
	g_free(r.big_section);
	imap_session_free(s);
}

/* ---- tests that modify: carol ------------------------------------------ */

static uint32_t append_one(struct imap_session *s, const char *folder, const char *prefix,
	char **subject)
{
	char *msg = make_message(prefix, subject);
	uint32_t uidv = 0, uid = 0;
	CHECK_OK(s, imap_append(s, folder, "\\Seen", 1700000000, msg, strlen(msg), &uidv, &uid,
		NULL));
	g_assert_cmpuint(uidv, >, 0);
	g_assert_cmpuint(uid, >, 0);
	g_free(msg);
	return uid;
}

struct flags_seen {
	uint32_t uid;
	unsigned bits;
	bool found;
};

static void on_flags(const struct imap_msg *m, void *user)
{
	struct flags_seen *f = user;
	if (m->uid == f->uid) {
		f->found = true;
		f->bits = m->flag_bits;
	}
}

static unsigned flags_from_second_session(const char *folder, uint32_t uid, bool *found)
{
	struct imap_session *s2 = session_open(CAROL, true);
	struct imap_select_opts so = {.read_only = true};
	CHECK_OK(s2, imap_select(s2, folder, &so, NULL));
	char *set = g_strdup_printf("%u", uid);
	const char *sets[] = {set};
	struct imap_fetch_opts fo = {.items = IMAP_FETCH_FLAGS};
	struct flags_seen f = {.uid = uid};
	CHECK_OK(s2, imap_uid_fetch(s2, sets, 1, &fo, on_flags, &f, NULL));
	g_free(set);
	CHECK_OK(s2, imap_logout(s2, NULL));
	imap_session_free(s2);
	*found = f.found;
	return f.bits;
}

static void count_fetch_events(const struct imap_event *ev, void *user)
{
	if (ev->kind == IMAP_EVENT_FETCH)
		(*(int *)user)++;
}

static void test_flags_second_session(void)
{
	struct imap_session *s = session_open(CAROL, true);
	char *subject;
	uint32_t uid = append_one(s, "INBOX", "flags", &subject);
	CHECK_OK(s, imap_select(s, "INBOX", NULL, NULL));
	g_assert_false(imap_session_mailbox(s)->read_only);
	char *set = g_strdup_printf("%u", uid);
	CHECK_OK(s, imap_uid_store(s, set, IMAP_STORE_ADD, "\\Flagged \\Answered", true, NULL));
	CHECK_OK(s, imap_uid_store(s, set, IMAP_STORE_REMOVE, "\\Seen", true, NULL));
	bool found;
	unsigned bits = flags_from_second_session("INBOX", uid, &found);
	g_assert_true(found);
	g_assert_cmphex(bits, ==, IMAP_FLAG_FLAGGED | IMAP_FLAG_ANSWERED);
	/* Not silent: the new flags come back as an event. */
	int events = 0;
	imap_session_set_event_cb(s, count_fetch_events, &events);
	CHECK_OK(s, imap_uid_store(s, set, IMAP_STORE_SET, "\\Seen", false, NULL));
	g_assert_cmpint(events, ==, 1);
	bits = flags_from_second_session("INBOX", uid, &found);
	g_assert_cmphex(bits, ==, IMAP_FLAG_SEEN);
	g_free(set);
	g_free(subject);
	imap_session_free(s);
}

static void test_move_and_search(void)
{
	struct imap_session *s = session_open(CAROL, false);
	char *subject;
	uint32_t uid = append_one(s, "INBOX", "Chuyển thư", &subject);
	CHECK_OK(s, imap_select(s, "INBOX", NULL, NULL));
	/* The appended message is found by its (Vietnamese) subject text. */
	uint32_t *uids;
	size_t n;
	CHECK_OK(s, imap_uid_search_text(s, subject, &uids, &n, NULL));
	g_assert_cmpuint(n, ==, 1);
	g_assert_cmpuint(uids[0], ==, uid);
	g_free(uids);

	char *set = g_strdup_printf("%u", uid);
	struct imap_copy_result res;
	CHECK_OK(s, imap_uid_move(s, set, "Trash", &res, NULL));
	g_assert_cmpstr(res.src_uids, ==, set);
	g_assert_nonnull(res.dst_uids);
	uint32_t dst = (uint32_t)strtoul(res.dst_uids, NULL, 10);
	imap_copy_result_clear(&res);
	/* Gone from INBOX here ... */
	CHECK_OK(s, imap_uid_search_text(s, subject, &uids, &n, NULL));
	g_assert_cmpuint(n, ==, 0);
	g_free(uids);
	/* ... and in Trash for another session. */
	bool found;
	flags_from_second_session("Trash", dst, &found);
	g_assert_true(found);
	g_free(set);
	g_free(subject);
	imap_session_free(s);
}

struct idle_watch {
	int exists;
	volatile int stop;
};

static void on_idle_event(const struct imap_event *ev, void *user)
{
	struct idle_watch *w = user;
	if (ev->kind == IMAP_EVENT_EXISTS) {
		w->exists = (int)ev->number;
		w->stop = 1;
	}
}

static void test_idle_sees_delivery(void)
{
	struct imap_session *s = session_open(CAROL, true);
	CHECK_OK(s, imap_select(s, "INBOX", NULL, NULL));
	uint32_t before = imap_session_mailbox(s)->exists;
	char *subject;
	char *msg = make_message("idle", &subject);
	char *path = g_build_filename(g_get_tmp_dir(), "mailtui-imap-idle.eml", NULL);
	g_assert_true(g_file_set_contents(path, msg, -1, NULL));
	/* Deliver a second from now, while we are in IDLE. */
	char *cmd = g_strdup_printf("sleep 1; '%s' '%s' '%s' '%s' >/dev/null",
		testenv_get("DELIVER"), testenv_get("DIR"), testenv_get("USER3"), path);
	char *argv[] = {"/bin/sh", "-c", cmd, NULL};
	GPid pid;
	g_assert_true(g_spawn_async(NULL, argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &pid,
		NULL));
	struct idle_watch w = {0};
	imap_session_set_event_cb(s, on_idle_event, &w);
	gint64 t0 = g_get_monotonic_time();
	CHECK_OK(s, imap_idle(s, 20000, 0, &w.stop, NULL));
	g_assert_cmpint(w.exists, ==, (int)before + 1);
	g_assert_cmpint(g_get_monotonic_time() - t0, <, 15 * G_USEC_PER_SEC);
	/* After DONE the session works as before. */
	g_assert_cmpint(imap_session_state(s), ==, IMAP_STATE_SELECTED);
	uint32_t *uids;
	size_t n;
	CHECK_OK(s, imap_uid_search_text(s, subject, &uids, &n, NULL));
	g_assert_cmpuint(n, ==, 1);
	g_free(uids);
	int status;
	waitpid(pid, &status, 0);
	g_spawn_close_pid(pid);
	unlink(path);
	g_free(path);
	g_free(cmd);
	g_free(msg);
	g_free(subject);
	imap_session_free(s);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	testenv_get("HOST"); /* skip (77) at once when no servers run */
	net_global_init();
	g_test_add_func("/imap/dovecot/connect", test_connect);
	g_test_add_func("/imap/dovecot/bad-password", test_bad_password);
	g_test_add_func("/imap/dovecot/list-folders", test_list_folders);
	g_test_add_func("/imap/dovecot/fetch-envelopes", test_fetch_envelopes);
	g_test_add_func("/imap/dovecot/lazy-body", test_lazy_body);
	g_test_add_func("/imap/dovecot/flags-second-session", test_flags_second_session);
	g_test_add_func("/imap/dovecot/move-and-search", test_move_and_search);
	g_test_add_func("/imap/dovecot/idle-sees-delivery", test_idle_sees_delivery);
	return g_test_run();
}
