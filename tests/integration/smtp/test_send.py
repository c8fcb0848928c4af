#!/usr/bin/python3
"""test_send.py - `mailtui send` against the real SMTP server of
tests/servers (delivering into Dovecot's Maildirs) and a scripted server.

  test_send.py MAILTUI_BINARY SCENARIO

Scenarios: full (Vietnamese headers, dot line, bare LF, attachment,
To + Cc + Bcc; read back from the Maildir, over IMAP and POP3),
rejected_rcpt, permanent_failed, smtps, display_name, server_down (stops the SMTP
server, then --flush), no_starttls (scripted server), long_line.
Mail goes to carol (the spare user) and to addresses in other domains,
which the server only logs; what reaches carol is removed afterwards.
Exit 0 pass, 1 fail, 77 skip (no servers)."""

import email
import email.policy
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from email.message import EmailMessage

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "lib"))
from testenv import check, env  # noqa: E402

EX_TEMPFAIL, EX_NOUSER, EX_UNAVAILABLE, EX_CONFIG = 75, 67, 69, 78

VI_NAME = "Nguyễn Thị Minh Khai"
VI_SUBJECT = ("Chào bạn — thử nghiệm tiếng Việt: Đặng Thị Ngọc Hường ơi, "
              "hẹn gặp lại vào thứ Năm tuần sau nhé")
VI_FILE = "Báo cáo tháng 5 — Hà Nội.bin"


