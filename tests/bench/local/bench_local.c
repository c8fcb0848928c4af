/* bench_local.c - reading a POP3 account's store: index N messages of
 * ordinary sizes into a temporary Maildir, then time what the screens
 * ask of it (counts, the whole index with and without the threading
 * headers, search ids, threads, the addresses for completion, tag
 * changes with Maildir renames).
 * Prints figures; asserts nothing about time.  N: first argument
 * (default 10000). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "local/local.h"
#include "testfs.h"

static double now(void)
{
	return (double)g_get_monotonic_time() / 1e6;
}

static char *message(unsigned i)
{
	GString *s = g_string_new(NULL);
	g_string_append_printf(s,
		"From: Sender %u <s%u@example.test>\nTo: bob@example.test\n"
		"Subject: %s message %u about topic %u\n"
		"Date: Mon, %u Mar 2025 10:%02u:00 +0000\nMessage-ID: <bench-%u@example.test>\n",
		i % 50, i % 50, i % 3 ? "Weekly" : "Thư", i, i % 40, 1 + i % 28, i % 60, i);
	if (i % 5)
		g_string_append_printf(s, "In-Reply-To: <bench-%u@example.test>\n"
					  "References: <bench-%u@example.test>\n", i - 1, i - 1);
	g_string_append(s, "\n");
	/* 2-20 KB of text, as mail mostly is. */
	for (unsigned k = 0; k < 30 + (i * 7919) % 300; k++)
		g_string_append_printf(s, "Line %u of message %u, some ordinary words.\n", k,
			i);
	return g_string_free(s, FALSE);
}

static bool count_msg(void *ctx, struct local_msg *m)
{
	(*(unsigned *)ctx)++;
	local_msg_free(m);
	return true;
}

int main(int argc, char **argv)
{
	unsigned n = argc > 1 ? (unsigned)atoi(argv[1]) : 10000;
	char *dir = g_dir_make_tmp("bench-local-XXXXXX", NULL);
	struct local_db *db = NULL;
	char *err = NULL;
	static const char *const tags[] = { "inbox", "unread", "bob", NULL };
	if (local_maildir_ensure(dir) < 0 || local_db_open(dir, &db, &err) < 0) {
		fprintf(stderr, "open: %s\n", err ? err : "?");
		return 1;
	}
	double t = now();
	local_db_begin(db, &err);
	for (unsigned i = 0; i < n; i++) {
		char *m = message(i);
		enum local_index r;
		if (local_deliver(db, dir, NULL, m, strlen(m), tags, &r, NULL, &err) < 0) {
			fprintf(stderr, "deliver: %s\n", err ? err : "?");
			return 1;
		}
		g_free(m);
		if (i % 500 == 499) {
			local_db_end(db, &err);
			local_db_begin(db, &err);
		}
	}
	local_db_end(db, &err);
	local_db_close(db);
	printf("indexed %u messages: %.2f s\n", n, now() - t);

	local_db_open_read(dir, &db, &err);
	unsigned total = 0, unread = 0, got = 0;
	t = now();
	local_count(db, "tag:inbox", &total, &unread, &err);
	printf("count tag:inbox (%u, %u unread): %.1f ms\n", total, unread, (now() - t) * 1e3);
	t = now();
	local_messages(db, "tag:inbox", 0, count_msg, &got, &err);
	printf("index of %u messages, no threading headers: %.2f s\n", got, now() - t);
	got = 0;
	t = now();
	local_messages(db, "tag:inbox", LOCAL_MSG_THREADING, count_msg, &got, &err);
	printf("index of %u messages, with In-Reply-To/References: %.2f s\n", got, now() - t);
	GPtrArray *ids = NULL;
	t = now();
	local_message_ids(db, "tag:inbox", &ids, &err);
	printf("ids of %u messages (search positions): %.1f ms\n", ids->len, (now() - t) * 1e3);
	g_ptr_array_unref(ids);
	t = now();
	local_message_ids(db, "subject:weekly and date:2025-03-01..2025-03-10", &ids, &err);
	printf("search subject+date (%u hits): %.1f ms\n", ids->len, (now() - t) * 1e3);
	g_ptr_array_unref(ids);
	GPtrArray *threads = NULL;
	t = now();
	local_threads(db, "tag:inbox", &threads, &err);
	printf("threads of tag:inbox (%u): %.2f s\n", threads->len, now() - t);
	g_ptr_array_unref(threads);
	GPtrArray *addrs = NULL;
	t = now();
	local_addresses(db, NULL, 2000, NULL, &addrs, &err);
	printf("addresses for completion (%u, From/To/Cc read from the files): %.2f s\n",
		addrs->len, now() - t);
	g_ptr_array_unref(addrs);
	t = now();
	local_addresses(db, "sender 4", 0, NULL, &addrs, &err);
	printf("addresses starting with \"sender 4\" (%u): %.2f s\n", addrs->len, now() - t);
	g_ptr_array_unref(addrs);
	local_db_close(db);

	local_db_open(dir, &db, &err);
	const char *rm[] = { "unread", NULL };
	t = now();
	unsigned k = MIN(n, 200u);
	for (unsigned i = 0; i < k; i++) {
		char *id = g_strdup_printf("bench-%u@example.test", i);
		local_tag(db, id, NULL, rm, NULL, NULL, &err);
		g_free(id);
	}
	printf("mark read (tag + Maildir rename), per message: %.2f ms\n",
		(now() - t) * 1e3 / k);
	local_db_close(db);
	testfs_rm_rf(dir);
	g_free(dir);
	return 0;
}
