# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""vps_account_info's runway against the sandbox: its renewals after a clock advance, both providers alike."""

from __future__ import annotations

from ansible_collections.vpsfleet.cloud.plugins.modules import vps_account_info
from ansible_collections.vpsfleet.cloud.tests.unit.plugins.modules._lifecycle_sandbox import (  # noqa: F401  pylint: disable=unused-import
    connect, sandbox, sandbox_process,
)
from ansible_collections.vpsfleet.cloud.tests.unit.plugins.modules._run import run_module

DAY = 86400


def account_info(args, **extra):
    run = run_module(vps_account_info.main, dict(args, **extra))
    assert not run.failed, run.result
    return run.result


def test_after_a_clock_advance_the_runway_lists_the_renewal_the_sandbox_will_charge_next(sandbox):
    args, account = connect(sandbox, "vpscrypto", balance_usd=10)
    sandbox.seed_servers(args["api_key"], 1, plan="scout")  # 7 USD a month, seeded at no charge
    sandbox.advance_clock(31 * DAY)  # the first renewal: 10 - 7 = 3 left
    runway = account_info(args, runway_days=35)["runway"]
    next_due = [s for s in sandbox.servers() if s["account"] == account["account_id"]][0]["expires_at"]
    assert [(r["due_at"], r["amount_usd"]) for r in runway["renewals"]] == [(next_due, 7.0)]
    assert (runway["balance_usd"], runway["due_usd"], runway["covered"], runway["short_usd"]) == (3.0, 7.0, False, 4.0)
    assert runway["covered_until"] == next_due


def test_both_providers_list_the_renewals_the_sandbox_has_scheduled_and_add_them_up_alike(sandbox):
    for provider in ("vpscrypto", "otwa"):
        args, account = connect(sandbox, provider, balance_usd=5)
        sandbox.seed_servers(args["api_key"], 2)
        runway = account_info(args, runway_days=40)["runway"]
        scheduled = sorted((s["expires_at"], s["price_usd"]) for s in sandbox.servers()
                           if s["account"] == account["account_id"])
        listed = [(r["due_at"], r["amount_usd"]) for r in runway["renewals"]]
        assert listed == scheduled, provider
        total = round(sum(price for _due, price in scheduled), 2)
        assert (runway["due_usd"], runway["balance_usd"], runway["covered"], runway["short_usd"]) == (
            total, 5.0, False, round(total - 5, 2)), provider
        assert runway["covered_until"] == scheduled[0][0], provider


def test_a_balance_that_pays_every_renewal_is_covered_to_the_end_of_the_window(sandbox):
    args, _account = connect(sandbox, "otwa", balance_usd=500)
    sandbox.seed_servers(args["api_key"], 1)
    runway = account_info(args, runway_days=10)["runway"]
    assert (runway["covered"], runway["renewals"], runway["short_usd"]) == (True, [], 0.0)


def test_runway_days_zero_reads_no_servers(sandbox):
    args, _account = connect(sandbox, "vpscrypto")
    sandbox.control("DELETE", "/requests")
    result = account_info(args, runway_days=0)
    assert "runway" not in result
    assert not [entry for entry in sandbox.requests_log() if entry["path"] == "/servers"]


def test_a_negative_runway_days_fails_before_any_request(sandbox):
    args, _account = connect(sandbox, "vpscrypto")
    sandbox.control("DELETE", "/requests")
    run = run_module(vps_account_info.main, dict(args, runway_days=-1))
    assert run.failed and "runway_days must be 0 or more" in run.result["msg"]
    assert sandbox.requests_log() == []


def test_an_otwa_key_that_may_not_list_servers_gets_the_account_and_no_runway_with_a_warning(sandbox, capsys):
    args, _account = connect(sandbox, "otwa", scopes=["account:read"])
    result = account_info(args)
    assert result["account"]["balance_usd"] == 100.0
    assert result["runway"] is None
    assert "runway left out: the API key may not list servers" in capsys.readouterr().err
