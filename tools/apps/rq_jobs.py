"""Job functions for rq_test.py: the RQ worker imports them by name."""

import time


def add(a, b):
    return a + b


def describe(**kw):
    return {"kwargs": kw, "keys": sorted(kw)}


def fail(message):
    raise ValueError(message)


def slow(seconds):
    time.sleep(seconds)
    return "woke"


def after(*deps_values):
    return "after " + " ".join(str(v) for v in deps_values)
