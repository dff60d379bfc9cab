# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Client-side rate limiting, one adaptive token bucket per API key.

Every client of one key at one API URL in a process (the inventory's workers, the threads of
``vps_fleet``, lookups) shares one :class:`RateLimiter`, so their requests together stay under what
the provider allows that key. The limiter learns that from HTTP 429: it stops the key for the
``Retry-After`` the provider asked for, lowers its rate multiplicatively to below what the provider
accepted, and climbs back along a cubic curve (as botocore's ``adaptive`` retry mode and TCP CUBIC
do): quickly at first, then flat near the rate that was throttled, probing above it only slowly.
A limit found again where it was found before is held longer before the next probe: each probe
costs a 429 and a pause, and most providers' limits do not move.
A key waits alone: its threads sleep outside any lock, and other keys' limiters are never touched.
"""

from __future__ import annotations

import collections
import hashlib
import os
import threading
import time

# A sensible start for an API whose limit is not known yet: most providers allow 10-50 requests a
# second per key. Until the first 429 the rate doubles each SLOW_START_SECONDS (about an API round
# trip, as TCP's slow start doubles per round trip) the key is kept busy,
# and up to one second's worth of requests may leave at once (not under a user's ceiling).
START_RATE = 20.0
SLOW_START_SECONDS = 0.1
MAX_RATE = 1000.0
MIN_RATE = 0.2
# After a 429 the rate drops to BETA times what the provider accepted in the last second; it is back
# at that rate after RECOVERY_SECONDS, nearly flat around it, and grows beyond it only after that.
BETA = 0.9
RECOVERY_SECONDS = 8.0
# A 429 at a rate within SAME_LIMIT of the last one's confirms that limit: the rate is then held
# there for HOLD_SECONDS before probing above it, twice as long on each further confirmation.
SAME_LIMIT = 0.1
HOLD_SECONDS = 8.0
MAX_HOLD_SECONDS = 64.0
# Retry-After honoured at most this long; without one, the key pauses this long after a 429.
MAX_PAUSE = 60.0
DEFAULT_PAUSE = 1.0
# The window over which accepted requests are counted when a 429 arrives.
MEASURE_SECONDS = 1.0

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
        self.throttled_max = None       # what the provider accepted then (requests/s)
        self.hold = 0.0                 # seconds held at throttled_max before probing above it
        self._tokens = self._capacity()
        self._refilled_at = now
        self._paused_until = now
        self._generation = 0            # bumped on every 429, so waiting threads look again
        self._busy_since = None         # slow start: since when requests have had to wait
        self._accepted = collections.deque()
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
                    return now
                generation = self._generation
            # Sleep outside the lock: other threads of this key queue up behind, other keys never wait.
            self._sleep(wait)
            if reserved:
                # The token waited for is this thread's unless a 429 came meanwhile: then it queues again.
                with self._lock:
                    if generation == self._generation and self._clock() >= self._paused_until:
                        return self._clock()

    def accepted(self):
        """The provider processed a request of this key (any answer but 429)."""
        with self._lock:
            now = self._clock()
            self._accepted.append(now)
            self._forget_old(now)

    def throttled(self, retry_after=None, sent_at=None):
        """The provider answered 429: pause the key for ``retry_after`` and lower its rate.

        ``sent_at`` is when the refused request was let through (:meth:`acquire`'s answer): a 429 for
        a request sent before the last decrease says nothing new, so it pauses but lowers no further.
        """
        with self._lock:
            now = self._clock()
            pause = DEFAULT_PAUSE if retry_after is None else min(max(0.0, float(retry_after)), MAX_PAUSE)
            self._paused_until = max(self._paused_until, now + pause)
            self._generation += 1
            self.throttle_count += 1
            if sent_at is not None and self.throttled_at is not None and sent_at <= self.throttled_at:
                return
            self._forget_old(now)
            accepted_rate = max(MIN_RATE, len(self._accepted) / MEASURE_SECONDS)
            previous_max, self.throttled_max = self.throttled_max, min(self.rate, accepted_rate)
            self.hold = next_hold(self.hold, previous_max, self.throttled_max)
            self.throttled_at = now
            self.rate = max(MIN_RATE, self.throttled_max * BETA)
        # Waiting threads take a new place in line after the pause (their generation is gone), and
        # from now on requests are paced evenly: a burst is what a per-second window refuses.
        self._tokens = 0.0

    # -- the bucket --------------------------------------------------------------------------

    def _capacity(self):
        """Bursts of up to a second's worth only while exploring: never under a ceiling or after a 429."""
        if self.ceiling or self.throttled_at is not None:
            return 1.0
        return max(1.0, self.rate)

    def _reserve(self, now):
        """Take a token if one is there (0); else reserve the next and return how long to wait for it."""
        self._tokens = min(self._capacity(), self._tokens + (now - self._refilled_at) * self.rate)
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
        self.rate = min(ceiling, max(MIN_RATE, cubic_rate(now - self.throttled_at, self.throttled_max, hold=self.hold)))

    def _forget_old(self, now):
        while self._accepted and self._accepted[0] <= now - MEASURE_SECONDS:
            self._accepted.popleft()


def cubic_rate(elapsed, throttled_max, beta=BETA, recovery=RECOVERY_SECONDS, hold=0.0):
    """The rate ``elapsed`` seconds after a 429 at ``throttled_max``: ``beta * throttled_max`` at 0,
    ``throttled_max`` at ``recovery``, flat around it (exactly, for ``hold`` more seconds), growing
    beyond it after that (TCP CUBIC's curve)."""
    if elapsed > recovery:
        elapsed = max(recovery, elapsed - hold)
    scale = throttled_max * (1 - beta) / recovery ** 3
    return throttled_max + scale * (elapsed - recovery) ** 3


def next_hold(hold, previous_max, throttled_max):
    """How long to hold the rate at ``throttled_max`` after this 429: longer each time the limit is
    found where it was (within SAME_LIMIT), none when it moved or is new."""
    if previous_max is None or abs(throttled_max - previous_max) > SAME_LIMIT * previous_max:
        return 0.0
    return min(MAX_HOLD_SECONDS, max(HOLD_SECONDS, 2 * hold))


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
