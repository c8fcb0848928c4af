#!/usr/bin/python3
"""seed.py - deterministic sample mail for the test servers.

Writes Maildir++ trees under MAIL_ROOT/<user>/Maildir:
  alice: INBOX (40 messages: English and Vietnamese, threads, attachments,
         HTML, hostile text, broken MIME, a 100 KB header, a 5 MB
         attachment, flags), Sent, Drafts, Archive, Trash, Junk and the
         folder "Thư mục" (on disk in modified UTF-7)
  bob:   INBOX (25 messages) for POP3
  carol: empty INBOX
and MAIL_ROOT/manifest.json describing what was written, so tests can
compare counts, Message-IDs, subjects and flags with what they read back.

Messages are built by hand (no email.generator) so every byte, boundary
and encoded word is the same on every run."""

import argparse
import base64
import binascii
import datetime
import json
import os
import quopri
import random
import struct
import sys
import unicodedata
import urllib.parse
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import maildir  # noqa: E402

DOMAIN = "example.test"
VN = datetime.timezone(datetime.timedelta(hours=7))
BASE = datetime.datetime(2024, 3, 1, 8, 0, tzinfo=VN)


def nfc(s):
    return unicodedata.normalize("NFC", s)


# ---- encodings ---------------------------------------------------------

def mutf7(name):
    """IMAP modified UTF-7 (RFC 3501 5.1.3)."""
    out, buf = [], []

    def flush():
        if buf:
            raw = "".join(buf).encode("utf-16-be")
            b = base64.b64encode(raw).decode().rstrip("=").replace("/", ",")
            out.append("&" + b + "-")
            buf.clear()
    for ch in name:
        if 0x20 <= ord(ch) <= 0x7e:
            flush()
            out.append("&-" if ch == "&" else ch)
        else:
            buf.append(ch)
    flush()
    return "".join(out)


def enc_words(text, kind="B", charset="UTF-8"):
    """RFC 2047 encoded words of at most 75 characters, folded with CRLF
    SP (written as LF SP), split only between characters."""
    pycs = {"UTF-8": "utf-8", "windows-1258": "cp1258"}[charset]
    prefix = "=?%s?%s?" % (charset, kind)

    def one(chunk):
        raw = chunk.encode(pycs)
        if kind == "B":
            body = base64.b64encode(raw).decode()
        else:
            body = "".join(
                "_" if c == 0x20 else
                chr(c) if (0x30 <= c <= 0x39 or 0x41 <= c <= 0x5a or
                           0x61 <= c <= 0x7a) else "=%02X" % c
                for c in raw)
        return prefix + body + "?="
    if pycs == "cp1258":
        text = to_cp1258(text).decode("cp1258")
    words, cur = [], ""
    for ch in text:
        if (cur and not unicodedata.combining(ch) and
                len(one(cur + ch)) > 75):
            words.append(one(cur))
            cur = ""
        cur += ch
    if cur:
        words.append(one(cur))
    return "\n ".join(words)


def to_cp1258(text):
    """Vietnamese in windows-1258: base letters precomposed where the code
    page has them, tone marks as combining characters."""
    clusters = []
    for ch in unicodedata.normalize("NFD", nfc(text)):
        if clusters and unicodedata.combining(ch):
            clusters[-1].append(ch)
        else:
            clusters.append([ch])
    out = []
    for base, *marks in clusters:
        rest = []
        for m in marks:
            merged = unicodedata.normalize("NFC", base + m)
            try:
                if len(merged) != 1:
                    raise UnicodeEncodeError("cp1258", merged, 0, 1, "")
                merged.encode("cp1258")
                base = merged
            except UnicodeEncodeError:
                rest.append(m)
        out.append(base + "".join(rest))
    return "".join(out).encode("cp1258")


def addr(name, local):
    if all(ord(c) < 128 for c in name):
        return '"%s" <%s@%s>' % (name, local, DOMAIN)
    return "%s <%s@%s>" % (enc_words(nfc(name)), local, DOMAIN)


