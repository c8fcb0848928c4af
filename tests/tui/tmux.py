"""Drive the real mailtui binary in a private tmux server and read the screen.

Each Session runs one command in its own tmux server (-L socket, -f /dev/null)
so tests neither see nor disturb anyone's tmux.  Waits poll the screen; no
fixed sleeps decide a result."""
import os
import shlex
import subprocess
import tempfile
import time


class ScreenTimeout(AssertionError):
    pass


def private_env(home, **extra):
    """The environment of a mailtui that reads and writes only below home
    (config, data, cache and state in c, d, k and s), in a UTF-8 locale."""
    env = {
        "HOME": home,
        "XDG_CONFIG_HOME": os.path.join(home, "c"),
        "XDG_DATA_HOME": os.path.join(home, "d"),
        "XDG_CACHE_HOME": os.path.join(home, "k"),
        "XDG_STATE_HOME": os.path.join(home, "s"),
        "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
    }
    env.update(extra)
    return env


class Session:
    def __init__(self, command, env=None, width=100, height=30, cwd=None):
        self.socket = "mailtui-test-%d-%d" % (os.getpid(), int(time.monotonic() * 1e6))
        self.tmpdir = tempfile.mkdtemp(prefix="mailtui-tui-")
        self.done_file = os.path.join(self.tmpdir, "exit")
        full_env = dict(os.environ)
        full_env.update(env or {})
        full_env.setdefault("TERM", "screen")
        # The pane runs a shell line that records the exit status and the
        # terminal modes after mailtui ends, then waits so we can read them.
        # trap: the wrapper shell must survive the Ctrl-C meant for mailtui.
        script = ("trap : INT; %s; echo \"EXIT:$?\" > %s; stty -a >> %s; sleep 600"
                  % (command, shlex.quote(self.done_file), shlex.quote(self.done_file)))
        env_args = []
        for k, v in full_env.items():
            if k.startswith(("MAILTUI_", "XDG_", "LANG", "LC_", "LANGUAGE", "HOME", "PATH",
                             "ASAN_", "UBSAN_", "LSAN_", "EDITOR", "VISUAL", "NO_COLOR")):
                env_args += ["-e", "%s=%s" % (k, v)]
        self._tmux("new-session", "-d", "-x", str(width), "-y", str(height),
                   *env_args, "sh", "-c", script, cwd=cwd)

    def _tmux(self, *args, cwd=None, check=True):
        return subprocess.run(["tmux", "-L", self.socket, "-f", "/dev/null", *args],
                              check=check, capture_output=True, text=True, cwd=cwd)

    def screen(self):
        r = self._tmux("capture-pane", "-p", "-J", check=False)
        return r.stdout

    def lines(self):
        return self.screen().split("\n")

    def send(self, *keys):
        self._tmux("send-keys", *keys)

    def send_literal(self, text):
        self._tmux("send-keys", "-l", text)

    def resize(self, width, height):
        self._tmux("resize-window", "-x", str(width), "-y", str(height))

    def pane_pid(self):
        r = self._tmux("list-panes", "-F", "#{pane_pid}")
        return int(r.stdout.strip().split()[0])

    def wait_for(self, predicate, timeout=30, what="text"):
        if isinstance(predicate, str):
            text = predicate
            predicate = lambda s: text in s  # noqa: E731
            what = repr(text)
        deadline = time.monotonic() + timeout
        last = ""
        while time.monotonic() < deadline:
            last = self.screen()
            if predicate(last):
                return self._settled(last, predicate)
            time.sleep(0.05)
        raise ScreenTimeout("timed out waiting for %s; screen was:\n%s" % (what, last))

    def _settled(self, good, predicate, limit=1.0):
        """A capture can land while curses is still writing one refresh (the
        top of a new screen drawn, the bottom still the old one).  Return the
        screen once two captures agree, so callers assert on whole frames; a
        screen that keeps changing (a progress bar) returns after `limit`."""
        end = time.monotonic() + limit
        while time.monotonic() < end:
            time.sleep(0.03)
            now = self.screen()
            if not predicate(now):
                return good  # a transient state the caller waited for
            if now == good:
                return now
            good = now
        return good

    def wait_exit(self, timeout=15):
        """Wait for mailtui to end; return (status, stty -a output)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if os.path.exists(self.done_file):
                with open(self.done_file) as f:
                    data = f.read()
                if "EXIT:" in data and ("speed" in data or "line" in data):
                    first, _, rest = data.partition("\n")
                    return int(first.split(":")[1]), rest
            time.sleep(0.05)
        raise ScreenTimeout("mailtui did not exit; screen was:\n" + self.screen())

    def close(self):
        self._tmux("kill-server", check=False)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def terminal_restored(stty):
    """After mailtui ends the tty must be back in cooked mode with echo."""
    words = stty.replace(";", " ").split()
    return "icanon" in words and "echo" in words
