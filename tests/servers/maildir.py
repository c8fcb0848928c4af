"""maildir.py - write one message into a Maildir the way a delivery agent
does (tmp/, then rename into new/ or cur/), owned by the mail uid so that
Dovecot, which never runs mail access as root, can read and move it.

Shared by smtpd.py, seed.py and deliver."""

import os
import socket
import threading
import time

_counter = 0
_lock = threading.Lock()


def ensure(maildir, uid=-1, gid=-1):
    """Create MAILDIR/{tmp,new,cur} (and parents) when missing."""
    for sub in ("tmp", "new", "cur"):
        path = os.path.join(maildir, sub)
        os.makedirs(path, mode=0o700, exist_ok=True)
        if uid >= 0:
            os.chown(path, uid, gid)
    if uid >= 0:
        os.chown(maildir, uid, gid)


def unique_name(stamp=None):
    """A Maildir base name: time.MmicrosPpidQcounter.host, unique per
    process; a given stamp keeps names (and so Dovecot's UID order) stable."""
    global _counter
    with _lock:
        _counter += 1
        n = _counter
    if stamp is None:
        now = time.time()
        sec, usec = int(now), int((now % 1) * 1e6)
    else:
        sec, usec = int(stamp), 0
    return "%d.M%dP%dQ%d.%s" % (sec, usec, os.getpid(), n,
                                  socket.gethostname().replace("/", "_")
                                  .replace(":", "_"))


def deliver(maildir, data, uid=-1, gid=-1, flags=None, mtime=None,
            stamp=None):
    """Write DATA (bytes) into MAILDIR.  flags=None puts it in new/;
    a string (possibly empty) such as "FS" puts it in cur/ with ':2,FLAGS'.
    mtime sets the file time, which Dovecot uses as INTERNALDATE.
    Returns the final path."""
    ensure(maildir, uid, gid)
    base = unique_name(stamp)
    tmp = os.path.join(maildir, "tmp", base)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        view = memoryview(data)
        while view:
            n = os.write(fd, view)
            view = view[n:]
        os.fsync(fd)
    finally:
        os.close(fd)
    if uid >= 0:
        os.chown(tmp, uid, gid)
    if mtime is not None:
        os.utime(tmp, (mtime, mtime))
    if flags is None:
        final = os.path.join(maildir, "new", base)
    else:
        final = os.path.join(maildir, "cur",
                             base + ":2," + "".join(sorted(flags)))
    os.rename(tmp, final)
    return final