def b64(data):
    return base64.encodebytes(data)


def qp(text):
    return quopri.encodestring(nfc(text).encode("utf-8"))


# ---- message building --------------------------------------------------

def message(headers, body):
    """headers: list of (name, value) already encoded; body: bytes."""
    lines = []
    for name, value in headers:
        lines.append("%s: %s" % (name, value))
    head = "\n".join(lines).encode("utf-8") + b"\n\n"
    if isinstance(body, str):
        body = body.encode("utf-8")
    return head + body


def part(ctype, body, cte=None, extra=()):
    """One MIME part as (header lines, body bytes)."""
    h = [("Content-Type", ctype)]
    if cte:
        h.append(("Content-Transfer-Encoding", cte))
    h.extend(extra)
    if isinstance(body, str):
        body = body.encode("utf-8")
    return h, body


def multipart(boundary, parts):
    """Body bytes of a multipart with fixed boundary."""
    out = [b"This is a multi-part message in MIME format.\n"]
    for h, body in parts:
        out.append(b"\n--" + boundary.encode() + b"\n")
        out.append("\n".join("%s: %s" % kv for kv in h).encode("utf-8"))
        out.append(b"\n\n")
        out.append(body.rstrip(b"\n"))
    out.append(b"\n--" + boundary.encode() + b"--\n")
    return b"".join(out)


def png(w=16, h=16):
    """A valid small PNG: a gradient."""
    def chunk(t, data):
        c = struct.pack(">I", len(data)) + t + data
        return c + struct.pack(">I", binascii.crc32(t + data) & 0xffffffff)
    rows = b"".join(b"\0" + b"".join(bytes((x * 16 % 256, y * 16 % 256, 128))
                                      for x in range(w))
                    for y in range(h))
    return (b"\x89PNG\r\n\x1a\n" +
            chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))


def pdfish():
    rnd = random.Random(1)
    return (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\n"
            b"endobj\nstream\n" + rnd.randbytes(2048) +
            b"\nendstream\n%%EOF\n")


# ---- texts -------------------------------------------------------------

VI = {
    "meeting": nfc("Chào chị Alice,\n\nTuần tới nhóm mình sẽ họp vào thứ Ba "
                   "lúc 9 giờ sáng tại phòng họp tầng 3.\nMọi người nhớ chuẩn "
                   "bị báo cáo tiến độ nhé.\n\nThân,\nAn\n"),
    "finance": nfc("Kính gửi chị Alice,\n\nBáo cáo tài chính quý 1 đã hoàn "
                   "thành. Doanh thu tăng 12% so với cùng kỳ năm ngoái; chi "
                   "phí vận hành giảm nhẹ.\n\nTrân trọng,\nPhòng Kế toán\n"),
    "party": nfc("Trân trọng kính mời anh chị đến dự buổi tiệc tất niên vào "
                 "tối thứ Sáu, lúc 18 giờ 30, tại nhà hàng Hương Sen.\n"),
    "dalat": nfc("Đà Lạt mùa này rất đẹp, hoa dã quỳ nở vàng khắp các con "
                 "đường. Mình đề xuất đi ba ngày hai đêm, ở gần hồ Xuân "
                 "Hương.\n"),
    "tones": nfc("Tiếng Việt có sáu thanh điệu: ngang, huyền, sắc, hỏi, ngã, "
                 "nặng. Ví dụ: ma, mà, má, mả, mã, mạ.\n"),
    "weather": nfc("Hà Nội hôm nay trời mưa phùn, nhiệt độ khoảng 18 độ. "
                   "Nhớ mang áo khoác và ô nhé!\n"),
    "thanks": nfc("Cảm ơn bạn rất nhiều vì đã giúp đỡ. Hẹn gặp lại vào tuần "
                  "sau.\n"),
}

