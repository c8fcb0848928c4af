#!/usr/bin/python3
"""smtpd.py - the test SMTP server (aiosmtpd from Debian).

Two listeners in one asyncio loop:
  --port        plain SMTP; STARTTLS required before AUTH, AUTH before MAIL
  --smtps-port  implicit TLS (SMTPS); AUTH required before MAIL
Users and passwords come from Dovecot's passwd-file (user:{PLAIN}pass:...),
so both servers accept the same credentials.

Each accepted message is delivered to every recipient in --domain into that
user's Maildir new/ (tmp/ then rename, owned by --uid/--gid); an unknown
local user is refused with 550 for that recipient only; recipients in other
domains are accepted and only logged.  One JSON line per accepted message
goes to --log so tests can count deliveries."""

import argparse
import asyncio
import email.utils
import json
import logging
import os
import re
import signal
import socket
import ssl
import sys
import time
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import maildir  # noqa: E402

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword  # noqa: E402


def load_users(path):
    users = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            parts = line.split(":")
            pw = parts[1]
            if pw.startswith("{PLAIN}"):
                pw = pw[len("{PLAIN}"):]
            users[parts[0]] = pw
    return users


class Handler:
    def __init__(self, args, users):
        self.args = args
        self.users = users
        self.domain = args.domain.lower()
        self.log = open(args.log, "a", encoding="utf-8")

    def _local_user(self, address):
        """(is_local, user) for an envelope address."""
        local, _, dom = address.rpartition("@")
        if dom.lower() != self.domain:
            return False, None
        return True, local.lower()

    async def handle_RCPT(self, server, session, envelope, address,
                          rcpt_options):
        is_local, user = self._local_user(address)
        if is_local and user not in self.users:
            if not hasattr(envelope, "rejected"):
                envelope.rejected = []
            envelope.rejected.append(address)
            return "550 5.1.1 <%s>: no such user here" % address
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        content = envelope.original_content or envelope.content
        if isinstance(content, str):
            content = content.encode("utf-8", "surrogateescape")
        tls = (session.ssl is not None or
               server.transport.get_extra_info("ssl_object") is not None)
        auth_user = session.auth_data if session.authenticated else None
        if isinstance(auth_user, LoginPassword):
            auth_user = auth_user.login
        if isinstance(auth_user, bytes):
            auth_user = auth_user.decode("utf-8", "replace")
        now = time.time()
        received = ("Received: from %s (%s)\n\tby mailtui-test-smtpd with %s"
                    "%s;\n\t%s\n" % (
                        session.host_name or "unknown",
                        session.peer[0] if session.peer else "unknown",
                        "ESMTPS" if tls else "ESMTP",
                        "A" if auth_user else "",
                        email.utils.formatdate(now, localtime=False)))
        # Maildir files use LF line ends; Dovecot adds CR on the wire.
        body = content.replace(b"\r\n", b"\n")
        data = received.encode() + body
        delivered = []
        for rcpt in envelope.rcpt_tos:
            is_local, user = self._local_user(rcpt)
            if not is_local:
                continue
            path = os.path.join(self.args.mail_root, user, "Maildir")
            maildir.deliver(path, data, self.args.uid, self.args.gid)
            delivered.append(user)
        head = body.split(b"\n\n", 1)[0]
        mid = re.search(rb"(?im)^message-id:[ \t]*(.*(?:\n[ \t].*)*)", head)
        rec = {
            "time": now,
            "mail_from": envelope.mail_from,
            "rcpt_to": list(envelope.rcpt_tos),
            "rejected": list(getattr(envelope, "rejected", [])),
            "delivered": delivered,
            "size": len(content),
            "tls": tls,
            "auth_user": auth_user,
            "message_id": (mid.group(1).decode("utf-8", "replace").strip()
                           if mid else None),
            "bcc_header": re.search(rb"(?im)^bcc:", head) is not None,
        }
        self.log.write(json.dumps(rec, ensure_ascii=False) + "\n")
        self.log.flush()
        return "250 2.0.0 OK queued"


class TestSMTP(SMTP):
    """Sets TCP_NODELAY: without it loopback replies stall on delayed ACK."""

    def connection_made(self, transport):
        sock = transport.get_extra_info("socket")
        if sock is not None:
            try:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:
                pass
        super().connection_made(transport)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--smtps-port", type=int, required=True)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--users", required=True)
    ap.add_argument("--mail-root", required=True)
    ap.add_argument("--uid", type=int, default=-1)
    ap.add_argument("--gid", type=int, default=-1)
    ap.add_argument("--domain", default="example.test")
    ap.add_argument("--log", required=True)
    ap.add_argument("--pidfile")
    args = ap.parse_args()

    logging.basicConfig(level=logging.WARNING, stream=sys.stderr,
                        format="%(asctime)s %(name)s %(message)s")
    # aiosmtpd warns about its own deprecated login_data on every AUTH.
    logging.getLogger("mail.log").setLevel(logging.ERROR)
    # SMTPS needs auth_require_tls=False (aiosmtpd only counts STARTTLS as
    # TLS); the connection is TLS from the first byte, so that is safe.
    warnings.filterwarnings("ignore", message="Requiring AUTH while not")

    users = load_users(args.users)
    handler = Handler(args, users)

    def authenticator(server, session, envelope, mechanism, auth_data):
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        login = auth_data.login.decode("utf-8", "replace")
        password = auth_data.password.decode("utf-8", "replace")
        if users.get(login) == password:
            return AuthResult(success=True, auth_data=login)
        return AuthResult(success=False, handled=False)

    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(args.cert, args.key)

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    common = dict(hostname="mail.example.test", ident="mailtui-test-smtpd",
                  enable_SMTPUTF8=True, authenticator=authenticator,
                  auth_required=True, loop=loop)

    def plain():
        return TestSMTP(handler, tls_context=ctx, require_starttls=True,
                        auth_require_tls=True, **common)

    def implicit():
        return TestSMTP(handler, auth_require_tls=False, **common)

    srv1 = loop.run_until_complete(loop.create_server(
        plain, args.host, args.port, reuse_address=True))
    srv2 = loop.run_until_complete(loop.create_server(
        implicit, args.host, args.smtps_port, ssl=ctx, reuse_address=True))

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, loop.stop)
    if args.pidfile:
        with open(args.pidfile, "w") as f:
            f.write("%d\n" % os.getpid())
    try:
        loop.run_forever()
    finally:
        srv1.close()
        srv2.close()
        if args.pidfile:
            try:
                os.unlink(args.pidfile)
            except OSError:
                pass


if __name__ == "__main__":
    main()
