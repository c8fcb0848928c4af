#!/usr/bin/python3
"""The header cache and live updates, with the real binary in tmux against
the test Dovecot (user carol, in a folder of this run's own):

- after a first run, a second run shows the folder's headers from the
  cache even while the server is down, and says the server is unreachable;
  a message read in the first run opens from the body cache;
- mail delivered while the index is open appears without a key press,
  and the folder list's count changes with it;
- a dropped connection is re-established and the status line says so,
  with a folder open or from the folder list.

Stops and restarts the shared Dovecot: run alone (is_parallel: false)."""
import os
import re
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from testenv import env as env_or_skip  # noqa: E402
from tmux import Session, private_env  # noqa: E402

MAILTUI = os.path.abspath(sys.argv.pop(1))


def ctl(action):
    subprocess.run([env_or_skip("CTL"), env_or_skip("DIR"), action, "dovecot"], check=True,
                   stdout=subprocess.DEVNULL)


class ImapLive(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="mailtui-live-")
        self.log = os.path.join(self.dir, "debug.log")
        self.folder = "Live%d" % (int(time.time() * 1000) % 100000000)
        self.env = private_env(self.dir)
        user, password = env_or_skip("USER3"), env_or_skip("PASS3")
        self.conf = os.path.join(self.dir, "config")
        with open(self.conf, "w") as f:
            f.write("[account mail]\nmode = imap\nfrom = %s@example.test\n"
                    "imap_url = imaps://127.0.0.1:%s\nuser = %s\npassword = \"%s\"\n"
                    "tls_ca_file = %s\ntimeout = 5\n"
                    % (user, env_or_skip("IMAPS_PORT"), user,
                       password.replace("\\", "\\\\").replace('"', '\\"'), env_or_skip("CA")))
        os.chmod(self.conf, 0o600)

    def tearDown(self):
        # Leave Dovecot running for the next test whatever happened.
        subprocess.run([env_or_skip("CTL"), env_or_skip("DIR"), "start", "dovecot"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def deliver(self, subject):
        path = os.path.join(self.dir, "m.eml")
        with open(path, "w") as f:
            f.write("From: Trần Thị Bình <binh@example.test>\nTo: carol@example.test\n"
                    "Subject: %s\nMessage-ID: <%s.%s@example.test>\n"
                    "Date: Mon, 1 Jan 2024 10:00:00 +0000\n\nXin chào.\n"
                    % (subject, subject.replace(" ", "."), self.folder))
        env = dict(os.environ, FOLDER=self.folder)
        subprocess.run([env_or_skip("DELIVER"), env_or_skip("DIR"), env_or_skip("USER3"), path],
                       check=True, env=env, stdout=subprocess.DEVNULL)

    def start(self):
        # Tall: the folders other tests of the run made must not push
        # this one off the folder list.
        return Session("%s -d %s -c %s -a mail -f %s" % (MAILTUI, self.log, self.conf, self.folder),
                       env=self.env, width=110, height=100)

    def status(self, screen):
        return screen.rstrip("\n").split("\n")[-1]

    def log_text(self):
        with open(self.log, encoding="utf-8", errors="replace") as f:
            return f.read()

    def open_row(self, s, screen, subject):
        """Select the row showing subject (the newest, last, is selected
        first) and open it."""
        rows = [l for l in screen.split("\n") if subject in l]
        self.assertEqual(len(rows), 1, screen)
        count = max(int(m.group(1)) for m in re.finditer(r"(?m)^\s*(\d+)\s", screen))
        s.send(*(["k"] * (count - int(rows[0].split()[0]))))
        s.send("Enter")

    def wait_watching(self):
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            log = self.log_text()
            watch = log.rfind("watching from")
            if "mail: job 2 done" in log and watch >= 0 and " IDLE" in log[watch:]:
                return
            time.sleep(0.05)
        self.fail("the watcher did not start IDLE")

    def test_cache_then_live(self):
        for i in (1, 2, 3):
            self.deliver("Thư số %d" % i)
        with self.start() as s:
            screen = s.wait_for(lambda t: "Thư số 3" in t and "3 messages" in self.status(t),
                                what="the folder loaded")
            # Read one: its text goes to the body cache.
            self.open_row(s, screen, "Thư số 2")
            s.wait_for("Xin chào.")
            s.send("q", "q", "q", "q")
            self.assertEqual(s.wait_exit()[0], 0)
        cache = os.path.join(self.dir, "k", "mailtui", "mail", self.folder + ".hcache")
        self.assertTrue(os.path.exists(cache))
        bodies = os.path.join(self.dir, "k", "mailtui", "mail", "bodies", self.folder)
        self.assertEqual(len([f for _, _, fs in os.walk(bodies) for f in fs]), 1)

        # The server is down: the rows still come, from the cache, and
        # the message read before opens from the body cache.
        ctl("stop")
        try:
            with self.start() as s:
                screen = s.wait_for(lambda t: "Thư số 1" in t and "Thư số 3" in t,
                                    what="cached rows")
                self.assertIn("Trần Thị Bình", screen)
                s.wait_for(lambda t: "127.0.0.1" in self.status(t),
                           what="the connection error")
                self.open_row(s, screen, "Thư số 2")
                screen = s.wait_for(lambda t: "Xin chào." in t and "Subject: Thư số 2" in t,
                                    what="the cached message")
                s.send("q", "q", "q", "q")
                self.assertEqual(s.wait_exit()[0], 0)
        finally:
            ctl("start")

        # Up again: new mail arrives while the index is open, no key press.
        with self.start() as s:
            s.wait_for("Thư số 3")
            # The folder list (below the index) has loaded its counts, and
            # the watcher is in IDLE, before the new mail comes.
            self.wait_watching()
            self.deliver("Thư số 4")
            screen = s.wait_for("Thư số 4")
            self.assertIn("1 new message", self.status(screen))
            s.send("q")  # back to the folder list: the count moved from 3 to 4
            s.wait_for(lambda t: any(self.folder in l and re.search(r"\b4\s*$", l)
                                     for l in t.split("\n")), what="the new count")
            s.send("q", "q")
            self.assertEqual(s.wait_exit()[0], 0)

    def test_reconnect_is_announced(self):
        self.deliver("trước khi khởi động lại")
        with self.start() as s:
            s.wait_for("trước khi khởi động lại")
            self.wait_watching()
            ctl("restart")
            s.wait_for(lambda t: "Reconnected to 127.0.0.1" in self.status(t),
                       what="the reconnect notice", timeout=40)
            # The watcher works again: mail delivered now still arrives.
            self.deliver("sau khi khởi động lại")
            s.wait_for("sau khi khởi động lại", timeout=30)
            s.send("q", "q", "q")
            self.assertEqual(s.wait_exit()[0], 0)

    def test_reconnect_from_folder_list(self):
        """No folder open: the next command after a restart logs in again,
        the status line says so, and the list is refreshed all the same."""
        self.deliver("danh sách thư mục")
        with Session("%s -d %s -c %s -a mail" % (MAILTUI, self.log, self.conf),
                     env=self.env, width=110, height=100) as s:  # tall: see start()
            s.wait_for(lambda t: any(self.folder in l and re.search(r"\b1\s*$", l)
                                     for l in t.split("\n")), what="the folder with 1 message")
            ctl("restart")
            self.deliver("sau khi khởi động lại")
            s.send("$")
            screen = s.wait_for(lambda t: "Reconnected to 127.0.0.1" in self.status(t),
                                what="the reconnect notice", timeout=40)
            s.wait_for(lambda t: any(self.folder in l and re.search(r"\b2\s*$", l)
                                     for l in t.split("\n")), what="the refreshed count")
            s.send("q", "q")
            self.assertEqual(s.wait_exit()[0], 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
