# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""vps_fleet with ``accounts``: one task for a fleet at several providers, planned in full before any order."""

from __future__ import annotations

import os

import pytest

from ansible_collections.vpsfleet.cloud.plugins.modules import vps_fleet
from ansible_collections.vpsfleet.cloud.tests.unit.plugins.modules._lifecycle_sandbox import (  # noqa: F401  pylint: disable=unused-import
    api_requests, charges, connect, mutating_requests, sandbox, sandbox_process)
from ansible_collections.vpsfleet.cloud.tests.unit.plugins.modules._run import run_module
from ansible_collections.vpsfleet.cloud.tests.unit.plugins.modules.test_vps_fleet import API, WEB, fleet

SHARED = dict(api_retries=2, api_retry_max_delay=0.05)


def two_accounts(sandbox, vpscrypto_balance=100, otwa_balance=100):
    """(module arguments with both accounts, the VPSCrypto account, the Otwa account)."""
    vpscrypto_args, vpscrypto = connect(sandbox, "vpscrypto", balance_usd=vpscrypto_balance)
    otwa_args, otwa = connect(sandbox, "otwa", balance_usd=otwa_balance)
    accounts = [dict((key, args[key]) for key in ("provider", "api_key", "api_url")) for args in (vpscrypto_args, otwa_args)]
    return dict(SHARED, accounts=accounts), vpscrypto, otwa


def test_one_task_orders_and_waits_for_the_fleet_at_both_providers(sandbox):
    args, vpscrypto, otwa = two_accounts(sandbox)

    run = run_module(vps_fleet.main, dict(args, servers=fleet("web", 2) + fleet("api", 2, "otwa", API),
                                          include_credentials=True), diff=True)

    assert not run.failed, run.result
    assert run.result["changed"] is True
    assert run.result["ordered"] == ["web-1", "web-2", "api-1", "api-2"]
    assert run.result["accounts"][0]["cost_usd"] == 28.0  # 2 x hunter at 14 USD
    assert run.result["cost_usd"] == 28.0 + run.result["accounts"][1]["cost_usd"] > 28.0
    assert [(report["provider"], report["ordered"], report["balance_covers"]) for report in run.result["accounts"]] == [
        ("vpscrypto", ["web-1", "web-2"], True), ("otwa", ["api-1", "api-2"], True)]
    assert [(server["provider"], server["name"], server["status"]) for server in run.result["servers"]] == [
        ("vpscrypto", "web-1", "running"), ("vpscrypto", "web-2", "running"),
        ("otwa", "api-1", "running"), ("otwa", "api-2", "running")]
    assert all(server["credentials"]["password"] for server in run.result["servers"])
    assert "balance_usd" not in run.result  # one balance per account, under accounts
    assert run.result["diff"]["after"] == {"servers": ["api-1", "api-2", "web-1", "web-2"]}
    assert len(charges(sandbox, vpscrypto)) == 2 and len(charges(sandbox, otwa)) == 2


def test_a_second_run_orders_nothing_at_either_provider(sandbox):
    args, dummy_vpscrypto, dummy_otwa = two_accounts(sandbox)
    servers = fleet("web", 1) + fleet("api", 1, "otwa", API)
    first = run_module(vps_fleet.main, dict(args, servers=servers))
    posts = mutating_requests(sandbox)

    second = run_module(vps_fleet.main, dict(args, servers=servers))

    assert first.result["changed"] is True and second.result["changed"] is False, second.result
    assert second.result["ordered"] == [] and mutating_requests(sandbox) == posts


@pytest.mark.parametrize("short", ["vpscrypto", "otwa"])
def test_one_short_balance_stops_every_account_before_any_order(sandbox, short):
    balances = {"vpscrypto": 100, "otwa": 100}
    balances[short] = 1
    args, vpscrypto, otwa = two_accounts(sandbox, balances["vpscrypto"], balances["otwa"])

    run = run_module(vps_fleet.main, dict(args, servers=fleet("web", 1) + fleet("api", 1, "otwa", API)))

    assert run.failed
    label = "VPSCrypto" if short == "vpscrypto" else "Otwa"
    assert run.result["msg"].startswith(label), run.result["msg"]
    assert "insufficient balance" in run.result["msg"] and "nothing was ordered" in run.result["msg"]
    assert run.result["changed"] is False
    assert mutating_requests(sandbox) == [] and charges(sandbox, vpscrypto) == [] and charges(sandbox, otwa) == []


