/* test_send.c - transcript tests of smtp_send against a scripted server:
 * the exact bytes curl sends, per-recipient refusals, retry classes. */
#include "smtp/smtp.h"
#include "scripted.h"

#include <string.h>

static struct smtp_session *session_for(struct scripted *srv, enum smtp_tls tls,
	const char *user)
{
	struct smtp_server cfg = { .host = "127.0.0.1", .port = srv->port, .tls = tls,
		.user = user, .password = user ? "sekrit-pass" : NULL, .timeout = 5 };

	return smtp_session_new(&cfg);
}

static const char *const rcpt3[] = { "alice@example.test", "bob@example.test",
	"carol@example.test" };

static void test_wire_form(void)
{
	static const struct {
		const char *name, *in, *wire;
	} cases[] = {
		/* curl dot-stuffs; we turn LF and CR into CRLF */
		{ "bare-lf", "Subject: x\n\n.dot\nbare lf\n", "Subject: x\r\n\r\n..dot\r\nbare lf\r\n" },
		{ "crlf", "Subject: x\r\n\r\n.\r\n..two\r\n", "Subject: x\r\n\r\n..\r\n...two\r\n" },
		{ "bare-cr", "Subject: x\r\rmac\r", "Subject: x\r\n\r\nmac\r\n" },
		{ "no-final-newline", "Subject: x\n\nend", "Subject: x\r\n\r\nend\r\n" },
	};
	struct scripted *srv = scripted_new();
	struct smtp_session *s;

	scripted_start(srv);
	s = session_for(srv, SMTP_TLS_NONE, NULL);
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		struct smtp_result res = { 0 };

		g_assert_cmpint(smtp_send(s, "me@example.test", rcpt3, 1, cases[i].in,
			strlen(cases[i].in), &res), ==, SMTP_OK);
		g_assert_cmpint(res.retry, ==, SMTP_RETRY_NONE);
		g_assert_cmpint(res.reply_code, ==, 250);
		smtp_result_clear(&res);
	}
	smtp_session_free(s);
	scripted_stop(srv);
	g_assert_cmpuint(srv->messages->len, ==, G_N_ELEMENTS(cases));
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		GString *got = srv->messages->pdata[i];

		if (strcmp(got->str, cases[i].wire) != 0)
			g_error("%s: got [%s]", cases[i].name, g_strescape(got->str, NULL));
	}
	/* one connection for all four, envelope as given */
	g_assert_cmpint(srv->connections, ==, 1);
	g_assert_nonnull(strstr(srv->log->str, "MAIL FROM:<me@example.test>"));
	g_assert_nonnull(strstr(srv->log->str, "RCPT TO:<alice@example.test>\r\n"));
	scripted_free(srv);
}

static void test_rcpt_failures(void)
{
	struct scripted *srv = scripted_new();
	struct smtp_session *s;
	struct smtp_result res = { 0 };
	const struct smtp_rcpt_failure *f;

	g_hash_table_insert(srv->rcpt_replies, g_strdup("bob@example.test"),
		g_strdup("550 5.1.1 <bob@example.test>: no such user here"));
	g_hash_table_insert(srv->rcpt_replies, g_strdup("carol@example.test"),
		g_strdup("450-4.2.0 mailbox busy\r\n450 4.2.0 try later"));
	scripted_start(srv);
	s = session_for(srv, SMTP_TLS_NONE, NULL);
	g_assert_cmpint(smtp_send(s, "me@example.test", rcpt3, 3, "S: x\n\nhi\n", 10, &res),
		==, SMTP_PARTIAL);
	g_assert_cmpint(res.retry, ==, SMTP_RETRY_NONE);
	g_assert_cmpuint(res.rcpt_failures->len, ==, 2);
	f = res.rcpt_failures->pdata[0];
	g_assert_cmpstr(f->address, ==, "bob@example.test");
	g_assert_cmpint(f->code, ==, 550);
	g_assert_cmpstr(f->reply, ==, "550 5.1.1 <bob@example.test>: no such user here");
	f = res.rcpt_failures->pdata[1];
	g_assert_cmpstr(f->address, ==, "carol@example.test");
	g_assert_cmpint(f->code, ==, 450);
	g_assert_cmpstr(f->reply, ==, "450-4.2.0 mailbox busy\n450 4.2.0 try later");
	smtp_result_clear(&res);

	/* every recipient refused: no DATA, permanent when all are 5xx */
	g_assert_cmpint(smtp_send(s, "me@example.test", rcpt3 + 1, 1, "S: x\n\nhi\n", 10, &res),
		==, SMTP_ERR_RECIPIENTS);
	g_assert_cmpint(res.retry, ==, SMTP_RETRY_PERMANENT);
	g_assert_cmpint(res.reply_code, ==, 550);
	g_assert_cmpuint(res.rcpt_failures->len, ==, 1);
	smtp_result_clear(&res);
	g_assert_cmpint(smtp_send(s, "me@example.test", rcpt3 + 1, 2, "S: x\n\nhi\n", 10, &res),
		==, SMTP_ERR_RECIPIENTS);
	g_assert_cmpint(res.retry, ==, SMTP_RETRY_TEMPORARY);
	smtp_result_clear(&res);
	smtp_session_free(s);
	scripted_stop(srv);
	g_assert_cmpuint(srv->messages->len, ==, 1);
	scripted_free(srv);
}

