# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Polling until a condition holds, against a monotonic deadline with backoff."""

from __future__ import annotations

import socket
import time


class WaitTimeout(Exception):
    """The deadline passed; ``last`` is the last value seen (e.g. the server and its status)."""

    def __init__(self, message, last=None):
        super(WaitTimeout, self).__init__(message)
        self.last = last


class Deadline(object):
    """A point ``timeout`` seconds from now on the monotonic clock: the one place for deadline arithmetic."""

    def __init__(self, timeout, clock=time.monotonic):
        self._clock = clock
        self.at = clock() + timeout

    def remaining(self):
        """Seconds left, never below 0."""
        return max(0.0, self.at - self._clock())

    def passed(self):
        """True once the deadline is reached."""
        return self._clock() >= self.at


def format_seconds(seconds):
    """Seconds as messages show them: to a tenth at most, ``0.98`` -> ``1s``, ``12.34`` -> ``12.3s``."""
    return "%gs" % round(float(seconds), 1)


def wait_until(poll, done, timeout, what="condition", first_delay=0.5, max_delay=10.0,
               clock=time.monotonic, sleep=time.sleep, describe=None, next_delay=None):
    """Call ``poll()`` until ``done(value)`` is true; return that value.

    Delays start at ``first_delay`` and grow by half each round up to ``max_delay``, never past the
    deadline. On timeout raise :class:`WaitTimeout` naming ``what`` and, through ``describe(value)``,
    what was last seen. ``next_delay()``, when given, says how long to sleep instead of the backoff.
    """
    deadline = Deadline(timeout, clock)
    delay = first_delay
    while True:
        value = poll()
        if done(value):
            return value
        remaining = deadline.remaining()
        if remaining <= 0:
            seen = describe(value) if describe else repr(value)
            raise WaitTimeout("timed out after %s waiting for %s; last seen: %s" % (format_seconds(timeout), what, seen),
                              value)
        sleep(min(delay if next_delay is None else next_delay(), remaining))
        delay = min(max_delay, delay * 1.5)


def port_open(host, port=22, timeout=2.0):
    """True when a TCP connection to ``host:port`` is accepted."""
    if not host:
        return False
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except (OSError, socket.timeout):
        return False
