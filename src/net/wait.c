/* wait.c - poll() with a deadline, in slices, watching the cancel flag. */
#include <errno.h>
#include <poll.h>
#include <time.h>

#include "core/core.h"
#include "net/net_private.h"

int64_t net_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool cancelled(const volatile int *cancel)
{
	return core_flag_raised(cancel);
}

enum net_status net_wait_fd(int fd, short events, int64_t deadline_ms, const volatile int *cancel,
                            struct net_error *err)
{
	for (;;) {
		if (cancelled(cancel))
			return net_fail(err, NET_ERR_CANCELLED, NULL);
		int64_t left = deadline_ms - net_now_ms();
		if (left <= 0)
			return net_fail(err, NET_ERR_TIMEOUT, NULL);
		int slice = left < NET_POLL_SLICE_MS ? (int)left : NET_POLL_SLICE_MS;
		struct pollfd p = {.fd = fd, .events = events};
		int n = poll(&p, 1, slice);
		if (cancelled(cancel))
			return net_fail(err, NET_ERR_CANCELLED, NULL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return net_fail_errno(err, NET_ERR_IO, "poll", errno);
		}
		/* POLLERR/POLLHUP: let the next recv/send report what happened. */
		if (n > 0)
			return NET_OK;
	}
}
