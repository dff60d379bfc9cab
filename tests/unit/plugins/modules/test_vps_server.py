# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""vps_server against the sandbox: argument checks, resolution, idempotency, check and diff mode, failures."""

from __future__ import annotations

from ansible_collections.vpsfleet.cloud.plugins.modules import vps_server, vps_server_info
from ansible_collections.vpsfleet.cloud.tests.unit.plugins.modules._lifecycle_sandbox import (  # noqa: F401  pylint: disable=unused-import
    api_requests, charges, connect, connect_args, mutating_requests, order_directly, sandbox, sandbox_process)
from ansible_collections.vpsfleet.cloud.tests.unit.plugins.modules._run import run_module

VPSCRYPTO_ORDER = dict(name="web-1", plan="hunter", location="nl", os="debian-13")
OTWA_ORDER = dict(name="api-1", plan="Cloud S", location="de-fra-01", os="debian-13")


def test_neither_id_nor_name_fails_before_any_request(sandbox):
    args = connect_args(sandbox, "vpscrypto", plan="hunter")

    run = run_module(vps_server.main, args)

    assert run.failed and "one of the following is required: id, name" in run.result["msg"]
    assert api_requests(sandbox) == []


def test_rebuilt_without_os_fails_before_any_request(sandbox):
    args = connect_args(sandbox, "otwa", name="api-1", state="rebuilt")

    run = run_module(vps_server.main, args)

    assert run.failed and "os" in run.result["msg"]
    assert api_requests(sandbox) == []


def test_absent_on_vpscrypto_is_not_offered_and_sends_nothing(sandbox):
    args = connect_args(sandbox, "vpscrypto", name="web-1", state="absent")

    run = run_module(vps_server.main, args)

    assert run.failed
    assert run.result["msg"] == "VPSCrypto does not offer terminating servers through its API (offered by: Otwa Cloud)"
    assert api_requests(sandbox) == []


def test_a_root_password_for_otwa_fails_before_any_request(sandbox):
    args = connect_args(sandbox, "otwa", root_password="correct-horse-battery", **OTWA_ORDER)

    run = run_module(vps_server.main, args)

    assert run.failed and "Otwa Cloud generates the root password" in run.result["msg"]
    assert "correct-horse-battery" not in run.output
    assert api_requests(sandbox) == []


def test_an_unknown_plan_fails_with_the_catalog_choices_and_orders_nothing(sandbox):
    args = connect_args(sandbox, "vpscrypto", **{**VPSCRYPTO_ORDER, "plan": "huntr"})

    run = run_module(vps_server.main, args)

    assert run.failed
    assert "unknown plan 'huntr'" in run.result["msg"] and "hunter (Hunter)" in run.result["choices"]
    assert mutating_requests(sandbox) == []


def test_plan_location_and_os_are_accepted_by_display_name(sandbox):
    by_display_name = {**VPSCRYPTO_ORDER, "plan": "Hunter", "location": "Netherlands", "os": "Debian 13", "cycle": "annual"}
    args, account = connect(sandbox, "vpscrypto", balance_usd=200, **by_display_name)

    run = run_module(vps_server.main, args)

    assert not run.failed, run.result
    ordered = [server for server in sandbox.servers() if server["hostname"] == "web-1"]
    assert [(server["location"], server["os"]) for server in ordered] == [("nl", "debian-13")]
    assert run.result["price_usd"] == 140.0 and run.result["server"]["cycle"] == "annual"
    assert [entry["amount_usd"] for entry in charges(sandbox, account)] == [140.0]


def test_an_order_waits_for_running_with_an_ip_and_returns_the_generated_password(sandbox):
    args = connect_args(sandbox, "vpscrypto", **VPSCRYPTO_ORDER)

    run = run_module(vps_server.main, args)

    assert run.result["changed"] is True
    assert run.result["server"]["status"] == "running" and run.result["server"]["ip"]
    assert run.result["root_password"]


def test_otwa_reads_the_root_password_from_credentials_once_running(sandbox):
    args = connect_args(sandbox, "otwa", **OTWA_ORDER)

    run = run_module(vps_server.main, args)

    assert not run.failed, run.result
    assert "GET /servers/%s/credentials" % run.result["server"]["id"] in api_requests(sandbox)
    assert run.result["root_password"]


def test_otwa_orders_carry_an_idempotency_key(sandbox):
    args = connect_args(sandbox, "otwa", wait=False, **OTWA_ORDER)

    run_module(vps_server.main, args)

    posts = [entry for entry in sandbox.requests_log() if entry["method"] == "POST" and entry["path"] == "/servers"]
    assert len(posts) == 1 and posts[0].get("idempotency_key")


def test_a_second_run_with_the_same_name_changes_nothing_and_orders_nothing(sandbox):
    args, account = connect(sandbox, "vpscrypto", **VPSCRYPTO_ORDER)
    first = run_module(vps_server.main, args)

    second = run_module(vps_server.main, args)

    assert second.result["changed"] is False
    assert second.result["server"]["id"] == first.result["server"]["id"]
    assert "root_password" not in second.result
    assert len(charges(sandbox, account)) == 1


