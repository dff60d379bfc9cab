"""Timestamps as the APIs print them."""

import calendar
import time
from datetime import datetime, timezone


def iso(epoch_seconds, milliseconds=False):
    """ISO 8601 UTC with a Z suffix, e.g. 2026-01-31T12:00:00Z (…:00.250Z with milliseconds, as
    JavaScript's toISOString prints them); None stays None."""
    if epoch_seconds is None:
        return None
    moment = datetime.fromtimestamp(epoch_seconds, tz=timezone.utc)
    if milliseconds:
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (moment.microsecond // 1000)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def now():
    """Wall-clock seconds since the epoch."""
    return time.time()


def add_months(epoch_seconds, months):
    """The same day and time `months` later (clamped to the month's last day)."""
    moment = datetime.fromtimestamp(epoch_seconds, tz=timezone.utc)
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day).timestamp()