def test_check_mode_plans_both_accounts_and_orders_nothing(sandbox):
    args, dummy_vpscrypto, dummy_otwa = two_accounts(sandbox, otwa_balance=1)

    run = run_module(vps_fleet.main, dict(args, servers=fleet("web", 1) + fleet("api", 1, "otwa", API)),
                     check_mode=True)

    assert not run.failed, run.result
    assert [(report["provider"], report["ordered"], report["balance_covers"]) for report in run.result["accounts"]] == [
        ("vpscrypto", ["web-1"], True), ("otwa", ["api-1"], False)]
    assert mutating_requests(sandbox) == []


@pytest.mark.parametrize("servers, accounts, message", [
    ([dict(WEB, name="web-1")], ["vpscrypto", "otwa"], "every server names its provider; these do not: web-1"),
    ([dict(API, name="api-1", provider="otwa")], ["vpscrypto"], "accounts does not list (it lists vpscrypto): api-1"),
    ([dict(WEB, name="web-1", provider="vpscrypto")], ["vpscrypto", "vpscrypto"], "lists vpscrypto more than once"),
], ids=["no-provider", "no-account", "account-twice"])
def test_servers_and_accounts_that_do_not_match_fail_before_any_request(sandbox, servers, accounts, message):
    args, dummy_vpscrypto, dummy_otwa = two_accounts(sandbox)
    by_provider = dict((account["provider"], account) for account in args["accounts"])
    sandbox.control("DELETE", "/requests")

    run = run_module(vps_fleet.main, dict(args, accounts=[by_provider[name] for name in accounts], servers=servers))

    assert run.failed and message in run.result["msg"], run.result
    assert api_requests(sandbox) == []


def test_accounts_take_the_place_of_a_provider_and_key_that_module_defaults_may_set(sandbox):
    args, dummy_vpscrypto, dummy_otwa = two_accounts(sandbox)
    defaults = dict(provider="otwa", api_key="a-key-of-another-account-0123456789")

    run = run_module(vps_fleet.main, dict(args, servers=fleet("web", 1) + fleet("api", 1, "otwa", API), wait=False,
                                          **defaults))

    assert not run.failed, run.result
    assert run.result["ordered"] == ["web-1", "api-1"]


def test_the_account_keys_and_root_passwords_are_never_in_the_output(sandbox):
    args, dummy_vpscrypto, dummy_otwa = two_accounts(sandbox)

    run = run_module(vps_fleet.main, dict(args, servers=fleet("web", 1) + fleet("api", 1, "otwa", API), wait=False))

    assert not run.failed, run.result
    assert all(account["api_key"] in sandbox.secrets() for account in args["accounts"])
    assert not [secret for secret in sandbox.secrets() if secret in run.output]


def test_a_refused_key_at_one_account_is_named_and_nothing_is_ordered_at_the_other(sandbox):
    args, vpscrypto, dummy_otwa = two_accounts(sandbox)
    wrong_key = "otwa-key-that-does-not-exist-0123456789"
    args["accounts"][1]["api_key"] = wrong_key

    run = run_module(vps_fleet.main, dict(args, servers=fleet("web", 1) + fleet("api", 1, "otwa", API)))

    assert run.failed
    assert run.result["msg"].startswith("Otwa Cloud: ") and "OTWA_API_KEY" in run.result["msg"], run.result["msg"]
    assert run.result["failure"]["status"] == 401
    assert wrong_key not in run.output
    assert mutating_requests(sandbox) == [] and charges(sandbox, vpscrypto) == []


def test_orders_failing_at_one_account_leave_the_others_standing_and_a_rerun_orders_only_what_is_missing(sandbox):
    args, vpscrypto, otwa = two_accounts(sandbox)
    servers = fleet("web", 1) + fleet("api", 1, "otwa", API)
    # Refused before any handler ran (a 429), so the order surely did not go through.
    sandbox.configure(faults=[{"method": "POST", "path": "^/servers$", "provider": "vpscrypto", "kind": "429",
                               "retry_after": 0, "times": 10}])
    first = run_module(vps_fleet.main, dict(args, servers=servers, wait=False))
    sandbox.configure(faults=[])

    second = run_module(vps_fleet.main, dict(args, servers=servers, wait=False))

    assert first.failed and first.result["msg"].startswith("VPSCrypto: 1 of 1 order(s) failed"), first.result["msg"]
    assert first.result["changed"] is True  # the Otwa order went through
    assert [report["ordered"] for report in first.result["accounts"]] == [[], ["api-1"]]
    assert not second.failed and second.result["ordered"] == ["web-1"], second.result.get("msg")
    assert len(charges(sandbox, vpscrypto)) == 1 and len(charges(sandbox, otwa)) == 1