def test_two_servers_with_the_name_fail_listing_both_ids(sandbox):
    args = connect_args(sandbox, "vpscrypto", **VPSCRYPTO_ORDER)
    body = {"plan": "scout", "location": "nl", "os": "debian-13", "hostname": "web-1"}
    ids = sorted([str(order_directly(sandbox, args, body)["id"]), str(order_directly(sandbox, args, body)["id"])])

    run = run_module(vps_server.main, args)

    assert run.failed
    assert "2 servers are named 'web-1'" in run.result["msg"]
    assert sorted(run.result["server_ids"]) == ids


def test_a_different_os_on_an_existing_server_warns_about_state_rebuilt_and_changes_nothing(sandbox, capsys):
    args = connect_args(sandbox, "otwa", **OTWA_ORDER)
    run_module(vps_server.main, args)

    run = run_module(vps_server.main, dict(args, os="ubuntu-24.04"))

    assert run.result["changed"] is False
    assert "use state: rebuilt to reinstall it" in capsys.readouterr().err
    assert [server["os"] for server in sandbox.servers()] == ["debian-13"]


def test_check_mode_cannot_promise_that_the_balance_covers_otwa_addons(sandbox, capsys):
    # Otwa prices add-ons only for existing servers: a balance above the plan price proves nothing.
    args = connect(sandbox, "otwa", balance_usd=100, addons=["vpk7wjf5"], **OTWA_ORDER)[0]
    short = connect(sandbox, "otwa", balance_usd=1, addons=["vpk7wjf5"], **OTWA_ORDER)[0]

    covered = run_module(vps_server.main, args, check_mode=True)
    not_covered = run_module(vps_server.main, short, check_mode=True)

    assert covered.result["balance_covers"] is None
    assert not_covered.result["balance_covers"] is False
    assert "plus its add-ons, the balance is $1.00" in capsys.readouterr().err


def test_check_mode_reports_price_and_balance_and_orders_nothing(sandbox, capsys):
    args, account = connect(sandbox, "vpscrypto", balance_usd=10, **VPSCRYPTO_ORDER)

    run = run_module(vps_server.main, args, check_mode=True)

    assert run.result["changed"] is True
    assert (run.result["price_usd"], run.result["balance_usd"], run.result["balance_covers"]) == (14.0, 10.0, False)
    assert "the balance is $10.00; top up with vpsfleet.cloud.vps_topup" in capsys.readouterr().err
    assert mutating_requests(sandbox) == [] and sandbox.servers() == [] and charges(sandbox, account) == []


def test_diff_of_an_order_shows_the_planned_server_without_provider_data(sandbox):
    args = connect_args(sandbox, "vpscrypto", **VPSCRYPTO_ORDER)

    run = run_module(vps_server.main, args, check_mode=True, diff=True)

    assert run.result["diff"]["before"] == {}
    after = run.result["diff"]["after"]
    assert (after["name"], after["plan"], after["location"], after["os"]) == ("web-1", "Hunter", "nl", "debian-13")
    assert "provider_data" not in after


def test_rename_in_check_mode_shows_the_new_name_in_the_diff_and_sends_nothing(sandbox):
    args = connect_args(sandbox, "otwa", **OTWA_ORDER)
    server_id = run_module(vps_server.main, args).result["server"]["id"]

    run = run_module(vps_server.main, dict(args, id=server_id, name="api-renamed"), check_mode=True, diff=True)

    assert run.result["changed"] is True
    assert (run.result["diff"]["before"]["name"], run.result["diff"]["after"]["name"]) == ("api-1", "api-renamed")
    assert not any(line.startswith("PATCH") for line in api_requests(sandbox))


def test_an_order_the_balance_does_not_cover_fails_with_price_balance_and_topup_hint(sandbox):
    args = connect_args(sandbox, "vpscrypto", balance_usd=5, **VPSCRYPTO_ORDER)

    run = run_module(vps_server.main, args)

    assert run.failed and run.result["changed"] is False
    assert run.result["msg"] == ("insufficient balance: the order costs $14.00, the balance is $5.00; "
                                 "top up with vpsfleet.cloud.vps_topup")


def test_a_lost_vpscrypto_order_answer_is_looked_up_by_name_not_ordered_again(sandbox):
    args, account = connect(sandbox, "vpscrypto", **VPSCRYPTO_ORDER)
    sandbox.configure(faults=[{"method": "POST", "path": "^/servers$", "kind": "drop_after_effect", "times": 1}])

    run = run_module(vps_server.main, args)

    assert not run.failed, run.result
    assert api_requests(sandbox, "POST") == ["POST /servers"]
    assert len(sandbox.servers()) == 1 and len(charges(sandbox, account)) == 1


