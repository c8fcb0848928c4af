/* test_trace.c - the reply tracker behind smtp_send: replies tied to
 * commands whatever the chunking of the bytes curl shows. */
#include "smtp/smtp_private.h"

#include <string.h>

/* A dialogue: '>' lines are client commands, the rest server bytes. */
static const char *const dialogue[] = {
    "<220 hello\r\n",
    ">EHLO me\r\n",
    "<250-hi\r\n250-STARTTLS\r\n250 AUTH PLAIN\r\n",
    ">AUTH PLAIN\r\n",
    "<334 \r\n",
    ">AGFsaWNlAHNla3JpdA==\r\n",
    "<235 2.7.0 ok\r\n",
    ">MAIL FROM:<me@x.test>\r\n",
    "<250 ok\r\n",
    ">RCPT TO:<a@x.test>\r\n",
    "<250 ok\r\n",
    ">RCPT TO:<b@x.test> NOTIFY=NEVER\r\n",
    "<550-5.1.1 no such\r\n550 5.1.1 user\r\n",
    ">RCPT TO:<c@x.test>\r\n",
    "<451 4.3.0 later\r\n",
    ">DATA\r\n",
    "<354 go\r\n",
    "<250 2.0.0 queued as X\r\n",
};

static void feed_in(struct smtp_trace *t, const char *s, size_t step)
{
	size_t n = strlen(s);

	for (size_t i = 0; i < n; i += step)
		smtp_trace_in(t, s + i, MIN(step, n - i));
}

static void test_chunking(void)
{
	static const size_t steps[] = {1000, 1, 2, 3, 7};

	for (size_t k = 0; k < G_N_ELEMENTS(steps); k++) {
		struct smtp_trace t;
		const struct smtp_rcpt_failure *f;

		smtp_trace_init(&t);
		for (size_t i = 0; i < G_N_ELEMENTS(dialogue); i++) {
			const char *l = dialogue[i] + 1;

			if (dialogue[i][0] == '>') {
				smtp_trace_out(&t, l, strlen(l));
				if (i == 5) /* the SASL continuation is still AUTH: redact it */
					g_assert_true(smtp_trace_in_auth(&t));
			} else {
				feed_in(&t, l, steps[k]);
			}
		}
		g_assert_true(t.starttls_offered);
		g_assert_true(t.auth_sent);
		g_assert_cmpint(t.auth_code, ==, 235);
		g_assert_cmpint(t.mail_code, ==, 250);
		g_assert_cmpint(t.rcpt_ok, ==, 1);
		g_assert_cmpuint(t.rcpt_failures->len, ==, 2);
		f = t.rcpt_failures->pdata[0];
		g_assert_cmpstr(f->address, ==, "b@x.test");
		g_assert_cmpint(f->code, ==, 550);
		g_assert_cmpstr(f->reply, ==, "550-5.1.1 no such\n550 5.1.1 user");
		f = t.rcpt_failures->pdata[1];
		g_assert_cmpstr(f->address, ==, "c@x.test");
		g_assert_cmpint(f->code, ==, 451);
		g_assert_cmpint(t.data_code, ==, 250);
		g_assert_cmpstr(t.data_reply, ==, "250 2.0.0 queued as X");
		g_assert_cmpint(t.data_replies, ==, 2);
		smtp_trace_clear(&t);
	}
}

static void test_data_refused(void)
{
	struct smtp_trace t;

	smtp_trace_init(&t);
	smtp_trace_out(&t, "DATA\r\n", 6);
	smtp_trace_in(&t, "554 no valid recipients\r\n", 25);
	g_assert_cmpint(t.data_code, ==, 554);
	g_assert_cmpint(t.data_replies, ==, 1);
	/* junk that is not a reply line is ignored */
	smtp_trace_in(&t, "garbage\r\nxy", 11);
	g_assert_cmpint(t.last_code, ==, 554);
	smtp_trace_clear(&t);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/smtp/trace/chunking", test_chunking);
	g_test_add_func("/smtp/trace/data-refused", test_data_refused);
	return g_test_run();
}
