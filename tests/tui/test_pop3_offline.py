#!/usr/bin/python3
"""A POP3 account read offline with the real binary in tmux, and fetched
by check_interval on its own.

`mailtui fetch` downloads bob's mail (keep = yes) from a private Dovecot
instance this test starts itself, then stops every server of that
instance, so only the local Maildir and its notmuch index are left.  The
binary then shows the folders with counts, the Inbox, a Vietnamese
message with an attachment, adds a tag with +, and G says the server
cannot be reached.  With check_interval = 1s and no key pressed, the
fetch fails while Dovecot is stopped, then brings the mail once it is
back.  Compose completes addresses from notmuch's index, offline.  The
shared test servers are never touched."""
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from tmux import Session, private_env  # noqa: E402
from testenv import env  # noqa: E402

MAILTUI = os.path.abspath(sys.argv.pop(1))
EDITOR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fake_editor.py")


def private_port_base():
    """Where the private instance listens: MAILTUI_TEST_PRIVATE_PORT_BASE,
    else 500 above the shared instance's base, which no fixed offset of
    either instance reaches."""
    if os.environ.get("MAILTUI_TEST_PRIVATE_PORT_BASE"):
        return int(os.environ["MAILTUI_TEST_PRIVATE_PORT_BASE"])
    return int(env("POP3_PORT")) - 110 + 500


def read(path):
    """The text of path, or "" while it does not exist."""
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except FileNotFoundError:
        return ""


def read_env(path):
    """The variables of a DIR/env file, unquoted by the shell itself."""
    out = subprocess.run(["sh", "-c", '. "$0" && env -0', path], capture_output=True,
                         check=True).stdout.decode()
    return dict(kv.split("=", 1) for kv in out.split("\0") if kv.startswith("MAILTUI_TEST_"))


class PrivateServers(unittest.TestCase):
    """A private server instance and bob's account on it (no tests here)."""
    check_interval = "0"

    def setUp(self):
        servers = env("SERVERS")
        self.start = os.path.join(servers, "start")
        self.stop = os.path.join(servers, "stop")
        self.dir = tempfile.mkdtemp(prefix="mailtui-pop3-tui-")
        self.srv = None
        e = dict(os.environ, MAILTUI_TEST_PORT_BASE=str(private_port_base()))
        r = subprocess.run([self.start], capture_output=True, text=True, env=e)
        if r.returncode != 0:
            self.fail("cannot start the private servers:\n" + r.stderr)
        self.srv = r.stdout.strip().split("\n")[-1]
        self.senv = read_env(os.path.join(self.srv, "env"))
        self.maildir = os.path.join(self.dir, "Mail")
        self.env = private_env(self.dir)
        self.conf = os.path.join(self.dir, "config")
        with open(self.conf, "w") as f:
            f.write("[account bob]\nmode = pop3\nfrom = bob@example.test\n"
                    "pop3_url = pop3s://127.0.0.1:%s\nuser = %s\npassword = \"%s\"\n"
                    "maildir = %s\nkeep = yes\ntls_ca_file = %s\ncheck_interval = %s\n"
                    % (self.senv["MAILTUI_TEST_POP3S_PORT"], self.senv["MAILTUI_TEST_USER2"],
                       self.senv["MAILTUI_TEST_PASS2"], self.maildir,
                       self.senv["MAILTUI_TEST_CA"], self.check_interval))
        os.chmod(self.conf, 0o600)

    def tearDown(self):
        if self.srv:
            subprocess.run([self.stop, self.srv], capture_output=True)
            shutil.rmtree(self.srv, ignore_errors=True)
        shutil.rmtree(self.dir, ignore_errors=True)

    def fetch(self):
        e = dict(os.environ, **self.env)
        return subprocess.run([MAILTUI, "-c", self.conf, "fetch"], capture_output=True,
                              text=True, env=e, timeout=120)

    def file_of(self, message_id):
        for path in glob.glob(os.path.join(self.maildir, "*", "*")):
            with open(path, "rb") as f:
                if ("<%s>" % message_id).encode() in f.read(4096):
                    return path
        self.fail("no file for " + message_id)


