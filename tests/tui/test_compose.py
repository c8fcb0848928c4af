#!/usr/bin/python3
"""Write, reply, postpone and send with the real binary in tmux, against the
test Dovecot and SMTP server, with a scripted $EDITOR (fake_editor.py).
What arrived is read back with imaplib: the recipient's copy, the Sent copy,
the Drafts folder and the flags of the original."""
import email
import email.header
import email.policy
import imaplib
import json
import os
import signal
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
EDITOR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fake_editor.py")


def imap(user, password):
    ctx = ssl.create_default_context(cafile=env_or_skip("CA"))
    c = imaplib.IMAP4_SSL("127.0.0.1", int(env_or_skip("IMAPS_PORT")), ssl_context=ctx)
    c.login(user, password)
    return c


def find(user, password, folder, subject_stamp, timeout=20):
    """[(flags, message)] of messages in folder whose Subject contains the
    (ASCII) stamp; waits for delivery up to timeout."""
    deadline = time.monotonic() + timeout
    while True:
        c = imap(user, password)
        try:
            c.select('"%s"' % folder, readonly=True)
            typ, data = c.uid("SEARCH", None, "SUBJECT", '"%s"' % subject_stamp)
            out = []
            for uid in data[0].split():
                typ, d = c.uid("FETCH", uid, "(FLAGS BODY.PEEK[])")
                flags = d[0][0].decode()
                out.append((flags, email.message_from_bytes(d[0][1], policy=email.policy.default)))
        finally:
            c.logout()
        if out or time.monotonic() > deadline:
            return out
        time.sleep(0.2)


