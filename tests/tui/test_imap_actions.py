#!/usr/bin/python3
"""The IMAP reading screens' actions with the real binary in tmux against
the test Dovecot: index search and limit, move and copy with folder-name
completion, pager search, J/K and mark-read, and the attachments screen
(save with overwrite question, lazy fetch of a 5 MB part, a viewer).

Everything runs in a fresh folder of carol's (alice's mailbox is read-only
for tests), filled over IMAP with messages of our own and copies of
alice's seed messages, and checked with a second client (imaplib)."""
import base64
import email
import email.policy
import imaplib
import json
import os
import re
import ssl
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


def utf7(name):
    """A mailbox name in IMAP's modified UTF-7 (RFC 3501 5.1.3)."""
    out, buf = [], []

    def flush():
        if buf:
            b = "".join(buf).encode("utf-16-be")
            out.append("&" + base64.b64encode(b).decode().rstrip("=").replace("/", ",") + "-")
            buf.clear()
    for ch in name:
        if 0x20 <= ord(ch) <= 0x7e:
            flush()
            out.append("&-" if ch == "&" else ch)
        else:
            buf.append(ch)
    flush()
    return "".join(out)


def imap():
    ctx = ssl.create_default_context(cafile=env_or_skip("CA"))
    c = imaplib.IMAP4_SSL("127.0.0.1", int(env_or_skip("IMAPS_PORT")), ssl_context=ctx)
    c.login(env_or_skip("USER3"), env_or_skip("PASS3"))
    return c


def quoted(name):
    return '"%s"' % utf7(name).replace("\\", "\\\\").replace('"', '\\"')


def seed_message(message_id):
    """The bytes of one of alice's seed messages, from her Maildir."""
    root = env_or_skip("MAILDIR")
    for sub in ("cur", "new"):
        for f in os.listdir(os.path.join(root, sub)):
            path = os.path.join(root, sub, f)
            with open(path, "rb") as fh:
                data = fh.read()
            head = data.split(b"\n\n", 1)[0]
            if ("<%s>" % message_id).encode() in head:
                return data
    raise AssertionError("seed message %s not found" % message_id)


def attachment_bytes(raw, filename):
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    for part in msg.walk():
        if part.get_filename() == filename:
            return part.get_payload(decode=True)
    raise AssertionError("no attachment %r" % filename)


def make(subject, body, date, mid):
    return ("From: Test Sender <sender@example.test>\r\nTo: carol@example.test\r\n"
            "Subject: %s\r\nMessage-ID: <%s>\r\nDate: %s\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n"
            "\r\n%s" % (subject, mid, date, body.replace("\n", "\r\n"))).encode("utf-8")


