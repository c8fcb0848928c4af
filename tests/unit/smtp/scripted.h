/* scripted.h - a scripted SMTP server on 127.0.0.1 for transcript tests.
 * One thread, one connection at a time; records every byte received. */
#ifndef MAILTUI_TEST_SCRIPTED_SMTP_H
#define MAILTUI_TEST_SCRIPTED_SMTP_H

#include <glib.h>
#include <stdbool.h>

struct scripted {
	/* behaviour, set before scripted_start */
	bool offer_starttls;
	bool offer_auth;
	const char *auth_mechs;       /* with offer_auth; default "PLAIN LOGIN" */
	const char *mail_reply;       /* default "250 2.1.0 ok" */
	const char *data_reply;       /* default "250 2.0.0 queued" */
	GHashTable *rcpt_replies;     /* address -> reply line; others 250 */
	/* results (read after scripted_stop, or under lock) */
	GMutex lock;
	GString *log;                 /* all bytes received */
	GPtrArray *messages;          /* of GString*: DATA as received (stuffed) */
	int connections;
	/* internals */
	int fd;
	unsigned port;
	volatile int stop;
	GThread *thread;
};

struct scripted *scripted_new(void);
void scripted_start(struct scripted *s);
void scripted_stop(struct scripted *s);
void scripted_free(struct scripted *s);
/* Number of messages completed so far (thread-safe). */
int scripted_count(struct scripted *s);

#endif