def test_a_refused_key_of_a_single_account_fails_cleanly_with_its_hint(sandbox):
    args, dummy_account = connect(sandbox, "otwa", balance_usd=100)
    account = dict(provider="otwa", api_key="otwa-wrong-key-0123456789abc", api_url=args["api_url"])

    run = run_module(vps_fleet.main, dict(SHARED, accounts=[account], servers=fleet("api", 1, "otwa", API)))

    assert run.failed and "OTWA_API_KEY" in run.result["msg"], run.result["msg"]
    assert run.result["failure"]["status"] == 401 and "Traceback" not in run.result["msg"]


def test_a_short_balance_at_one_account_reports_nothing_ordered_at_any(sandbox):
    args, dummy_vpscrypto, dummy_otwa = two_accounts(sandbox, otwa_balance=1)

    run = run_module(vps_fleet.main, dict(args, servers=fleet("web", 1) + fleet("api", 1, "otwa", API)))

    assert run.failed
    assert run.result["ordered"] == [] and [report["ordered"] for report in run.result["accounts"]] == [[], []]


def test_credentials_read_by_one_account_stay_out_of_another_accounts_failure(sandbox):
    args, dummy_vpscrypto, dummy_otwa = two_accounts(sandbox)
    sandbox.configure(faults=[{"method": "GET", "path": "/credentials$", "provider": "otwa", "kind": "503",
                               "retry_after": 0, "times": 100}])

    run = run_module(vps_fleet.main, dict(args, servers=fleet("web", 1) + fleet("api", 1, "otwa", API),
                                          include_credentials=True))

    assert run.failed and run.result["msg"].startswith("Otwa Cloud: "), run.result["msg"]
    assert "credentials left out of this failure" in run.result["msg"]
    assert not [server for server in run.result["servers"] if server.get("credentials")]
    assert not [secret for secret in sandbox.secrets() if secret in run.output]


def test_orders_that_went_through_are_read_again_for_late_duplicates_when_another_account_failed(sandbox):
    args, dummy_vpscrypto, dummy_otwa = two_accounts(sandbox)
    sandbox.configure(faults=[{"method": "POST", "path": "^/servers$", "provider": "otwa", "kind": "429",
                               "retry_after": 0, "times": 10}])

    run = run_module(vps_fleet.main, dict(args, servers=fleet("web", 1) + fleet("api", 1, "otwa", API)))

    vpscrypto_requests = ["%s %s" % (entry["method"], entry["path"]) for entry in sandbox.requests_log()
                          if entry.get("provider") == "vpscrypto"]
    after_order = vpscrypto_requests[vpscrypto_requests.index("POST /servers") + 1:]
    assert run.failed and run.result["msg"].startswith("Otwa Cloud: 1 of 1 order(s) failed"), run.result["msg"]
    assert run.result["changed"] is True
    # Read back at once, and again once the order is 3 seconds old, as when every account succeeds.
    assert after_order.count("GET /servers") == 2, after_order


def test_an_empty_fleet_over_no_accounts_does_nothing(sandbox):
    sandbox.control("DELETE", "/requests")

    run = run_module(vps_fleet.main, dict(SHARED, accounts=[], servers=[]))

    assert not run.failed, run.result
    assert (run.result["changed"], run.result["ordered"], run.result["servers"]) == (False, [], [])
    assert api_requests(sandbox) == []


def test_an_account_whose_lock_another_run_holds_holds_back_every_order(sandbox):
    from ansible_collections.vpsfleet.cloud.plugins.module_utils._core.journal import Journal, account_ref
    args, vpscrypto, otwa = two_accounts(sandbox)
    otwa_journal = Journal(os.environ["VPSFLEET_JOURNAL_DIR"], account_ref("otwa", args["accounts"][1]["api_key"]))

    with otwa_journal.order_lock(5):  # a concurrent run on this controller is ordering at Otwa
        run = run_module(vps_fleet.main, dict(args, servers=fleet("web", 1) + fleet("api", 1, "otwa", API),
                                              lock_timeout=0))

    assert run.failed and "nothing was ordered, paid or minted" in run.result["msg"], run.result["msg"]
    assert mutating_requests(sandbox) == [] and charges(sandbox, vpscrypto) == [] and charges(sandbox, otwa) == []