def test_a_recovered_vpscrypto_order_still_returns_the_generated_password(sandbox):
    args = connect_args(sandbox, "vpscrypto", **VPSCRYPTO_ORDER)
    sandbox.configure(faults=[{"method": "POST", "path": "^/servers$", "kind": "drop_after_effect", "times": 1}])

    run = run_module(vps_server.main, args)

    server_id = run.result["server"]["id"]
    assert "GET /servers/%s/credentials" % server_id in api_requests(sandbox)
    connection = dict((key, args[key]) for key in ("provider", "api_key", "api_url"))
    info = run_module(vps_server_info.main, dict(connection, id=server_id, include_credentials=True))
    assert run.result["root_password"] == info.result["servers"][0]["credentials"]["password"]


def test_a_wait_that_times_out_after_ordering_still_reports_the_change_and_the_password(sandbox):
    args, account = connect(sandbox, "vpscrypto", wait_timeout=1, _ansible_no_log=True, **VPSCRYPTO_ORDER)
    sandbox.configure(provision_delay=30)

    run = run_module(vps_server.main, args)

    assert run.failed and "timed out" in run.result["msg"]
    assert run.result["changed"] is True
    assert run.result["server"]["id"] == str(sandbox.servers()[0]["id"])
    assert run.result["root_password"]
    assert len(charges(sandbox, account)) == 1


def test_a_failure_of_a_task_without_no_log_leaves_the_root_password_out(sandbox):
    args = connect_args(sandbox, "vpscrypto", wait_timeout=1, **VPSCRYPTO_ORDER)
    sandbox.configure(provision_delay=30)

    run = run_module(vps_server.main, args)

    assert run.failed and run.result["changed"] is True
    assert "root_password" not in run.result
    assert "root_password left out of this failure" in run.result["msg"]


def test_a_root_password_shorter_than_vpscrypto_accepts_fails_before_any_request(sandbox):
    args = connect_args(sandbox, "vpscrypto", root_password="short", **VPSCRYPTO_ORDER)

    run = run_module(vps_server.main, args)

    assert run.failed and "at least 10 characters, it has 5" in run.result["msg"]
    assert "short" not in run.result["msg"]
    assert api_requests(sandbox) == []


def test_renaming_onto_the_name_of_another_server_fails_and_renames_nothing(sandbox):
    args = connect_args(sandbox, "otwa", wait=False, **OTWA_ORDER)
    first = run_module(vps_server.main, args).result["server"]
    run_module(vps_server.main, dict(args, name="api-2"))

    run = run_module(vps_server.main, dict(args, id=first["id"], name="api-2"))

    assert run.failed and "already has that name" in run.result["msg"]
    assert api_requests(sandbox, "PATCH") == []


def test_terminating_without_the_destroy_scope_says_which_scope_is_missing(sandbox):
    args = connect_args(sandbox, "otwa", scopes=["account:read", "servers:read", "servers:write"], **OTWA_ORDER)
    run_module(vps_server.main, args)

    run = run_module(vps_server.main, dict(args, state="absent"))

    assert run.failed and "servers:destroy" in run.result["msg"]
    assert args["api_key"] not in run.output


def test_absent_for_a_missing_server_changes_nothing(sandbox):
    args = connect_args(sandbox, "otwa", name="never-ordered", state="absent")

    run = run_module(vps_server.main, args)

    assert not run.failed and run.result["changed"] is False


def test_diff_of_an_existing_vpscrypto_server_carries_the_plan_specs_the_result_returns(sandbox):
    args = connect_args(sandbox, "vpscrypto", **VPSCRYPTO_ORDER)
    assert not run_module(vps_server.main, dict(args, wait=False)).failed

    run = run_module(vps_server.main, dict(args, wait=False), diff=True)

    specs = ("vcpu", "ram_mb", "disk_gb", "bandwidth_gb")
    server = run.result["server"]
    assert all(server[field] is not None for field in specs), server
    for state in (run.result["diff"]["before"], run.result["diff"]["after"]):
        assert dict((field, state[field]) for field in specs) == dict((field, server[field]) for field in specs)


def test_a_vpscrypto_rename_by_id_fails_before_any_request(sandbox):
    args = connect_args(sandbox, "vpscrypto", id="42", name="web-renamed")

    run = run_module(vps_server.main, args)

    assert run.failed and "VPSCrypto does not offer renaming servers" in run.result["msg"]
    assert api_requests(sandbox) == []


def test_a_rebuild_in_check_mode_warns_that_a_real_one_needs_the_destroy_scope(sandbox, capsys):
    args = connect_args(sandbox, "otwa", **OTWA_ORDER)
    assert not run_module(vps_server.main, args).failed

    run = run_module(vps_server.main, dict(args, state="rebuilt", os="ubuntu-24.04"), check_mode=True)

    assert not run.failed and run.result["changed"] is True
    assert "needs an API key with the servers:destroy scope" in capsys.readouterr().err