class Env:
    """A config file and a state dir (the outbox) in a fresh temp dir."""

    def __init__(self, binary):
        self.binary = binary
        self.dir = tempfile.mkdtemp(prefix="mailtui-smtp-")
        self.conf = os.path.join(self.dir, "config")
        self.outbox = os.path.join(self.dir, "state", "mailtui", "outbox", "test")

    def write_config(self, url, extra="", ca=True):
        with open(self.conf, "w") as f:
            f.write("[account test]\nmode = imap\nfrom = alice@example.test\n"
                    "name = Alice\nimap_url = imaps://127.0.0.1:1\n"
                    "smtp_url = %s\nuser = alice\npassword = %s\n"
                    "%stimeout = 10\n%s" % (
                        url, env("PASS"), "tls_ca_file = %s\n" % env("CA") if ca else "",
                        extra))
        os.chmod(self.conf, 0o600)

    def send(self, *args, stdin=None):
        e = dict(os.environ)
        e["XDG_STATE_HOME"] = os.path.join(self.dir, "state")
        e["XDG_DATA_HOME"] = os.path.join(self.dir, "data")
        e["LC_ALL"] = "C.UTF-8"
        p = subprocess.run([self.binary, "-c", self.conf, "send"] + list(args),
                           input=stdin, capture_output=True, env=e, timeout=60)
        err = p.stderr.decode("utf-8", "replace")
        print("# exit %d; stderr: %s" % (p.returncode, err.strip().replace("\n", "\n#   ")))
        return p.returncode, err

    def outbox_entries(self):
        if not os.path.isdir(self.outbox):
            return []
        metas = sorted(n for n in os.listdir(self.outbox) if n.endswith(".meta"))
        out = []
        for n in metas:
            with open(os.path.join(self.outbox, n), encoding="utf-8") as f:
                out.append(f.read())
        return out

    def cleanup(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def smtp_url():
    return "smtp://127.0.0.1:%s" % env("SMTP_PORT")


def log_entries(message_id):
    found = []
    with open(env("SMTP_LOG"), encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            if rec.get("message_id") == "<%s>" % message_id:
                found.append(rec)
    return found


def make_message(mid, attachment, to, cc=None, bcc=None):
    """A prepared message with bare LF line ends, as files on disk have."""
    m = EmailMessage(policy=email.policy.default)
    m["From"] = "%s <alice@example.test>" % VI_NAME
    m["To"] = to
    if cc:
        m["Cc"] = cc
    if bcc:
        m["Bcc"] = bcc
    m["Subject"] = VI_SUBJECT
    m["Message-ID"] = "<%s>" % mid
    m.set_content(BODY, cte="8bit")
    if attachment is not None:
        m.add_attachment(attachment, maintype="application", subtype="octet-stream",
                         filename=VI_FILE)
    data = m.as_bytes(policy=email.policy.default.clone(linesep="\n"))
    assert b"\r\n" not in data
    return data


BODY = ("Xin chào,\n"
        ".a line that starts with a dot\n"
        ".\n"
        "..two dots\n"
        "tiếng Việt có dấu: ắ ằ ẳ ẵ ặ ơ ư đ\n")


def new_mid(tag):
    return "%s.%d.%d@example.test" % (tag, os.getpid(), time.time_ns())


def wait_for_file(maildir, mid, timeout=10):
    """The path of the message with mid in maildir (new/ or cur/)."""
    needle = ("<%s>" % mid).encode()
    end = time.time() + timeout
    while time.time() < end:
        for sub in ("new", "cur"):
            d = os.path.join(maildir, sub)
            for n in os.listdir(d):
                p = os.path.join(d, n)
                try:
                    with open(p, "rb") as f:
                        if needle in f.read():
                            return p
                except OSError:
                    pass
        time.sleep(0.1)
    return None


def curl(*args):
    p = subprocess.run(["curl", "-sS", "--cacert", env("CA")] + list(args),
                       capture_output=True, timeout=60)
    if p.returncode != 0:
        raise AssertionError("curl %s: %s" % (args, p.stderr.decode()))
    return p.stdout


def carol_auth():
    return "%s:%s" % (env("USER3"), env("PASS3"))


def imap_fetch(mid):
    base = "imaps://127.0.0.1:%s/INBOX" % env("IMAPS_PORT")
    out = curl("-u", carol_auth(), "-X", 'UID SEARCH HEADER Message-ID "%s"' % mid, base)
    uids = out.decode().split()[2:] if out.startswith(b"* SEARCH") else []
    if len(uids) != 1:
        raise AssertionError("IMAP SEARCH for %s: %r" % (mid, out))
    return curl("-u", carol_auth(), base + ";UID=" + uids[0])


def pop3_fetch(mid):
    base = "pop3s://127.0.0.1:%s/" % env("POP3S_PORT")
    listing = curl("-u", carol_auth(), base).decode().split("\r\n")
    for line in reversed([x for x in listing if x.strip()]):
        n = line.split()[0]
        data = curl("-u", carol_auth(), base + n)
        if ("<%s>" % mid).encode() in data:
            return data
    raise AssertionError("POP3: no message %s" % mid)


def check_copy(raw, where, attachment):
    msg = email.message_from_bytes(raw.replace(b"\r\n", b"\n"), policy=email.policy.default)
    check(str(msg["Subject"]) == VI_SUBJECT, where + ": subject decodes to the same Vietnamese")
    check(msg["From"].addresses[0].display_name == VI_NAME,
          where + ": From name decodes to the same Vietnamese")
    check(msg["Bcc"] is None, where + ": no Bcc header")
    body = msg.get_body(("plain",)).get_content()
    check(body == BODY, where + ": body identical (dot lines intact)")
    atts = list(msg.iter_attachments())
    check(len(atts) == 1 and atts[0].get_filename() == VI_FILE,
          where + ": attachment name decodes to the same Vietnamese")
    check(atts[0].get_content() == attachment, where + ": attachment byte-identical")
    for line in raw.split(b"\n"):
        assert len(line.rstrip(b"\r")) <= 998


def remove_delivered(mid):
    needle = ("<%s>" % mid).encode()
    root = env("MAILDIR3")
    for sub in ("new", "cur"):
        d = os.path.join(root, sub)
        for n in os.listdir(d):
            p = os.path.join(d, n)
            try:
                with open(p, "rb") as f:
                    if needle in f.read():
                        os.unlink(p)
            except OSError:
                pass


def scenario_full(binary):
    e = Env(binary)
    mid = new_mid("full")
    attachment = bytes((i * 7919 >> 3) & 0xFF for i in range(50000)) + b"\r\n.\r\n\x00end"
    try:
        e.write_config(smtp_url())
        path = os.path.join(e.dir, "msg.eml")
        with open(path, "wb") as f:
            f.write(make_message(mid, attachment, "Carol <carol@example.test>",
                                 cc="Đào Cc <cc-person@elsewhere.test>",
                                 bcc="Bí Mật <hidden@elsewhere.test>"))
        code, err = e.send(path)
        check(code == 0, "mailtui send exits 0")
        recs = log_entries(mid)
        check(len(recs) == 1, "the server accepted the message exactly once")
        rec = recs[0]
        check(sorted(rec["rcpt_to"]) == sorted(["carol@example.test",
                                                "cc-person@elsewhere.test",
                                                "hidden@elsewhere.test"]),
              "envelope: To + Cc + Bcc, each once")
        check(rec["delivered"] == ["carol"], "carol got one copy")
        check(rec["bcc_header"] is False, "no Bcc header on the wire")
        check(rec["tls"] is True and rec["auth_user"] == "alice", "STARTTLS and AUTH used")
        check(rec["mail_from"] == "alice@example.test", "envelope sender is the account")
        check(e.outbox_entries() == [], "the outbox is empty after success")
        f = wait_for_file(env("MAILDIR3"), mid)
        check(f is not None, "delivered into carol's Maildir")
        with open(f, "rb") as fh:
            check_copy(fh.read(), "Maildir", attachment)
        check_copy(imap_fetch(mid), "IMAP", attachment)
        check_copy(pop3_fetch(mid), "POP3", attachment)
    finally:
        remove_delivered(mid)
        e.cleanup()


def scenario_smtps(binary):
    e = Env(binary)
    mid = new_mid("smtps")
    try:
        e.write_config("smtps://127.0.0.1:%s" % env("SMTPS_PORT"))
        code, _ = e.send("-", stdin=make_message(mid, None, "carol@example.test"))
        check(code == 0, "send over smtps:// from stdin exits 0")
        recs = log_entries(mid)
        check(len(recs) == 1 and recs[0]["tls"], "accepted once over implicit TLS")
    finally:
        remove_delivered(mid)
        e.cleanup()


def scenario_display_name(binary):
    """A piped message without From goes out with the account's name:
    from `name = Alice`, and from `from = Name <addr>` (Vietnamese)."""
    e = Env(binary)
    mids = []
    try:
        for label, from_line, name, want in (
                ("name = Alice", "alice@example.test", "name = Alice\n", "Alice"),
                ("from = Name <addr>", "%s <alice@example.test>" % VI_NAME, "", VI_NAME)):
            mid = new_mid("named")
            mids.append(mid)
            with open(e.conf, "w") as f:
                f.write("[account test]\nmode = imap\nfrom = %s\n%s"
                        "imap_url = imaps://127.0.0.1:1\nsmtp_url = %s\nuser = alice\n"
                        "password = %s\ntls_ca_file = %s\ntimeout = 10\n"
                        % (from_line, name, smtp_url(), env("PASS"), env("CA")))
            os.chmod(e.conf, 0o600)
            msg = ("To: carol@example.test\nSubject: named %s\nMessage-ID: <%s>\n\nhi\n"
                   % (label, mid)).encode()
            code, _ = e.send("-", stdin=msg)
            check(code == 0, "%s: send exits 0" % label)
            f = wait_for_file(env("MAILDIR3"), mid)
            check(f is not None, "%s: delivered" % label)
            with open(f, "rb") as fh:
                got = email.message_from_bytes(fh.read(), policy=email.policy.default)
            addr = got["From"].addresses[0]
            check(addr.addr_spec == "alice@example.test", "%s: From address" % label)
            check(addr.display_name == want, "%s: From name is %r (got %r)"
                  % (label, want, addr.display_name))
    finally:
        for mid in mids:
            remove_delivered(mid)
        e.cleanup()


def scenario_rejected_rcpt(binary):
    e = Env(binary)
    mid = new_mid("rejected")
    try:
        e.write_config(smtp_url())
        code, err = e.send("-", stdin=make_message(
            mid, None, "carol@example.test, nosuchuser@example.test"))
        check(code == EX_NOUSER, "exit 67 when a recipient is refused")
        check("nosuchuser@example.test" in err, "the refused recipient is named")
        check("550 5.1.1" in err and "no such user" in err, "with the server's reply")
        recs = log_entries(mid)
        check(len(recs) == 1 and recs[0]["delivered"] == ["carol"],
              "the others still got it, once")
        check(e.outbox_entries() == [], "nothing left queued for a 5xx recipient")
    finally:
        remove_delivered(mid)
        e.cleanup()


def scenario_permanent_failed(binary):
    e = Env(binary)
    mid = new_mid("perm")
    try:
        e.write_config(smtp_url())
        code, err = e.send("-", stdin=make_message(mid, None, "ghost@example.test"))
        check(code == EX_UNAVAILABLE, "exit 69 when every recipient is refused")
        check("550" in err, "the server's reply is shown")
        metas = e.outbox_entries()
        check(len(metas) == 1 and "state=failed" in metas[0] and "550" in metas[0],
              "the message is kept in the outbox as failed, with the reply")
        code, _ = e.send("--flush")
        check(code == 0 and log_entries(mid) == [], "--flush does not retry it")
        check("state=failed" in e.outbox_entries()[0], "still kept as failed")
    finally:
        e.cleanup()


def ctl(action):
    subprocess.run([env("CTL"), env("DIR"), action, "smtp"], check=True, timeout=60)


def scenario_server_down(binary):
    e = Env(binary)
    mid = new_mid("down")
    try:
        e.write_config(smtp_url())
        ctl("stop")
        try:
            code, err = e.send("-", stdin=make_message(mid, None, "carol@example.test"))
            check(code == EX_TEMPFAIL, "exit 75 while the server is down")
            check("connect" in err, "the error says the server cannot be reached")
            metas = e.outbox_entries()
            check(len(metas) == 1 and "state=queued" in metas[0],
                  "the message waits in the outbox")
            code, _ = e.send("--flush")
            check(code == EX_TEMPFAIL, "--flush while down: still 75")
        finally:
            ctl("start")
        code, _ = e.send("--flush")
        check(code == 0, "--flush after the server is back exits 0")
        check(len(log_entries(mid)) == 1, "delivered exactly once")
        check(e.outbox_entries() == [], "the outbox is empty")
        code, _ = e.send("--flush")
        check(code == 0 and len(log_entries(mid)) == 1, "another flush sends nothing again")
    finally:
        remove_delivered(mid)
        e.cleanup()


class NoStarttlsServer(threading.Thread):
    """Greets, answers EHLO without STARTTLS (but with AUTH), logs bytes."""

    def __init__(self):
        super().__init__(daemon=True)
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.port = self.sock.getsockname()[1]
        self.received = b""
        self.stop = False

    def run(self):
        self.sock.settimeout(0.2)
        while not self.stop:
            try:
                c, _ = self.sock.accept()
            except socket.timeout:
                continue
            c.settimeout(5)
            c.sendall(b"220 scripted ESMTP\r\n")
            buf = b""
            try:
                while True:
                    d = c.recv(4096)
                    if not d:
                        break
                    self.received += d
                    buf += d
                    while b"\r\n" in buf:
                        line, buf = buf.split(b"\r\n", 1)
                        verb = line[:4].upper()
                        if verb == b"EHLO":
                            c.sendall(b"250-scripted\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n")
                        elif verb == b"QUIT":
                            c.sendall(b"221 bye\r\n")
                        else:
                            c.sendall(b"250 ok\r\n")
            except OSError:
                pass
            c.close()


def scenario_no_starttls(binary):
    e = Env(binary)
    srv = NoStarttlsServer()
    srv.start()
    mid = new_mid("nostarttls")
    try:
        e.write_config("smtp://127.0.0.1:%d" % srv.port)
        code, err = e.send("-", stdin=make_message(mid, None, "carol@example.test"))
        check(code == EX_CONFIG, "exit 78: the account's server is unusable as configured")
        check("STARTTLS" in err, "the error says STARTTLS is not offered")
        time.sleep(0.3)
        check(b"EHLO" in srv.received, "the client greeted")
        check(b"AUTH" not in srv.received, "no AUTH bytes reached the server")
        check(env("PASS").encode() not in srv.received, "no password either")
        check(b"MAIL" not in srv.received and b"DATA" not in srv.received, "nothing was sent")
        metas = e.outbox_entries()
        check(len(metas) == 1 and "state=queued" in metas[0], "the message stays queued")
    finally:
        srv.stop = True
        e.cleanup()


def scenario_long_line(binary):
    e = Env(binary)
    try:
        e.write_config(smtp_url())
        msg = b"To: carol@example.test\nSubject: long\n\nok\n" + b"x" * 999 + b"\n"
        code, err = e.send("-", stdin=msg)
        check(code == 65, "exit 65 (EX_DATAERR) for a line over 998 octets")
        check("line 5" in err and "998" in err, "the error names the line and the limit")
        check(e.outbox_entries() == [], "nothing was queued")
    finally:
        e.cleanup()


def server_pin():
    """curl's sha256//<base64> of the test server's public key."""
    cert = os.path.join(env("DIR"), "tls", "server.pem")
    pub = subprocess.run(["openssl", "x509", "-in", cert, "-pubkey", "-noout"],
                         capture_output=True, check=True).stdout
    der = subprocess.run(["openssl", "pkey", "-pubin", "-outform", "der"], input=pub,
                         capture_output=True, check=True).stdout
    import base64
    import hashlib
    return "sha256//" + base64.b64encode(hashlib.sha256(der).digest()).decode()


def scenario_pinned(binary):
    """Without the CA: a matching pin (tls_fingerprint or the trust file's
    "accept always") replaces CA trust; no pin or a wrong one sends nothing."""
    e = Env(binary)
    pin = server_pin()
    wrong = "sha256//" + "A" * 43 + "="
    mids = []
    try:
        for label, extra, trusted, want in (
                ("no CA, no pin", "", None, EX_CONFIG),
                ("wrong tls_fingerprint", "tls_fingerprint = %s\n" % wrong, None, EX_CONFIG),
                ("matching tls_fingerprint", "tls_fingerprint = %s\n" % pin, None, 0),
                ("key accepted always", "", pin, 0)):
            mid = new_mid("pin")
            mids.append(mid)
            e.write_config(smtp_url(), extra, ca=False)
            trust_dir = os.path.join(e.dir, "data", "mailtui")
            os.makedirs(trust_dir, exist_ok=True)
            with open(os.path.join(trust_dir, "trusted"), "w") as f:
                if trusted:
                    f.write("127.0.0.1 %s %s\n" % (env("SMTP_PORT"), trusted))
            shutil.rmtree(os.path.join(e.dir, "state"), ignore_errors=True)
            code, err = e.send("-", stdin=make_message(mid, None, "carol@example.test"))
            check(code == want, "%s: exit %d" % (label, want))
            check(len(log_entries(mid)) == (1 if want == 0 else 0),
                  "%s: %s" % (label, "sent once" if want == 0 else "nothing sent"))
            if want:
                check("certificate" in err, "%s: the error is about the certificate" % label)
                # GnuTLS's words through curl: never credited to the server.
                check("  curl: " in err and "server:" not in err,
                      "%s: curl's text is named as curl's" % label)
    finally:
        for mid in mids:
            remove_delivered(mid)
        e.cleanup()


SCENARIOS = {
    "pinned": scenario_pinned,
    "long_line": scenario_long_line,
    "full": scenario_full,
    "smtps": scenario_smtps,
    "display_name": scenario_display_name,
    "rejected_rcpt": scenario_rejected_rcpt,
    "permanent_failed": scenario_permanent_failed,
    "server_down": scenario_server_down,
    "no_starttls": scenario_no_starttls,
}


def main():
    binary, name = sys.argv[1], sys.argv[2]
    env("SMTP_PORT")
    try:
        SCENARIOS[name](binary)
    except AssertionError as ex:
        print("not ok - %s" % ex)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
