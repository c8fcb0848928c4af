#!/usr/bin/python3
"""scripted_server.py MODE RECORD [CERT KEY] - a misbehaving server for
the net integration tests.  Listens on a free 127.0.0.1 port, prints the
port on stdout, serves one connection, appends every byte received to
RECORD (before replying, so the test can trust it), then exits.

Modes:
  imap-nostarttls  IMAP greeting; CAPABILITY without STARTTLS
  pop3-nostls      POP3 greeting; CAPA without STLS
  imap-inject      offers STARTTLS, sends "S2 OK" plus an injected line
                   in the same packet, then TLS with CERT/KEY and a line
  tls              TLS from the first byte with CERT/KEY, then a line
"""
import socket
import ssl
import sys


def main():
    mode, record = sys.argv[1], sys.argv[2]
    cert = key = None
    if len(sys.argv) > 4:
        cert, key = sys.argv[3], sys.argv[4]
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", 0))
    ls.listen(1)
    ls.settimeout(30)
    print(ls.getsockname()[1], flush=True)
    conn, _ = ls.accept()
    conn.settimeout(30)
    rec = open(record, "ab", buffering=0)
    try:
        serve(mode, conn, rec, cert, key)
    except (OSError, ssl.SSLError):
        pass
    finally:
        conn.close()
        rec.close()


def lines(conn, rec):
    """Yield received lines (bytes, without CRLF), recording everything."""
    buf = b""
    while True:
        data = conn.recv(4096)
        if not data:
            return
        rec.write(data)
        buf += data
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            yield line.rstrip(b"\r")


def serve(mode, conn, rec, cert, key):
    if mode == "tls":
        tls = wrap(conn, cert, key)
        tls.sendall(b"* OK tls\r\n")
        for _ in lines(tls, rec):
            pass
        return
    if mode == "pop3-nostls":
        conn.sendall(b"+OK ready\r\n")
        for line in lines(conn, rec):
            if line.upper() == b"CAPA":
                conn.sendall(b"+OK\r\nUSER\r\nSASL PLAIN LOGIN\r\nUIDL\r\n.\r\n")
            else:
                conn.sendall(b"-ERR no\r\n")
        return
    conn.sendall(b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready\r\n")
    for line in lines(conn, rec):
        tag, _, cmd = line.partition(b" ")
        cmd = cmd.upper()
        if cmd == b"CAPABILITY":
            caps = b"IMAP4rev1 AUTH=PLAIN AUTH=LOGIN"
            if mode == "imap-inject":
                caps += b" STARTTLS"
            conn.sendall(b"* CAPABILITY " + caps + b"\r\n" + tag + b" OK done\r\n")
        elif cmd == b"STARTTLS" and mode == "imap-inject":
            # A man in the middle appends this to the plaintext reply.
            conn.sendall(tag + b" OK begin\r\n* INJECTED\r\n")
            tls = wrap(conn, cert, key)
            tls.sendall(b"* OK after tls\r\n")
            for _ in lines(tls, rec):
                pass
            return
        else:
            conn.sendall(tag + b" BAD no\r\n")


def wrap(conn, cert, key):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    return ctx.wrap_socket(conn, server_side=True)


if __name__ == "__main__":
    main()