EN = [
    "Welcome to the test mailbox. This message is plain US-ASCII text.\n",
    "Here is the draft plan for the second quarter. Please review the\n"
    "milestones and tell me what you think before Friday.\n",
    "Looks good to me. One question: can we move the beta to May?\n",
    "May is tight but possible if we drop the export feature.\n",
    "Agreed, let's drop it and revisit in Q3.\n",
    "Final: beta in May, export feature in Q3. Thanks all.\n",
]


class Box:
    """Collects one folder's messages and writes them."""

    def __init__(self, root, user, folder, uid, gid, manifest):
        self.user, self.folder = user, folder
        disk = "" if folder == "INBOX" else "." + mutf7(folder)
        self.path = os.path.join(root, user, "Maildir", disk)
        self.uid, self.gid = uid, gid
        maildir.ensure(self.path, uid, gid)
        if folder != "INBOX":
            open(os.path.join(self.path, "maildirfolder"), "a").close()
            if uid >= 0:
                os.chown(os.path.join(self.path, "maildirfolder"), uid, gid)
        self.entries = manifest.setdefault(user, {}).setdefault(folder, [])

    def add(self, n, data, flags="S", new=False, **info):
        when = BASE + datetime.timedelta(hours=3 * n)
        stamp = when.timestamp()
        maildir.deliver(self.path, data, self.uid, self.gid,
                        flags=None if new else flags, mtime=stamp,
                        stamp=stamp)
        info.update(size=len(data), flags="" if new else flags, new=new)
        self.entries.append(info)


def std_headers(n, user, subject_raw, frm, mid, date_tz=VN, extra=()):
    when = (BASE + datetime.timedelta(hours=3 * n)).astimezone(date_tz)
    h = [("Return-Path", "<%s>" % frm.split("<")[-1].rstrip(">")),
         ("Date", when.strftime("%a, %d %b %Y %H:%M:%S %z")),
         ("From", frm),
         ("To", "%s <%s@%s>" % (user.capitalize(), user, DOMAIN)),
         ("Subject", subject_raw),
         ("Message-ID", "<%s>" % mid),
         ("MIME-Version", "1.0")]
    h.extend(extra)
    return h


