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

from datetime import timedelta
from decimal import ROUND_UP, Decimal

# The time helpers live in _core.clock (the adapters use them too); imported here for runway's callers.
from .._core.clock import add_cycle, iso, next_cycle_end, parse_time, provider_now  # noqa: F401  pylint: disable=unused-import
from .._providers.model import to_decimal, usd

DEFAULT_RUNWAY_DAYS = 30
ZERO = Decimal("0")
CENT = Decimal("0.01")
# Servers that are billed no more (terminated) carry no renewal.
UNBILLED_STATUSES = ("terminated",)


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
    return runway(servers, adapter.exact_balance(account), adapter.billing_cycles, adapter.now(), days)


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
