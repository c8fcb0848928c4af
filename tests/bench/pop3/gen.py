#!/usr/bin/python3
"""gen.py MAILDIR COUNT UID GID - fill MAILDIR/cur with COUNT realistic
messages (deterministic): mostly text of 2-20 KB, some HTML alternatives,
about one in eight with a base64 attachment of 30-400 KB; about 28 KB on
average, like a real inbox.  Prints the total size."""
import base64
import os
import random
import sys

WORDS = ("the of and to in is that for it as with was on be at by this had not are but from "
         "or have an they which one you were her all she there would their we him been has "
         "when who will more no if out so said what up its about into than them can only other "
         "new some could time these two may then do first any my now such like our over man me "
         "even most made after also did many before must through back years where much your way "
         "well down should because each just those people how too little state good very make "
         "tháng năm báo cáo cuộc họp dự án người dùng thư điện tử").split()


def para(r, n):
    return " ".join(r.choice(WORDS) for _ in range(n)).capitalize() + "."


def text(r, size):
    out, total = [], 0
    while total < size:
        p = para(r, r.randint(20, 90))
        # wrap at 72 columns like a mail client
        line, lines = "", []
        for w in p.split():
            if len(line) + len(w) + 1 > 72:
                lines.append(line)
                line = w
            else:
                line = (line + " " + w).strip()
        lines.append(line)
        block = "\n".join(lines) + "\n\n"
        out.append(block)
        total += len(block.encode())
    return "".join(out)


def message(i, r):
    frm = "%s %s <%s@example.%s>" % (r.choice(["Anna", "Bảo", "Chris", "Dung", "Eve", "Minh"]),
                                    r.choice(["Nguyen", "Smith", "Tran", "Brown", "Le"]),
                                    r.choice(WORDS[:40]), r.choice(["org", "com", "vn"]))
    h = ("Return-Path: <bounce-%d@lists.example.org>\n"
         "Received: from mx%d.example.org (mx%d.example.org [192.0.2.%d])\n"
         "\tby mail.example.test with ESMTPS id %08x\n"
         "\tfor <carol@example.test>; Mon, 2 Mar 2026 10:%02d:%02d +0000\n"
         "From: %s\nTo: carol@example.test\nSubject: %s\n"
         "Date: Mon, 2 Mar 2026 10:%02d:%02d +0000\n"
         "Message-ID: <bench-%d-%08x@example.org>\nMIME-Version: 1.0\n"
         % (i, i % 9, i % 9, i % 250, r.getrandbits(32), i % 60, i % 59, frm,
            para(r, r.randint(3, 9)), i % 60, i % 59, i, r.getrandbits(32)))
    if i > 0 and r.random() < 0.3:
        h += "In-Reply-To: <bench-%d@example.org>\n" % r.randint(0, i - 1)
    body_size = int(r.lognormvariate(8.6, 0.8))  # median ~5.4 KB
    body_size = max(300, min(body_size, 60000))
    kind = r.random()
    if kind < 0.125:
        att = bytes(r.getrandbits(8) for _ in range(r.randint(30000, 400000) // 64)) * 64
        b64 = base64.encodebytes(att).decode()
        return (h + 'Content-Type: multipart/mixed; boundary="b%d"\n\n--b%d\n'
                'Content-Type: text/plain; charset=utf-8\n\n%s\n--b%d\n'
                'Content-Type: application/pdf; name="report-%d.pdf"\n'
                'Content-Transfer-Encoding: base64\n'
                'Content-Disposition: attachment; filename="report-%d.pdf"\n\n%s--b%d--\n'
                % (i, i, text(r, body_size // 3), i, i, i, b64, i))
    if kind < 0.35:
        t = text(r, body_size // 2)
        html = "<html><body>" + "".join("<p>%s</p>\n" % p for p in t.split("\n\n") if p) + \
            "</body></html>\n"
        return (h + 'Content-Type: multipart/alternative; boundary="a%d"\n\n--a%d\n'
                'Content-Type: text/plain; charset=utf-8\n\n%s\n--a%d\n'
                'Content-Type: text/html; charset=utf-8\n\n%s\n--a%d--\n'
                % (i, i, t, i, html, i))
    return h + "Content-Type: text/plain; charset=utf-8\n\n" + text(r, body_size)


def main():
    md, count, uid, gid = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    r = random.Random(42)
    total = 0
    for sub in ("new", "cur", "tmp"):
        os.makedirs(os.path.join(md, sub), exist_ok=True)
    for i in range(count):
        data = message(i, r).encode()
        total += len(data)
        p = os.path.join(md, "cur", "%d.M%dP1.bench:2," % (1700000000 + i, i))
        with open(p, "wb") as f:
            f.write(data)
        os.chown(p, uid, gid)
    print(total)


main()
