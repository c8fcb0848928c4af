#!/usr/bin/python3
"""test_demo.py PORT_BASE - the README's first command, scripts/demo, run
as a person runs it: in a terminal (tmux), from this checkout.  It must
build ./build, start the demo servers, fetch the POP3 account and open
mailtui on both accounts with their sample mail; quitting mailtui must
stop the servers and leave the terminal as it was.

Exit status 0 when all of that held; it prints what did not."""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "tui"))
from tmux import Session, terminal_restored  # noqa: E402


def listening(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


def status(screen):
    return screen.rstrip("\n").split("\n")[-1]


def main():
    base = int(sys.argv[1]) if len(sys.argv) > 1 else 30000
    work = tempfile.mkdtemp(prefix="mailtui-demo-test-")
    os.chmod(work, 0o755)  # Dovecot's own users must reach the demo's mail
    demo_dir = os.path.join(work, "demo")
    env = {"MAILTUI_DEMO_DIR": demo_dir, "MAILTUI_DEMO_PORT_BASE": str(base),
           "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
    imaps = base + 993
    try:
        with Session("scripts/demo", env=env, width=120, height=40, cwd=ROOT) as s:
            # The first run builds ./build: minutes on a fresh checkout.
            screen = s.wait_for(lambda t: ("demo-imap" in t and "demo-pop3" in t)
                                or os.path.exists(s.done_file),
                                timeout=900, what="the accounts")
            if os.path.exists(s.done_file):
                raise AssertionError("scripts/demo ended before mailtui showed:\n" + screen)
            if not listening(imaps):
                raise AssertionError("the demo IMAP server is not listening on %d" % imaps)
            # The IMAP account: its folders, then the inbox's sample mail.
            s.send("Enter")
            s.wait_for("INBOX", timeout=60)
            s.send("Enter")
            screen = s.wait_for(lambda t: status(t).strip().endswith("messages")
                                and "Nguyễn Văn An" in t, timeout=60,
                                what="the IMAP inbox with Vietnamese senders")
            s.send("q", "q")
            s.wait_for(lambda t: "demo-pop3" in t and "INBOX" not in t, what="the accounts")
            # The POP3 account, fetched by the demo: read offline.
            s.send("j", "Enter")
            s.wait_for(lambda t: "Inbox" in t and "Unread" in t, timeout=60,
                       what="the POP3 account's folders")
            s.send("Enter")
            s.wait_for(lambda t: status(t).strip().endswith("messages") and "Thư" in t,
                       timeout=60, what="the POP3 inbox")
            s.send("q", "q", "q")
            code, stty = s.wait_exit(timeout=60)
            if code != 0:
                raise AssertionError("scripts/demo exited with %d" % code)
            if not terminal_restored(stty):
                raise AssertionError("the terminal was not restored:\n" + stty)
        deadline = time.monotonic() + 30
        while listening(imaps) and time.monotonic() < deadline:
            time.sleep(0.2)
        if listening(imaps):
            raise AssertionError("the demo servers still run after mailtui quit")
    except AssertionError as e:
        print("demo: FAILED: %s" % e)
        return 1
    finally:
        if os.path.exists(os.path.join(demo_dir, "env")):  # a failure left them running
            subprocess.run([os.path.join(ROOT, "tests", "servers", "stop"), demo_dir],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(work, ignore_errors=True)
    print("demo: passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
