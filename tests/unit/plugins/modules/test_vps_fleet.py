# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""vps_fleet against the sandbox: plan, order the missing servers together, wait for all, never twice."""

from __future__ import annotations

from ansible_collections.vpsfleet.cloud.plugins.modules import vps_catalog_info, vps_fleet
from ansible_collections.vpsfleet.cloud.tests.unit.plugins.modules._lifecycle_sandbox import (  # noqa: F401  pylint: disable=unused-import
    api_requests, charges, connect, mutating_requests, order_directly, sandbox, sandbox_process)
from ansible_collections.vpsfleet.cloud.tests.unit.plugins.modules._run import run_module

WEB = {"plan": "hunter", "location": "nl", "os": "debian-13"}  # 14 USD a month
API = {"plan": "Cloud S", "location": "de-fra-01", "os": "debian-13"}


def fleet(prefix, count, provider="vpscrypto", spec=None):
    return [dict(spec or WEB, name="%s-%d" % (prefix, number), provider=provider) for number in range(1, count + 1)]


def test_check_mode_lists_what_is_missing_with_its_cost_and_orders_nothing(sandbox):
    args, account = connect(sandbox, "vpscrypto", balance_usd=100)
    sandbox.seed_servers(args["api_key"], 1, name_prefix="web", plan="hunter")  # web-0001 exists

    run = run_module(vps_fleet.main, dict(args, servers=fleet("web", 3) + [dict(WEB, name="web-0001")]),
                     check_mode=True, diff=True)

    assert not run.failed, run.result
    assert run.result["changed"] is True
    assert (run.result["ordered"], run.result["cost_usd"]) == (["web-1", "web-2", "web-3"], 42.0)
    assert (run.result["balance_usd"], run.result["balance_covers"]) == (100.0, True)
    assert [server["name"] for server in run.result["servers"]] == ["web-1", "web-2", "web-3", "web-0001"]
    assert run.result["diff"] == {"before": {"servers": ["web-0001"]},
                                  "after": {"servers": ["web-0001", "web-1", "web-2", "web-3"]}}
    assert mutating_requests(sandbox) == [] and charges(sandbox, account) == []


def test_missing_servers_are_ordered_together_and_waited_for_with_one_list_per_round(sandbox):
    args, account = connect(sandbox, "otwa", balance_usd=100)

    run = run_module(vps_fleet.main, dict(args, servers=fleet("api", 3, "otwa", API), include_credentials=True))

    assert not run.failed, run.result
    assert run.result["ordered"] == ["api-1", "api-2", "api-3"]
    assert [(server["name"], server["status"]) for server in run.result["servers"]] == [
        ("api-1", "running"), ("api-2", "running"), ("api-3", "running")]
    assert all(server["ip"] and server["credentials"]["password"] for server in run.result["servers"])
    assert len(charges(sandbox, account)) == 3
    # Waiting reads the server list, never one server after another.
    assert not [line for line in api_requests(sandbox, "GET") if line.startswith("GET /servers/")
                and not line.endswith("/credentials")]


def test_a_second_run_orders_nothing_and_pays_nothing(sandbox):
    args, account = connect(sandbox, "vpscrypto", balance_usd=100)
    servers = fleet("web", 2)
    first = run_module(vps_fleet.main, dict(args, servers=servers))
    posts = mutating_requests(sandbox)

    second = run_module(vps_fleet.main, dict(args, servers=servers))

    assert first.result["changed"] is True and second.result["changed"] is False, second.result
    assert second.result["ordered"] == [] and mutating_requests(sandbox) == posts
    assert len(charges(sandbox, account)) == 2
    assert [server["id"] for server in second.result["servers"]] == [server["id"] for server in first.result["servers"]]


def test_entries_of_the_other_provider_are_left_to_its_own_task(sandbox):
    args, dummy_account = connect(sandbox, "vpscrypto", balance_usd=100)

    run = run_module(vps_fleet.main, dict(args, servers=fleet("web", 1) + fleet("api", 1, "otwa", API), wait=False))

    assert run.result["ordered"] == ["web-1"]
    assert [server["name"] for server in run.result["servers"]] == ["web-1"]


def test_a_balance_short_of_the_whole_fleet_orders_nothing_and_points_to_topups(sandbox):
    args, account = connect(sandbox, "vpscrypto", balance_usd=20)  # one server, not two

    run = run_module(vps_fleet.main, dict(args, servers=fleet("web", 2)))

    assert run.failed
    assert "cost $28.00 together, the balance is $20.00" in run.result["msg"]
    assert "vps_topup" in run.result["msg"] and "nothing was ordered" in run.result["msg"]
    assert mutating_requests(sandbox) == [] and charges(sandbox, account) == []


