#!/usr/bin/python3
"""A scripted $EDITOR for the compose tests.

Run as `fake_editor.py FILE`.  The directory in MAILTUI_TEST_EDITOR_DIR
holds the plan: for the n-th run (counting from 1, kept in "count") it
copies FILE to seen-n.txt, then applies step-n.json when present:
  {"headers": {"To": "...", ...}}   replace (or add) these header lines
  {"body": "..."}                   replace the body
  {"prepend_body": "..."}           put text before the body
  {"raw": "..."}                    replace the whole file
  {"exit": N}                       exit with status N, file untouched
Without a step file the file is left as it is."""
import json
import os
import sys

path = sys.argv[1]
plan = os.environ["MAILTUI_TEST_EDITOR_DIR"]
count_file = os.path.join(plan, "count")
n = int(open(count_file).read()) + 1 if os.path.exists(count_file) else 1
with open(count_file, "w") as f:
    f.write(str(n))
with open(path, encoding="utf-8") as f:
    text = f.read()
with open(os.path.join(plan, "seen-%d.txt" % n), "w", encoding="utf-8") as f:
    f.write(text)
# The file must be private: 0600.
with open(os.path.join(plan, "mode-%d" % n), "w") as f:
    f.write("%o" % (os.stat(path).st_mode & 0o777))
step_file = os.path.join(plan, "step-%d.json" % n)
if not os.path.exists(step_file):
    sys.exit(0)
with open(step_file, encoding="utf-8") as f:
    step = json.load(f)
if "exit" in step:
    sys.exit(step["exit"])
if "raw" in step:
    text = step["raw"]
else:
    head, _, body = text.partition("\n\n")
    lines = head.split("\n")
    for name, value in step.get("headers", {}).items():
        for i, l in enumerate(lines):
            if l.lower().startswith(name.lower() + ":"):
                lines[i] = "%s: %s" % (name, value)
                break
        else:
            lines.append("%s: %s" % (name, value))
    if "body" in step:
        body = step["body"]
    body = step.get("prepend_body", "") + body
    text = "\n".join(lines) + "\n\n" + body
with open(path, "w", encoding="utf-8") as f:
    f.write(text)
