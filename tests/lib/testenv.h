/* testenv.h - integration tests find the servers started by
 * tests/servers/start through MAILTUI_TEST_* environment variables. */
#ifndef MAILTUI_TESTENV_H
#define MAILTUI_TESTENV_H

#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

extern char **environ;

/* meson's exit code for a skipped test. */
#define TESTENV_SKIP 77

/* The value of MAILTUI_TEST_<name>, or exits: skip when no servers were
 * started, fail when MAILTUI_TEST_REQUIRE_SERVERS=1 says they must be. */
static inline const char *testenv_get(const char *name)
{
	char key[128];
	snprintf(key, sizeof key, "MAILTUI_TEST_%s", name);
	const char *v = getenv(key);
	if (v && *v)
		return v;
	const char *req = getenv("MAILTUI_TEST_REQUIRE_SERVERS");
	if (req && strcmp(req, "1") == 0) {
		fprintf(stderr, "%s is not set: the test servers are not running\n", key);
		exit(1);
	}
	fprintf(stderr, "%s is not set: skipping (run tests/servers/start)\n", key);
	exit(TESTENV_SKIP);
}

static inline unsigned testenv_port(const char *name)
{
	return (unsigned)strtoul(testenv_get(name), NULL, 10);
}

/* Runs argv (argv[0] a path) and waits; its exit status, or -1 when it
 * could not run or died of a signal.  No shell: no quoting problems. */
static inline int testenv_run(char *const argv[])
{
	pid_t pid;
	int st;
	if (posix_spawn(&pid, argv[0], NULL, NULL, argv, environ) != 0)
		return -1;
	while (waitpid(pid, &st, 0) < 0)
		;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* tests/servers/ctl: action "stop", "kill" (crash), "start" or "restart";
 * server "dovecot" or "smtp".  Returns when the ports are closed (stop,
 * kill) or answer again (start, restart); 0 on success. */
static inline int testenv_ctl(const char *action, const char *server)
{
	char *argv[] = { (char *)testenv_get("CTL"), (char *)testenv_get("DIR"),
			 (char *)action, (char *)server, NULL };
	return testenv_run(argv);
}

/* tests/servers/deliver: drop the message in file `path` into `user`'s
 * INBOX (Maildir new/, owned by the mail uid); 0 on success. */
static inline int testenv_deliver(const char *user, const char *path)
{
	char *argv[] = { (char *)testenv_get("DELIVER"), (char *)testenv_get("DIR"),
			 (char *)user, (char *)path, NULL };
	return testenv_run(argv);
}

#endif