def seed_alice(root, uid, gid, manifest):
    inbox = Box(root, "alice", "INBOX", uid, gid, manifest)
    u = "alice"
    n = 0

    def mid(k):
        return "seed-alice-%02d@%s" % (k, DOMAIN)

    def add(subject_raw, subject, frm, body, ctype="text/plain; charset=utf-8",
            cte="8bit", flags="S", new=False, extra=(), tags=()):
        nonlocal n
        n += 1
        h = std_headers(n, u, subject_raw, frm, mid(n), extra=extra)
        if ctype:
            h.append(("Content-Type", ctype))
        if cte:
            h.append(("Content-Transfer-Encoding", cte))
        inbox.add(n, message(h, body), flags=flags, new=new,
                  message_id=mid(n), subject=subject, tags=list(tags))
        return n

    bob = addr("Bob Builder", "bob")
    an = addr("Nguyễn Văn An", "an")
    binh = addr("Trần Thị Bình", "binh")
    carol = addr("Carol Jones", "carol")

    # 1, thread A (2..6, five deep)
    add("Welcome to mailtui tests", "Welcome to mailtui tests",
        '"Postmaster" <postmaster@example.test>', EN[0],
        ctype="text/plain; charset=us-ascii", cte="7bit", tags=["ascii"])
    root_a = add("Project plan for Q2", "Project plan for Q2", bob, EN[1],
                 tags=["thread-a"])
    refs = ["<%s>" % mid(root_a)]
    for k in range(2, 6):
        prev = refs[-1]
        who = carol if k % 2 else bob
        this = add("Re: Project plan for Q2", "Re: Project plan for Q2", who,
                   "> previous message\n\n" + EN[k],
                   flags="RS" if k == 2 else "S",
                   extra=[("In-Reply-To", prev),
                          ("References", " ".join(refs))],
                   tags=["thread-a"])
        refs.append("<%s>" % mid(this))

    # 7..9 Vietnamese subjects: B, Q, windows-1258
    s = nfc("Cuộc họp nhóm tuần tới")
    add(enc_words(s, "B"), s, an, VI["meeting"], tags=["vi", "rfc2047-b"])
    s = nfc("Báo cáo tài chính quý 1")
    add(enc_words(s, "Q"), s, an, qp(VI["finance"]),
        cte="quoted-printable", flags="FS", tags=["vi", "rfc2047-q", "flagged"])
    s = nfc("Thư mời dự tiệc tất niên")
    add(enc_words(s, "Q", "windows-1258"), s, binh, to_cp1258(VI["party"]),
        ctype="text/plain; charset=windows-1258", flags="",
        tags=["vi", "windows-1258"])

    # 10..12 thread B (Vietnamese)
    s = nfc("Kế hoạch du lịch Đà Lạt")
    root_b = add(enc_words(s), s, binh, VI["dalat"], tags=["vi", "thread-b"])
    refs = ["<%s>" % mid(root_b)]
    for k in range(2):
        this = add(enc_words("Re: " + s), "Re: " + s, an if k == 0 else binh,
                   nfc("> ...\n\nĐồng ý! ") + VI["thanks"],
                   extra=[("In-Reply-To", refs[-1]),
                          ("References", " ".join(refs))],
                   tags=["vi", "thread-b"])
        refs.append("<%s>" % mid(this))

    # 13..15 attachments
    bnd = "=_seed_13"
    add("Invoice March 2024", "Invoice March 2024", bob,
        multipart(bnd, [
            part("text/plain; charset=utf-8", "Invoice attached.\n", "7bit"),
            part('application/pdf; name="invoice-2024-03.pdf"', b64(pdfish()),
                 "base64", [("Content-Disposition",
                             'attachment; filename="invoice-2024-03.pdf"')]),
        ]), ctype='multipart/mixed; boundary="%s"' % bnd, cte=None,
        tags=["attachment", "pdf"])
    bnd = "=_seed_14"
    s = nfc("Ảnh chụp màn hình")
    add(enc_words(s), s, an, multipart(bnd, [
        part("text/plain; charset=utf-8", nfc("Ảnh đây nhé.\n"), "8bit"),
        part('image/png; name="screenshot.png"', b64(png()), "base64",
             [("Content-Disposition", 'inline; filename="screenshot.png"')]),
    ]), ctype='multipart/mixed; boundary="%s"' % bnd, cte=None,
        tags=["vi", "attachment", "png"])
    bnd = "=_seed_15"
    fname = nfc("Báo cáo tháng 3.txt")
    q = urllib.parse.quote(fname.encode("utf-8"), safe="")
    s = nfc("Báo cáo tháng 3")
    add(enc_words(s), s, an, multipart(bnd, [
        part("text/plain; charset=utf-8", nfc("Gửi chị báo cáo tháng 3.\n"),
             "8bit"),
        part("text/plain; charset=utf-8; name*=UTF-8''%s" % q,
             b64(VI["finance"].encode()), "base64",
             [("Content-Disposition", "attachment; filename*=UTF-8''%s" % q)]),
    ]), ctype='multipart/mixed; boundary="%s"' % bnd, cte=None,
        tags=["vi", "attachment", "rfc2231"])

    # 16 HTML only, 17 alternative
    html = nfc("<html><body><h1>Bản tin tháng 3</h1><p>Xin chào <b>Alice</b>, "
               "đây là bản tin của <a href=\"https://example.test/\">nhóm</a>."
               "</p><ul><li>Mục một</li><li>Mục hai</li></ul></body></html>\n")
    s = nfc("Bản tin tháng 3")
    add(enc_words(s), s, binh, html, ctype="text/html; charset=utf-8",
        flags="", tags=["vi", "html-only"])
    bnd = "=_seed_17"
    add("Weekly digest", "Weekly digest", bob, multipart(bnd, [
        part("text/plain; charset=utf-8", "Plain part: three updates this week.\n",
             "7bit"),
        part("text/html; charset=utf-8",
             "<html><body><p>HTML part: <i>three</i> updates this week."
             "</p></body></html>\n", "7bit"),
    ]), ctype='multipart/alternative; boundary="%s"' % bnd, cte=None,
        tags=["alternative"])

    # 18, 19 hostile: raw and encoded escape sequences and bidi overrides
    hostile = ("Invoice \x1b[31mPAID\x1b[0m \x1b]0;pwned\x07 \u202egnp.exe "
               "\x1b[2J")
    add(hostile, hostile, '"Evil \x1b[5mSender\x1b[0m" <evil@example.test>',
        "Text with escapes: \x1b[1;31mred\x1b[0m, title \x1b]2;owned\x07,\n"
        "clear \x1b[2J\x1b[H, bidi \u202eevil\u202c and \u2066isolate\u2069,\n"
        "a bell \x07 and a backspace \x08 and a CR\r here.\n",
        flags="", tags=["hostile", "raw"])
    add(enc_words(hostile), hostile, bob,
        "Encoded hostile subject; body is clean.\n", flags="",
        tags=["hostile", "encoded"])

    # 20 broken MIME: multipart without boundary
    add("Broken MIME: no boundary", "Broken MIME: no boundary", bob,
        "--xyz\nContent-Type: text/plain\n\nnot really a part\n--xyz--\n",
        ctype="multipart/mixed", cte=None, tags=["broken-mime"])

    # 21 a 100 KB header (folded, every line well under 998)
    words, size = [], 0
    k = 0
    while size < 100 * 1024:
        w = "token%05d" % k
        words.append(w)
        size += len(w) + 1
        k += 1
    folded = "\n\t".join(" ".join(words[i:i + 7])
                          for i in range(0, len(words), 7))
    add("Huge header", "Huge header", bob, "This message has a 100 KB header.\n",
        extra=[("X-Huge", folded)], tags=["huge-header"])

    # 22 a 5 MB attachment
    bnd = "=_seed_22"
    big = random.Random(5).randbytes(5 * 1024 * 1024)
    add("Big attachment (5 MB)", "Big attachment (5 MB)", bob,
        multipart(bnd, [
            part("text/plain; charset=utf-8", "5 MB of data attached.\n",
                 "7bit"),
            part('application/octet-stream; name="big.bin"', b64(big),
                 "base64",
                 [("Content-Disposition", 'attachment; filename="big.bin"')]),
        ]), ctype='multipart/mixed; boundary="%s"' % bnd, cte=None,
        flags="", tags=["attachment", "big"])

    # 23 long folded Vietnamese subject, 24 forwarded message/rfc822
    s = nfc("Thông báo quan trọng về việc thay đổi lịch làm việc của toàn bộ "
            "nhân viên trong tháng tư năm hai nghìn không trăm hai mươi tư")
    add(enc_words(s), s, an, VI["tones"], tags=["vi", "long-subject"])
    inner = message(std_headers(0, u, "Original message", bob,
                                "seed-inner@%s" % DOMAIN),
                    "This is the forwarded original.\n")
    bnd = "=_seed_24"
    add("Fwd: Original message", "Fwd: Original message", carol,
        multipart(bnd, [
            part("text/plain; charset=utf-8", "See below.\n", "7bit"),
            part("message/rfc822", inner, None,
                 [("Content-Disposition", "inline")]),
        ]), ctype='multipart/mixed; boundary="%s"' % bnd, cte=None,
        tags=["forward"])

    # 25..27 thread C (English, three deep)
    root_c = add("Lunch on Thursday?", "Lunch on Thursday?", carol,
                 "Anyone up for lunch on Thursday?\n", tags=["thread-c"])
    refs = ["<%s>" % mid(root_c)]
    for text in ("Count me in.\n", "Great, 12:30 at the usual place.\n"):
        this = add("Re: Lunch on Thursday?", "Re: Lunch on Thursday?", bob,
                   text, extra=[("In-Reply-To", refs[-1]),
                                ("References", " ".join(refs))],
                   tags=["thread-c"])
        refs.append("<%s>" % mid(this))

    # 28..40 filler: alternating English and Vietnamese; last four unseen
    vi_keys = ["weather", "thanks", "tones", "meeting", "dalat", "finance"]
    vi_subj = ["Thời tiết Hà Nội", "Lời cảm ơn", "Thanh điệu tiếng Việt",
               "Nhắc lịch họp", "Ảnh chuyến đi", "Số liệu tháng trước"]
    k = 0
    while n < 40:
        i = n + 1
        new = i > 36
        flags = "FS" if i in (30, 33) else ("" if i % 5 == 0 else "S")
        if i % 2:
            s = "Status report #%d" % i
            add(s, s, bob, "Status report number %d.\nAll systems normal.\n" % i,
                flags=flags, new=new, tags=["filler"])
        else:
            s = nfc(vi_subj[k % len(vi_subj)] + " #%d" % i)
            add(enc_words(s, "B" if k % 2 else "Q"), s, an,
                VI[vi_keys[k % len(vi_keys)]], flags=flags, new=new,
                tags=["vi", "filler"])
            k += 1

    # other folders
    sent = Box(root, "alice", "Sent", uid, gid, manifest)
    for i, (to, s, body) in enumerate([
            ("bob", "Re: Project plan for Q2", "Sounds good.\n"),
            ("an", nfc("Trả lời: Cuộc họp nhóm"), nfc("Chị sẽ có mặt.\n")),
            ("carol", "Re: Lunch on Thursday?", "See you there.\n")]):
        m = "seed-alice-sent-%d@%s" % (i + 1, DOMAIN)
        h = [("Date", (BASE + datetime.timedelta(hours=3 * (41 + i)))
              .strftime("%a, %d %b %Y %H:%M:%S %z")),
             ("From", "Alice <alice@%s>" % DOMAIN),
             ("To", "<%s@%s>" % (to, DOMAIN)),
             ("Subject", enc_words(s) if any(ord(c) > 127 for c in s) else s),
             ("Message-ID", "<%s>" % m), ("MIME-Version", "1.0"),
             ("Content-Type", "text/plain; charset=utf-8"),
             ("Content-Transfer-Encoding", "8bit")]
        sent.add(41 + i, message(h, body), flags="S", message_id=m, subject=s)
    drafts = Box(root, "alice", "Drafts", uid, gid, manifest)
    m = "seed-alice-draft-1@%s" % DOMAIN
    drafts.add(44, message([("From", "Alice <alice@%s>" % DOMAIN),
                            ("To", "<bob@%s>" % DOMAIN),
                            ("Subject", "Unfinished draft"),
                            ("Message-ID", "<%s>" % m)],
                           "Half a thought...\n"),
               flags="DS", message_id=m, subject="Unfinished draft")
    archive = Box(root, "alice", "Archive", uid, gid, manifest)
    for i in range(3):
        m = "seed-alice-archive-%d@%s" % (i + 1, DOMAIN)
        s = "Old newsletter %d" % (i + 1)
        archive.add(-100 + i, message(
            std_headers(-100 + i, u, s, bob, m,
                        extra=[("Content-Type", "text/plain; charset=utf-8")]),
            "Archived content %d.\n" % (i + 1)), flags="S",
            message_id=m, subject=s)
    Box(root, "alice", "Trash", uid, gid, manifest)
    Box(root, "alice", "Junk", uid, gid, manifest)
    folder = Box(root, "alice", nfc("Thư mục"), uid, gid, manifest)
    for i, key in enumerate(["weather", "tones", "thanks"]):
        m = "seed-alice-thumuc-%d@%s" % (i + 1, DOMAIN)
        s = nfc("Thư trong thư mục %d" % (i + 1))
        folder.add(50 + i, message(
            std_headers(50 + i, u, enc_words(s), an, m,
                        extra=[("Content-Type", "text/plain; charset=utf-8"),
                               ("Content-Transfer-Encoding", "8bit")]),
            VI[key]), flags="" if i == 2 else "S", message_id=m, subject=s)


