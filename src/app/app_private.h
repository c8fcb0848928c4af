/* app_private.h - shared by the files of src/app/ only. */
#ifndef MAILTUI_APP_PRIVATE_H
#define MAILTUI_APP_PRIVATE_H

#include <pthread.h>
#include <stdbool.h>

#include <glib.h>

#include "app/app.h"

struct app {
	int input_fd;
	int wake[2];          /* workers write a byte after queueing an event */
	int sig[2];           /* the signal handler writes the signal number */
	pthread_mutex_t lock; /* guards the event queue */
	struct app_event *head, *tail;
	bool quit;            /* UI thread only */
	GArray *timers;       /* of struct app_timer, UI thread only */
	unsigned next_timer;  /* last id given */
};

struct app_timer {
	unsigned id;
	unsigned interval_ms;
	gint64 due;           /* g_get_monotonic_time() microseconds */
	app_timer_fn fn;
	void *ctx;
};

#endif