def test_an_unknown_plan_fails_the_whole_fleet_with_the_valid_plans_before_any_order(sandbox):
    args, account = connect(sandbox, "vpscrypto", balance_usd=100)
    servers = fleet("web", 2)
    servers[1]["plan"] = "huntr"

    run = run_module(vps_fleet.main, dict(args, servers=servers))

    assert run.failed
    assert run.result["msg"].startswith("server web-2: unknown plan 'huntr'")
    assert any("hunter" in choice for choice in run.result["choices"])
    assert mutating_requests(sandbox) == []


def test_a_repeated_name_is_refused(sandbox):
    args = connect(sandbox, "vpscrypto")[0]

    run = run_module(vps_fleet.main, dict(args, servers=fleet("web", 1) + fleet("web", 1)))

    assert run.failed and "the provider takes these for one name: web-1 and web-1" in run.result["msg"]
    assert api_requests(sandbox) == []


def test_an_order_lost_after_it_took_effect_is_not_sent_again(sandbox):
    args, account = connect(sandbox, "otwa", balance_usd=100)
    sandbox.configure(faults=[{"method": "POST", "path": "^/servers$", "provider": "otwa", "kind": "drop_after_effect"}])

    run = run_module(vps_fleet.main, dict(args, servers=fleet("api", 2, "otwa", API), wait=False))

    assert not run.failed, run.result
    assert len(sandbox.servers()) == 2 and len(charges(sandbox, account)) == 2


def test_root_passwords_stay_out_of_the_result_unless_credentials_are_asked_for(sandbox):
    args = connect(sandbox, "vpscrypto", balance_usd=100)[0]
    servers = [dict(WEB, name="web-1", root_password="Chosen-pw-4242")]

    run = run_module(vps_fleet.main, dict(args, servers=servers))

    assert not run.failed, run.result
    assert "Chosen-pw-4242" not in run.output
    assert "credentials" not in run.result["servers"][0]


def test_a_vpscrypto_server_is_found_by_its_name_as_a_dns_name_and_not_ordered_again(sandbox):
    args, account = connect(sandbox, "vpscrypto", balance_usd=100)
    order_directly(sandbox, args, dict(WEB, hostname="Web-1."))

    run = run_module(vps_fleet.main, dict(args, servers=fleet("web", 1)))

    assert not run.failed, run.result
    assert run.result["changed"] is False and run.result["ordered"] == []
    assert len(charges(sandbox, account)) == 1


def test_vpscrypto_servers_carry_the_specs_of_their_plan(sandbox):
    args = connect(sandbox, "vpscrypto", balance_usd=100)[0]

    run = run_module(vps_fleet.main, dict(args, servers=fleet("web", 1)))

    plan = [item for item in run_module(vps_catalog_info.main, args).result["catalog"]["plans"] if item["slug"] == "hunter"][0]
    server = run.result["servers"][0]
    assert (server["vcpu"], server["ram_mb"], server["disk_gb"]) == (plan["vcpu"], plan["ram_mb"], plan["disk_gb"])
    assert server["vcpu"]


def test_a_lost_order_answer_is_never_taken_for_a_terminated_namesake(sandbox):
    args, account = connect(sandbox, "vpscrypto", balance_usd=100)
    sandbox.seed_servers(args["api_key"], 1, name_prefix="web", status="terminated")  # web-0001, gone
    sandbox.configure(faults=[{"method": "POST", "path": "^/servers$", "kind": "drop_after_effect", "times": 1}])

    run = run_module(vps_fleet.main, dict(args, servers=[dict(WEB, name="web-0001")], wait_timeout=30))

    assert not run.failed, run.result
    assert run.result["servers"][0]["status"] == "running"
    assert len(charges(sandbox, account)) == 1


def test_a_fleet_the_balance_does_not_cover_fails_without_reporting_a_change(sandbox):
    args, account = connect(sandbox, "vpscrypto", balance_usd=5)

    run = run_module(vps_fleet.main, dict(args, servers=fleet("web", 2)))

    assert run.failed and "nothing was ordered" in run.result["msg"]
    assert run.result["changed"] is False and charges(sandbox, account) == []


def test_names_that_differ_only_in_case_are_refused_at_vpscrypto_before_any_order(sandbox):
    args, account = connect(sandbox, "vpscrypto", balance_usd=100)

    run = run_module(vps_fleet.main, dict(args, servers=[dict(WEB, name="Dup"), dict(WEB, name="dup.")]))

    assert run.failed
    assert "Dup and dup." in run.result["msg"] and "case" in run.result["msg"]
    assert mutating_requests(sandbox) == [] and charges(sandbox, account) == []


def test_names_that_differ_only_in_case_are_two_servers_at_otwa(sandbox):
    args = connect(sandbox, "otwa", balance_usd=100)[0]

    run = run_module(vps_fleet.main, dict(args, servers=[dict(API, name="Dup"), dict(API, name="dup")], wait=False))

    assert not run.failed, run.result
    assert run.result["ordered"] == ["Dup", "dup"]
