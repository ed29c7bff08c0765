"""Process and file helpers shared by the e2e test bed.

Contract: every process or server the bed starts registers a stop callback
here; stop_all() (run from atexit, from the test runner and from signal
handlers) calls them newest first and never raises. Helpers that wait take
an explicit timeout and raise TimeoutError naming what they waited for.
Not thread-safe: the bed is driven from one thread (the sink's own threads
never touch this module).
"""

import atexit
import os
import signal
import socket
import subprocess
import time

_stoppers = []


def register_stop(name, stop):
    """Remembers `stop` (a no-argument callable) until unregister_stop()."""
    entry = (name, stop)
    _stoppers.append(entry)
    return entry


def unregister_stop(entry):
    if entry in _stoppers:
        _stoppers.remove(entry)


def stop_all():
    """Stops everything still registered, newest first; reports, never raises."""
    while _stoppers:
        name, stop = _stoppers.pop()
        try:
            stop()
        except Exception as exc:  # cleanup must go on with the others
            print(f"cleanup: stopping {name} failed: {exc}", flush=True)


atexit.register(stop_all)


def exit_on_sigterm():
    """Turns SIGTERM/SIGHUP into SystemExit so `finally` blocks and atexit run."""
    def handler(signum, _frame):
        raise SystemExit(128 + signum)
    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGHUP, handler)


def free_port():
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_is_free(port):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def wait_until(predicate, timeout, what, interval=0.05):
    """Polls predicate() until it returns a true value, which is returned."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise TimeoutError(f"timed out after {timeout:g}s waiting for {what}")
        time.sleep(interval)


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return not _is_zombie(pid)


def _is_zombie(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return False


def run(argv, timeout=30, check=True, stdin_bytes=None, env=None):
    """Runs a short command; returns CompletedProcess with text output."""
    proc = subprocess.run(argv, input=stdin_bytes, capture_output=True,
                          timeout=timeout, env=env)
    out = proc.stdout.decode(errors="replace")
    err = proc.stderr.decode(errors="replace")
    result = subprocess.CompletedProcess(argv, proc.returncode, out, err)
    if check and proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited {proc.returncode}: "
                           f"{(err or out).strip()[-2000:]}")
    return result


def tail(path, lines=40):
    """The last `lines` lines of a text file, or a note that it is missing."""
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - 64 * 1024))
            text = f.read().decode(errors="replace")
    except OSError as exc:
        return f"(no log: {exc})"
    return "\n".join(text.splitlines()[-lines:])
