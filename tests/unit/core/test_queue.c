/* test_queue.c - core_queue: first in, first out; empty pops; a
 * producer thread and a consumer that waits. */
#include <glib.h>
#include <pthread.h>

#include "core/core.h"

static void test_fifo(void)
{
	struct core_queue *q = core_queue_new();
	int a, b, c;
	g_assert_null(core_queue_try_pop(q));
	core_queue_push(q, &a);
	core_queue_push(q, &b);
	core_queue_push(q, &c);
	g_assert_cmpuint(core_queue_length(q), ==, 3);
	g_assert_true(core_queue_pop(q) == &a);
	g_assert_true(core_queue_try_pop(q) == &b);
	g_assert_true(core_queue_timeout_pop(q, 1000) == &c);
	g_assert_cmpuint(core_queue_length(q), ==, 0);
	/* Nothing comes: the wait ends with NULL. */
	g_assert_null(core_queue_timeout_pop(q, 20 * 1000));
	core_queue_free(q);
}

#define N 20000

static void *produce(void *arg)
{
	struct core_queue *q = arg;
	for (gintptr i = 1; i <= N; i++)
		core_queue_push(q, GINT_TO_POINTER(i));
	return NULL;
}

static void test_threads(void)
{
	struct core_queue *q = core_queue_new();
	pthread_t t;
	g_assert_cmpint(pthread_create(&t, NULL, produce, q), ==, 0);
	for (gintptr want = 1; want <= N; want++) {
		void *got = want % 3 ? core_queue_pop(q) : core_queue_timeout_pop(q, 60 * G_USEC_PER_SEC);
		g_assert_cmpint(GPOINTER_TO_INT(got), ==, want);
	}
	pthread_join(t, NULL);
	g_assert_null(core_queue_try_pop(q));
	core_queue_free(q);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/core/queue/fifo", test_fifo);
	g_test_add_func("/core/queue/threads", test_threads);
	return g_test_run();
}
