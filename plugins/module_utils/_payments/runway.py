# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Prepaid runway: which renewals fall due in the next days, and whether the balance covers them.

The one place for renewal arithmetic. Adapters put each server's price, cycle and ``expires_at``
into the common model and declare how long each cycle is (``billing_cycles``: cycle name ->
(months, days)); everything else is computed here, on Decimals, the same way for both providers.
Time is the provider's: the ``Date`` header of its last answer, so that a provider (or the
sandbox's clock) that is ahead of the local clock is believed about what is due.
"""

from __future__ import annotations

import calendar
from datetime import datetime, timedelta, timezone
from decimal import ROUND_UP, Decimal
from email.utils import parsedate_to_datetime

from .._providers.model import to_decimal, usd

DEFAULT_RUNWAY_DAYS = 30
ZERO = Decimal("0")
CENT = Decimal("0.01")
# Servers that are billed no more (terminated) carry no renewal.
UNBILLED_STATUSES = ("terminated",)


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


def renewals_due(servers, cycles, now, days):
    """Every renewal due from now until ``days`` days ahead, earliest first.

    A renewal already past due (a server suspended for want of money) counts as due now. Servers
    without a price, a known cycle or an expiry are left out (their renewals cannot be known).
    """
    horizon = now + timedelta(days=days)
    due = []
    for server in servers:
        if server.get("status") in UNBILLED_STATUSES:
            continue
        price = to_decimal(server.get("price_usd"))
        length = cycles.get(server.get("cycle"))
        moment = parse_time(server.get("expires_at"))
        if price is None or length is None or moment is None:
            continue
        while moment <= horizon:
            due.append((moment, str(server.get("id")), server.get("name"), price))
            moment = add_cycle(moment, length)
    due.sort(key=lambda item: (item[0], item[1]))
    return due, horizon


def runway(servers, balance, cycles, now, days=DEFAULT_RUNWAY_DAYS):
    """The runway figures for a balance (Decimal or number) and an account's servers.

    Returns ``renewals`` (server id, name, due_at, amount_usd), ``due_usd``, ``balance_usd``,
    ``covered``, ``short_usd`` and ``covered_until``: the due date of the first renewal the
    balance cannot pay, paying them in order, or the end of the window when it pays them all.
    """
    balance = to_decimal(balance)
    if balance is None:
        raise ValueError("the account balance could not be read, so the runway cannot be computed")
    due, horizon = renewals_due(servers, cycles, now, days)
    total, left, covered_until = ZERO, balance, None
    for moment, _server_id, _name, price in due:
        total += price
        left -= price
        if left < ZERO and covered_until is None:
            covered_until = max(moment, now)
    short = max(total - balance, ZERO)
    return {
        "days": days,
        "from": iso(now),
        "renewals": [{"server_id": server_id, "name": name, "due_at": iso(moment), "amount_usd": usd(price)}
                     for moment, server_id, name, price in due],
        "due_usd": usd(total),
        "balance_usd": usd(balance),
        "covered": short == ZERO,
        "short_usd": usd(short),
        "covered_until": iso(covered_until or horizon),
    }


def days_covered(figures):
    """Days from the runway's start until ``covered_until`` (a float, 0 or more)."""
    start, end = parse_time(figures["from"]), parse_time(figures["covered_until"])
    return max((end - start).total_seconds() / 86400.0, 0.0)


def account_runway(adapter, days=DEFAULT_RUNWAY_DAYS, account=None, servers=None):
    """Runway figures for the adapter's account, reading the account and servers it is not given."""
    if account is None:
        account = adapter.get_account()
    if servers is None:
        servers = adapter.list_servers()
    raw = (account.get("provider_data") or {})
    balance = raw.get("balance_usd", raw.get("balance", account.get("balance_usd")))
    return runway(servers, balance, adapter.billing_cycles, provider_now(adapter.client), days)


def amount_to_cover(figures, min_balance=None):
    """What the balance lacks to pay every renewal in the window and keep ``min_balance`` (Decimal, >= 0)."""
    needed = to_decimal(figures["due_usd"]) + (to_decimal(min_balance) or ZERO)
    return max(needed - to_decimal(figures["balance_usd"]), ZERO)


def _cents(value):
    return str(to_decimal(value).quantize(CENT, rounding=ROUND_UP))


def topup_for_runway(adapter, days, amount, min_balance=None):
    """For a top-up of ``amount`` on condition ``cover_days``: (runway figures, what the balance lacks).

    Raises ValueError, before anything is paid, when ``days`` is not a positive number of days or
    when ``amount`` would not cover what the balance lacks (the message names that sum).
    """
    if days is None or days < 1:
        raise ValueError("cover_days must be a whole number of days, 1 or more, got %r" % (days,))
    figures = account_runway(adapter, days)
    lacking = amount_to_cover(figures, min_balance)
    if lacking and to_decimal(amount) < lacking:
        raise ValueError(
            "amount %s USD would not cover the renewals due in the next %d days: the balance of %s USD lacks %s USD"
            " (%s USD due%s); set amount to at least %s" % (
                _cents(amount), days, _cents(figures["balance_usd"]), _cents(lacking), _cents(figures["due_usd"]),
                " + min_balance %s USD" % _cents(min_balance) if min_balance else "", _cents(lacking)))
    return figures, lacking
