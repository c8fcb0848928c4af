/* app_private.h - shared by the files of src/app/ only. */
#ifndef MAILTUI_APP_PRIVATE_H
#define MAILTUI_APP_PRIVATE_H

#include <pthread.h>
#include <stdbool.h>

#include "app/app.h"

struct app {
	int input_fd;
	int wake[2];          /* workers write a byte after queueing an event */
	int sig[2];           /* the signal handler writes the signal number */
	pthread_mutex_t lock; /* guards the event queue */
	struct app_event *head, *tail;
	bool quit;            /* UI thread only */
};

#endif
