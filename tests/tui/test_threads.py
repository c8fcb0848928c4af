#!/usr/bin/python3
"""Collapsed threads in the index, with the real binary in tmux.

alice's INBOX (read only: only read messages are opened) starts with
collapse_threads = yes: threads A, B and C show as one row each with the
count of their replies; z expands and collapses one thread, Z all of
them, Enter and J in the pager walk the visible rows, and a search whose
match is folded away expands its thread.  A private folder of carol's
gets a reply while it is shown: the collapsed thread counts it and marks
it unread.  A local (notmuch) account folds its threads the same way."""
import imaplib
import os
import shutil
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


def status(screen):
    return screen.rstrip("\n").split("\n")[-1]


def rows(screen):
    """The index rows: (number, the whole line)."""
    out = []
    for line in screen.split("\n")[1:]:
        head = line[:6].strip()
        if head.isdigit():
            out.append((int(head), line))
    return out


def row_of(screen, text):
    found = [n for n, line in rows(screen) if text in line]
    if len(found) != 1:
        raise AssertionError("%r on %d rows:\n%s" % (text, len(found), screen))
    return found[0]


def flag_column(line):
    return line[6:11]


class Threads(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="mailtui-threads-")
        self.log = os.path.join(self.dir, "debug.log")
        self.env = private_env(self.dir)

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def config(self, user, password, general="sort = thread\ncollapse_threads = yes\n"):
        path = os.path.join(self.dir, "config-" + user)
        with open(path, "w") as f:
            f.write("[general]\n%s\n[account mail]\nmode = imap\nfrom = %s@example.test\n"
                    "imap_url = imaps://127.0.0.1:%s\nuser = %s\npassword = \"%s\"\n"
                    "tls_ca_file = %s\n" % (general, user, env_or_skip("IMAPS_PORT"), user,
                                            password.replace("\\", "\\\\").replace('"', '\\"'),
                                            env_or_skip("CA")))
        os.chmod(path, 0o600)
        return path

    def select(self, s, screen, text):
        """Move the selection to the row showing text (End selects the last)."""
        target = row_of(screen, text)
        last = rows(screen)[-1][0]
        s.send("End")
        if last > target:
            s.send(*(["k"] * (last - target)))

    def test_alice_collapsed(self):
        conf = self.config(env_or_skip("USER"), env_or_skip("PASS"))
        with Session("%s -d %s -c %s -a mail -f INBOX" % (MAILTUI, self.log, conf),
                     env=self.env, width=120, height=50) as s:
            screen = s.wait_for(lambda t: "40 messages" in status(t), what="INBOX loaded")
            # Thread A (1 + 4 replies), B (1 + 2) and C (1 + 2): one row each.
            self.assertEqual(len(rows(screen)), 40 - 4 - 2 - 2, screen)
            self.assertIn("(4) Project plan for Q2", screen)
            self.assertIn("(2) Kế hoạch du lịch Đà Lạt", screen)
            self.assertIn("(2) Lunch on Thursday?", screen)
            self.assertNotIn("Re: Project plan", screen)
            # All of thread A is read: no unread mark on its row.
            a = [l for n, l in rows(screen) if "Project plan" in l][0]
            self.assertEqual(flag_column(a).strip(), "", a)

            # z expands the thread under the cursor.
            self.select(s, screen, "(4) Project plan for Q2")
            s.send("z")
            screen = s.wait_for(lambda t: t.count("Re: Project plan for Q2") == 4,
                                what="thread A expanded")
            self.assertNotIn("(4) Project plan", screen)
            self.assertEqual(len(rows(screen)), 36, screen)
            self.assertIn("(2) Lunch on Thursday?", screen)  # the others stay folded
            # z on a reply collapses its thread again.
            s.send("j", "j", "z")
            screen = s.wait_for("(4) Project plan for Q2")
            self.assertNotIn("Re: Project plan", screen)

            # Enter reads the collapsed thread's root; J goes to the next
            # visible row, not into the folded replies.
            s.send("Enter")
            s.wait_for("Subject: Project plan for Q2")
            s.send("J")
            s.wait_for("Subject: Cuộc họp nhóm tuần tới")
            s.send("K")
            s.wait_for("Subject: Project plan for Q2")
            s.send("q")
            s.wait_for("(4) Project plan for Q2")

            # Z: every thread open, then every thread folded again.
            s.send("Z")
            screen = s.wait_for(lambda t: "All threads expanded." in status(t),
                                what="all expanded")
            self.assertEqual(len(rows(screen)), 40, screen)
            self.assertNotIn("(4)", screen)
            self.assertEqual(screen.count("Re: Lunch on Thursday?"), 2, screen)
            s.send("Z")
            screen = s.wait_for(lambda t: "All threads collapsed." in status(t),
                                what="all collapsed")
            self.assertEqual(len(rows(screen)), 32, screen)
            self.assertIn("(2) Kế hoạch du lịch Đà Lạt", screen)

            # A search whose match is folded away opens its thread and
            # selects the match (Enter shows it).
            s.send("Home", "/")
            s.wait_for("Search:")
            s.send_literal("Count me in")
            s.send("Enter")
            screen = s.wait_for(lambda t: t.count("Re: Lunch on Thursday?") == 2,
                                what="thread C expanded by the search")
            self.assertNotIn("(2) Lunch", screen)
            self.assertIn("(4) Project plan for Q2", screen)
            s.send("Enter")
            screen = s.wait_for("Count me in.")
            self.assertIn("Subject: Re: Lunch on Thursday?", screen)
            s.send("q")

            # A limit keeps its matches folded and counts them all.
            s.send("Z")
            s.wait_for(lambda t: "All threads collapsed." in status(t), what="all collapsed")
            s.send("l")
            s.wait_for("Limit to messages")
            s.send_literal("Lunch")
            s.send("Enter")
            screen = s.wait_for(lambda t: '3 of 40 messages match "Lunch".' in status(t),
                                what="the limit")
            self.assertEqual([l[6:].split()[-4:] for n, l in rows(screen)],
                             [["(2)", "Lunch", "on", "Thursday?"]], screen)
            s.send("l")
            s.wait_for("Limit to messages")
            s.send("C-u", "Enter")
            s.wait_for(lambda t: len(rows(t)) == 32, what="the limit gone")

            # Sorted by date there is nothing to fold.
            s.send("o")
            screen = s.wait_for(lambda t: "Sorted by date." in status(t), what="date order")
            self.assertEqual(len(rows(screen)), 40, screen)
            s.send("z")
            s.wait_for(lambda t: "sorted by thread" in status(t), what="z refused")
            s.send("o")
            s.wait_for("(4) Project plan for Q2")
            s.send("q", "q", "q")
            self.assertEqual(s.wait_exit()[0], 0)

    def imap_carol(self):
        ctx = ssl.create_default_context(cafile=env_or_skip("CA"))
        c = imaplib.IMAP4_SSL("127.0.0.1", int(env_or_skip("IMAPS_PORT")), ssl_context=ctx)
        c.login(env_or_skip("USER3"), env_or_skip("PASS3"))
        return c

    def deliver(self, folder, n, subject, parent=None):
        path = os.path.join(self.dir, "m.eml")
        refs = ""
        if parent:
            refs = "In-Reply-To: <%s.%d@example.test>\nReferences: <%s.%d@example.test>\n" % (
                folder, parent, folder, parent)
        with open(path, "w") as f:
            f.write("From: Trần Thị Bình <binh@example.test>\nTo: carol@example.test\n"
                    "Subject: %s\nMessage-ID: <%s.%d@example.test>\n%s"
                    "Date: Mon, 1 Jan 2024 10:%02d:00 +0000\n\nXin chào.\n"
                    % (subject, folder, n, refs, n))
        e = dict(os.environ, FOLDER=folder)
        subprocess.run([env_or_skip("DELIVER"), env_or_skip("DIR"), env_or_skip("USER3"), path],
                       check=True, env=e, stdout=subprocess.DEVNULL)

    def test_live_reply_in_collapsed_thread(self):
        folder = "Thr%d" % (int(time.time() * 1000) % 100000000)
        self.deliver(folder, 1, "Họp cuối năm")
        self.deliver(folder, 2, "Re: Họp cuối năm", parent=1)
        self.deliver(folder, 3, "Một thư khác")
        c = self.imap_carol()
        c.select('"%s"' % folder)
        c.store("1:3", "+FLAGS", "(\\Seen)")
        c.logout()
        conf = self.config(env_or_skip("USER3"), env_or_skip("PASS3"))
        with Session("%s -d %s -c %s -a mail -f %s" % (MAILTUI, self.log, conf, folder),
                     env=self.env, width=110, height=30) as s:
            screen = s.wait_for(lambda t: "3 messages" in status(t), what="folder loaded")
            line = [l for n, l in rows(screen) if "(1) Họp cuối năm" in l]
            self.assertEqual(len(line), 1, screen)
            self.assertEqual(flag_column(line[0]).strip(), "", screen)
            # A new, unread reply arrives while the thread is folded.
            self.deliver(folder, 4, "Re: Họp cuối năm", parent=2)
            screen = s.wait_for(lambda t: "(2) Họp cuối năm" in t, timeout=30,
                                what="the live reply counted")
            line = [l for n, l in rows(screen) if "(2) Họp cuối năm" in l][0]
            self.assertEqual(flag_column(line).strip(), "n", screen)  # unread inside
            self.assertEqual(len(rows(screen)), 2, screen)
            self.select(s, screen, "(2) Họp cuối năm")
            s.send("z")
            screen = s.wait_for(lambda t: len(rows(t)) == 4, what="thread expanded")
            new = [l for n, l in rows(screen) if "Re: Họp" in l and flag_column(l).strip() == "N"]
            self.assertEqual(len(new), 1, screen)
            s.send("q", "q", "q")
            self.assertEqual(s.wait_exit()[0], 0)

    def test_local_account(self):
        maildir = os.path.join(self.dir, "Mail")
        for sub in ("cur", "new", "tmp"):
            os.makedirs(os.path.join(maildir, sub))
        msgs = [("root", None, "S", "Chuyến đi Huế"), ("r1", "root", "S", "Re: Chuyến đi Huế"),
                ("r2", "r1", "", "Re: Chuyến đi Huế"), ("lone", None, "S", "Hóa đơn")]
        for i, (mid, parent, flags, subject) in enumerate(msgs):
            refs = "In-Reply-To: <%s@example.test>\n" % parent if parent else ""
            with open(os.path.join(maildir, "cur", "%d.test:2,%s" % (i, flags)), "w") as f:
                f.write("From: Lê Văn Cường <cuong@example.test>\nTo: me@example.test\n"
                        "Subject: %s\nMessage-ID: <%s@example.test>\n%s"
                        "Date: Tue, 2 Jan 2024 09:%02d:00 +0000\n\nNội dung.\n"
                        % (subject, mid, refs, i))
        nmconf = os.path.join(self.dir, "notmuch-config")
        with open(nmconf, "w") as f:
            f.write("[database]\npath=%s\n[new]\ntags=unread;inbox;\n"
                    "[maildir]\nsynchronize_flags=true\n" % maildir)
        subprocess.run(["notmuch", "--config=" + nmconf, "new", "--quiet"], check=True,
                       env=dict(os.environ, **self.env))
        conf = os.path.join(self.dir, "config-local")
        with open(conf, "w") as f:
            f.write("[general]\nsort = thread\ncollapse_threads = yes\n"
                    "[account loc]\nmode = pop3\nfrom = me@example.test\n"
                    "pop3_url = pop3s://127.0.0.1:9\nuser = me\npassword = x\n"
                    "maildir = %s\n" % maildir)
        os.chmod(conf, 0o600)
        with Session("%s -c %s -a loc" % (MAILTUI, conf), env=self.env,
                     width=110, height=30) as s:
            s.wait_for("Inbox")
            s.send("Enter")
            screen = s.wait_for(lambda t: "4 messages" in status(t), what="Inbox loaded")
            line = [l for n, l in rows(screen) if "(2) Chuyến đi Huế" in l]
            self.assertEqual(len(line), 1, screen)
            self.assertEqual(flag_column(line[0]).strip(), "n", screen)
            self.assertEqual(len(rows(screen)), 2, screen)
            s.send("Z")
            screen = s.wait_for(lambda t: "All threads expanded." in status(t), what="expanded")
            self.assertEqual(len(rows(screen)), 4, screen)
            self.assertEqual(screen.count("Re: Chuyến đi Huế"), 2, screen)
            # z folds one thread again (remembered by its notmuch id).
            target = [n for n, l in rows(screen) if "└─>" not in l and "Chuyến đi Huế" in l][0]
            s.send("End", *(["k"] * (rows(screen)[-1][0] - target)))
            s.send("z")
            screen = s.wait_for("(2) Chuyến đi Huế")
            self.assertEqual(len(rows(screen)), 2, screen)
            s.send("q", "q", "q")
            self.assertEqual(s.wait_exit()[0], 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
