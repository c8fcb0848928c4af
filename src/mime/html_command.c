/* html_command.c - text/html through an external command (w3m -dump).
 *
 * The HTML goes in on stdin while stdout is read, with poll(), so a
 * command that writes before it has read everything cannot deadlock us.
 * A deadline bounds the whole run (the child is killed past it) and the
 * output is capped.  SIGPIPE is blocked in this thread while writing, so
 * a command that exits early gives EPIPE instead of killing mailtui; a
 * pending SIGPIPE is consumed before the mask is restored.  The child
 * is spawned before blocking, so it starts with the normal mask. */
#include "mime/view_private.h"

#include <errno.h>
#include <glib-unix.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef G_SPAWN_CLOEXEC_PIPES
#define G_SPAWN_CLOEXEC_PIPES 0
#endif

static bool spawn(const char *cmd, GPid *pid, int *in_fd, int *out_fd)
{
	char **argv = NULL;
	bool ok;

	if (!g_shell_parse_argv(cmd, NULL, &argv, NULL))
		return false;
	ok = g_spawn_async_with_pipes(NULL, argv, NULL,
	                              G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD |
	                                  G_SPAWN_STDERR_TO_DEV_NULL | G_SPAWN_CLOEXEC_PIPES,
	                              NULL, NULL, pid, in_fd, out_fd, NULL, NULL);
	g_strfreev(argv);
	return ok;
}

static void consume_sigpipe(void)
{
	sigset_t pending, pipe_set;
	struct timespec zero = {0, 0};

	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	if (sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE))
		sigtimedwait(&pipe_set, NULL, &zero);
}

/* Exchange data with the child until its stdout ends or the deadline.
 * true when stdout reached EOF (or the cap) in time. */
static bool exchange(int in_fd, int out_fd, const char *html, size_t len, gint64 deadline,
                     size_t max_out, GString *out)
{
	size_t written = 0;
	char buf[8192];

	if (len == 0) {
		close(in_fd);
		in_fd = -1;
	}
	while (out_fd >= 0) {
		struct pollfd fds[2] = {{.fd = out_fd, .events = POLLIN},
		                        {.fd = in_fd, .events = POLLOUT}};
		gint64 left = (deadline - g_get_monotonic_time()) / 1000;
		int r;

		if (left <= 0)
			break;
		r = poll(fds, in_fd >= 0 ? 2 : 1, (int)MIN(left, 1000));
		if (r < 0 && errno != EINTR)
			break;
		if (r <= 0)
			continue;
		if (in_fd >= 0 && fds[1].revents) {
			ssize_t n = write(in_fd, html + written, MIN(len - written, 65536));

			if (n > 0)
				written += (size_t)n;
			if ((n < 0 && errno != EAGAIN && errno != EINTR) || written == len) {
				close(in_fd);
				in_fd = -1;
			}
		}
		if (fds[0].revents) {
			ssize_t n = read(out_fd, buf, sizeof buf);

			if (n > 0)
				g_string_append_len(out, buf, MIN((size_t)n, max_out - out->len));
			if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR) ||
			    out->len >= max_out) {
				close(out_fd);
				out_fd = -1;
			}
		}
	}
	if (in_fd >= 0)
		close(in_fd);
	if (out_fd >= 0) {
		close(out_fd);
		return false;
	}
	return true;
}

/* Wait for pid until deadline, then kill it.  true: exited with 0. */
static bool reap(GPid pid, gint64 deadline)
{
	int status;

	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return WIFEXITED(status) && WEXITSTATUS(status) == 0;
		if (r < 0 && errno != EINTR)
			return false;
		if (g_get_monotonic_time() >= deadline) {
			kill(pid, SIGKILL);
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			return false;
		}
		g_usleep(2000);
	}
}

char *html_run_command(const char *cmd, const char *html, size_t len, int timeout_ms,
                       size_t max_out)
{
	gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
	GString *out = g_string_new(NULL);
	sigset_t block, old;
	GPid pid;
	int in_fd, out_fd;
	bool done, ok;

	if (!spawn(cmd, &pid, &in_fd, &out_fd)) {
		g_string_free(out, TRUE);
		return NULL;
	}
	g_unix_set_fd_nonblocking(in_fd, TRUE, NULL);
	g_unix_set_fd_nonblocking(out_fd, TRUE, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	done = exchange(in_fd, out_fd, html, len, deadline, max_out, out);
	consume_sigpipe();
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!done || out->len >= max_out)
		deadline = 0; /* timed out, or enough read: kill at once */
	ok = reap(pid, deadline) && done;
	/* Capped output is still good text, whatever the killed child says. */
	if (done && out->len >= max_out)
		ok = true;
	g_spawn_close_pid(pid);
	if (!ok) {
		g_string_free(out, TRUE);
		return NULL;
	}
	return g_string_free(out, FALSE);
}
