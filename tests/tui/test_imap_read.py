#!/usr/bin/python3
"""Read IMAP mail with the real binary in tmux against the test Dovecot:
folders, the index, a Vietnamese message in the pager with only its text
part fetched, and delete + expunge seen by a second IMAP client."""
import os
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


class ImapRead(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="mailtui-imap-")
        self.log = os.path.join(self.dir, "debug.log")
        self.env = private_env(self.dir)

    def config(self, user, password):
        path = os.path.join(self.dir, "config-" + user)
        with open(path, "w") as f:
            f.write("[account mail]\nmode = imap\nfrom = %s@example.test\n"
                    "imap_url = imaps://127.0.0.1:%s\nuser = %s\npassword = \"%s\"\n"
                    "tls_ca_file = %s\n" % (user, env_or_skip("IMAPS_PORT"), user,
                                            password.replace("\\", "\\\\").replace('"', '\\"'),
                                            env_or_skip("CA")))
        os.chmod(path, 0o600)
        return path

    def start(self, conf):
        return Session("%s -d %s -c %s -a mail" % (MAILTUI, self.log, conf), env=self.env,
                       width=120, height=40)

    def restore_alice_seen(self):
        """Opening a message marks it read: give alice's unread ones their
        seeded state back, since other tests read her mailbox as seeded."""
        import imaplib
        import json
        import ssl
        with open(env_or_skip("MANIFEST"), encoding="utf-8") as f:
            inbox = json.load(f)["alice"]["INBOX"]
        ctx = ssl.create_default_context(cafile=env_or_skip("CA"))
        c = imaplib.IMAP4_SSL("127.0.0.1", int(env_or_skip("IMAPS_PORT")), ssl_context=ctx)
        c.login(env_or_skip("USER"), env_or_skip("PASS"))
        c.select("INBOX")
        for m in inbox:
            if "S" in m["flags"]:
                continue
            typ, data = c.uid("SEARCH", None, "HEADER", "Message-ID", m["message_id"])
            for uid in data[0].split():
                c.uid("STORE", uid, "-FLAGS.SILENT", "(\\Seen)")
        c.logout()

    def test_read_vietnamese_message_lazily(self):
        self.addCleanup(self.restore_alice_seen)
        conf = self.config(env_or_skip("USER"), env_or_skip("PASS"))
        with self.start(conf) as s:
            screen = s.wait_for("Thư mục")  # the modified UTF-7 folder, decoded
            lines = screen.split("\n")
            self.assertTrue(lines[1].startswith("INBOX"), screen)  # special-use first
            s.send("Enter")
            screen = s.wait_for(lambda t: "messages" in t.rstrip("\n").split("\n")[-1],
                                what="the whole folder loaded")
            self.assertIn("Big attachment (5 MB)", screen)
            # Open the 5 MB message: only its text part may cross the wire.
            rows = [l for l in screen.split("\n") if "Big attachment (5 MB)" in l]
            self.assertEqual(len(rows), 1)
            target = int(rows[0].split()[0])
            current = int([l for l in screen.split("\n") if "40 " in l[:6]][0].split()[0])
            s.send(*(["k"] * (current - target)))
            s.send("Enter")
            screen = s.wait_for("Attachment")
            s.send("q")
            s.wait_for("Big attachment")
            # A Vietnamese message reads correctly (NFC, decoded headers).
            s.send("End")
            screen = s.wait_for("Thời tiết Hà Nội #40")
            s.send("Enter")
            screen = s.wait_for("Subject: Thời tiết Hà Nội #40")
            self.assertIn("From: Nguyễn Văn An", screen)
            s.send("q", "q", "q", "q")  # pager, index, folders, accounts
            self.assertEqual(s.wait_exit()[0], 0)
        with open(self.log, encoding="utf-8", errors="replace") as f:
            wire = f.read()
        big = [l for l in wire.split("\n") if "C: " in l and "UID FETCH %d " % target in l]
        self.assertTrue(any("BODYSTRUCTURE" in l for l in big), big)
        self.assertTrue(any("BODY.PEEK[1]" in l for l in big), big)
        self.assertFalse(any("BODY.PEEK[2]" in l for l in big), big)
        # Two round trips: the structure with the header, then the text.
        self.assertEqual(len(big), 2, big)
        self.assertIn("BODY.PEEK[HEADER]", big[0])
        self.assertNotIn(env_or_skip("PASS"), wire)

    @staticmethod
    def status(screen):
        return screen.rstrip("\n").split("\n")[-1]

    def found(self, screen):
        st = self.status(screen)
        return "match" in st or "wrapped" in st

    def open_inbox(self, s):
        s.wait_for("INBOX")
        s.send("Enter")
        return s.wait_for(lambda t: "40 messages" in self.status(t), what="the whole folder")

    def test_qa_screens_at_80_columns(self):
        """Broken MIME shows its text; a limit after End fills the window;
        the prompt keeps its question at 80 columns."""
        conf = self.config(env_or_skip("USER"), env_or_skip("PASS"))
        with Session("%s -d %s -c %s -a mail" % (MAILTUI, self.log, conf), env=self.env,
                     width=80, height=24) as s:
            self.open_inbox(s)
            # The prompt keeps its whole question.
            s.send("End", "l")
            screen = s.wait_for("Limit to")
            self.assertIn("Limit to messages containing (empty: all): ", self.status(screen))
            s.send_literal("report")
            s.send("Enter")
            screen = s.wait_for(lambda t: "messages match" in self.status(t),
                                what="the limit's answer")
            n = int(self.status(screen).split()[0])
            self.assertLess(n, 20, screen)  # fewer than the window's rows
            rows = [l for l in screen.split("\n")[1:-1] if l[:6].strip().isdigit()]
            self.assertEqual(len(rows), n, screen)  # all drawn, from the first
            self.assertEqual(rows[0].split()[0], "1", screen)
            s.send("l", "C-u", "Enter")
            s.wait_for(lambda t: "Showing all" in self.status(t), what="no limit")
            # Broken MIME (#20: multipart/mixed, no boundary): its text shows.
            s.send("/")
            s.wait_for("Search:")
            s.send_literal("no boundary")
            s.send("Enter")
            s.wait_for(self.found, what="the search")
            s.send("Enter")
            screen = s.wait_for("Subject: Broken MIME: no boundary")
            s.wait_for("not really a part")
            s.send("q", "q", "q", "q")
            self.assertEqual(s.wait_exit()[0], 0)

    def test_cancelled_download_is_not_a_lost_connection(self):
        """Leaving the attachments screen mid-download says so, and the
        next job does not report a lost connection; progress names the
        decoded size the list shows."""
        conf = self.config(env_or_skip("USER"), env_or_skip("PASS"))
        home_dl = os.path.join(self.dir, "Downloads")
        os.makedirs(home_dl, exist_ok=True)
        with self.start(conf) as s:
            self.open_inbox(s)
            s.send("/")
            s.wait_for("Search:")
            s.send_literal("Big attachment")
            s.send("Enter")
            s.wait_for(self.found, what="the search")
            # Try until a cancel lands while the part is on the wire (the
            # whole download may win the race on a fast machine).
            for attempt in range(8):
                s.send("Enter")
                s.wait_for("5 MB of data attached.")
                s.send("v")
                screen = s.wait_for(lambda t: "Size" in t and "big.bin" in t,
                                    what="the attachments")
                row = [l for l in screen.split("\n") if "big.bin" in l and "--]" not in l][0]
                size = row.rstrip()[-10:].strip()  # the list's size, "5.2 MB"
                s.send("s")
                s.wait_for("Save to:")
                os.makedirs(home_dl, exist_ok=True)
                s.send("C-u")
                s.send_literal(os.path.join(home_dl, "big-%d.bin" % attempt))
                s.send("Enter")
                try:
                    screen = s.wait_for(lambda t: "%" in self.status(t) or
                                        "Saved" in self.status(t), what="progress")
                except AssertionError:
                    screen = s.screen()
                if "%" not in self.status(screen):
                    s.send("q", "q")  # finished first: again
                    s.wait_for(lambda t: "Big attachment" in t and "Subject:" not in t,
                               what="the index")
                    continue
                self.assertIn("Fetching the attachment (%s)" % size, self.status(screen))
                self.assertNotIn(" of ", self.status(screen))
                s.send("q")
                screen = s.wait_for(lambda t: "Attachment download cancelled." in
                                    self.status(t) or "Saved" in self.status(t),
                                    what="the cancel")
                if "Saved" in self.status(screen):
                    s.send("q")
                    continue
                # The pager is below; leave it and open another message.
                s.send("q")
                s.send("Home", "Enter")
                # Events arrive in order: a reconnect notice comes before
                # the message it was made for.
                screen = s.wait_for("Subject: Welcome to mailtui tests")
                self.assertNotIn("Connection lost", self.status(screen))
                self.assertNotIn("Reconnected", self.status(screen))
                s.send("q", "q", "q", "q")
                self.assertEqual(s.wait_exit()[0], 0)
                return
            self.skipTest("the download always finished before the cancel")

    def test_delete_and_expunge_reach_the_server(self):
        user, password = env_or_skip("USER3"), env_or_skip("PASS3")
        msg = os.path.join(self.dir, "m.eml")
        stamp = "expunge-me-%d" % int(time.time() * 1000)
        with open(msg, "w") as f:
            f.write("From: Bob <bob@example.test>\nTo: carol@example.test\n"
                    "Subject: %s\nMessage-ID: <%s@example.test>\n"
                    "Date: Mon, 1 Jan 2024 10:00:00 +0000\n\nbye\n" % (stamp, stamp))
        subprocess.run([env_or_skip("DELIVER"), env_or_skip("DIR"), user, msg], check=True)
        conf = self.config(user, password)
        with self.start(conf) as s:
            s.wait_for("INBOX")
            s.send("Enter")
            s.wait_for(stamp)
            s.send("End", "d")
            s.wait_for(lambda t: any(stamp in l and " D " in l for l in t.split("\n")),
                       what="the D flag")
            s.send("$")
            s.wait_for("Expunge deleted messages?")
            s.send("y")
            s.wait_for(lambda t: stamp not in t and "message" in t.rstrip("\n").split("\n")[-1],
                       what="message gone after expunge")
            s.send("q", "q", "q")
            self.assertEqual(s.wait_exit()[0], 0)
        # A second, independent client no longer finds it.
        out = subprocess.run(["curl", "-s", "--cacert", env_or_skip("CA"), "-u",
                              "%s:%s" % (user, password),
                              "imaps://127.0.0.1:%s/INBOX" % env_or_skip("IMAPS_PORT"),
                              "-X", "SEARCH SUBJECT %s" % stamp],
                             capture_output=True, text=True)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stdout.strip(), "* SEARCH", out.stdout)


if __name__ == "__main__":
    unittest.main(verbosity=2)
