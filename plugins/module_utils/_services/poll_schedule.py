# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""When to look again while servers provision: soon when one is due, seldom otherwise.

A fleet's servers are ordered within a second or two and take about the same time to provision,
so the first one seen ready tells when the others will be. Until then the interval between looks
grows with the servers' age (a few percent of it: a 10-second provisioning is seen within half a
second, a 5-minute one within ten); once one server was seen ready, the others are looked for at
their order time plus what it took, and often while they are overdue. Looks never use more than a
share of the key's rate limit, so waiting never crowds out the key's other requests.
"""

from __future__ import annotations

import datetime
import time

MIN_INTERVAL = 0.5
MAX_INTERVAL = 10.0
# Before a provisioning time is known, look again after this share of the youngest server's age.
AGE_SHARE = 0.05
# While a server is overdue, look again after this share of how late it is.
OVERDUE_SHARE = 0.1
# Polling may use at most 1/RATE_SHARE of the key's current rate.
RATE_SHARE = 4.0


def epoch_of(timestamp):
    """Seconds since the epoch of an API timestamp (``2026-01-31T12:00:00Z``, with or without
    fractions or an offset), or None when it is missing or not one."""
    if not isinstance(timestamp, str) or not timestamp:
        return None
    try:
        moment = datetime.datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment.timestamp()


class ProvisioningSchedule(object):
    """Learns how long servers take to be ready, and says how long to sleep before the next look.

    :param rate_limiter: the key's :class:`~._rate_limit.RateLimiter` (or None), read for its rate
    :param clock: wall clock (seconds since the epoch), comparable with the servers' ``created_at``
    """

    def __init__(self, rate_limiter=None, clock=time.time):
        self.rate_limiter = rate_limiter
        self.clock = clock
        self.started = clock()
        self.provisioning_seconds = None  # learned: the quickest a server of this wait became ready
        self._pending = {}                # server id -> created (epoch), while not ready

    def observe(self, servers, is_ready):
        """Record one look: ``servers`` is ``[(server id, server or None when gone), ...]`` and
        ``is_ready(server)`` says which are done (it is given None for a gone one)."""
        now = self.clock()
        for server_id, server in servers:
            server_id = str(server_id)
            if not is_ready(server):
                created = epoch_of((server or {}).get("created_at"))
                self._pending[server_id] = created if created is not None else self.started
            elif server_id in self._pending:
                # Ready since the last look: it took at most this long (at least the last look's age).
                took = now - self._pending.pop(server_id)
                if took >= 0 and (self.provisioning_seconds is None or took < self.provisioning_seconds):
                    self.provisioning_seconds = took

    def next_delay(self):
        """Seconds to sleep before the next look."""
        now = self.clock()
        created = list(self._pending.values())
        if not created:
            interval = MIN_INTERVAL
        elif self.provisioning_seconds is None:
            youngest_age = max(0.0, now - max(created))
            interval = AGE_SHARE * youngest_age
        else:
            due = min(when + self.provisioning_seconds for when in created) - now
            interval = due if due > 0 else OVERDUE_SHARE * -due
        interval = min(MAX_INTERVAL, max(MIN_INTERVAL, interval))
        rate = getattr(self.rate_limiter, "rate", None)
        if rate:
            interval = max(interval, RATE_SHARE / rate)
        return interval
