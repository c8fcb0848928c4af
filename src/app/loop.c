/* loop.c - the UI thread's poll() loop, its wakeup pipe and signal pipe. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "app/app.h"
#include "app/app_private.h"

/* The signal handler may only write a byte: it finds the pipe here. */
static int signal_pipe_wr = -1;

struct app_event *app_event_new(enum app_event_type type, int account,
	uint64_t job, const char *text)
{
	struct app_event *ev = g_new0(struct app_event, 1);
	ev->type = type;
	ev->account = account;
	ev->job = job;
	ev->text = text ? g_strdup(text) : NULL;
	return ev;
}

void app_event_free(struct app_event *ev)
{
	if (!ev)
		return;
	if (ev->free_data && ev->data)
		ev->free_data(ev->data);
	g_free(ev->text);
	g_free(ev);
}

static int make_pipe(int fds[2])
{
	if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) < 0)
		return -errno;
	return 0;
}

static void drain(int fd)
{
	char buf[256];
	while (read(fd, buf, sizeof buf) > 0)
		;
}

struct app *app_new(int input_fd)
{
	struct app *app = g_new0(struct app, 1);
	app->input_fd = input_fd;
	pthread_mutex_init(&app->lock, NULL);
	app->timers = g_array_new(FALSE, FALSE, sizeof(struct app_timer));
	if (make_pipe(app->wake) < 0 || make_pipe(app->sig) < 0) {
		app_free(app);
		return NULL;
	}
	return app;
}

void app_free(struct app *app)
{
	if (!app)
		return;
	if (signal_pipe_wr == app->sig[1])
		signal_pipe_wr = -1;
	for (int i = 0; i < 2; i++) {
		if (app->wake[i] > 0)
			close(app->wake[i]);
		if (app->sig[i] > 0)
			close(app->sig[i]);
	}
	struct app_event *ev = app->head;
	while (ev) {
		struct app_event *next = ev->next;
		app_event_free(ev);
		ev = next;
	}
	pthread_mutex_destroy(&app->lock);
	g_array_free(app->timers, TRUE);
	g_free(app);
}

static void on_signal(int signo)
{
	int saved = errno;
	unsigned char b = (unsigned char)signo;
	if (signal_pipe_wr >= 0)
		(void)!write(signal_pipe_wr, &b, 1);
	errno = saved;
}

