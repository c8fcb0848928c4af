/* test_restart.c - the session survives a Dovecot restart: the failure
 * is reported as connection-level and temporary (found by a command, or
 * by imap_session_check before one), and reconnect logs in again with
 * the same mailbox selected.  Restarts the shared Dovecot, so
 * it does not run in parallel with other tests. */
#include "common.h"

static void count(const struct imap_msg *m, void *user)
{
	(void)m;
	(*(int *)user)++;
}

static void test_restart(void)
{
	struct imap_session *s = session_open(ALICE, true);
	struct imap_select_opts so = {.read_only = true};
	CHECK_OK(s, imap_select(s, "INBOX", &so, NULL));
	uint32_t uidvalidity = imap_session_mailbox(s)->uidvalidity;
	/* Nothing arrived: the check says usable and changes nothing. */
	g_assert_cmpint(imap_session_check(s), ==, IMAP_OK);
	g_assert_cmpint(imap_session_state(s), ==, IMAP_STATE_SELECTED);

	char *cmd = g_strdup_printf("'%s' '%s' restart dovecot", testenv_get("CTL"),
		testenv_get("DIR"));
	int status = 0;
	g_assert_true(g_spawn_command_line_sync(cmd, NULL, NULL, &status, NULL));
	g_assert_true(g_spawn_check_wait_status(status, NULL));

	const char *set = "1:*";
	struct imap_fetch_opts fo = {.items = IMAP_FETCH_FLAGS};
	int n = 0;
	enum imap_status st = imap_uid_fetch(s, &set, 1, &fo, count, &n, NULL);
	g_assert_cmpint(st, !=, IMAP_OK);
	g_assert_cmpint(imap_status_scope(st), ==, IMAP_SCOPE_CONNECTION);
	g_assert_cmpint(imap_status_retry(st), ==, IMAP_RETRY_TEMPORARY);
	g_assert_cmpint(imap_session_state(s), ==, IMAP_STATE_DISCONNECTED);

	/* The same drop found before a command instead of by it. */
	CHECK_OK(s, imap_session_reconnect(s, NULL));
	g_assert_true(g_spawn_command_line_sync(cmd, NULL, NULL, &status, NULL));
	g_assert_true(g_spawn_check_wait_status(status, NULL));
	st = imap_session_check(s);
	g_assert_cmpint(imap_status_scope(st), ==, IMAP_SCOPE_CONNECTION);
	g_assert_cmpint(imap_session_state(s), ==, IMAP_STATE_DISCONNECTED);
	g_free(cmd);

	CHECK_OK(s, imap_session_reconnect(s, NULL));
	g_assert_cmpint(imap_session_state(s), ==, IMAP_STATE_SELECTED);
	const struct imap_mailbox *mb = imap_session_mailbox(s);
	g_assert_cmpstr(mb->name, ==, "INBOX");
	g_assert_true(mb->read_only);
	g_assert_cmpuint(mb->uidvalidity, ==, uidvalidity);
	g_assert_false(mb->uidvalidity_changed);
	n = 0;
	CHECK_OK(s, imap_uid_fetch(s, &set, 1, &fo, count, &n, NULL));
	g_assert_cmpint(n, ==, 40);
	CHECK_OK(s, imap_logout(s, NULL));
	imap_session_free(s);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	testenv_get("HOST");
	net_global_init();
	g_test_add_func("/imap/dovecot/survives-restart", test_restart);
	return g_test_run();
}
