/* testenv.h - integration tests find the servers started by
 * tests/servers/start through MAILTUI_TEST_* environment variables. */
#ifndef MAILTUI_TESTENV_H
#define MAILTUI_TESTENV_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

#endif
