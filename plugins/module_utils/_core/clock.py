# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Time on the provider's clock: ISO 8601 parsing and printing, the ``Date`` header, billing cycles."""

from __future__ import annotations

import calendar
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime


def parse_time(value):
    """An aware UTC datetime from an ISO 8601 string (``Z`` or an offset, optional fraction), or None."""
    if not value:
        return None
    text = str(value).strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def iso(moment):
    """``2026-01-31T12:00:00Z`` for an aware datetime; None stays None."""
    if moment is None:
        return None
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def provider_now(client=None):
    """The provider's time: the ``Date`` header of the client's last answer, else the local clock."""
    header = getattr(client, "last_date_header", None)
    if header:
        try:
            moment = parsedate_to_datetime(header)
        except (TypeError, ValueError, IndexError):
            moment = None
        if moment is not None:
            return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    return datetime.now(timezone.utc)


def add_cycle(moment, length):
    """``moment`` plus one cycle of ``length`` = (months, days); a month keeps its day, clamped to
    the month's last day (31 January + 1 month = 28 or 29 February)."""
    months, days = length
    if months:
        index = moment.month - 1 + months
        year, month = moment.year + index // 12, index % 12 + 1
        moment = moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))
    return moment + timedelta(days=days)


def next_cycle_end(created_at, now, length):
    """The first end of a cycle counted from ``created_at`` that is after ``now`` (for a provider
    whose servers do not say when they expire); None without a start or a cycle length."""
    start = parse_time(created_at)
    if start is None or length is None or not any(length):
        return None
    end = add_cycle(start, length)
    if not length[0] and end <= now:  # whole-day cycles: skip ahead arithmetically
        cycles = (now - start) // timedelta(days=length[1])
        end = start + timedelta(days=length[1] * cycles)
    while end <= now:
        end = add_cycle(end, length)
    return end