class Pop3Offline(PrivateServers):
    def test_read_offline(self):
        p = self.fetch()
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("bob: 25 new, 0 deleted", p.stdout)
        # Every server of the private instance goes away.
        subprocess.run([self.stop, self.srv], check=True, capture_output=True)
        port = self.senv["MAILTUI_TEST_POP3S_PORT"]

        with Session("%s -c %s -a bob" % (MAILTUI, self.conf), env=self.env,
                     width=120, height=40) as s:
            # The folders, with unread and total counts, no network needed.
            screen = s.wait_for("Inbox")
            screen = s.wait_for(lambda t: any(l.startswith("Inbox") and l.split()[-2:] == ["25", "25"]
                                              for l in t.split("\n")),
                                what="Inbox with 25 unread of 25")
            for name in ("Unread", "Flagged", "Sent", "Drafts", "All"):
                self.assertIn(name, screen)
            s.send("Enter")
            screen = s.wait_for(lambda t: "25 messages" in t.rstrip("\n").split("\n")[-1],
                                what="the Inbox loaded")
            rows = [l for l in screen.split("\n") if "Thư số 14: meeting" in l]
            self.assertEqual(len(rows), 1, screen)
            self.assertIn("Nguyễn Văn An", rows[0])
            self.assertIn("[bob inbox]", rows[0])  # tags after the subject
            target = int(rows[0].split()[0])
            s.send(*(["k"] * (25 - target)))  # the newest (row 25) is selected
            s.send("Enter")
            # The message: decoded headers, Vietnamese text, the attachment.
            screen = s.wait_for(lambda t: "Chào chị Alice" in t and "doc.pdf" in t,
                                what="the message and its attachment line")
            self.assertIn("Subject: Thư số 14: meeting", screen)
            self.assertIn("From: Nguyễn Văn An", screen)
            self.assertIn("Tuần tới nhóm mình sẽ họp vào thứ Ba", screen)
            self.assertIn("doc.pdf", screen)
            self.assertIn("Attachment", screen)
            s.send("q")
            # Read now: no N in its flags column.
            s.wait_for(lambda t: any("Thư số 14" in l and l.split()[1] != "N"
                                     for l in t.split("\n")), what="the message marked read")
            # + adds a tag through the prompt.
            s.send("+")
            s.wait_for("Add tags:")
            s.send_literal("họp-nhóm")
            s.send("Enter")
            screen = s.wait_for(lambda t: any("Thư số 14" in l and "họp-nhóm" in l
                                              for l in t.split("\n")), what="the new tag shown")
            # G: the server is gone, and the status line says so by name.
            s.send("G")
            screen = s.wait_for("Fetching bob failed")
            last = screen.rstrip("\n").split("\n")[-1]
            self.assertIn("127.0.0.1", last)
            self.assertIn(port, last)
            s.send("q", "q", "q")
            self.assertEqual(s.wait_exit()[0], 0)

        # What the screen did is in the Maildir: read (S), still indexed.
        path = self.file_of("seed-bob-14@example.test")
        self.assertTrue(path.endswith(":2,S"), path)
        self.assertIn(os.sep + "cur" + os.sep, path)
        nm = os.path.join(self.dir, "nm.conf")
        with open(nm, "w") as f:
            f.write("[database]\npath=%s\n" % self.maildir)
        out = subprocess.run(["notmuch", "--config=" + nm, "search", "--output=tags",
                              "id:seed-bob-14@example.test"], capture_output=True, text=True)
        self.assertIn("họp-nhóm", out.stdout.split())
        self.assertNotIn("unread", out.stdout.split())


