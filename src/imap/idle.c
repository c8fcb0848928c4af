/* idle.c - waiting for news in the selected mailbox: IDLE ... DONE, or
 * NOOP polling where the server has no IDLE.  What arrives goes to the
 * event callback through the usual dispatch. */
#include "imap/imap_private.h"

#include "core/core.h"

#include <poll.h>
#include <string.h>

/* How often a waiting loop looks at stop and cancel. */
#define SLICE_MS 250

static bool should_leave(const struct imap_session *s, const volatile int *stop,
	gint64 deadline)
{
	return core_flag_raised(stop) || imap_cancelled(s) || g_get_monotonic_time() >= deadline;
}

static enum imap_status noop_poll(struct imap_session *s, int poll_ms, const volatile int *stop,
	gint64 deadline)
{
	while (!should_leave(s, stop, deadline)) {
		struct imap_cmd_ctx ctx = {.no_status = IMAP_ERR_BAD};
		enum imap_status st = imap_run(s, "NOOP", &ctx);
		imap_ctx_clear(&ctx);
		if (st != IMAP_OK)
			return st;
		gint64 next = g_get_monotonic_time() + (gint64)poll_ms * 1000;
		while (g_get_monotonic_time() < next && !should_leave(s, stop, deadline))
			g_usleep(SLICE_MS * 1000);
	}
	return imap_cancelled(s) ? imap_fail(s, IMAP_ERR_CANCELLED, NULL, NULL) : IMAP_OK;
}

/* Read untagged responses (to the event callback) in slices of slice_ms
 * until stop, cancel or the deadline; with once_quiet, also as soon as a
 * slice brings nothing.  A BYE or a tagged response ends the session. */
static enum imap_status read_untagged(struct imap_session *s, int slice_ms,
	const volatile int *stop, gint64 deadline, bool once_quiet)
{
	enum imap_status st = IMAP_OK;
	s->idle_poll = true;
	net_set_read_timeout(s->conn, slice_ms);
	while (!should_leave(s, stop, deadline)) {
		struct imap_response *r;
		st = imap_read_response(s, &r);
		if (st == IMAP_ERR_UNAVAILABLE) { /* nothing within the slice */
			st = IMAP_OK;
			if (once_quiet)
				break;
			continue;
		}
		if (st != IMAP_OK)
			break;
		if (r->kind != IMAP_RESP_UNTAGGED) {
			imap_response_free(r);
			st = imap_fail(s, IMAP_ERR_PROTOCOL, "response to no command", NULL);
			break;
		}
		bool bye = r->cond == IMAP_COND_BYE;
		imap_dispatch(s, r, NULL);
		imap_response_free(r);
		if (bye) {
			st = imap_fail(s, IMAP_ERR_CLOSED, NULL, "BYE");
			break;
		}
	}
	s->idle_poll = false;
	if (s->conn)
		net_set_read_timeout(s->conn,
			s->opts.net.read_timeout_ms ? s->opts.net.read_timeout_ms : 60000);
	return st;
}

static enum imap_status idle_loop(struct imap_session *s, const volatile int *stop,
	gint64 deadline)
{
	enum imap_status st = read_untagged(s, SLICE_MS, stop, deadline, false);
	if (st == IMAP_OK && imap_cancelled(s))
		st = imap_fail(s, IMAP_ERR_CANCELLED, NULL, NULL);
	return st;
}

enum imap_status imap_idle(struct imap_session *s, int max_ms, int poll_ms,
	const volatile int *stop, const volatile int *cancel)
{
	s->cancel = cancel;
	imap_clear_error(s);
	if (!s->conn || s->state != IMAP_STATE_SELECTED)
		return imap_fail(s, IMAP_ERR_STATE, NULL, NULL);
	gint64 deadline = g_get_monotonic_time() + (gint64)(max_ms > 0 ? max_ms : 0) * 1000;
	if (!(s->caps & IMAP_CAP_IDLE))
		return noop_poll(s, poll_ms > 0 ? poll_ms : 30000, stop, deadline);

	unsigned tag;
	enum imap_status st = imap_send_simple(s, "IDLE", &tag);
	struct imap_cmd_ctx ctx = {.no_status = IMAP_ERR_BAD, .want_continue = true};
	if (st == IMAP_OK)
		st = imap_wait(s, tag, &ctx);
	imap_ctx_clear(&ctx);
	if (st != IMAP_OK)
		return st;
	if (!ctx.got_continue) /* completed at once: nothing to end */
		return IMAP_OK;
	imap_set_state(s, IMAP_STATE_IDLE);
	st = idle_loop(s, stop, deadline);
	if (st != IMAP_OK)
		return st;
	struct net_error err = {0};
	enum net_status ns = net_write(s->conn, "DONE\r\n", 6, &err);
	if (ns != NET_OK) {
		s->net_err = err;
		return imap_fail(s, ns == NET_ERR_CANCELLED ? IMAP_ERR_CANCELLED : IMAP_ERR_NET,
			err.detail, NULL);
	}
	ctx = (struct imap_cmd_ctx){.no_status = IMAP_ERR_BAD};
	st = imap_wait(s, tag, &ctx);
	imap_ctx_clear(&ctx);
	if (st == IMAP_OK)
		imap_set_state(s, IMAP_STATE_SELECTED);
	return st;
}

/* How long imap_session_check waits for the rest of something that
 * started to arrive, and for all it reads at the most. */
#define CHECK_SLICE_MS 50
#define CHECK_MAX_MS 2000

enum imap_status imap_session_check(struct imap_session *s)
{
	imap_clear_error(s);
	if (!s->conn || s->state < IMAP_STATE_AUTHENTICATED || s->state == IMAP_STATE_LOGOUT)
		return imap_fail(s, IMAP_ERR_STATE, NULL, NULL);
	struct pollfd pfd = { .fd = net_fd(s->conn), .events = POLLIN };
	if (net_buffered(s->conn) == 0 && poll(&pfd, 1, 0) == 0)
		return IMAP_OK; /* nothing came: the common case */
	s->cancel = NULL;
	return read_untagged(s, CHECK_SLICE_MS, NULL,
		g_get_monotonic_time() + (gint64)CHECK_MAX_MS * 1000, true);
}
