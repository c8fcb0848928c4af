#!/usr/bin/python3
"""testlog.py TESTLOG.JSON - count the results of one `meson test` run.

Prints one line "PASSED FAILED" and then one line per test that did not
pass: "RESULT project:suite / name".  OK and EXPECTEDFAIL pass; FAIL, TIMEOUT,
ERROR, UNEXPECTEDPASS and SKIP fail (scripts/check needs every test to
run: a skipped integration test means the servers were not reachable)."""

import json
import sys

PASS = {"OK", "EXPECTEDFAIL"}


def main():
    passed, bad = 0, []
    with open(sys.argv[1], encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            rec = json.loads(line)
            result = rec.get("result", "ERROR")
            # "project:suite / test", unique within one run
            name = rec.get("name", "?")
            if result in PASS:
                passed += 1
            else:
                bad.append((result, name))
    print(passed, len(bad))
    for result, name in bad:
        print(result, name)


if __name__ == "__main__":
    main()