static const struct {
	const char *name, *mail_reply, *data_reply;
	enum smtp_status status;
	enum smtp_retry retry;
	int code;
} refusals[] = {
	{ "data-5xx", NULL, "554 5.6.0 message refused: spam", SMTP_ERR_DATA, SMTP_RETRY_PERMANENT, 554 },
	{ "data-4xx", NULL, "451 4.3.0 try again", SMTP_ERR_DATA, SMTP_RETRY_TEMPORARY, 451 },
	{ "mail-5xx", "553 5.7.1 sender not allowed", NULL, SMTP_ERR_SENDER, SMTP_RETRY_PERMANENT, 553 },
	{ "mail-530", "530 5.7.0 authentication required", NULL, SMTP_ERR_AUTH, SMTP_RETRY_ACCOUNT, 530 },
};

static void test_refusals(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(refusals); i++) {
		struct scripted *srv = scripted_new();
		struct smtp_session *s;
		struct smtp_result res = { 0 };

		srv->mail_reply = refusals[i].mail_reply;
		srv->data_reply = refusals[i].data_reply;
		scripted_start(srv);
		s = session_for(srv, SMTP_TLS_NONE, NULL);
		smtp_send(s, "me@example.test", rcpt3, 1, "S: x\n\nhi\n", 10, &res);
		if (res.status != refusals[i].status || res.retry != refusals[i].retry ||
			res.reply_code != refusals[i].code)
			g_error("%s: %s retry %d code %d", refusals[i].name,
				smtp_status_name(res.status), res.retry, res.reply_code);
		g_assert_nonnull(res.reply);
		g_assert_true(g_str_has_prefix(res.reply, refusals[i].mail_reply ?
			refusals[i].mail_reply : refusals[i].data_reply));
		smtp_result_clear(&res);
		smtp_session_free(s);
		scripted_free(srv);
	}
}

static void test_no_starttls(void)
{
	struct scripted *srv = scripted_new();
	struct smtp_session *s;
	struct smtp_result res = { 0 };

	srv->offer_auth = true; /* AUTH offered in the clear: must not be used */
	scripted_start(srv);
	s = session_for(srv, SMTP_TLS_STARTTLS, "alice");
	g_assert_cmpint(smtp_send(s, "me@example.test", rcpt3, 1, "S: x\n\nhi\n", 10, &res), ==,
		SMTP_ERR_NO_STARTTLS);
	g_assert_cmpint(res.retry, ==, SMTP_RETRY_ACCOUNT);
	g_assert_false(res.auth_sent);
	smtp_result_clear(&res);
	smtp_session_free(s);
	scripted_stop(srv);
	/* the client said EHLO and nothing that carries credentials or mail */
	g_assert_nonnull(strstr(srv->log->str, "EHLO"));
	g_assert_null(strstr(srv->log->str, "AUTH"));
	g_assert_null(strstr(srv->log->str, "c2Vrcml0")); /* base64 of "sekrit" */
	g_assert_null(strstr(srv->log->str, "MAIL"));
	g_assert_cmpuint(srv->messages->len, ==, 0);
	scripted_free(srv);
}

static void test_auth_plain(void)
{
	struct scripted *srv = scripted_new();
	struct smtp_session *s;
	struct smtp_result res = { 0 };
	char *b64 = g_base64_encode((const guchar *)"\0alice\0sekrit-pass", 18);

	srv->offer_auth = true;
	scripted_start(srv);
	s = session_for(srv, SMTP_TLS_NONE, "alice");
	g_assert_cmpint(smtp_send(s, "me@example.test", rcpt3, 1, "S: x\n\nhi\n", 10, &res), ==,
		SMTP_OK);
	g_assert_true(res.auth_sent);
	smtp_result_clear(&res);
	g_assert_cmpint(smtp_send(s, "me@example.test", rcpt3, 1, "S: y\n\nhi\n", 10, &res), ==,
		SMTP_OK);
	smtp_result_clear(&res);
	smtp_session_free(s);
	scripted_stop(srv);
	g_assert_nonnull(strstr(srv->log->str, "AUTH PLAIN"));
	g_assert_nonnull(strstr(srv->log->str, b64));
	/* the reused connection authenticates once */
	g_assert_true(strstr(srv->log->str, "AUTH") == g_strrstr(srv->log->str, "AUTH"));
	g_assert_cmpint(srv->connections, ==, 1);
	g_free(b64);
	scripted_free(srv);
}

