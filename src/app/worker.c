/* worker.c - one thread per account running queued jobs in order. */
#include <pthread.h>
#include <stdlib.h>

#include <glib.h>

#include "app/app.h"
#include "app/app_private.h"
#include "app/backend.h"
#include "core/core.h"

struct app_job {
	uint64_t id;
	app_job_fn fn;
	void *data;
	void (*free_data)(void *);
	volatile int cancel; /* raised by the UI thread, read by network code */
	struct app_worker *worker;
	struct app_job *next;
};

struct app_worker {
	struct app *app;
	int account;
	char *name;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct app_job *head, *tail; /* queued, not yet running */
	struct app_job *running;
	uint64_t next_id;
	bool stopping;
};

static void job_free(struct app_job *job)
{
	if (job->free_data && job->data)
		job->free_data(job->data);
	g_free(job);
}

static void *worker_main(void *arg)
{
	struct app_worker *w = arg;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (!w->head && !w->stopping)
			pthread_cond_wait(&w->cond, &w->lock);
		if (w->stopping)
			break;
		struct app_job *job = w->head;
		w->head = job->next;
		if (!w->head)
			w->tail = NULL;
		w->running = job;
		pthread_mutex_unlock(&w->lock);

		char *text = NULL;
		int status = job->fn(job, job->data, &text);
		bool cancelled = core_flag_raised(&job->cancel);
		struct app_event *ev = app_event_new(
			cancelled ? APP_EV_JOB_CANCELLED : APP_EV_JOB_DONE,
			w->account, job->id, NULL);
		ev->status = status;
		ev->text = text;
		core_log(CORE_LOG_APP, "%s: job %llu %s (%d)", w->name,
			(unsigned long long)job->id, cancelled ? "cancelled" : "done", status);

		pthread_mutex_lock(&w->lock);
		w->running = NULL;
		pthread_mutex_unlock(&w->lock);
		job_free(job);
		app_post(w->app, ev);
		pthread_mutex_lock(&w->lock);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

struct app_worker *app_worker_new(struct app *app, int account, const char *name)
{
	struct app_worker *w = g_new0(struct app_worker, 1);
	w->app = app;
	w->account = account;
	w->name = g_strdup(name ? name : "worker");
	w->next_id = 1;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
		pthread_mutex_destroy(&w->lock);
		pthread_cond_destroy(&w->cond);
		g_free(w->name);
		g_free(w);
		return NULL;
	}
	return w;
}

void app_worker_free(struct app_worker *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->stopping = true;
	if (w->running)
		__atomic_store_n(&w->running->cancel, 1, __ATOMIC_RELAXED);
	struct app_job *job = w->head;
	w->head = w->tail = NULL;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	while (job) {
		struct app_job *next = job->next;
		job_free(job);
		job = next;
	}
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->cond);
	g_free(w->name);
	g_free(w);
}

uint64_t app_worker_submit(struct app_worker *w, app_job_fn fn, void *data,
	void (*free_data)(void *))
{
	struct app_job *job = g_new0(struct app_job, 1);
	job->fn = fn;
	job->data = data;
	job->free_data = free_data;
	job->worker = w;

	pthread_mutex_lock(&w->lock);
	job->id = w->next_id++;
	if (w->tail)
		w->tail->next = job;
	else
		w->head = job;
	w->tail = job;
	pthread_cond_signal(&w->cond);
	uint64_t id = job->id;
	pthread_mutex_unlock(&w->lock);
	return id;
}

void app_worker_cancel(struct app_worker *w, uint64_t id)
{
	struct app_job *dropped = NULL;

	pthread_mutex_lock(&w->lock);
	if (w->running && w->running->id == id) {
		__atomic_store_n(&w->running->cancel, 1, __ATOMIC_RELAXED);
	} else {
		struct app_job **pp = &w->head, *prev = NULL;
		while (*pp && (*pp)->id != id) {
			prev = *pp;
			pp = &(*pp)->next;
		}
		if (*pp) {
			dropped = *pp;
			*pp = dropped->next;
			if (w->tail == dropped)
				w->tail = prev;
		}
	}
	pthread_mutex_unlock(&w->lock);
	if (dropped) {
		app_post(w->app, app_event_new(APP_EV_JOB_CANCELLED, w->account, id, NULL));
		job_free(dropped);
	}
}

unsigned app_worker_pending(struct app_worker *w)
{
	unsigned n = 0;
	pthread_mutex_lock(&w->lock);
	for (struct app_job *j = w->head; j; j = j->next)
		n++;
	if (w->running)
		n++;
	pthread_mutex_unlock(&w->lock);
	return n;
}

const volatile int *app_job_cancel_flag(struct app_job *job)
{
	return &job->cancel;
}

bool app_job_cancelled(struct app_job *job)
{
	return core_flag_raised(&job->cancel);
}

uint64_t app_job_id(struct app_job *job)
{
	return job->id;
}

void app_job_post(struct app_job *job, struct app_event *ev)
{
	ev->account = job->worker->account;
	ev->job = job->id;
	app_post(job->worker->app, ev);
}

struct app *app_job_app(struct app_job *job)
{
	return job->worker->app;
}

int app_job_account(struct app_job *job)
{
	return job->worker->account;
}
