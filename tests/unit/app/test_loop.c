/* test_loop.c - the event loop answers keys while a worker job runs, and
 * jobs, events and cancellation keep their ownership rules. */
#include <pthread.h>
#include <stdatomic.h>
#include <fcntl.h>
#include <unistd.h>

#include <glib.h>

#include "app/app.h"

/* ---- a slow job must not delay key handling ---------------------------- */

struct slow {
	atomic_int running;  /* set by the job when it starts */
	atomic_int release;  /* the test lets the job finish */
};

static int slow_job(struct app_job *job, void *data, char **text)
{
	struct slow *s = data;
	atomic_store(&s->running, 1);
	/* Stand-in for a long network read: up to 10 s, or until released. */
	for (int i = 0; i < 1000 && !atomic_load(&s->release) && !app_job_cancelled(job); i++)
		g_usleep(10000);
	*text = g_strdup("slow done");
	return 7;
}

struct loop_ctx {
	struct app *app;
	int key_fd;
	struct slow *slow;
	GString *order;  /* what happened, in order */
	int job_status;
};

static void ctx_input(void *p)
{
	struct loop_ctx *c = p;
	char b;
	while (read(c->key_fd, &b, 1) == 1) {
		/* The key arrives while the job still runs: record that, then
		 * let the job finish. */
		g_string_append_printf(c->order, "key:%c(job %s) ", b,
			atomic_load(&c->slow->running) ? "running" : "not started");
		atomic_store(&c->slow->release, 1);
	}
}

static void ctx_event(void *p, struct app_event *ev)
{
	struct loop_ctx *c = p;
	if (ev->type == APP_EV_JOB_DONE) {
		g_string_append_printf(c->order, "done:%s ", ev->text);
		c->job_status = ev->status;
		app_quit(c->app);
	}
}

static void test_slow_job_keeps_keys_live(void)
{
	int keys[2];
	g_assert_cmpint(pipe2(keys, O_NONBLOCK), ==, 0);
	struct slow slow = { 0 };
	struct loop_ctx c = { .key_fd = keys[0], .slow = &slow, .order = g_string_new("") };
	c.app = app_new(keys[0]);
	g_assert_nonnull(c.app);
	struct app_worker *w = app_worker_new(c.app, 0, "test");

	app_worker_submit(w, slow_job, &slow, NULL);
	/* Wait until the job is really running, then press a key. */
	while (!atomic_load(&slow.running))
		g_usleep(1000);
	g_assert_cmpint(write(keys[1], "x", 1), ==, 1);

	const struct app_loop_handlers h = { .ctx = &c, .on_input = ctx_input, .on_event = ctx_event };
	app_loop_run(c.app, &h);

	g_assert_cmpstr(c.order->str, ==, "key:x(job running) done:slow done ");
	g_assert_cmpint(c.job_status, ==, 7);
	app_worker_free(w);
	app_free(c.app);
	close(keys[0]);
	close(keys[1]);
	g_string_free(c.order, TRUE);
}

/* ---- cancellation ------------------------------------------------------ */

static int blocking_job(struct app_job *job, void *data, char **text)
{
	atomic_int *started = data;
	(void)text;
	atomic_store(started, 1);
	while (!app_job_cancelled(job))
		g_usleep(1000);
	return -1;
}

static int count_frees;
static void counting_free(void *p)
{
	(void)p;
	count_frees++;
}

static int never_job(struct app_job *job, void *data, char **text)
{
	(void)job; (void)data; (void)text;
	g_assert_not_reached();
	return 0;
}

struct cancel_ctx {
	struct app *app;
	int done, cancelled;
	uint64_t queued_id, running_id;
	uint64_t cancelled_ids[2];
};

static void cancel_event(void *p, struct app_event *ev)
{
	struct cancel_ctx *c = p;
	if (ev->type == APP_EV_JOB_CANCELLED && c->cancelled < 2)
		c->cancelled_ids[c->cancelled++] = ev->job;
	if (ev->type == APP_EV_JOB_DONE)
		c->done++;
	if (c->cancelled == 2)
		app_quit(c->app);
}

static void test_cancel_queued_and_running(void)
{
	struct cancel_ctx c = { 0 };
	c.app = app_new(-1);
	struct app_worker *w = app_worker_new(c.app, 3, "cancel");
	atomic_int started = 0;
	static int marker;

	count_frees = 0;
	c.running_id = app_worker_submit(w, blocking_job, &started, NULL);
	c.queued_id = app_worker_submit(w, never_job, &marker, counting_free);
	while (!atomic_load(&started))
		g_usleep(1000);
	g_assert_cmpuint(app_worker_pending(w), ==, 2);
	app_worker_cancel(w, c.queued_id);
	g_assert_cmpint(count_frees, ==, 1); /* dropped job's data freed at once */
	app_worker_cancel(w, c.running_id);

	const struct app_loop_handlers h = { .ctx = &c, .on_event = cancel_event };
	app_loop_run(c.app, &h);
	g_assert_cmpint(c.done, ==, 0);
	/* The queued one is reported first (synchronously), then the running one. */
	g_assert_cmpuint(c.cancelled_ids[0], ==, c.queued_id);
	g_assert_cmpuint(c.cancelled_ids[1], ==, c.running_id);
	app_worker_free(w);
	app_free(c.app);
}

/* ---- events from several threads arrive, each exactly once -------------- */

#define POSTERS 4
#define PER_POSTER 500

struct post_ctx {
	struct app *app;
	int seen[POSTERS];
	int last[POSTERS];
	bool in_order;
	int total;
};

