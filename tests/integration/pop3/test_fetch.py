#!/usr/bin/python3
"""test_fetch.py - `mailtui fetch` against the real Dovecot POP3 server and
scripted misbehaving servers.

  test_fetch.py MAILTUI_BINARY SCENARIO

Scenarios: keep_yes (bob, read only), keep_no_smtp (carol, reseeded),
drop_mid_retr, quit_fails, dele_refused, not_mail, crash_after_rename
(scripted servers), dovecot_killed (carol, stops Dovecot mid-fetch).
Exit 0 pass, 1 fail, 77 skip (no servers)."""

import hashlib
import os
import poplib
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "lib"))
from testenv import SKIP, check, env  # noqa: E402



class Env:
    """A config file, a Maildir and a state dir in a fresh temp dir."""

    def __init__(self, binary):
        self.binary = binary
        self.dir = tempfile.mkdtemp(prefix="mailtui-pop3-")
        self.maildir = os.path.join(self.dir, "Mail")
        self.state = os.path.join(self.dir, "state")
        self.conf = os.path.join(self.dir, "config")
        self.nmconf = os.path.join(self.dir, "notmuch-config")
        with open(self.nmconf, "w") as f:
            f.write("[database]\npath=%s\n" % self.maildir)

    def write_config(self, name, url, user, password, keep, extra=""):
        with open(self.conf, "w") as f:
            f.write("[account %s]\nmode = pop3\nfrom = %s@example.test\n"
                    "pop3_url = %s\nsmtp_url = smtp://127.0.0.1:1\n"
                    "user = %s\npassword = \"%s\"\nmaildir = %s\nkeep = %s\n%s"
                    % (name, user, url, user,
                       password.replace("\\", "\\\\").replace('"', '\\"'),
                       self.maildir, keep, extra))
        os.chmod(self.conf, 0o600)

    def fetch(self, *accounts, timeout=300):
        e = dict(os.environ, XDG_STATE_HOME=self.state, LANG="C", LC_ALL="C")
        p = subprocess.run([self.binary, "-c", self.conf, "fetch"] + list(accounts),
                           capture_output=True, text=True, env=e, timeout=timeout)
        print("# rc=%d stdout=%r stderr=%r" % (p.returncode, p.stdout, p.stderr[-500:]))
        return p

    def notmuch_count(self, query="*"):
        out = subprocess.run(["notmuch", "--config=" + self.nmconf, "count", query],
                             capture_output=True, text=True, check=True).stdout
        return int(out.strip())

    def files(self):
        n = []
        for sub in ("new", "cur"):
            d = os.path.join(self.maildir, sub)
            if os.path.isdir(d):
                n += [os.path.join(sub, x) for x in os.listdir(d)]
        return sorted(n)

    def uidl_state(self, account):
        p = os.path.join(self.state, "mailtui", "pop3", account + ".uidl")
        if not os.path.exists(p):
            return {}
        lines = open(p).read().splitlines()
        assert lines[0] == "mailtui-uidl 1", lines[0]
        return dict((l.split(" ", 1)[1], int(l.split(" ", 1)[0])) for l in lines[1:] if l)

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def message(i, size=2000, mid=True):
    body = ("Line %d of a test message with ordinary text.\n" % i) * (size // 45 + 1)
    hdr = "From: Sender %d <s%d@example.test>\nTo: carol@example.test\n" % (i, i)
    hdr += "Subject: message %d\nDate: Mon, 2 Mar 2026 10:%02d:00 +0000\n" % (i, i % 60)
    if mid:
        hdr += "Message-ID: <pop3-test-%d-%f@example.test>\n" % (i, time.time())
    return (hdr + "\n" + body).encode()


def pop3s():
    ctx = ssl.create_default_context(cafile=env("CA"))
    return poplib.POP3_SSL(env("HOST"), int(env("POP3S_PORT")), context=ctx)


def server_count(user, password):
    p = pop3s()
    p.user(user)
    p.pass_(password)
    n = p.stat()[0]
    p.quit()
    return n


def reseed_carol(msgs):
    """Empty carol's Maildir and drop msgs into new/ owned by the mail uid."""
    md = env("MAILDIR3")
    uid, gid = int(env("MAIL_UID")), int(os.environ.get("MAILTUI_TEST_MAIL_GID", env("MAIL_UID")))
    for sub in ("new", "cur", "tmp"):
        d = os.path.join(md, sub)
        os.makedirs(d, exist_ok=True)
        for x in os.listdir(d):
            os.unlink(os.path.join(d, x))
    for f in os.listdir(md):  # Dovecot's index and uidlist: start afresh
        if f.startswith("dovecot"):
            p = os.path.join(md, f)
            shutil.rmtree(p) if os.path.isdir(p) else os.unlink(p)
    for i, m in enumerate(msgs):
        p = os.path.join(md, "new", "%d.M%dP%d.seed" % (1700000000 + i, i, os.getpid()))
        with open(p, "wb") as f:
            f.write(m)
        os.chown(p, uid, gid)
        os.utime(p, (1700000000 + i, 1700000000 + i))


def dovecot_url(tls="pop3"):
    if tls == "pop3s":
        return "pop3s://%s:%s" % (env("HOST"), env("POP3S_PORT"))
    return "pop3://%s:%s" % (env("HOST"), env("POP3_PORT"))


def ca_line():
    return "tls_ca_file = %s\n" % env("CA")


# ---- scenarios against Dovecot ---------------------------------------------

def keep_yes(binary):
    user, pw = env("USER2"), env("PASS2")
    before = server_count(user, pw)
    for url in (dovecot_url("pop3"), dovecot_url("pop3s")):
        e = Env(binary)
        try:
            e.write_config("bobpop", url, user, pw, "yes", ca_line())
            p = e.fetch()
            check(p.returncode == 0, "fetch over %s succeeds" % url)
            check("bobpop: %d new, 0 deleted" % before in p.stdout, "summary says %d new" % before)
            check(e.notmuch_count() == before, "notmuch has all %d" % before)
            check(e.notmuch_count("tag:inbox and tag:unread and tag:bobpop") == before,
                  "all tagged inbox unread bobpop")
            check(len(e.files()) == before, "one file per message")
            check(server_count(user, pw) == before, "keep = yes leaves the server full")
            check(len(e.uidl_state("bobpop")) == before, "every UIDL recorded")
            p = e.fetch()
            check(p.returncode == 0 and "0 new, 0 deleted" in p.stdout, "second fetch: nothing new")
            check(len(e.files()) == before, "no second copy")
        finally:
            e.close()


def keep_no_smtp(binary):
    user, pw = env("USER3"), env("PASS3")
    n = 12
    reseed_carol([message(i) for i in range(n)])
    check(server_count(user, pw) == n, "carol reseeded with %d" % n)
    e = Env(binary)
    try:
        e.write_config("carol", dovecot_url("pop3s"), user, pw, "no", ca_line())
        p = e.fetch("carol")
        check(p.returncode == 0 and "carol: %d new, %d deleted" % (n, n) in p.stdout,
              "keep = no: %d new, %d deleted" % (n, n))
        check(server_count(user, pw) == 0, "keep = no empties the server")
        check(e.notmuch_count("tag:carol") == n, "notmuch has them")
        check(e.uidl_state("carol") == {}, "deleted UIDLs forgotten after QUIT")
        # A new message through the SMTP server is fetched once.
        mail = os.path.join(e.dir, "smtp.eml")
        with open(mail, "wb") as f:
            f.write(b"From: a@example.test\r\nTo: carol@example.test\r\nSubject: via smtp\r\n"
                    b"Message-ID: <smtp-pop3-%d@example.test>\r\n\r\nhello\r\n" % os.getpid())
        r = subprocess.run(["curl", "-s", "--ssl-reqd", "--cacert", env("CA"),
                            "--url", "smtp://%s:%s" % (env("HOST"), env("SMTP_PORT")),
                            "--user", "%s:%s" % (env("USER"), env("PASS")),
                            "--mail-from", "alice@example.test",
                            "--mail-rcpt", "carol@example.test", "--upload-file", mail])
        check(r.returncode == 0, "SMTP delivery to carol")
        for _ in range(50):
            if server_count(user, pw) == 1:
                break
            time.sleep(0.1)
        p = e.fetch("carol")
        check("carol: 1 new, 1 deleted" in p.stdout, "the SMTP message is fetched")
        p = e.fetch("carol")
        check("carol: 0 new, 0 deleted" in p.stdout, "and only once")
        check(e.notmuch_count('subject:"via smtp"') == 1, "one copy in notmuch")
        check(len(e.files()) == n + 1, "one file each")
    finally:
        e.close()


def dovecot_killed(binary):
    user, pw = env("USER3"), env("PASS3")
    n = 1500
    reseed_carol([message(i, size=30000) for i in range(n)])
    e = Env(binary)
    try:
        e.write_config("carol", dovecot_url("pop3s"), user, pw, "no", ca_line())
        env_ = dict(os.environ, XDG_STATE_HOME=e.state)
        proc = subprocess.Popen([binary, "-c", e.conf, "fetch"], env=env_,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        new = os.path.join(e.maildir, "new")
        t0 = time.time()
        while time.time() - t0 < 60 and proc.poll() is None:
            if os.path.isdir(new) and len(os.listdir(new)) >= 100:
                break
            time.sleep(0.01)
        killed = proc.poll() is None
        subprocess.run([env("CTL"), env("DIR"), "kill", "dovecot"], check=True)
        out, err = proc.communicate(timeout=120)
        print("# first run rc=%d killed_mid_fetch=%s %r %r" % (proc.returncode, killed, out, err[-300:]))
        if killed:
            check(proc.returncode != 0, "a fetch cut by the server's death fails")
            check("fetch failed" in err, "and says so")
        subprocess.run([env("CTL"), env("DIR"), "start", "dovecot"], check=True)
        p = e.fetch("carol")
        check(p.returncode == 0, "the rerun completes")
        check(len(e.files()) == n, "exactly %d files: nothing lost, no duplicate" % n)
        check(e.notmuch_count() == n, "notmuch has %d" % n)
        check(server_count(user, pw) == 0, "server emptied")
        check(os.listdir(os.path.join(e.maildir, "tmp")) == [], "tmp/ clean")
    finally:
        e.close()


# ---- scripted servers ---------------------------------------------------------

class Scripted:
    """A plaintext POP3 server in a thread.  msgs: list of (uidl, bytes).
    Behaviour knobs: die_in_retr (message number whose RETR is cut half way),
    quit_err, dele_err (set of numbers).  Deletions apply at a good QUIT."""

    def __init__(self, msgs, die_in_retr=None, quit_err=False, dele_err=()):
        self.msgs = list(msgs)
        self.die_in_retr = die_in_retr
        self.quit_err = quit_err
        self.dele_err = set(dele_err)
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.port = self.sock.getsockname()[1]
        self.sessions = 0
        threading.Thread(target=self.loop, daemon=True).start()

    def url(self):
        return "pop3://127.0.0.1:%d" % self.port

    def loop(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            self.sessions += 1
            try:
                self.session(c)
            except (OSError, BrokenPipeError):
                pass
            c.close()

    def session(self, c):
        f = c.makefile("rb")
        c.sendall(b"+OK scripted ready\r\n")
        deleted = set()
        while True:
            line = f.readline()
            if not line:
                return
            cmd = line.strip().decode().split(" ")
            verb = cmd[0].upper()
            if verb == "CAPA":
                c.sendall(b"+OK\r\nUSER\r\nUIDL\r\nPIPELINING\r\n.\r\n")
            elif verb in ("USER", "PASS", "NOOP", "RSET"):
                c.sendall(b"+OK\r\n")
            elif verb == "LIST":
                out = b"+OK\r\n" + b"".join(b"%d %d\r\n" % (i + 1, len(m))
                                           for i, (u, m) in enumerate(self.msgs)) + b".\r\n"
                c.sendall(out)
            elif verb == "UIDL":
                out = b"+OK\r\n" + b"".join(b"%d %s\r\n" % (i + 1, u.encode())
                                           for i, (u, m) in enumerate(self.msgs)) + b".\r\n"
                c.sendall(out)
            elif verb == "RETR":
                n = int(cmd[1])
                data = self.msgs[n - 1][1].replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
                stuffed = b"\r\n".join((b"." + l if l.startswith(b".") else l)
                                       for l in data.split(b"\r\n"))
                if self.die_in_retr == n:
                    c.sendall(b"+OK\r\n" + stuffed[:len(stuffed) // 2])
                    # Half-close and read on: closing with unread input
                    # would send RST, which discards what the client has
                    # not read yet and makes the test depend on timing.
                    c.shutdown(socket.SHUT_WR)
                    while f.readline():
                        pass
                    return
                if not stuffed.endswith(b"\r\n"):
                    stuffed += b"\r\n"
                c.sendall(b"+OK\r\n" + stuffed + b".\r\n")
            elif verb == "DELE":
                n = int(cmd[1])
                if n in self.dele_err:
                    c.sendall(b"-ERR [SYS/TEMP] cannot delete now\r\n")
                else:
                    deleted.add(n)
                    c.sendall(b"+OK\r\n")
            elif verb == "QUIT":
                if self.quit_err:
                    c.sendall(b"-ERR [SYS/TEMP] could not commit deletions\r\n")
                    return
                self.msgs = [m for i, m in enumerate(self.msgs) if i + 1 not in deleted]
                c.sendall(b"+OK bye\r\n")
                return
            else:
                c.sendall(b"-ERR unknown\r\n")

    def close(self):
        self.sock.close()


def scripted_env(binary, srv, keep):
    e = Env(binary)
    e.write_config("fake", srv.url(), "u", "p", keep, "tls = none\n")
    return e


def uidls(n):
    return [("uid-%03d" % i, message(i)) for i in range(n)]


def drop_mid_retr(binary):
    msgs = uidls(5)
    srv = Scripted(msgs, die_in_retr=3)
    e = scripted_env(binary, srv, "no")
    try:
        p = e.fetch()
        check(p.returncode != 0, "a connection dropped mid-RETR fails the fetch")
        check("fetch failed" in p.stderr, "with a message")
        check(len(e.files()) == 2, "the two whole messages are stored")
        check(len(e.uidl_state("fake")) == 2, "and recorded")
        check(len(srv.msgs) == 5, "nothing deleted on the server")
        srv.die_in_retr = None
        p = e.fetch()
        check(p.returncode == 0 and "fake: 3 new, 5 deleted" in p.stdout, "rerun completes")
        check(len(e.files()) == 5 and e.notmuch_count() == 5, "5 messages, no duplicate")
        check(srv.msgs == [], "server emptied after QUIT")
    finally:
        e.close()
        srv.close()


def quit_fails(binary):
    srv = Scripted(uidls(4), quit_err=True)
    e = scripted_env(binary, srv, "no")
    try:
        p = e.fetch()
        check(p.returncode != 0, "a failed QUIT fails the fetch")
        check("did not confirm" in p.stderr, "and says no message was deleted")
        check("fake: 4 new, 0 deleted" in p.stdout, "4 stored, 0 counted deleted")
        check(len(e.uidl_state("fake")) == 4, "still recorded as on the server")
        srv.quit_err = False
        p = e.fetch()
        check(p.returncode == 0 and "fake: 0 new, 4 deleted" in p.stdout,
              "next fetch deletes without downloading again")
        check(e.uidl_state("fake") == {} and srv.msgs == [], "then forgotten")
        check(len(e.files()) == 4, "no duplicate")
    finally:
        e.close()
        srv.close()


def dele_refused(binary):
    srv = Scripted(uidls(3), dele_err={2})
    e = scripted_env(binary, srv, "no")
    try:
        p = e.fetch()
        check(p.returncode == 0 and "fake: 3 new, 2 deleted" in p.stdout, "2 of 3 deleted")
        check("refused to delete 1 message" in p.stderr, "the refusal is reported")
        check(list(e.uidl_state("fake")) == ["uid-001"], "the refused one stays recorded")
        srv.dele_err = set()
        p = e.fetch()
        check("fake: 0 new, 1 deleted" in p.stdout, "retried next time")
        check(len(e.files()) == 3, "no duplicate")
    finally:
        e.close()
        srv.close()


def not_mail(binary):
    junk = bytes(range(1, 256)) * 40
    msgs = [("uid-a", message(1)), ("uid-junk", junk), ("uid-b", message(2))]
    srv = Scripted(msgs)
    e = scripted_env(binary, srv, "yes")
    try:
        p = e.fetch()
        check(p.returncode == 0 and "fake: 3 new" in p.stdout, "all three stored")
        check("would not index" in p.stderr, "the unindexable one is reported")
        check(len(e.files()) == 3, "it is kept in the Maildir")
        check(e.notmuch_count() == 2, "notmuch indexed the other two")
        lst = open(os.path.join(e.maildir, ".notmuch", "mailtui-unindexed")).read().split()
        check(len(lst) == 1 and os.path.exists(os.path.join(e.maildir, lst[0])),
              "listed in .notmuch/mailtui-unindexed")
        p = e.fetch()
        check("fake: 0 new" in p.stdout, "recorded: not downloaded again")
    finally:
        e.close()
        srv.close()


def crash_after_rename(binary):
    """A run killed after the rename into new/ but before the UIDL was
    recorded: the rerun must not write a second file."""
    msgs = uidls(3)
    srv = Scripted(msgs)
    e = scripted_env(binary, srv, "yes")
    try:
        acct = hashlib.sha256(b"fake").hexdigest()[:8]
        name = "mailtui.%s.%s" % (acct, hashlib.sha256(b"fake\nuid-001").hexdigest()[:32])
        os.makedirs(os.path.join(e.maildir, "new"))
        with open(os.path.join(e.maildir, "new", name), "wb") as f:
            f.write(msgs[1][1].replace(b"\r\n", b"\n"))
        os.makedirs(os.path.join(e.maildir, "tmp"))
        stale = os.path.join(e.maildir, "tmp", "mailtui.%s.half" % acct)
        open(stale, "wb").write(b"From: half")
        p = e.fetch()
        check(p.returncode == 0 and "fake: 3 new" in p.stdout, "all three recorded")
        check(len(e.files()) == 3, "the delivered file was reused, not copied")
        check(e.notmuch_count() == 3, "and indexed")
        check(not os.path.exists(stale), "stale tmp/ file removed")
    finally:
        e.close()
        srv.close()


SCENARIOS = {f.__name__: f for f in (keep_yes, keep_no_smtp, dovecot_killed, drop_mid_retr,
                                     quit_fails, dele_refused, not_mail, crash_after_rename)}
SERVER_FREE = {"drop_mid_retr", "quit_fails", "dele_refused", "not_mail", "crash_after_rename"}


def main():
    binary, name = sys.argv[1], sys.argv[2]
    if shutil.which("notmuch") is None:
        print("notmuch CLI missing: skipping")
        return SKIP
    try:
        SCENARIOS[name](binary)
    except AssertionError as e:
        print("not ok - " + str(e))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