def seed_bob(root, uid, gid, manifest):
    inbox = Box(root, "bob", "INBOX", uid, gid, manifest)
    an = addr("Nguyễn Văn An", "an")
    alice = addr("Alice Example", "alice")
    vi = list(VI.items())
    prev = []
    for i in range(1, 26):
        m = "seed-bob-%02d@%s" % (i, DOMAIN)
        extra = []
        if i in (3, 4, 5):   # a small thread
            if prev:
                extra = [("In-Reply-To", prev[-1]),
                         ("References", " ".join(prev))]
            prev.append("<%s>" % m)
        if i % 2:
            s = "Re: Build server" if i in (5,) else (
                "Build server" if i == 3 else "POP3 test message %d" % i)
            if i == 4:
                s = "Re: Build server"
            frm, subj_raw, body = alice, s, (
                "Message %d for bob.\nLine two.\n" % i)
        else:
            key, text = vi[i % len(vi)]
            s = nfc("Thư số %d: %s" % (i, key))
            if i == 4:
                s = "Re: Build server"
            frm, subj_raw, body = an, enc_words(s, "B" if i % 4 else "Q"), text
        h = std_headers(i, "bob", subj_raw, frm, m, extra=extra)
        tags = ["vi"] if i % 2 == 0 else []
        if i in (7, 14, 21):
            bnd = "=_bob_%d" % i
            att = png() if i == 7 else pdfish() if i == 14 else \
                nfc("Tệp đính kèm tiếng Việt.\n").encode()
            fname = {7: "image.png", 14: "doc.pdf",
                     21: nfc("Ghi chú.txt")}[i]
            ctype = {7: "image/png", 14: "application/pdf",
                     21: "text/plain; charset=utf-8"}[i]
            q = urllib.parse.quote(fname.encode("utf-8"), safe="")
            h.append(("Content-Type", 'multipart/mixed; boundary="%s"' % bnd))
            data = message(h, multipart(bnd, [
                part("text/plain; charset=utf-8", body, "8bit"),
                part(ctype, b64(att), "base64",
                     [("Content-Disposition",
                       "attachment; filename*=UTF-8''%s" % q)])]))
            tags.append("attachment")
        else:
            h += [("Content-Type", "text/plain; charset=utf-8"),
                  ("Content-Transfer-Encoding", "8bit")]
            data = message(h, body)
        inbox.add(i, data, new=i > 20, flags="", message_id=m, subject=s,
                  tags=tags)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mail_root")
    ap.add_argument("--uid", type=int, default=-1)
    ap.add_argument("--gid", type=int, default=-1)
    args = ap.parse_args()
    manifest = {}
    random.seed(0)
    seed_alice(args.mail_root, args.uid, args.gid, manifest)
    seed_bob(args.mail_root, args.uid, args.gid, manifest)
    Box(args.mail_root, "carol", "INBOX", args.uid, args.gid, manifest)
    for user in ("alice", "bob", "carol"):
        for d in (os.path.join(args.mail_root, user),):
            if args.uid >= 0:
                os.chown(d, args.uid, args.gid)
    manifest["_folders_on_disk"] = {
        name: "." + mutf7(name) for name in
        ["Sent", "Drafts", "Trash", "Junk", "Archive", nfc("Thư mục")]}
    with open(os.path.join(args.mail_root, "manifest.json"), "w",
              encoding="utf-8") as f:
        json.dump(manifest, f, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()
