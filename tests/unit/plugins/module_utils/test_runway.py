# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Runway arithmetic: renewals in a window, paid in order from the balance, on the provider's clock."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

from ansible_collections.vpsfleet.cloud.plugins.module_utils._payments.runway import (
    add_cycle, amount_to_cover, next_cycle_end, parse_time, provider_now, runway,
)

MONTHLY = {"monthly": (1, 0), "annual": (12, 0)}
NOW = datetime(2026, 1, 10, tzinfo=timezone.utc)


def server(server_id, expires_at, price=7.0, cycle="monthly", status="running"):
    return {"id": server_id, "name": "srv-%s" % server_id, "price_usd": price, "cycle": cycle,
            "expires_at": expires_at, "status": status}


def test_renewals_in_the_window_are_listed_earliest_first_with_their_price():
    figures = runway([server("2", "2026-01-25T00:00:00Z", 14.0), server("1", "2026-01-20T00:00:00Z")],
                     Decimal("100"), MONTHLY, NOW, 30)
    assert figures["renewals"] == [
        {"server_id": "1", "name": "srv-1", "due_at": "2026-01-20T00:00:00Z", "amount_usd": 7.0},
        {"server_id": "2", "name": "srv-2", "due_at": "2026-01-25T00:00:00Z", "amount_usd": 14.0}]
    assert (figures["due_usd"], figures["covered"], figures["short_usd"]) == (21.0, True, 0.0)


def test_a_covered_window_is_covered_until_its_end():
    figures = runway([server("1", "2026-01-20T00:00:00Z")], 100, MONTHLY, NOW, 30)
    assert figures["covered_until"] == "2026-02-09T00:00:00Z"


def test_covered_until_is_the_first_renewal_the_balance_cannot_pay():
    figures = runway([server("1", "2026-01-20T00:00:00Z"), server("2", "2026-01-25T00:00:00Z")],
                     Decimal("10"), MONTHLY, NOW, 30)
    assert (figures["covered"], figures["short_usd"], figures["covered_until"]) == (
        False, 4.0, "2026-01-25T00:00:00Z")


def test_a_monthly_server_renews_twice_in_a_long_window():
    figures = runway([server("1", "2026-01-20T00:00:00Z")], 100, MONTHLY, NOW, 45)
    assert [renewal["due_at"] for renewal in figures["renewals"]] == ["2026-01-20T00:00:00Z", "2026-02-20T00:00:00Z"]


def test_a_past_due_renewal_of_a_suspended_server_is_due_now():
    figures = runway([server("1", "2026-01-01T00:00:00Z", status="suspended")], 0, MONTHLY, NOW, 30)
    assert figures["renewals"][0]["due_at"] == "2026-01-01T00:00:00Z"
    assert figures["covered_until"] == "2026-01-10T00:00:00Z"


def test_terminated_servers_and_servers_without_price_or_expiry_carry_no_renewal():
    servers = [server("1", "2026-01-20T00:00:00Z", status="terminated"), server("2", None),
               server("3", "2026-01-20T00:00:00Z", price=None)]
    assert runway(servers, 5, MONTHLY, NOW, 30)["renewals"] == []


def test_money_is_added_without_float_drift():
    servers = [server(str(index), "2026-01-20T00:00:00Z", price=0.1) for index in range(3)]
    figures = runway(servers, Decimal("0.30"), MONTHLY, NOW, 30)
    assert (figures["due_usd"], figures["covered"]) == (0.3, True)


def test_a_month_later_keeps_the_day_clamped_to_the_months_last_day():
    assert add_cycle(datetime(2026, 1, 31, tzinfo=timezone.utc), (1, 0)) == datetime(2026, 2, 28, tzinfo=timezone.utc)


def test_a_thirty_day_cycle_counted_from_creation_ends_after_now():
    assert next_cycle_end("2025-11-01T00:00:00.000Z", NOW, (0, 30)) == datetime(2026, 1, 30, tzinfo=timezone.utc)


def test_the_providers_clock_comes_from_its_date_header():
    class Client(object):
        last_date_header = "Tue, 09 Feb 2027 10:00:00 GMT"
    assert provider_now(Client()) == datetime(2027, 2, 9, 10, tzinfo=timezone.utc)


def test_without_a_date_header_the_local_clock_is_used():
    assert abs((provider_now(None) - datetime.now(timezone.utc)).total_seconds()) < 60


def test_the_amount_to_cover_adds_min_balance_to_what_is_due():
    figures = runway([server("1", "2026-01-20T00:00:00Z")], Decimal("5"), MONTHLY, NOW, 30)
    assert amount_to_cover(figures) == Decimal("2.00")
    assert amount_to_cover(figures, min_balance=10) == Decimal("12.00")


def test_iso_dates_with_milliseconds_are_read():
    assert parse_time("2026-01-20T00:00:00.250Z") == datetime(2026, 1, 20, 0, 0, 0, 250000, tzinfo=timezone.utc)
