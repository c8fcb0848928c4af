#!/usr/bin/python3
"""An IMAP server whose certificate no trusted authority signed (the test
CA is left out of the config): the question shows the fingerprint; reject
leaves the account closed, accept once opens it for this run only (and
the retry lists the folders, nothing else), accept always writes the
trust file, after which no question is asked."""
import hashlib
import os
import re
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from tmux import Session, private_env  # noqa: E402
from testenv import env  # noqa: E402

MAILTUI = os.path.abspath(sys.argv.pop(1))
QUESTION = "(r)eject, accept (o)nce, accept (a)lways?"


def server_fingerprint():
    """SHA-256 of the server certificate (DER), as colon-separated hex."""
    pem = subprocess.run(["openssl", "s_client", "-connect", "127.0.0.1:%s" % env("IMAPS_PORT"),
                          "-servername", "localhost"], input=b"", capture_output=True).stdout
    der = subprocess.run(["openssl", "x509", "-outform", "DER"], input=pem,
                         capture_output=True).stdout
    return hashlib.sha256(der).hexdigest()


class Certificate(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="mailtui-cert-")
        self.env = private_env(self.dir)
        self.trust = os.path.join(self.dir, "d", "mailtui", "trusted")
        self.conf = os.path.join(self.dir, "config")
        with open(self.conf, "w") as f:
            # No tls_ca_file: the test CA is unknown to the system store.
            f.write("[account mail]\nmode = imap\nfrom = %s@example.test\n"
                    "imap_url = imaps://localhost:%s\nuser = %s\npassword = \"%s\"\n"
                    % (env("USER"), env("IMAPS_PORT"), env("USER"),
                       env("PASS").replace("\\", "\\\\").replace('"', '\\"')))
        os.chmod(self.conf, 0o600)

    def start(self):
        return Session("%s -c %s -a mail" % (MAILTUI, self.conf), env=self.env,
                       width=200, height=30)

    @staticmethod
    def status(t):
        return t.rstrip("\n").split("\n")[-1]

    def test_reject_once_always(self):
        with self.start() as s:
            screen = s.wait_for(QUESTION)
            fp = server_fingerprint()
            shown = re.sub(r"[^0-9a-f]", "", screen.lower())
            self.assertIn(fp, shown, "the SHA-256 fingerprint is shown")
            s.send("r")
            s.wait_for(lambda t: "Certificate rejected." in self.status(t), what="rejected")
            self.assertNotIn("INBOX", s.screen())
            s.send("q", "q")
            self.assertEqual(s.wait_exit()[0], 0)
        self.assertFalse(os.path.exists(self.trust))

        with self.start() as s:
            s.wait_for(QUESTION)
            s.send("o")
            screen = s.wait_for("INBOX")
            # The retry listed the folders; no other question came up.
            self.assertNotIn("(y/n)", screen)
            s.send("q", "q")
            self.assertEqual(s.wait_exit()[0], 0)
        self.assertFalse(os.path.exists(self.trust), "once is not remembered")

        with self.start() as s:
            s.wait_for(QUESTION)
            s.send("a")
            s.wait_for("INBOX")
            s.send("q", "q")
            self.assertEqual(s.wait_exit()[0], 0)
        with open(self.trust) as f:
            self.assertIn("localhost", f.read())

        with self.start() as s:
            screen = s.wait_for("INBOX")
            self.assertNotIn(QUESTION, screen)
            s.send("q", "q")
            self.assertEqual(s.wait_exit()[0], 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