static void test_auth_mechanisms(void)
{
	static const struct {
		const char *name, *offered, *force, *token, *want_cmd, *want_b64_of;
	} cases[] = {
		{ "login-forced", "PLAIN LOGIN", "LOGIN", NULL, "AUTH LOGIN", "sekrit-pass" },
		{ "xoauth2", "XOAUTH2 PLAIN", NULL, "tok-123", "AUTH XOAUTH2",
			"user=alice\001auth=Bearer tok-123\001\001" },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		struct scripted *srv = scripted_new();
		struct smtp_server cfg = { .host = "127.0.0.1", .tls = SMTP_TLS_NONE, .user = "alice",
			.timeout = 5 };
		struct smtp_session *s;
		struct smtp_result res = { 0 };
		char *b64 = g_base64_encode((const guchar *)cases[i].want_b64_of,
			strlen(cases[i].want_b64_of));

		srv->offer_auth = true;
		srv->auth_mechs = cases[i].offered;
		scripted_start(srv);
		cfg.port = srv->port;
		cfg.auth_mech = cases[i].force;
		if (cases[i].token)
			cfg.oauth_token = cases[i].token;
		else
			cfg.password = "sekrit-pass";
		s = smtp_session_new(&cfg);
		if (smtp_send(s, "me@example.test", rcpt3, 1, "S: x\n\nhi\n", 10, &res) != SMTP_OK)
			g_error("%s: %s %s", cases[i].name, smtp_status_name(res.status), res.detail);
		smtp_result_clear(&res);
		smtp_session_free(s);
		scripted_stop(srv);
		if (!strstr(srv->log->str, cases[i].want_cmd) || !strstr(srv->log->str, b64))
			g_error("%s: log [%s]", cases[i].name, g_strescape(srv->log->str, NULL));
		g_free(b64);
		scripted_free(srv);
	}
}

static void test_connect_refused(void)
{
	struct scripted *srv = scripted_new();
	struct smtp_session *s;
	struct smtp_result res = { 0 };

	scripted_start(srv);
	scripted_stop(srv); /* port now closed */
	s = session_for(srv, SMTP_TLS_NONE, NULL);
	g_assert_cmpint(smtp_send(s, "me@example.test", rcpt3, 1, "S: x\n\nhi\n", 10, &res), ==,
		SMTP_ERR_CONNECT);
	g_assert_cmpint(res.retry, ==, SMTP_RETRY_TEMPORARY);
	g_assert_cmpstr(res.detail, !=, "");
	smtp_result_clear(&res);
	smtp_session_free(s);
	scripted_free(srv);
}

struct progress {
	uint64_t last, total;
	int calls;
	uint64_t stop_after;
};

static bool on_progress(void *ud, uint64_t sent, uint64_t total)
{
	struct progress *p = ud;

	p->calls++;
	p->last = sent;
	p->total = total;
	return !(p->stop_after && sent >= p->stop_after);
}

static void test_progress_and_cancel(void)
{
	struct scripted *srv = scripted_new();
	struct smtp_session *s;
	struct smtp_result res = { 0 };
	struct progress p = { 0 };
	GString *big = g_string_new("Subject: big\n\n");

	while (big->len < 3 * 1024 * 1024)
		g_string_append(big, "0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxy\n");
	scripted_start(srv);
	s = session_for(srv, SMTP_TLS_NONE, NULL);
	smtp_session_set_progress(s, on_progress, &p);
	g_assert_cmpint(smtp_send(s, "me@example.test", rcpt3, 1, big->str, big->len, &res), ==,
		SMTP_OK);
	smtp_result_clear(&res);
	g_assert_cmpint(p.calls, >, 0);
	/* total counts the CRLF form: one CR more per line */
	g_assert_cmpuint(p.total, >, big->len);
	g_assert_cmpuint(p.last, ==, p.total);

	p = (struct progress){ .stop_after = 1 };
	g_assert_cmpint(smtp_send(s, "me@example.test", rcpt3, 1, big->str, big->len, &res), ==,
		SMTP_ERR_CANCELLED);
	g_assert_cmpint(res.retry, ==, SMTP_RETRY_TEMPORARY);
	smtp_result_clear(&res);
	smtp_session_free(s);
	scripted_stop(srv);
	g_assert_cmpuint(srv->messages->len, ==, 1); /* the cancelled one never ended */
	g_string_free(big, TRUE);
	scripted_free(srv);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/smtp/send/wire-form", test_wire_form);
	g_test_add_func("/smtp/send/rcpt-failures", test_rcpt_failures);
	g_test_add_func("/smtp/send/refusals", test_refusals);
	g_test_add_func("/smtp/send/no-starttls", test_no_starttls);
	g_test_add_func("/smtp/send/auth-plain", test_auth_plain);
	g_test_add_func("/smtp/send/auth-mechanisms", test_auth_mechanisms);
	g_test_add_func("/smtp/send/connect-refused", test_connect_refused);
	g_test_add_func("/smtp/send/progress-and-cancel", test_progress_and_cancel);
	return g_test_run();
}