class Compose(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="mailtui-compose-")
        self.plan = os.path.join(self.dir, "editor")
        os.mkdir(self.plan)
        self.log = os.path.join(self.dir, "debug.log")
        self.user, self.password = env_or_skip("USER3"), env_or_skip("PASS3")
        self.bob, self.bob_pass = env_or_skip("USER2"), env_or_skip("PASS2")
        self.env = private_env(self.dir, EDITOR="/usr/bin/python3 " + EDITOR, VISUAL="",
                               MAILTUI_TEST_EDITOR_DIR=self.plan)
        self.stamp = "t%d" % int(time.time() * 1000)
        self.sig = os.path.join(self.dir, "signature")
        with open(self.sig, "w") as f:
            f.write("Carol\nexample.test\n")
        self.conf = os.path.join(self.dir, "config")
        pw = self.password.replace("\\", "\\\\").replace('"', '\\"')
        with open(self.conf, "w") as f:
            f.write("[account mail]\nmode = imap\nfrom = %s@example.test\nname = Carol Nguyễn\n"
                    "imap_url = imaps://127.0.0.1:%s\nsmtp_url = smtp://127.0.0.1:%s\n"
                    "user = %s\npassword = \"%s\"\ntls_ca_file = %s\nsignature_file = %s\n"
                    % (self.user, env_or_skip("IMAPS_PORT"), env_or_skip("SMTP_PORT"),
                       self.user, pw, env_or_skip("CA"), self.sig))
        os.chmod(self.conf, 0o600)

    def step(self, n, **step):
        with open(os.path.join(self.plan, "step-%d.json" % n), "w", encoding="utf-8") as f:
            json.dump(step, f, ensure_ascii=False)

    def seen(self, n):
        with open(os.path.join(self.plan, "seen-%d.txt" % n), encoding="utf-8") as f:
            return f.read()

    def start(self):
        return Session("%s -d %s -c %s -a mail" % (MAILTUI, self.log, self.conf), env=self.env,
                       width=120, height=40)

    def status(self, s):
        return s.screen().rstrip("\n").split("\n")[-1]

    def wait_status(self, s, text, timeout=30):
        return s.wait_for(lambda t: text in t.rstrip("\n").split("\n")[-1], timeout=timeout,
                          what="status line %r" % text)

    def test_new_message_with_attachment(self):
        subject = "Chào Bob — tiếng Việt có dấu %s" % self.stamp
        data = os.urandom(3000) + b"\x00\r\n.\r\nend"
        adir = os.path.join(self.dir, "files")
        os.mkdir(adir)
        with open(os.path.join(adir, "báo cáo quý.bin"), "wb") as f:
            f.write(data)
        self.step(1, headers={"To": "Bob <%s@example.test>" % self.bob, "Subject": subject},
                  prepend_body="Xin chào Bob,\nđây là tệp.\n")
        with self.start() as s:
            s.wait_for("INBOX")
            s.send("m")
            s.wait_for("Subject:")
            screen = s.wait_for(self.stamp)
            self.assertIn("Carol Nguyễn <%s@example.test>" % self.user, screen)
            self.assertIn("No attachments.", screen)
            # Attach with path completion: one Tab completes the unique name.
            s.send("a")
            s.wait_for("Attach file:")
            s.send_literal(os.path.join(adir, "bá"))
            s.send("Tab")
            s.wait_for("báo cáo quý.bin")
            s.send("Enter")
            s.wait_for(lambda t: "1. báo cáo quý.bin" in t, what="the attachment listed")
            # A Bcc that must not show up at the recipient's.
            s.send("b")
            s.wait_for("Bcc:")
            s.send_literal("hidden@elsewhere.test")
            s.send("Enter")
            s.wait_for("hidden@elsewhere.test")
            s.send("y")
            self.wait_status(s, "Message sent.")
            s.send("q", "q", "q")
            self.assertEqual(s.wait_exit()[0], 0)
        with open(os.path.join(self.plan, "mode-1")) as f:
            self.assertEqual(f.read(), "600")
        first = self.seen(1)
        self.assertTrue(first.startswith("From: Carol Nguyễn <%s@example.test>\nTo:\n" % self.user),
                        first)
        self.assertIn("\n-- \nCarol\nexample.test\n", first)  # signature_file
        # The editor's temporary file is gone.
        self.assertFalse([n for n in os.listdir(tempfile.gettempdir())
                          if n.startswith("mailtui-draft-") and
                          os.stat(os.path.join(tempfile.gettempdir(), n)).st_uid == os.getuid()
                          and os.path.getmtime(os.path.join(tempfile.gettempdir(), n)) > time.time() - 60])

        got = find(self.bob, self.bob_pass, "INBOX", self.stamp)
        self.assertEqual(len(got), 1)
        msg = got[0][1]
        self.assertEqual(str(msg["Subject"]), subject)
        self.assertIsNone(msg["Bcc"])
        self.assertIn("Carol Nguyễn", str(msg["From"]))
        parts = [p for p in msg.iter_attachments()]
        self.assertEqual(len(parts), 1)
        self.assertEqual(parts[0].get_filename(), "báo cáo quý.bin")
        self.assertEqual(parts[0].get_content(), data)
        body = msg.get_body(("plain",)).get_content().replace("\r\n", "\n")
        self.assertIn("Xin chào Bob,\nđây là tệp.\n", body)

        sent = find(self.user, self.password, "Sent", self.stamp)
        self.assertEqual(len(sent), 1)
        self.assertIn("\\Seen", sent[0][0])
        self.assertEqual(str(sent[0][1]["Subject"]), subject)
        self.assertEqual(str(sent[0][1]["Bcc"]), "hidden@elsewhere.test")
        # Nothing is left in the outbox.
        outbox = os.path.join(self.dir, "s", "mailtui", "outbox", "mail")
        self.assertFalse([n for n in os.listdir(outbox) if n.endswith(".eml")])

    def test_reply_sets_references_and_answered(self):
        orig_id = "<orig-%s@example.test>" % self.stamp
        msg = os.path.join(self.dir, "m.eml")
        with open(msg, "w") as f:
            f.write("From: Bob Trần <%s@example.test>\nTo: %s@example.test\n"
                    "Subject: Hỏi %s\nMessage-ID: %s\nReferences: <root-%s@example.test>\n"
                    "Date: Mon, 1 Jan 2024 10:00:00 +0000\nMIME-Version: 1.0\n"
                    "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
                    "Bạn khỏe không?\n" % (self.bob, self.user, self.stamp, orig_id, self.stamp))
        subprocess.run([env_or_skip("DELIVER"), env_or_skip("DIR"), self.user, msg], check=True,
                       capture_output=True)
        self.step(1, prepend_body="Khỏe, cảm ơn.\n\n")
        with self.start() as s:
            s.wait_for("INBOX")
            s.send("Enter")
            s.wait_for(self.stamp)
            s.wait_for(lambda t: "message" in t.rstrip("\n").split("\n")[-1], what="folder loaded")
            s.send("End", "r")
            s.wait_for("Subject:")
            screen = s.wait_for("Re: Hỏi")
            self.assertIn("Bob Trần <%s@example.test>" % self.bob, screen)
            s.send("y")
            self.wait_status(s, "Message sent.")
            # The index shows the original answered.
            s.wait_for(lambda t: any(self.stamp in l and "r" in l[6:11] for l in t.split("\n")),
                       what="the r flag in the index")
            s.send("q", "q", "q")
            self.assertEqual(s.wait_exit()[0], 0)
        text = self.seen(1)
        self.assertIn("Subject: Re: Hỏi %s\n" % self.stamp, text)
        self.assertIn("Bob Trần wrote:\n> Bạn khỏe không?\n", text)
        got = find(self.bob, self.bob_pass, "INBOX", self.stamp)
        self.assertEqual(len(got), 1)
        reply = got[0][1]
        self.assertEqual(reply["In-Reply-To"], orig_id)
        self.assertEqual(reply["References"].split(), ["<root-%s@example.test>" % self.stamp, orig_id])
        self.assertEqual(str(reply["Subject"]), "Re: Hỏi %s" % self.stamp)
        self.assertTrue(reply.get_body(("plain",)).get_content().startswith("Khỏe, cảm ơn.\r\n"))
        orig = find(self.user, self.password, "INBOX", self.stamp)
        self.assertEqual(len(orig), 1)
        self.assertIn("\\Answered", orig[0][0])

    def test_postpone_resume_send(self):
        subject = "Nháp %s" % self.stamp
        self.step(1, headers={"To": "%s@example.test" % self.bob, "Subject": subject},
                  body="bản nháp\n")
        self.step(2, prepend_body="thêm một dòng\n")
        with self.start() as s:
            s.wait_for("INBOX")
            s.send("m")
            s.wait_for(self.stamp)
            s.send("P")
            self.wait_status(s, "Message postponed.")
            drafts = find(self.user, self.password, "Drafts", self.stamp)
            self.assertEqual(len(drafts), 1)
            self.assertIn("\\Draft", drafts[0][0])
            # Resume it from the Drafts folder (second row: special-use order).
            s.send("j", "Enter")
            s.wait_for(self.stamp)
            s.wait_for(lambda t: "message" in t.rstrip("\n").split("\n")[-1], what="folder loaded")
            s.send("End", "R")
            s.wait_for("Subject:")
            s.wait_for("thêm một dòng")
            s.send("y")
            self.wait_status(s, "Message sent.")
            s.send("q", "q", "q")
            self.assertEqual(s.wait_exit()[0], 0)
        self.assertIn("Subject: %s\n" % subject, self.seen(2))
        self.assertIn("bản nháp\n", self.seen(2))
        got = find(self.bob, self.bob_pass, "INBOX", self.stamp)
        self.assertEqual(len(got), 1)
        self.assertEqual(got[0][1].get_body(("plain",)).get_content().replace("\r\n", "\n"),
                         "thêm một dòng\nbản nháp\n")
        # Sent, so the draft is gone.
        self.assertEqual(find(self.user, self.password, "Drafts", self.stamp, timeout=0), [])

    def test_empty_subject_asks_first(self):
        body = "không có tiêu đề %s\n" % self.stamp
        self.step(1, headers={"To": "%s@example.test" % self.bob, "Subject": ""}, body=body)
        with self.start() as s:
            s.wait_for("INBOX")
            s.send("m")
            s.wait_for(self.stamp)
            s.send("y")
            self.wait_status(s, "No subject. Send anyway? (y/n)")
            s.send("n")
            self.wait_status(s, "Not sent")
            self.assertIn(self.stamp, s.screen())  # still on the compose screen
            s.send("y")
            self.wait_status(s, "No subject. Send anyway? (y/n)")
            s.send("y")
            self.wait_status(s, "Message sent.")
            s.send("q", "q")
            self.assertEqual(s.wait_exit()[0], 0)
        # Exactly one copy went out (the "n" sent nothing).
        deadline = time.monotonic() + 20
        while True:
            c = imap(self.bob, self.bob_pass)
            try:
                c.select("INBOX", readonly=True)
                typ, data = c.uid("SEARCH", None, "BODY", '"%s"' % self.stamp)
            finally:
                c.logout()
            if data[0].split() or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        self.assertEqual(len(data[0].split()), 1, data)

    def deliver_to_carol(self, subject, msgid):
        msg = os.path.join(self.dir, "in-%s.eml" % msgid)
        with open(msg, "w") as f:
            f.write("From: Bob Trần <%s@example.test>\nTo: %s@example.test\n"
                    "Subject: %s\nMessage-ID: <%s@example.test>\n"
                    "Date: Mon, 1 Jan 2024 10:00:00 +0000\nMIME-Version: 1.0\n"
                    "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
                    "Nội dung gốc.\n" % (self.bob, self.user, subject, msgid))
        subprocess.run([env_or_skip("DELIVER"), env_or_skip("DIR"), self.user, msg], check=True,
                       capture_output=True)

    def test_forward_as_attachment_with_address_completion(self):
        self.deliver_to_carol("Chuyển tiếp %s" % self.stamp, "fwd-" + self.stamp)
        with self.start() as s:
            s.wait_for("INBOX")
            s.send("Enter")
            s.wait_for(self.stamp)
            s.wait_for(lambda t: "message" in t.rstrip("\n").split("\n")[-1], what="folder loaded")
            s.send("End", "A")
            s.wait_for("Fwd: Chuyển tiếp")
            s.wait_for(".eml")
            # The sender seen in the index completes in the To prompt.
            s.send("t")
            s.wait_for("To:")
            s.send_literal("bo")
            s.send("Tab")
            s.wait_for("Bob Trần <%s@example.test>" % self.bob)
            s.send("Enter")
            s.send("y")
            self.wait_status(s, "Message sent.")
            s.send("q", "q", "q")
            self.assertEqual(s.wait_exit()[0], 0)
        got = find(self.bob, self.bob_pass, "INBOX", self.stamp)
        self.assertEqual(len(got), 1)
        fwd = got[0][1]
        self.assertEqual(str(fwd["Subject"]), "Fwd: Chuyển tiếp %s" % self.stamp)
        inner = [p for p in fwd.walk() if p.get_content_type() == "message/rfc822"]
        self.assertEqual(len(inner), 1)
        self.assertEqual(inner[0].get_payload(0)["Message-ID"], "<fwd-%s@example.test>" % self.stamp)

    def test_outbox_keeps_and_retries(self):
        ctl, d = env_or_skip("CTL"), env_or_skip("DIR")
        subject = "Hộp thư đi %s" % self.stamp
        self.step(1, headers={"To": "%s@example.test" % self.bob, "Subject": subject},
                  body="chờ gửi\n")
        subprocess.run([ctl, d, "stop", "smtp"], check=True, capture_output=True)
        try:
            with self.start() as s:
                s.wait_for("INBOX")
                s.send("m")
                s.wait_for(self.stamp)
                s.send("y")
                self.wait_status(s, "waits in the outbox")
                s.send("O")
                s.wait_for(subject)
                s.wait_for("[waiting]")
                s.wait_for("cannot connect to the SMTP server")
                subprocess.run([ctl, d, "start", "smtp"], check=True, capture_output=True)
                s.send("r")
                self.wait_status(s, "1 message sent")
                s.wait_for("The outbox is empty.")
                s.send("q", "q", "q")
                self.assertEqual(s.wait_exit()[0], 0)
        finally:
            subprocess.run([ctl, d, "start", "smtp"], capture_output=True)
        got = find(self.bob, self.bob_pass, "INBOX", self.stamp)
        self.assertEqual(len(got), 1)
        sent = find(self.user, self.password, "Sent", self.stamp)
        self.assertEqual(len(sent), 1)
        self.assertIn("\\Seen", sent[0][0])

    def test_untrusted_smtp_certificate_is_asked_about(self):
        # No tls_ca_file: the test CA is unknown, so IMAP and then SMTP ask.
        with open(self.conf) as f:
            conf = f.read()
        conf = "\n".join(l for l in conf.split("\n") if not l.startswith("tls_ca_file"))
        with open(self.conf, "w") as f:
            f.write(conf)
        self.step(1, headers={"To": "%s@example.test" % self.bob, "Subject": "pin %s" % self.stamp},
                  body="qua chứng chỉ\n")
        with self.start() as s:
            self.wait_status(s, "Untrusted certificate of 127.0.0.1 port %s" % env_or_skip("IMAPS_PORT"))
            s.wait_for("port %s is not signed" % env_or_skip("IMAPS_PORT"))  # the description
            s.send("o")
            s.wait_for("INBOX")
            s.send("m")
            s.wait_for(self.stamp)
            s.send("y")
            self.wait_status(s, "Untrusted certificate of 127.0.0.1 port %s" % env_or_skip("SMTP_PORT"))
            s.wait_for("port %s is not signed" % env_or_skip("SMTP_PORT"))
            s.send("o")
            self.wait_status(s, "1 message sent")
            s.send("q", "q")
            self.assertEqual(s.wait_exit()[0], 0)
        got = find(self.bob, self.bob_pass, "INBOX", self.stamp)
        self.assertEqual(len(got), 1)
        # Accepted once: nothing was written to the trust file.
        self.assertFalse(os.path.exists(os.path.join(self.dir, "d", "mailtui", "trusted")))

    def test_bad_header_offers_to_edit_again(self):
        self.step(1, raw="To: %s@example.test\nSubject: s %s\nthis is not a header\n\nbody\n"
                  % (self.bob, self.stamp))
        self.step(2, raw="To: %s@example.test\nSubject: fixed %s\n\nbody\n" % (self.bob, self.stamp))
        with self.start() as s:
            s.wait_for("INBOX")
            s.send("m")
            self.wait_status(s, "Edit again? (y/n)")
            s.send("y")
            s.wait_for("fixed %s" % self.stamp)
            s.send("q")
            self.wait_status(s, "Abort this message?")
            s.send("y")
            self.wait_status(s, "Message aborted.")
            s.send("q", "q")
            self.assertEqual(s.wait_exit()[0], 0)
        # The second run got the broken text back, not a fresh draft.
        self.assertIn("this is not a header", self.seen(2))

    def drafts_kept(self):
        d = os.path.join(self.dir, "s", "mailtui", "drafts")
        out = []
        for n in sorted(os.listdir(d)) if os.path.isdir(d) else []:
            with open(os.path.join(d, n), encoding="utf-8") as f:
                out.append(f.read())
        return out

    def test_signals_keep_the_unsent_message(self):
        """Ctrl-C asks before quitting with a message unwritten; SIGTERM
        (or a hang-up) cannot ask: either way the text is kept."""
        self.step(1, headers={"To": "%s@example.test" % self.bob, "Subject": "kept %s" % self.stamp},
                  prepend_body="Do not lose me.\n")
        with self.start() as s:
            s.wait_for("INBOX")
            s.send("m")
            s.wait_for("kept %s" % self.stamp)
            s.send("C-c")
            self.wait_status(s, "Quit? The unsent message is kept in a file.")
            s.send("n")
            s.wait_for(lambda t: "Quit?" not in t, what="the question gone")
            self.assertEqual(self.drafts_kept(), [])
            s.send("C-c")
            self.wait_status(s, "Quit? The unsent message is kept in a file.")
            s.send("y")
            self.assertEqual(s.wait_exit()[0], 0)
        kept = self.drafts_kept()
        self.assertEqual(len(kept), 1)
        self.assertIn("Subject: kept %s" % self.stamp, kept[0])
        self.assertIn("Do not lose me.", kept[0])

        self.step(2, headers={"To": "%s@example.test" % self.bob, "Subject": "term %s" % self.stamp})
        with self.start() as s:
            s.wait_for("INBOX")
            s.send("m")
            s.wait_for("term %s" % self.stamp)
            # Only mailtui itself, not the shell around it that reports its exit.
            pids = subprocess.run(["pgrep", "-f", "%s -a mail" % self.conf], capture_output=True,
                                  text=True).stdout.split()
            pids = [int(p) for p in pids
                    if open("/proc/%s/comm" % p).read().strip() == "mailtui"]
            self.assertEqual(len(pids), 1, pids)
            os.kill(pids[0], signal.SIGTERM)
            s.wait_exit()
        kept = self.drafts_kept()
        self.assertEqual(len(kept), 2)
        self.assertTrue([k for k in kept if "Subject: term %s" % self.stamp in k], kept)


if __name__ == "__main__":
    unittest.main(verbosity=2)
