#!/usr/bin/python3
"""probe.py - port checks for start/ctl.

  probe.py free PORT...            exit 1 naming the first busy port
  probe.py wait TIMEOUT CA SPEC... poll until every listener greets;
                                   SPEC is NAME:PROTO:PORT:TLS with PROTO
                                   imap|pop3|smtp and TLS plain|implicit
  probe.py closed TIMEOUT PORT...  poll until nothing accepts on the ports
The TLS probes verify the server certificate against CA for "localhost",
so a broken certificate fails the start, not a test later."""

import socket
import ssl
import sys
import time

GREETING = {"imap": b"* OK", "pop3": b"+OK", "smtp": b"220"}
HOST = "127.0.0.1"


def busy(port):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        s.bind((HOST, port))
        return False
    except OSError:
        return True
    finally:
        s.close()


def greet(ctx, proto, port, tls):
    with socket.create_connection((HOST, port), timeout=2) as raw:
        sock = raw
        if tls == "implicit":
            sock = ctx.wrap_socket(raw, server_hostname="localhost")
        data = b""
        while b"\n" not in data:
            chunk = sock.recv(512)
            if not chunk:
                raise OSError("closed before the greeting")
            data += chunk
        if not data.startswith(GREETING[proto]):
            raise OSError("unexpected greeting %r" % data[:80])
        quit_cmd = {"imap": b"a LOGOUT\r\n", "pop3": b"QUIT\r\n",
                    "smtp": b"QUIT\r\n"}[proto]
        sock.sendall(quit_cmd)


def main():
    cmd = sys.argv[1]
    if cmd == "free":
        for p in sys.argv[2:]:
            if busy(int(p)):
                print(p)
                return 1
        return 0
    if cmd == "closed":
        deadline = time.monotonic() + float(sys.argv[2])
        ports = [int(p) for p in sys.argv[3:]]
        while time.monotonic() < deadline:
            if not any(busy(p) for p in ports):
                return 0
            time.sleep(0.05)
        return 1
    if cmd == "wait":
        deadline = time.monotonic() + float(sys.argv[2])
        ctx = ssl.create_default_context(cafile=sys.argv[3])
        pending = [s.split(":") for s in sys.argv[4:]]
        errors = {}
        while pending and time.monotonic() < deadline:
            still = []
            for name, proto, port, tls in pending:
                try:
                    greet(ctx, proto, int(port), tls)
                except (OSError, ssl.SSLError) as e:
                    errors[name] = "%s (port %s)" % (e, port)
                    still.append((name, proto, port, tls))
            pending = still
            if pending:
                time.sleep(0.05)
        for name, proto, port, tls in pending:
            print("%s not answering: %s" % (name, errors.get(name)),
                  file=sys.stderr)
        return 1 if pending else 0
    print("usage: probe.py free|wait|closed ...", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
