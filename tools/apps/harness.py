"""A tiny test runner shared by the Python app tests.

Each case runs with its own timeout (SIGALRM), so a hang fails the case
instead of blocking CI, and main() exits non-zero when any case failed.
The server's port comes from REDIS_PORT (set by tools/apps-e2e.sh).
"""

import os
import signal
import sys
import time
import traceback

try:
    PORT = int(os.environ["REDIS_PORT"])
except (KeyError, ValueError):
    sys.exit("REDIS_PORT is not set: run these tests through tools/apps-e2e.sh")

_cases = []


class Timeout(Exception):
    """Raised in the main thread when a case runs past its timeout."""


def case(timeout=15):
    """Registers the decorated function as a test case."""

    def register(fn):
        _cases.append((fn.__name__, fn, timeout))
        return fn

    return register


def wait_for(what, cond, timeout=5.0):
    """Polls cond every 20 ms until it returns true."""
    end = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > end:
            raise AssertionError("timed out waiting for " + what)
        time.sleep(0.02)


def expect_eq(got, want, what=""):
    """Fails, showing both values, when got != want."""
    if got != want:
        raise AssertionError("%s: got %r, want %r" % (what or "value", got, want))


def main(suite):
    """Runs every registered case in order and exits with the outcome."""

    def on_alarm(signum, frame):
        raise Timeout("timed out")

    signal.signal(signal.SIGALRM, on_alarm)
    only = os.environ.get("APPS_ONLY_CASE")
    failed = 0
    for name, fn, timeout in _cases:
        if only and only not in name:
            continue
        started = time.monotonic()
        signal.alarm(timeout)
        try:
            fn()
            print("%s: ok: %s (%d ms)" % (suite, name, (time.monotonic() - started) * 1000), flush=True)
        except BaseException:  # a Timeout or any failure fails the case
            failed += 1
            print("%s: FAIL: %s: %s" % (suite, name, traceback.format_exc()), flush=True)
        finally:
            signal.alarm(0)
    if failed:
        print("%s: %d case(s) failed" % (suite, failed), flush=True)
    # os._exit: a thread left running by a failed case must not keep the
    # process alive.
    sys.stdout.flush()
    os._exit(1 if failed else 0)
