# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Client-side rate limiting, one adaptive token bucket per API key.

Every client of one key at one API URL in a process (the inventory's workers, the threads of
``vps_fleet``, lookups) shares one :class:`RateLimiter`, so their requests together stay under what
the provider allows that key. Requests leave evenly spaced, never in bursts. The limiter learns the
limit from HTTP 429: it stops the key for the ``Retry-After`` the provider asked for, takes what it
sent in the second before the refused request as the key's limit, lowers its rate multiplicatively
below that, and climbs back along a cubic curve (as botocore's ``adaptive`` retry mode and TCP CUBIC
do): quickly at first, then to just under the limit, where it stays a while before probing above
it. Each 429 that finds the same limit again makes that stay longer, since every probe above a
limit costs the key a ``Retry-After`` pause. A key waits alone: its threads sleep outside any
lock, and other keys' limiters are never touched.
"""

from __future__ import annotations

import collections
import hashlib
import os
import threading
import time

# A sensible start for an API whose limit is not known yet: most providers allow 10-50 requests a
# second per key. Until the first 429 the rate doubles each SLOW_START_SECONDS (about a round trip)
# the key is kept busy. Requests always leave evenly spaced: a burst is what a per-second window refuses.
START_RATE = 20.0
SLOW_START_SECONDS = 0.1
MAX_RATE = 1000.0
MIN_RATE = 0.2
# After a 429 the key's limit is taken to be what it sent in the MEASURE_SECONDS before the refused
# request (since the last pause ended); the rate drops to BETA times that, is back just under it
# (MARGIN below) after RECOVERY_SECONDS, stays there for the hold, and grows beyond it only after that.
BETA = 0.9
MARGIN = 0.01
RECOVERY_SECONDS = 8.0
MEASURE_SECONDS = 1.0
# The hold after the first 429; it doubles (up to MAX_HOLD_SECONDS) each time a later 429 finds a
# limit within AGREE of the one before, and starts again when the limit moved.
HOLD_SECONDS = 15.0
MAX_HOLD_SECONDS = 120.0
AGREE = 0.1
# Retry-After honoured at most this long; without one, the key pauses this long after a 429.
MAX_PAUSE = 60.0
DEFAULT_PAUSE = 1.0

RATE_LIMIT_ENV = "VPSFLEET_API_RATE_LIMIT"


class RateLimiter(object):
    """An adaptive token bucket for one API key (see the module docstring).

    :param ceiling: requests per second never exceeded (``api_rate_limit``); None adapts freely.
    :param clock: monotonic clock; :param sleep: the sleep function (both replaceable in tests).
    """

    def __init__(self, ceiling=None, clock=time.monotonic, sleep=time.sleep):
        self.ceiling = float(ceiling) if ceiling else None
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        now = clock()
        # A user-given ceiling is the provider's limit as far as the user knows: start there.
        self.rate = self.ceiling or START_RATE
        self.throttled_at = None        # when the last 429 lowered the rate (None: never)
        self.throttled_max = None       # the limit learned then (requests/s)
        self.confirmations = 0          # 429s in a row that found about the same limit
        self._tokens = 1.0
        self._refilled_at = now
        self._paused_until = now
        self._resumed = [now]           # when the key last started sending after a pause (latest last)
        self._generation = 0            # bumped on every 429, so waiting threads look again
        self._busy_since = None         # slow start: since when requests have had to wait
        self._sent = collections.deque()  # when requests were let through, over the last seconds
        self.throttle_count = 0

    # -- the public calls ------------------------------------------------------------------

    def acquire(self):
        """Block until this key may send one request; returns the time it was let through."""
        while True:
            with self._lock:
                now = self._clock()
                self._update_rate(now)
                reserved = now >= self._paused_until
                wait = self._reserve(now) if reserved else self._paused_until - now
                if wait <= 0:
                    return self._let_through(now)
                generation = self._generation
            # Sleep outside the lock: other threads of this key queue up behind, other keys never wait.
            self._sleep(wait)
            if reserved:
                # The token waited for is this thread's unless a 429 came meanwhile: then it queues again.
                with self._lock:
                    if generation == self._generation and self._clock() >= self._paused_until:
                        return self._let_through(self._clock())

    def accepted(self):
        """The provider processed a request of this key (any answer but 429).

        Nothing to learn from it: the limit is measured on the requests let through, answered or
        still in flight, since a provider counts every request it received.
        """

    def throttled(self, retry_after=None, sent_at=None):
        """The provider answered 429: pause the key for ``retry_after`` and lower its rate.

        ``sent_at`` is when the refused request was let through (:meth:`acquire`'s answer): a 429 for
        a request sent before the last decrease says nothing new, so it pauses but lowers no further.
        """
        with self._lock:
            now = self._clock()
            pause = DEFAULT_PAUSE if retry_after is None else min(max(0.0, float(retry_after)), MAX_PAUSE)
            if now + pause > self._paused_until:
                self._paused_until = now + pause
                if self._resumed[-1] > now:
                    self._resumed[-1] = self._paused_until  # the pause under way got longer
                else:
                    self._resumed = self._resumed[-2:] + [self._paused_until]
            self._generation += 1
            self.throttle_count += 1
            if sent_at is not None and self.throttled_at is not None and sent_at <= self.throttled_at:
                return
            limit = min(self.rate, max(MIN_RATE, self._sent_in_the_second_before(sent_at or now)))
            if self.throttled_max is not None and abs(limit - self.throttled_max) <= AGREE * self.throttled_max:
                self.confirmations += 1
            else:
                self.confirmations = 1
            self.throttled_max = limit
            self.throttled_at = now
            self.rate = max(MIN_RATE, limit * BETA)
            # Waiting threads take a new place in line after the pause (their generation is gone).
            self._tokens = 0.0

    def hold_seconds(self):
        """How long the rate stays just under the learned limit before probing above it."""
        if not self.confirmations:
            return 0.0
        return min(MAX_HOLD_SECONDS, HOLD_SECONDS * 2 ** (self.confirmations - 1))

    # -- the bucket --------------------------------------------------------------------------

    def _let_through(self, now):
        self._sent.append(now)
        while self._sent and self._sent[0] < now - 2 * MEASURE_SECONDS:
            self._sent.popleft()
        return now

    def _sent_in_the_second_before(self, sent_at):
        """Requests let through in the MEASURE_SECONDS before ``sent_at``, counting only since the
        key last resumed from a pause (a pause is no evidence of what the provider allows)."""
        resumed = max([at for at in self._resumed if at <= sent_at] or [float("-inf")])
        since = max(sent_at - MEASURE_SECONDS, resumed)
        return float(sum(1 for at in self._sent if since <= at < sent_at))

    def _reserve(self, now):
        """Take a token if one is there (0); else reserve the next and return how long to wait for it.

        The bucket holds one token at most, so requests leave evenly spaced, never in a burst.
        """
        self._tokens = min(1.0, self._tokens + (now - self._refilled_at) * self.rate)
        self._refilled_at = now
        self._tokens -= 1.0
        if self._tokens >= 0:
            self._busy_since = None
            return 0.0
        if self._busy_since is None:
            self._busy_since = now
        # The token is this thread's: it waits until the bucket has refilled it.
        return -self._tokens / self.rate

    def _update_rate(self, now):
        """Slow start before the first 429, the cubic recovery after it; never above the ceiling."""
        ceiling = min(self.ceiling or MAX_RATE, MAX_RATE)
        if self.throttled_at is None:
            if self._busy_since is not None and now - self._busy_since >= SLOW_START_SECONDS:
                self.rate = min(ceiling, self.rate * 2)
                self._busy_since = now
            return
        rate = cubic_rate(now - self.throttled_at, self.throttled_max, hold=self.hold_seconds())
        self.rate = min(ceiling, max(MIN_RATE, rate))


def cubic_rate(elapsed, limit, hold=0.0, beta=BETA, recovery=RECOVERY_SECONDS, margin=MARGIN):
    """The rate ``elapsed`` seconds after a 429 that found ``limit``: ``beta * limit`` at 0, just under
    the limit (``margin`` below) at ``recovery``, flat there for ``hold`` seconds, then growing beyond
    the limit ever faster (TCP CUBIC's curve with a plateau)."""
    target = limit * (1 - margin)
    scale = (target - beta * limit) / recovery ** 3
    if elapsed < recovery:
        return target + scale * (elapsed - recovery) ** 3
    return target + scale * max(0.0, elapsed - recovery - hold) ** 3


_limiters = {}
_limiters_lock = threading.Lock()


def limiter_for(api_url, api_key, ceiling=None):
    """The process's one :class:`RateLimiter` for ``api_key`` at ``api_url`` (keyed by a hash of the key).

    A ceiling lowers that key's ceiling for every user of it in the process; it never raises it.
    """
    identity = (str(api_url or "").rstrip("/"), hashlib.sha256((api_key or "").encode("utf-8")).hexdigest())
    ceiling = float(ceiling) if ceiling else None
    with _limiters_lock:
        limiter = _limiters.get(identity)
        if limiter is None:
            limiter = _limiters[identity] = RateLimiter(ceiling=ceiling)
        elif ceiling and (limiter.ceiling is None or ceiling < limiter.ceiling):
            with limiter._lock:  # pylint: disable=protected-access
                limiter.ceiling = ceiling
                limiter.rate = min(limiter.rate, ceiling)
        return limiter


def rate_limit_from_env(value=None, environ=None):
    """``api_rate_limit`` as given, else from ``VPSFLEET_API_RATE_LIMIT``; None when unset or 0.

    Raises ValueError naming what is accepted for anything but a number >= 0.
    """
    environ = os.environ if environ is None else environ
    source = "api_rate_limit"
    if value in (None, ""):
        value, source = environ.get(RATE_LIMIT_ENV), RATE_LIMIT_ENV
    if value in (None, ""):
        return None
    try:
        rate = float(value)
    except (TypeError, ValueError):
        rate = -1.0
    if not rate >= 0:
        raise ValueError("%s must be a number of requests per second (0 or unset: no fixed ceiling), not %r"
                         % (source, value))
    return rate or None
