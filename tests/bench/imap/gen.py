#!/usr/bin/python3
"""gen.py MAILDIR COUNT UID GID - fill the Maildir folder MAILDIR (cur/)
with COUNT realistic messages, deterministically: threads of 1 to 12
replies (In-Reply-To and References), about a third of the subjects
Vietnamese (RFC 2047 encoded, some names too), one in eight with a base64
attachment, 70 % already read, a few flagged or answered; dates spread
over four years, oldest first, the file time set to the message date
(Dovecot's INTERNALDATE).  Bodies are short (1-4 KB): the index reads
headers only, and 100,000 messages stay under 1 GB.  Prints the total
size in bytes."""
import base64
import email.header
import os
import random
import sys

WORDS = ("the of and to in is that for it as with was on be at by this had not are but from "
         "or have an they which one you were her all she there would their we him been has "
         "when who will more no if out so said what up its about into than them can only other "
         "new some could time these two may then do first any my now such like our over").split()
VI_SUBJECTS = ["Báo cáo tháng %d", "Cuộc họp dự án %d", "Thời tiết Hà Nội #%d",
               "Kế hoạch quý %d", "Đề xuất ngân sách %d", "Lịch công tác tuần %d",
               "Hỏi về hợp đồng số %d", "Thư mời hội thảo %d"]
EN_SUBJECTS = ["Weekly report %d", "Re: budget draft %d", "Release notes for v%d",
               "Lunch on Friday? (%d)", "Invoice %d", "Meeting minutes %d",
               "Question about ticket #%d", "Build failure on branch %d"]
NAMES = [("Nguyễn Văn An", "an"), ("Trần Thị Bình", "binh"), ("Lê Minh Châu", "chau"),
         ("Phạm Quốc Dũng", "dung"), ("Anna Smith", "anna"), ("Chris Brown", "chris"),
         ("Eve Jones", "eve"), ("Hoàng Thu Hà", "ha"), ("Bob Miller", "bob")]


def enc(s):
    try:
        s.encode("ascii")
        return s
    except UnicodeEncodeError:
        return email.header.Header(s, "utf-8").encode()


def body(r, size):
    out, total = [], 0
    while total < size:
        line = " ".join(r.choice(WORDS) for _ in range(12))
        out.append(line)
        total += len(line) + 1
    return "\n".join(out) + "\n"


def main():
    md, count, uid, gid = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    for d in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(md, d), exist_ok=True)
        os.chown(os.path.join(md, d), uid, gid)
    os.chown(md, uid, gid)
    r = random.Random(20260301)
    pdf = base64.encodebytes(bytes(r.getrandbits(8) for _ in range(30000))).decode()
    start = 1640995200  # 2022-01-01
    step = 4 * 365 * 86400 // count
    thread = []  # message ids of the thread being continued
    total = 0
    cur = os.path.join(md, "cur")
    for i in range(count):
        date = start + i * step + r.randint(0, step)
        if thread and r.random() < 0.55 and len(thread) < 12:
            subject = "Re: " + thread_subject
        else:
            thread = []
            if r.random() < 0.35:
                thread_subject = r.choice(VI_SUBJECTS) % r.randint(1, 999)
            else:
                thread_subject = r.choice(EN_SUBJECTS) % r.randint(1, 9999)
            subject = thread_subject
        name, local = r.choice(NAMES)
        mid = "<%d.%s@bench.example.test>" % (i, local)
        h = ["Return-Path: <%s@example.org>" % local,
             "Received: from mx.example.org (mx.example.org [192.0.2.%d])\n\tby mail.example.test "
             "with ESMTPS id %08x; %s" % (i % 250, i, email.utils.formatdate(date)),
             "From: %s <%s@example.org>" % (enc(name), local),
             "To: Carol <carol@example.test>",
             "Subject: %s" % enc(subject),
             "Date: %s" % email.utils.formatdate(date),
             "Message-ID: %s" % mid,
             "MIME-Version: 1.0"]
        if thread:
            h.append("In-Reply-To: %s" % thread[-1])
            h.append("References: %s" % " ".join(thread[-8:]))
        thread.append(mid)
        text = body(r, r.randint(1000, 4000))
        if r.random() < 0.125:
            h.append('Content-Type: multipart/mixed; boundary="b%d"' % i)
            msg = "\n".join(h) + "\n\n" + (
                "--b%d\nContent-Type: text/plain; charset=utf-8\n\n%s\n"
                "--b%d\nContent-Type: application/pdf; name=\"report-%d.pdf\"\n"
                "Content-Disposition: attachment; filename=\"report-%d.pdf\"\n"
                "Content-Transfer-Encoding: base64\n\n%s\n--b%d--\n"
                % (i, text, i, i, i, pdf[: r.randint(8000, 40000)], i))
        else:
            h.append("Content-Type: text/plain; charset=utf-8")
            msg = "\n".join(h) + "\n\n" + text
        data = msg.encode()
        flags = ""
        if r.random() < 0.05:
            flags += "F"
        if r.random() < 0.1:
            flags += "R"
        if r.random() < 0.7 or i < count * 0.6:
            flags += "S"
        name = "%d.M%dP1.bench,S=%d:2,%s" % (date, i, len(data), "".join(sorted(flags)))
        path = os.path.join(cur, name)
        with open(path, "wb") as f:
            f.write(data)
        os.chown(path, uid, gid)
        os.utime(path, (date, date))
        total += len(data)
    print(total)


import email.utils  # noqa: E402

if __name__ == "__main__":
    main()