static void *poster(void *p)
{
	struct app_event *ev;
	struct { struct app *app; int id; } *arg = p;
	for (int i = 0; i < PER_POSTER; i++) {
		ev = app_event_new(APP_EV_USER, arg->id, (uint64_t)i, NULL);
		app_post(arg->app, ev);
	}
	return NULL;
}

static void post_event(void *p, struct app_event *ev)
{
	struct post_ctx *c = p;
	if ((int)ev->job != c->last[ev->account] + 1)
		c->in_order = false;
	c->last[ev->account] = (int)ev->job;
	c->seen[ev->account]++;
	if (++c->total == POSTERS * PER_POSTER)
		app_quit(c->app);
}

static void test_events_from_threads(void)
{
	struct post_ctx c = { .in_order = true };
	c.app = app_new(-1);
	for (int i = 0; i < POSTERS; i++)
		c.last[i] = -1;
	struct { struct app *app; int id; } args[POSTERS];
	pthread_t t[POSTERS];
	for (int i = 0; i < POSTERS; i++) {
		args[i].app = c.app;
		args[i].id = i;
		pthread_create(&t[i], NULL, poster, &args[i]);
	}
	const struct app_loop_handlers h = { .ctx = &c, .on_event = post_event };
	app_loop_run(c.app, &h);
	for (int i = 0; i < POSTERS; i++) {
		pthread_join(t[i], NULL);
		g_assert_cmpint(c.seen[i], ==, PER_POSTER);
	}
	g_assert_true(c.in_order);
	app_free(c.app);
}

/* ---- timers -------------------------------------------------------------- */

struct timer_ctx {
	struct app *app;
	int ticks, other_ticks, keys;
	unsigned self_id;
	int key_fd;
	GString *order;
};

static void tick_three_times(void *p)
{
	struct timer_ctx *c = p;
	if (++c->ticks == 3)
		app_quit(c->app);
}

/* With nothing else happening, the loop wakes for its timer, again and
 * again, on the UI thread. */
static void test_timer_repeats(void)
{
	struct timer_ctx c = { 0 };
	c.app = app_new(-1);
	unsigned id = app_timer_add(c.app, 5, tick_three_times, &c);
	g_assert_cmpuint(id, >, 0);
	const struct app_loop_handlers h = { .ctx = &c };
	g_assert_cmpint(app_loop_run(c.app, &h), ==, 0);
	g_assert_cmpint(c.ticks, ==, 3);
	app_free(c.app);
}

static void other_tick(void *p)
{
	struct timer_ctx *c = p;
	c->other_ticks++;
	g_string_append(c->order, "other ");
	if (c->other_ticks == 2)
		app_quit(c->app);
}

static void remove_self(void *p)
{
	struct timer_ctx *c = p;
	c->ticks++;
	g_string_append(c->order, "self ");
	app_timer_remove(c->app, c->self_id);
	app_timer_add(c->app, 1, other_tick, c);
}

/* A timer may remove itself and add another from its own callback;
 * a removed timer never fires again; unknown ids are ignored. */
static void test_timer_remove_from_callback(void)
{
	struct timer_ctx c = { .order = g_string_new("") };
	c.app = app_new(-1);
	app_timer_remove(c.app, 0);
	app_timer_remove(c.app, 12345);
	c.self_id = app_timer_add(c.app, 2, remove_self, &c);
	const struct app_loop_handlers h = { .ctx = &c };
	app_loop_run(c.app, &h);
	g_assert_cmpint(c.ticks, ==, 1);
	g_assert_cmpint(c.other_ticks, ==, 2);
	g_assert_cmpstr(c.order->str, ==, "self other other ");
	g_string_free(c.order, TRUE);
	app_free(c.app);
}

static void timer_input(void *p)
{
	struct timer_ctx *c = p;
	char b;
	while (read(c->key_fd, &b, 1) == 1)
		c->keys++;
}

static void tick_until_key(void *p)
{
	struct timer_ctx *c = p;
	c->ticks++;
	if (c->keys > 0)
		app_quit(c->app);
}

/* Keys still arrive between ticks of a fast timer, and a far timer
 * never fires early: it has not fired when the loop ends. */
static void test_timer_and_keys(void)
{
	int keys[2];
	g_assert_cmpint(pipe2(keys, O_NONBLOCK), ==, 0);
	struct timer_ctx c = { .key_fd = keys[0] };
	c.app = app_new(keys[0]);
	app_timer_add(c.app, 1, tick_until_key, &c);
	c.order = g_string_new("");
	app_timer_add(c.app, 3600 * 1000, other_tick, &c);
	g_assert_cmpint(write(keys[1], "k", 1), ==, 1);
	const struct app_loop_handlers h = { .ctx = &c, .on_input = timer_input };
	app_loop_run(c.app, &h);
	g_assert_cmpint(c.keys, ==, 1);
	g_assert_cmpint(c.ticks, >=, 1);
	g_assert_cmpint(c.other_ticks, ==, 0);
	g_string_free(c.order, TRUE);
	app_free(c.app);
	close(keys[0]);
	close(keys[1]);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/app/loop/slow-job-keeps-keys-live", test_slow_job_keeps_keys_live);
	g_test_add_func("/app/worker/cancel", test_cancel_queued_and_running);
	g_test_add_func("/app/loop/events-from-threads", test_events_from_threads);
	g_test_add_func("/app/loop/timer-repeats", test_timer_repeats);
	g_test_add_func("/app/loop/timer-remove-from-callback", test_timer_remove_from_callback);
	g_test_add_func("/app/loop/timer-and-keys", test_timer_and_keys);
	return g_test_run();
}
