/* common.h - shared helpers of the IMAP integration tests: sessions to
 * the test Dovecot as alice (read-only use) or carol (tests that modify). */
#ifndef MAILTUI_TEST_IMAP_COMMON_H
#define MAILTUI_TEST_IMAP_COMMON_H

#include "imap/imap.h"
#include "testenv.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

enum who { ALICE, CAROL };

static inline struct imap_session *session_open(enum who who, bool implicit_tls)
{
	struct imap_opts o = {0};
	o.net.host = testenv_get("HOST");
	o.net.port = testenv_port(implicit_tls ? "IMAPS_PORT" : "IMAP_PORT");
	o.net.tls = implicit_tls ? NET_TLS_IMPLICIT : NET_TLS_STARTTLS;
	o.net.ca_file = testenv_get("CA");
	o.net.trust_file = "/dev/null";
	o.net.read_timeout_ms = 20000;
	o.user = testenv_get(who == ALICE ? "USER" : "USER3");
	o.password = testenv_get(who == ALICE ? "PASS" : "PASS3");
	struct imap_session *s = imap_session_new(&o);
	enum imap_status st = imap_session_connect(s, NULL);
	if (st != IMAP_OK)
		g_error("connect: %s (%s; net: %s)", imap_status_name(st), imap_session_text(s),
			imap_session_net_error(s)->detail);
	return s;
}

#define CHECK_OK(s, expr)                                                                          \
	do {                                                                                       \
		enum imap_status st_ = (expr);                                                     \
		if (st_ != IMAP_OK)                                                                \
			g_error("%s: %s (%s %s)", #expr, imap_status_name(st_),                    \
				imap_session_code(s), imap_session_text(s));                       \
	} while (0)

/* A message with a unique subject, for tests that modify carol's mail. */
static inline char *make_message(const char *subject_prefix, char **subject_out)
{
	char *subject = g_strdup_printf("%s %d-%" G_GINT64_FORMAT, subject_prefix, (int)getpid(),
		g_get_real_time());
	char *msg = g_strdup_printf("From: Alice <alice@example.test>\r\n"
				    "To: Carol <carol@example.test>\r\n"
				    "Subject: %s\r\n"
				    "Message-ID: <%s@test>\r\n"
				    "Date: Mon, 1 Jan 2024 10:00:00 +0000\r\n"
				    "\r\n"
				    "Body of %s.\r\n",
		subject, subject + strlen(subject_prefix) + 1, subject);
	*subject_out = subject;
	return msg;
}

#endif
