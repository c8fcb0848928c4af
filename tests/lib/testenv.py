"""Shared by the Python tests: the MAILTUI_TEST_* environment that
tests/servers/start writes, and TAP-like checks.

A missing variable skips the test (exit 77), unless
MAILTUI_TEST_REQUIRE_SERVERS=1 (scripts/check) makes it a failure."""
import os
import sys

SKIP = 77


def env(name):
    v = os.environ.get("MAILTUI_TEST_" + name)
    if v:
        return v
    if os.environ.get("MAILTUI_TEST_REQUIRE_SERVERS") == "1":
        print("MAILTUI_TEST_%s is not set: the test servers are not running" % name)
        sys.exit(1)
    print("MAILTUI_TEST_%s is not set: skipping" % name)
    sys.exit(SKIP)


def check(cond, what):
    if not cond:
        raise AssertionError(what)
    print("ok - " + what)
