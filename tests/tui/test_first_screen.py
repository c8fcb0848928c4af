#!/usr/bin/python3
"""The first screen of the real binary, in tmux: accounts with their modes,
help, resize, quitting, and the terminal restored on q, Ctrl-C and a crash."""
import os
import signal
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tmux import Session, terminal_restored  # noqa: E402

MAILTUI = os.path.abspath(sys.argv.pop(1))

CONFIG = """\
[general]
default_account = work

[account work]
mode = imap
from = me@example.org
name = Người Dùng
imap_url = imaps://imap.example.org
smtp_url = smtp://smtp.example.org
user = me
password_command = echo secret

[account home]
mode = pop3
from = me@home.example
pop3_url = pop3s://pop.home.example:995
smtp_url = smtps://smtp.home.example
user = me
password_command = echo secret
maildir = {maildir}
keep = 7 days
"""


class FirstScreen(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="mailtui-first-")
        self.conf = os.path.join(self.dir, "config")
        with open(self.conf, "w") as f:
            f.write(CONFIG.format(maildir=os.path.join(self.dir, "Maildir")))
        os.chmod(self.conf, 0o600)
        self.env = {
            "HOME": self.dir,
            "XDG_CONFIG_HOME": os.path.join(self.dir, "config.d"),
            "XDG_DATA_HOME": os.path.join(self.dir, "data"),
            "XDG_CACHE_HOME": os.path.join(self.dir, "cache"),
            "XDG_STATE_HOME": os.path.join(self.dir, "state"),
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
        }

    def start(self, **kw):
        env = dict(self.env)
        env.update(kw.pop("env", {}))
        return Session("%s -c %s" % (MAILTUI, self.conf), env=env, **kw)

    def test_lists_accounts_with_modes(self):
        with self.start() as s:
            screen = s.wait_for("work")
            lines = screen.split("\n")
            work = [l for l in lines if " work " in l][0]
            home = [l for l in lines if " home " in l][0]
            self.assertIn("imap", work)
            self.assertIn("imap.example.org:993", work)
            self.assertIn("pop3", home)
            self.assertIn("pop.home.example:995", home)
            self.assertIn("2 accounts configured.", lines[-1] if lines[-1] else lines[-2])
            s.send("q")
            status, stty = s.wait_exit()
            self.assertEqual(status, 0)
            self.assertTrue(terminal_restored(stty), stty)

    def test_help_lists_keys_and_closes(self):
        with self.start() as s:
            s.wait_for("work")
            s.send("?")
            screen = s.wait_for("Keys on this screen")
            self.assertIn("next account", screen)
            self.assertIn("quit", screen)
            s.send("q")
            screen = s.wait_for(lambda t: "Keys on this screen" not in t and "home" in t,
                                what="help closed")
            s.send("q")
            self.assertEqual(s.wait_exit()[0], 0)

    def test_selection_moves_with_keys(self):
        with self.start() as s:
            s.wait_for("home")
            s.send("j")
            s.send("?")  # a round trip through another screen keeps the selection
            s.wait_for("Keys on this screen")
            s.send("q")
            s.wait_for("home")
            s.send("k", "k", "j")
            s.send("x")  # unknown key: an error in the status line
            s.wait_for("Unknown key")
            s.send("q")
            self.assertEqual(s.wait_exit()[0], 0)

    def test_resize_redraws(self):
        def redrawn(rows):
            # tmux first shows the old screen's bottom rows: wait for a
            # whole new frame (title on top, list, status at the bottom).
            def ok(t):
                lines = t.rstrip("\n").split("\n")
                return (len(lines) <= rows and lines[0].startswith(" mailtui")
                        and any(" home " in l for l in lines)
                        and "accounts configured" in lines[-1])
            return ok
        with self.start(width=100, height=30) as s:
            s.wait_for("work")
            s.resize(60, 12)
            screen = s.wait_for(redrawn(12), what="a full frame at 60x12")
            self.assertLessEqual(max(len(l) for l in screen.split("\n")), 60)
            s.resize(120, 40)
            screen = s.wait_for(lambda t: redrawn(40)(t) and len(t.rstrip("\n").split("\n")) >= 39,
                                what="a full frame at 120x40")
            s.send("q")
            self.assertEqual(s.wait_exit()[0], 0)

    def test_ctrl_c_restores_terminal(self):
        with self.start() as s:
            s.wait_for("work")
            s.send("C-c")
            status, stty = s.wait_exit()
            self.assertEqual(status, 0)
            self.assertTrue(terminal_restored(stty), stty)

    def test_crash_signal_restores_terminal(self):
        with self.start() as s:
            s.wait_for("work")
            # The pane's shell runs mailtui as its only child.
            pid = int(subprocess.run(["pgrep", "-P", str(s.pane_pid())],
                                     capture_output=True, text=True).stdout.split()[0])
            os.kill(pid, signal.SIGSEGV)
            status, stty = s.wait_exit()
            self.assertNotEqual(status, 0)
            self.assertTrue(terminal_restored(stty), stty)

    def test_vietnamese_locale(self):
        env = {"LANG": "vi_VN.UTF-8", "LC_ALL": "vi_VN.UTF-8"}
        help_out = subprocess.run([MAILTUI, "--help"], capture_output=True, text=True,
                                  env=dict(os.environ, **env)).stdout
        self.assertIn("Cách dùng", help_out)
        self.assertIn("kiểm tra cấu hình", help_out)
        with self.start(env=env) as s:
            screen = s.wait_for("Tài khoản")
            self.assertIn("2 tài khoản", screen)
            s.send("?")
            s.wait_for("tài khoản tiếp theo")
            s.send("q", "q")
            self.assertEqual(s.wait_exit()[0], 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