class ImapActions(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="mailtui-act-")
        self.log = os.path.join(self.dir, "debug.log")
        self.stamp = "%d" % (time.time() * 1000)
        self.folder = "T%s" % self.stamp
        self.dest = "Đích%s" % self.stamp
        self.env = private_env(self.dir)
        self.c = imap()
        for f in (self.folder, self.dest):
            typ, data = self.c.create(quoted(f))
            self.assertEqual(typ, "OK", data)
        self.uids = {}

    def tearDown(self):
        self.c.select("INBOX")  # deleting the selected folder ends the session
        for f in (self.folder, self.dest):
            self.c.delete(quoted(f))
        self.c.logout()

    def append(self, key, raw, flags=""):
        typ, data = self.c.append(quoted(self.folder), flags, None, raw)
        self.assertEqual(typ, "OK", data)
        m = re.search(rb"APPENDUID \d+ (\d+)", data[0])
        self.uids[key] = int(m.group(1))

    def fill_small(self):
        msgs = [
            ("a", "Weekly report one", "nothing special here\n"),
            ("b", "Lunch plans", "the secret word is quokka\nsee you\n"),
            ("c", "Kế hoạch du lịch Đà Lạt", "Chúng ta đi Đà Lạt nhé.\n"),
            ("d", "Weekly report two", "more of the same\n"),
            ("e", "Quokka facts", "quokka one\n" + "filler line\n" * 60 + "quokka two\n"
             + "tail line\n" * 40),
            ("f", "Misc", "nothing\n"),
        ]
        for i, (key, subject, body) in enumerate(msgs):
            self.append(key, make(subject, body, "Mon, %d Jan 2024 10:00:00 +0000" % (i + 1),
                                  "%s-%s@example.test" % (key, self.stamp)))

    def config(self, extra=""):
        path = os.path.join(self.dir, "config")
        password = env_or_skip("PASS3")
        with open(path, "w") as f:
            f.write("[general]\n%s\n[account mail]\nmode = imap\nfrom = carol@example.test\n"
                    "imap_url = imaps://127.0.0.1:%s\nuser = %s\npassword = \"%s\"\n"
                    "tls_ca_file = %s\n" % (extra, env_or_skip("IMAPS_PORT"), env_or_skip("USER3"),
                                            password.replace("\\", "\\\\").replace('"', '\\"'),
                                            env_or_skip("CA")))
        os.chmod(path, 0o600)
        return path

    def start(self, extra=""):
        return Session("%s -d %s -c %s -a mail" % (MAILTUI, self.log, self.config(extra)),
                       env=self.env, width=120, height=40, cwd=self.dir)

    # ---- screen helpers ----

    @staticmethod
    def status(screen):
        return screen.rstrip("\n").split("\n")[-1]

    @staticmethod
    def reverse_rows(s):
        """The rows (plain text) that start in reverse video.  tmux -e
        writes SGR changes only, so the state carries across lines."""
        rows, reverse = [], False
        for line in s._tmux("capture-pane", "-p", "-e").stdout.split("\n"):
            start = True
            for m in re.finditer(r"\x1b\[([0-9;]*)m|[^\x1b]", line):
                if m.group(0).startswith("\x1b"):
                    for p in (m.group(1) or "0").split(";"):
                        if p in ("0", "27"):
                            reverse = False
                        elif p == "7":
                            reverse = True
                elif start:
                    start = False
                    if reverse:
                        rows.append(re.sub(r"\x1b\[[0-9;]*m", "", line))
        return rows

    def selected(self, s):
        """The index row drawn in reverse video (the selection)."""
        rows = [r for r in self.reverse_rows(s) if re.match(r"\s*\d+ ", r)]
        return rows[0] if rows else None

    def open_folder(self, s):
        screen = s.wait_for(self.folder)
        rows = screen.split("\n")
        target = [i for i, l in enumerate(rows) if l.strip().startswith(self.folder)][0]
        s.send(*(["j"] * (target - 1)))
        s.send("Enter")
        s.wait_for(lambda t: re.search(r"^\d+ messages?$", self.status(t).strip()),
                   what="the folder loaded")

    def go_to(self, s, subject):
        # Wait for the index (keys sent just before may still be on their way).
        def row(t):
            rows = [l for l in t.split("\n")[1:-1] if subject in l and re.match(r"\s*\d+ ", l)]
            return rows[0] if len(rows) == 1 else None
        screen = s.wait_for(lambda t: row(t) is not None and self.selected(s),
                            what="one index row with %r" % subject)
        target = int(row(screen).split()[0])
        current = int(self.selected(s).split()[0])
        s.send(*(["j" if target > current else "k"] * abs(target - current)))
        s.wait_for(lambda t: subject in (self.selected(s) or ""), what="%s selected" % subject)

    def prompt(self, s, keys, text):
        s.send(keys)
        s.send_literal(text)
        s.send("Enter")

    def server_has(self, folder, key):
        typ, _ = self.c.select(quoted(folder))
        self.assertEqual(typ, "OK")
        typ, data = self.c.search(None, "HEADER", "Message-ID", "%s-%s" % (key, self.stamp))
        return bool(data[0].split())

    # ---- tests ----

    def test_search_and_limit(self):
        self.fill_small()
        with self.start() as s:
            self.open_folder(s)
            # A word of a body and of a subject: the server's UID SEARCH.
            self.prompt(s, "/", "quokka")
            s.wait_for(lambda t: "Lunch plans" in (self.selected(s) or ""),
                       what="the first match (body) selected")
            s.send("n")
            s.wait_for(lambda t: "Quokka facts" in (self.selected(s) or ""), what="next match")
            s.send("n")
            # (The status and the selection from one capture each: wait for both.)
            s.wait_for(lambda t: "No more matches" in self.status(t)
                       and "Lunch plans" in (self.selected(s) or ""),
                       what="wrapped to the first match, and said so")
            # Vietnamese text, typed as such.
            self.prompt(s, "/", "đà lạt")
            s.wait_for(lambda t: "Đà Lạt" in (self.selected(s) or ""), what="Vietnamese match")
            # Limit: only the matching rows, the title says so.
            self.prompt(s, "l", "report")
            screen = s.wait_for(lambda t: "Lunch plans" not in t and "Weekly report two" in t,
                                what="the limited view")
            self.assertIn('limited to "report"', screen.split("\n")[0])
            self.assertIn("Weekly report one", screen)
            self.assertNotIn("Misc", screen)
            self.assertIn("2 of 6 messages", self.status(screen))
            # Messages streamed in after the answer (here: the reload after
            # an expunge) are asked about again: a match shows, others not.
            self.append("g", make("Monthly report", "x\n", "Mon, 8 Jan 2024 10:00:00 +0000",
                                  "g-%s@example.test" % self.stamp))
            self.append("h", make("Other news", "y\n", "Mon, 9 Jan 2024 10:00:00 +0000",
                                  "h-%s@example.test" % self.stamp))
            s.send("$")
            s.wait_for("Expunge deleted messages?")
            s.send("y")
            screen = s.wait_for(lambda t: "Monthly report" in t, what="the new match")
            self.assertNotIn("Other news", screen)
            self.assertIn("Weekly report one", screen)
            s.send("l", "C-u", "Enter")
            screen = s.wait_for(lambda t: "Misc" in t and "Lunch plans" in t, what="all again")
            self.assertNotIn("limited", screen.split("\n")[0])
            s.send("q", "q", "q")
            self.assertEqual(s.wait_exit()[0], 0)

    def test_move_and_copy_with_completion(self):
        self.fill_small()
        with self.start() as s:
            self.open_folder(s)
            self.go_to(s, "Lunch plans")
            s.send("s")
            s.wait_for("Move to folder:")
            s.send_literal("Đích" + self.stamp[:-2])
            s.send("Tab")
            s.wait_for("Move to folder: " + self.dest)
            s.send("Enter")
            screen = s.wait_for(lambda t: "Lunch plans" not in t and "Moved to" in t,
                                what="the moved message gone from the index")
            self.assertIn(self.dest, self.status(screen))
            # C copies: the message stays.
            self.go_to(s, "Misc")
            s.send("C")
            s.wait_for("Copy to folder:")
            s.send_literal(self.dest)
            s.send("Enter")
            screen = s.wait_for(lambda t: "Copied to" in self.status(t), what="copied")
            self.assertIn("Misc", screen)
            # A folder that does not exist is refused before the server sees it.
            self.prompt(s, "C", "NoSuchFolder" + self.stamp)
            s.wait_for(lambda t: "There is no folder" in self.status(t), what="refusal")
            # Leaving the index before the server answers: the outcome
            # still replaces "Moving to ...".
            self.go_to(s, "Quokka facts")
            s.send("s")
            s.wait_for("Move to folder:")
            s.send_literal(self.dest)
            s.send("Enter", "q")
            s.wait_for(lambda t: "Moved to %s." % self.dest in self.status(t),
                       what="the move reported on the folder list")
            s.send("q", "q")
            self.assertEqual(s.wait_exit()[0], 0)
        self.assertFalse(self.server_has(self.folder, "b"))
        self.assertTrue(self.server_has(self.dest, "b"))
        self.assertTrue(self.server_has(self.folder, "f"))
        self.assertTrue(self.server_has(self.dest, "f"))
        self.assertTrue(self.server_has(self.dest, "e"))

    def test_pager_search_jk_and_mark_read(self):
        self.fill_small()
        with self.start() as s:
            self.open_folder(s)
            self.go_to(s, "Quokka facts")
            row = self.selected(s)
            self.assertEqual(row.split()[1], "N", row)  # unread
            s.send("Enter")
            s.wait_for("quokka one")
            # Opening marked it read: the index row (below) and the server.
            self.prompt(s, "/", "QUOKKA")
            screen = s.wait_for(lambda t: t.split("\n")[1].startswith("Subject: Quokka facts")
                                or "quokka one" in t.split("\n")[1], what="first match on top")
            attrs = s._tmux("capture-pane", "-p", "-e").stdout
            # Highlighted: reverse video (SGR 7) right before the match.
            self.assertRegex(attrs, r"\x1b\[[0-9;]*7[0-9;]*m(\x1b\[[0-9;]*m)*[Qq]uokka")
            s.send("n")
            s.send("n")
            screen = s.wait_for(lambda t: t.split("\n")[1].startswith("quokka two"),
                                what="the second body match scrolled to the top")
            # J and K: next and previous message without going back.
            s.send("J")
            s.wait_for(lambda t: "Misc" in t.split("\n")[0], what="next message in the pager")
            # Shown (not just asked for): only then is it read.
            s.wait_for(lambda t: "nothing" in [l.strip() for l in t.split("\n")],
                       what="Misc's text")
            s.send("K", "K")
            s.wait_for(lambda t: "Weekly report two" in t.split("\n")[0], what="previous twice")
            s.wait_for("more of the same")
            s.send("q")
            s.wait_for(lambda t: "Quokka facts" in t and "Misc" in t
                       and "Weekly report two" in (self.selected(s) or ""),
                       what="the index followed")

            def shown_read(t):
                rows = [l for l in t.split("\n")
                        if "Quokka facts" in l or "Misc" in l or "Weekly report two" in l]
                return len(rows) == 3 and not [r for r in rows if r.split()[1] == "N"]
            # Read in the pager: the index shows them read.
            s.wait_for(shown_read, what="the three messages shown are read in the index")
            s.send("q", "q", "q")
            self.assertEqual(s.wait_exit()[0], 0)
        self.c.select(quoted(self.folder))
        typ, data = self.c.uid("FETCH", "%d" % self.uids["e"], "(FLAGS)")
        self.assertIn(b"\\Seen", data[0])
        typ, data = self.c.uid("FETCH", "%d" % self.uids["a"], "(FLAGS)")
        self.assertNotIn(b"\\Seen", data[0])

    def test_attachments_save_lazily_and_view(self):
        with open(env_or_skip("MANIFEST"), encoding="utf-8") as f:
            manifest = json.load(f)
        inbox = manifest["alice"]["INBOX"]
        report = seed_message(inbox[14]["message_id"])  # 15: Vietnamese, "Báo cáo tháng 3.txt"
        big = seed_message(inbox[21]["message_id"])     # 22: big.bin, 5 MB
        self.append("report", report)
        self.append("big", big)
        downloads = os.path.join(self.dir, "Downloads")
        os.mkdir(downloads)
        viewer = os.path.join(self.dir, "viewer.sh")
        with open(viewer, "w") as f:
            f.write("#!/bin/sh\nstat -c %%a \"$1\" > %s/mode\ncp \"$1\" %s/viewed\n"
                    "echo \"$1\" > %s/path\necho VIEWER RUNNING\nread answer\n"
                    % (self.dir, self.dir, self.dir))
        os.chmod(viewer, 0o755)
        with self.start("attachment_command = %s %%s" % viewer) as s:
            self.open_folder(s)
            self.go_to(s, "Báo cáo tháng 3")
            s.send("Enter")
            s.wait_for("Gửi chị báo cáo tháng 3.")
            s.send("v")
            screen = s.wait_for("Báo cáo tháng 3.txt")
            self.assertIn("text/plain", screen)
            name = "Báo cáo tháng 3.txt"
            s.send("s")
            s.wait_for("Save to: %s/%s" % (downloads, name))
            s.send("Enter")
            s.wait_for(lambda t: "Saved" in self.status(t), what="saved")
            saved = os.path.join(downloads, name)
            with open(saved, "rb") as f:
                self.assertEqual(f.read(), attachment_bytes(report, name))
            self.assertEqual(os.stat(saved).st_mode & 0o777, 0o600)
            # Saving again to the same path asks; "n" keeps the file.
            os.chmod(saved, 0o600)
            with open(saved, "ab") as f:
                f.write(b"changed")
            s.send("s")
            s.wait_for("Save to:")
            s.send("Enter")
            s.wait_for("exists. Overwrite it? (y/n)")
            s.send("n")
            s.wait_for("Not saved.")
            with open(saved, "rb") as f:
                self.assertTrue(f.read().endswith(b"changed"))
            s.send("s", "Enter")
            s.wait_for("exists. Overwrite it? (y/n)")
            s.send("y")
            s.wait_for(lambda t: "Saved" in self.status(t), what="overwritten")
            with open(saved, "rb") as f:
                self.assertEqual(f.read(), attachment_bytes(report, name))
            # The viewer: curses steps aside for it, the file is private
            # and gone afterwards.
            s.send("Enter")
            s.wait_for("VIEWER RUNNING")
            s.send("Enter")
            s.wait_for("Báo cáo tháng 3.txt")
            with open(os.path.join(self.dir, "viewed"), "rb") as f:
                self.assertEqual(f.read(), attachment_bytes(report, name))
            with open(os.path.join(self.dir, "mode")) as f:
                self.assertEqual(f.read().strip(), "600")
            with open(os.path.join(self.dir, "path")) as f:
                self.assertFalse(os.path.exists(f.read().strip()))
            s.send("q", "q")
            # The 5 MB message: its attachment crosses the wire only when saved.
            self.go_to(s, "Big attachment (5 MB)")
            s.send("Enter")
            s.wait_for("5 MB of data attached.")
            s.send("v")
            s.wait_for("big.bin")
            # The file's size (5,242,880 bytes), not its base64 octets.
            # (GLib puts a no-break space before the unit.)
            s.wait_for(lambda t: re.search(r"big\.bin .* 5\.2\sMB", t), what="big.bin, 5.2 MB")
            uid = self.uids["big"]

            def part_fetches():
                with open(self.log, encoding="utf-8", errors="replace") as f:
                    return [l for l in f if "C: " in l and "UID FETCH %d " % uid in l
                            and "BODY.PEEK[2]" in l]
            self.assertEqual(part_fetches(), [])
            s.send("s", "C-u")
            s.send_literal("~/Dow")
            s.send("Tab")
            s.wait_for("Save to: %s/" % downloads)
            s.send_literal("big.bin")
            s.send("Enter")
            s.wait_for(lambda t: "Saved" in self.status(t), what="the big attachment saved",
                       timeout=60)
            # In partial fetches (the status line shows progress between them).
            self.assertGreater(len(part_fetches()), 1)
            with open(os.path.join(downloads, "big.bin"), "rb") as f:
                self.assertEqual(f.read(), attachment_bytes(big, "big.bin"))
            s.send("q", "q", "q", "q", "q")
            self.assertEqual(s.wait_exit()[0], 0)

    def test_mailcap_viewer_and_no_viewer(self):
        with open(env_or_skip("MANIFEST"), encoding="utf-8") as f:
            manifest = json.load(f)
        report = seed_message(manifest["alice"]["INBOX"][14]["message_id"])
        big = seed_message(manifest["alice"]["INBOX"][21]["message_id"])
        self.append("report", report)
        self.append("big", big)
        # A copiousoutput entry: its output is shown as text in mailtui.
        with open(os.path.join(self.dir, ".mailcap"), "w") as f:
            f.write("text/plain; sed 's/^/[viewer] /' %s; copiousoutput\n")
        with self.start() as s:
            self.open_folder(s)
            self.go_to(s, "Báo cáo tháng 3")
            s.send("Enter")
            s.wait_for("Gửi chị báo cáo tháng 3.")
            s.send("v")
            s.wait_for("Size")
            s.send("Enter")
            screen = s.wait_for("[viewer] ")
            self.assertIn("[viewer] " + attachment_bytes(report, "Báo cáo tháng 3.txt")
                          .decode().split("\n")[0], screen)
            # Its help: the widest key text is whole, its words beside it.
            s.send("?")
            screen = s.wait_for("Keys on this screen")
            self.assertIn("Space, -, PgDn, PgUp  ", screen)
            s.send("q")
            s.send("q", "q", "q")
            # No viewer for the 5 MB part: said so, and nothing fetched.
            self.go_to(s, "Big attachment (5 MB)")
            s.send("Enter")
            s.wait_for("5 MB of data attached.")
            s.send("v")
            s.wait_for("big.bin")
            s.send("Enter")
            s.wait_for("No viewer for application/octet-stream")
            s.send("q", "q", "q", "q", "q")
            self.assertEqual(s.wait_exit()[0], 0)
        with open(self.log, encoding="utf-8", errors="replace") as f:
            big_fetches = [l for l in f if "UID FETCH %d " % self.uids["big"] in l]
        self.assertTrue(big_fetches)
        self.assertFalse([l for l in big_fetches if "BODY.PEEK[2]" in l], big_fetches)

    def test_folder_counts_follow_reading(self):
        """Back on the folder list, counts show what was read meanwhile."""
        self.fill_small()
        with self.start() as s:
            row = lambda t: [l for l in t.split("\n") if l.strip().startswith(self.folder)]  # noqa: E731
            s.wait_for(lambda t: row(t) and row(t)[0].split()[-2:] == ["6", "6"],
                       what="6 unread of 6")
            self.open_folder(s)
            self.go_to(s, "Lunch plans")
            s.send("Enter")
            s.wait_for("the secret word is quokka")
            s.send("q", "q")
            s.wait_for(lambda t: row(t) and row(t)[0].split()[-2:] == ["5", "6"],
                       what="5 unread of 6 after reading one")
            s.send("q", "q")
            self.assertEqual(s.wait_exit()[0], 0)

    def test_hostile_attachment_name_reaches_no_shell(self):
        """A name with $(...) and quotes, viewed through a mailcap entry
        that puts %s inside its own quotes: nothing of the name runs."""
        marker = os.path.join(self.dir, "PWNED")
        evil = "x$(touch %s)'\"`touch %s`;.txt" % (marker, marker)
        raw = ("From: Evil <evil@example.test>\r\nTo: carol@example.test\r\n"
               "Subject: Hostile name\r\nMessage-ID: <evil-%s@example.test>\r\n"
               "Date: Mon, 1 Jan 2024 10:00:00 +0000\r\nMIME-Version: 1.0\r\n"
               "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
               "Content-Type: text/plain\r\n\r\nsee attached\r\n--b\r\n"
               "Content-Type: text/plain; name=\"x\"\r\n"
               "Content-Disposition: attachment; filename=\"%s\"\r\n\r\n"
               "harmless text\r\n--b--\r\n" % (self.stamp, evil.replace('"', '\\"'))
               ).encode()
        self.append("evil", raw)
        with open(os.path.join(self.dir, ".mailcap"), "w") as f:
            f.write("text/plain; sh -c \"sed 's/^/[viewer] /' %s\"; copiousoutput\n")
        with self.start() as s:
            self.open_folder(s)
            self.go_to(s, "Hostile name")
            s.send("Enter")
            s.wait_for("see attached")
            s.send("v")
            s.wait_for("Size")
            s.send("j", "Enter")
            s.wait_for("[viewer] harmless text")
            s.send("q", "q", "q", "q", "q", "q")
            self.assertEqual(s.wait_exit()[0], 0)
        self.assertFalse(os.path.exists(marker))
        self.assertFalse([f for f in os.listdir(self.dir) if "PWNED" in f])


if __name__ == "__main__":
    unittest.main(verbosity=2)
