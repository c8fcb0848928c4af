/* queue.c - a queue between threads on a pthread mutex and condition
 * variable.  GLib's GAsyncQueue does the same on a futex that
 * ThreadSanitizer cannot see, so every hand-off through it looked like a
 * race; this one is visible, and small. */
#include "core/core.h"

#include <errno.h>
#include <glib.h>
#include <pthread.h>
#include <time.h>

struct core_queue {
	pthread_mutex_t lock;
	pthread_cond_t nonempty; /* on CLOCK_MONOTONIC */
	GQueue items;
};

struct core_queue *core_queue_new(void)
{
	struct core_queue *q = g_new0(struct core_queue, 1);
	pthread_condattr_t attr;
	pthread_mutex_init(&q->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&q->nonempty, &attr);
	pthread_condattr_destroy(&attr);
	g_queue_init(&q->items);
	return q;
}

void core_queue_free(struct core_queue *q)
{
	if (!q)
		return;
	g_queue_clear(&q->items);
	pthread_cond_destroy(&q->nonempty);
	pthread_mutex_destroy(&q->lock);
	g_free(q);
}

void core_queue_push(struct core_queue *q, void *item)
{
	pthread_mutex_lock(&q->lock);
	g_queue_push_tail(&q->items, item);
	pthread_cond_signal(&q->nonempty);
	pthread_mutex_unlock(&q->lock);
}

void *core_queue_pop(struct core_queue *q)
{
	pthread_mutex_lock(&q->lock);
	while (g_queue_is_empty(&q->items))
		pthread_cond_wait(&q->nonempty, &q->lock);
	void *item = g_queue_pop_head(&q->items);
	pthread_mutex_unlock(&q->lock);
	return item;
}

void *core_queue_try_pop(struct core_queue *q)
{
	pthread_mutex_lock(&q->lock);
	void *item = g_queue_pop_head(&q->items);
	pthread_mutex_unlock(&q->lock);
	return item;
}

void *core_queue_timeout_pop(struct core_queue *q, int64_t usec)
{
	struct timespec until;
	clock_gettime(CLOCK_MONOTONIC, &until);
	int64_t ns = (int64_t)until.tv_nsec + (usec % 1000000) * 1000;
	until.tv_sec += (time_t)(usec / 1000000 + ns / 1000000000);
	until.tv_nsec = (long)(ns % 1000000000);
	pthread_mutex_lock(&q->lock);
	int r = 0;
	while (g_queue_is_empty(&q->items) && r != ETIMEDOUT)
		r = pthread_cond_timedwait(&q->nonempty, &q->lock, &until);
	void *item = g_queue_pop_head(&q->items);
	pthread_mutex_unlock(&q->lock);
	return item;
}

size_t core_queue_length(struct core_queue *q)
{
	pthread_mutex_lock(&q->lock);
	size_t n = q->items.length;
	pthread_mutex_unlock(&q->lock);
	return n;
}