int app_install_signals(struct app *app)
{
	static const int sigs[] = { SIGWINCH, SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa;

	signal_pipe_wr = app->sig[1];
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	for (size_t i = 0; i < G_N_ELEMENTS(sigs); i++)
		if (sigaction(sigs[i], &sa, NULL) < 0)
			return -errno;
	/* A dropped connection must be an error code, not a dead process. */
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

void app_post(struct app *app, struct app_event *ev)
{
	ev->next = NULL;
	pthread_mutex_lock(&app->lock);
	if (app->tail)
		app->tail->next = ev;
	else
		app->head = ev;
	app->tail = ev;
	pthread_mutex_unlock(&app->lock);
	char b = 1;
	(void)!write(app->wake[1], &b, 1); /* a full pipe already means "wake up" */
}

/* Take the whole queue at once so workers never wait on the UI. */
static struct app_event *take_events(struct app *app)
{
	pthread_mutex_lock(&app->lock);
	struct app_event *ev = app->head;
	app->head = app->tail = NULL;
	pthread_mutex_unlock(&app->lock);
	return ev;
}

void app_quit(struct app *app)
{
	app->quit = true;
}

unsigned app_timer_add(struct app *app, unsigned interval_ms, app_timer_fn fn, void *ctx)
{
	struct app_timer t = {
		.id = ++app->next_timer,
		.interval_ms = interval_ms ? interval_ms : 1,
		.fn = fn,
		.ctx = ctx,
	};
	t.due = g_get_monotonic_time() + (gint64)t.interval_ms * 1000;
	g_array_append_val(app->timers, t);
	return t.id;
}

void app_timer_remove(struct app *app, unsigned id)
{
	for (guint i = 0; i < app->timers->len; i++)
		if (g_array_index(app->timers, struct app_timer, i).id == id) {
			g_array_remove_index(app->timers, i);
			return;
		}
}

/* poll()'s timeout: milliseconds until the next timer, -1 for none. */
static int next_timeout(struct app *app)
{
	if (app->timers->len == 0)
		return -1;
	gint64 now = g_get_monotonic_time(), first = G_MAXINT64;
	for (guint i = 0; i < app->timers->len; i++)
		first = MIN(first, g_array_index(app->timers, struct app_timer, i).due);
	if (first <= now)
		return 0;
	/* Round up, so a wake-up is never a millisecond early. */
	return (int)MIN((first - now + 999) / 1000, (gint64)G_MAXINT);
}

/* Run every due timer once.  A handler may add or remove timers, so the
 * array is searched by id each time rather than walked by index. */
static void run_timers(struct app *app)
{
	gint64 now = g_get_monotonic_time();
	GArray *due = g_array_new(FALSE, FALSE, sizeof(unsigned));
	for (guint i = 0; i < app->timers->len; i++) {
		struct app_timer *t = &g_array_index(app->timers, struct app_timer, i);
		if (t->due <= now) {
			/* Behind schedule (a suspended process): once, then a
			 * fresh period, rather than a burst of catch-up calls. */
			t->due += (gint64)t->interval_ms * 1000;
			if (t->due <= now)
				t->due = now + (gint64)t->interval_ms * 1000;
			g_array_append_val(due, t->id);
		}
	}
	for (guint k = 0; k < due->len && !app->quit; k++) {
		unsigned id = g_array_index(due, unsigned, k);
		for (guint i = 0; i < app->timers->len; i++) {
			struct app_timer t = g_array_index(app->timers, struct app_timer, i);
			if (t.id == id) {
				t.fn(t.ctx);
				break;
			}
		}
	}
	g_array_free(due, TRUE);
}

static void handle_signals(struct app *app, const struct app_loop_handlers *h)
{
	unsigned char buf[64];
	bool resized = false;
	ssize_t n;

	while ((n = read(app->sig[0], buf, sizeof buf)) > 0) {
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] == SIGWINCH)
				resized = true;
			else if (h->on_signal)
				h->on_signal(h->ctx, buf[i]);
			else
				app_quit(app);
		}
	}
	if (resized && h->on_resize)
		h->on_resize(h->ctx);
}

int app_loop_run(struct app *app, const struct app_loop_handlers *h)
{
	app->quit = false;
	if (h->on_idle)
		h->on_idle(h->ctx);
	while (!app->quit) {
		struct pollfd pfd[3] = {
			{ .fd = app->sig[0], .events = POLLIN },
			{ .fd = app->wake[0], .events = POLLIN },
			{ .fd = app->input_fd, .events = POLLIN },
		};
		nfds_t n = app->input_fd >= 0 ? 3 : 2;

		if (poll(pfd, n, next_timeout(app)) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		run_timers(app);
		if (pfd[0].revents)
			handle_signals(app, h);
		if (n == 3 && (pfd[2].revents & (POLLIN | POLLHUP | POLLERR))) {
			if (h->on_input)
				h->on_input(h->ctx);
			if (pfd[2].revents & (POLLHUP | POLLERR) && !(pfd[2].revents & POLLIN))
				app_quit(app); /* the terminal went away */
		}
		if (pfd[1].revents) {
			drain(app->wake[0]);
			struct app_event *ev = take_events(app);
			while (ev) {
				struct app_event *next = ev->next;
				if (h->on_event)
					h->on_event(h->ctx, ev);
				app_event_free(ev);
				ev = next;
			}
		}
		if (h->on_idle && !app->quit)
			h->on_idle(h->ctx);
	}
	return 0;
}
