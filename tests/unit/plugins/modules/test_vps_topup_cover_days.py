# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""vps_topup cover_days against the sandbox: pay only when the runway is short, never too little, once."""

from __future__ import annotations

from ansible_collections.vpsfleet.cloud.plugins.modules import vps_topup
from ansible_collections.vpsfleet.cloud.tests.unit.plugins.modules._lifecycle_sandbox import (  # noqa: F401  pylint: disable=unused-import
    api_requests, connect, sandbox, sandbox_process,
)
from ansible_collections.vpsfleet.cloud.tests.unit.plugins.modules._run import run_module


def short_account(sandbox, balance_usd=10, servers=2):
    """An account whose 7 USD servers renew within 30 days (seeded at no charge)."""
    args, account = connect(sandbox, "vpscrypto", balance_usd=balance_usd)
    sandbox.seed_servers(args["api_key"], servers, plan="scout")
    sandbox.control("DELETE", "/requests")
    return dict(args, amount=25, coin="BTC", cover_days=35), account


def topup_posts(sandbox):
    return [line for line in api_requests(sandbox, "POST") if line == "POST /topups"]


def test_a_covered_runway_changes_nothing(sandbox):
    args, _account = short_account(sandbox, balance_usd=100)
    run = run_module(vps_topup.main, args)
    assert not run.failed, run.result
    assert (run.result["changed"], run.result["topup_needed"], run.result["runway"]["covered"]) == (False, False, True)
    assert topup_posts(sandbox) == []


def test_a_short_runway_is_topped_up_by_amount_once(sandbox):
    args, _account = short_account(sandbox)
    run = run_module(vps_topup.main, args)
    assert not run.failed, run.result
    assert run.result["changed"] and run.result["topup"]["amount_usd"] == 25
    assert run.result["runway"]["short_usd"] == 4.0
    assert topup_posts(sandbox) == ["POST /topups"]


def test_once_the_top_up_is_credited_the_same_task_changes_nothing(sandbox):
    args, _account = short_account(sandbox)
    ref = run_module(vps_topup.main, args).result["topup"]["ref"]
    sandbox.control("POST", "/topups/%s/settle" % ref)
    again = run_module(vps_topup.main, args)
    assert (again.failed, again.result["changed"], again.result["topup_needed"]) == (False, False, False)
    assert len(topup_posts(sandbox)) == 1


def test_an_amount_that_would_not_cover_the_runway_fails_before_paying_and_names_the_sum(sandbox):
    args, _account = short_account(sandbox, balance_usd=0, servers=5)  # 35 USD due
    run = run_module(vps_topup.main, args)
    assert run.failed
    assert "lacks 35.00 USD" in run.result["msg"] and "set amount to at least 35.00" in run.result["msg"]
    assert topup_posts(sandbox) == []


def test_min_balance_is_kept_on_top_of_the_renewals(sandbox):
    args, _account = short_account(sandbox, balance_usd=14)  # 14 USD due: covered, but nothing left
    covered = run_module(vps_topup.main, args)
    assert covered.result["topup_needed"] is False
    keeping = run_module(vps_topup.main, dict(args, min_balance=5))
    assert keeping.result["topup_needed"] is True and keeping.result["changed"]


def test_check_mode_previews_the_top_up_and_creates_none(sandbox):
    args, _account = short_account(sandbox)
    run = run_module(vps_topup.main, args, check_mode=True)
    assert not run.failed, run.result
    assert run.result["changed"] and run.result["planned"]["amount_usd"] == 25
    assert run.result["topup"] is None
    assert topup_posts(sandbox) == []


def test_cover_days_below_one_fails_before_any_request(sandbox):
    args, _account = short_account(sandbox)
    run = run_module(vps_topup.main, dict(args, cover_days=0))
    assert run.failed and "cover_days must be a whole number of days, 1 or more" in run.result["msg"]
    assert api_requests(sandbox) == []