class Pop3Periodic(PrivateServers):
    """check_interval fetches on its own: an error while the server is
    down, then the mail once it is back, and the counts follow."""
    check_interval = "1s"

    def ctl(self, action):
        subprocess.run([self.senv["MAILTUI_TEST_CTL"], self.srv, action, "dovecot"],
                       check=True, capture_output=True)

    def test_fetch_on_timer(self):
        self.ctl("stop")
        with Session("%s -c %s -a bob" % (MAILTUI, self.conf), env=self.env,
                     width=120, height=40) as s:
            s.wait_for("Inbox")
            # No key pressed: the timer's fetch fails, in words.
            s.wait_for("Fetching bob failed", timeout=30)
            self.ctl("start")
            s.wait_for("bob: 25 new, 0 deleted", timeout=30)
            s.wait_for(lambda t: any(l.startswith("Inbox") and l.split()[-2:] == ["25", "25"]
                                     for l in t.split("\n")),
                       what="the counts after the timer's fetch")
            s.send("q", "q")
            self.assertEqual(s.wait_exit()[0], 0)


class Pop3AddressCompletion(PrivateServers):
    """Compose on a POP3 account completes addresses that only notmuch
    knows: no index is opened in this run, so nothing was seen as a
    sender; Bob is only ever a recipient (To) of the downloaded mail.
    Offline: the servers are stopped before the screen starts."""

    def test_completion_from_notmuch(self):
        p = self.fetch()
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("bob: 25 new, 0 deleted", p.stdout)
        subprocess.run([self.stop, self.srv], check=True, capture_output=True)
        with open(self.conf, "a") as f:
            f.write("smtp_url = smtp://127.0.0.1:%s\n" % self.senv["MAILTUI_TEST_SMTP_PORT"])
        plan = os.path.join(self.dir, "editor")
        os.mkdir(plan)
        with open(os.path.join(plan, "step-1.json"), "w") as f:
            json.dump({"headers": {"Subject": "completion test"}}, f)
        log = os.path.join(self.dir, "debug.log")
        env = dict(self.env, EDITOR="/usr/bin/python3 " + EDITOR, VISUAL="",
                   MAILTUI_TEST_EDITOR_DIR=plan)

        def prompt(t):
            return t.rstrip("\n").split("\n")[-1]

        with Session("%s -d %s -c %s -a bob" % (MAILTUI, log, self.conf), env=env,
                     width=120, height=40) as s:
            s.wait_for("Inbox")
            s.send("m")
            s.wait_for("completion test")
            # The background query has answered (the log says so).
            s.wait_for(lambda t: "addresses from the mail index" in read(log),
                       what="the addresses in the debug log")
            s.send("t")
            s.wait_for(lambda t: prompt(t).startswith("To:"), what="the To prompt")
            s.send_literal("bo")
            s.send("Tab")
            s.wait_for(lambda t: prompt(t).startswith("To: Bob <bob@example.test>"),
                       what="bo completed from notmuch")
            # The entry after the last comma, diacritics ignored.
            s.send_literal(", nguyen")
            s.send("Tab")
            both = "Bob <bob@example.test>, Nguyễn Văn An <an@example.test>"
            s.wait_for(lambda t: prompt(t).startswith("To: " + both), what="nguyen completed")
            s.send("Enter")
            s.wait_for(lambda t: any(l.startswith("To:") and both in l for l in t.split("\n")),
                       what="the To field set")
            # Most used first: Alice wrote 13 of the messages, An 12.
            s.send("c")
            s.wait_for(lambda t: prompt(t).startswith("Cc:"), what="the Cc prompt")
            s.send_literal("a")
            s.send("Tab")
            s.wait_for(lambda t: prompt(t).startswith("Cc: Alice Example <alice@example.test>"),
                       what="the most used first")
            s.send("Tab")
            s.wait_for(lambda t: prompt(t).startswith("Cc: Nguyễn Văn An <an@example.test>"),
                       what="the next one")
            s.send("Escape")
            s.send("q")
            s.wait_for("Abort this message?")
            s.send("y")
            s.wait_for("Message aborted.")
            s.send("q", "q")
            self.assertEqual(s.wait_exit()[0], 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
