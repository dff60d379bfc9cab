# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""vps_server_info against the sandbox: selection, credentials, stats, waiting for many servers at once."""

from __future__ import annotations

import socket

import pytest

from ansible_collections.vpsfleet.cloud.plugins.module_utils._services.server_wait import wait_for_ssh
from ansible_collections.vpsfleet.cloud.plugins.module_utils._core.wait import WaitTimeout
from ansible_collections.vpsfleet.cloud.plugins.modules import vps_server, vps_server_info
from ansible_collections.vpsfleet.cloud.tests.unit.plugins.modules._lifecycle_sandbox import (  # noqa: F401  pylint: disable=unused-import
    api_requests, connect, connect_args, sandbox, sandbox_process)
from ansible_collections.vpsfleet.cloud.tests.unit.plugins.modules._run import run_module


def names(run):
    return sorted(server["name"] for server in run.result["servers"])


def test_filters_select_by_status_and_by_plan_display_name(sandbox):
    args = connect_args(sandbox, "vpscrypto")
    sandbox.seed_servers(args["api_key"], 2, name_prefix="small", plan="scout")
    sandbox.seed_servers(args["api_key"], 1, name_prefix="big", plan="ranger", status="suspended")

    by_plan = run_module(vps_server_info.main, dict(args, plan="Scout"))
    by_status = run_module(vps_server_info.main, dict(args, status=["suspended"]))

    assert names(by_plan) == ["small-0001", "small-0002"]
    assert names(by_status) == ["big-0003"]


def test_terminated_servers_are_left_out_unless_asked_for(sandbox):
    args = connect_args(sandbox, "otwa")
    sandbox.seed_servers(args["api_key"], 1, name_prefix="live")
    sandbox.seed_servers(args["api_key"], 1, name_prefix="gone", status="terminated")

    default = run_module(vps_server_info.main, args)
    everything = run_module(vps_server_info.main, dict(args, include_terminated=True))

    assert names(default) == ["live-0001"]
    assert names(everything) == ["gone-0002", "live-0001"]


def test_an_unknown_id_selects_nothing(sandbox):
    args = connect_args(sandbox, "vpscrypto", id="999999")

    run = run_module(vps_server_info.main, args)

    assert not run.failed and run.result["servers"] == []


def test_credentials_of_several_servers_are_read_with_an_ssh_command(sandbox):
    args = connect_args(sandbox, "vpscrypto")
    sandbox.seed_servers(args["api_key"], 3)

    run = run_module(vps_server_info.main, dict(args, include_credentials=True))

    credentials = [server["credentials"] for server in run.result["servers"]]
    assert len(credentials) == 3 and all(item["password"] and item["username"] == "root" for item in credentials)
    assert all(item["ssh_command"] == "ssh root@%s" % item["ip"] for item in credentials)
    # The list, one catalog read for the plans' specs, and one credentials read per server.
    assert sorted(set(api_requests(sandbox, "GET"))) == sorted(
        ["GET /servers", "GET /catalog"] + ["GET /servers/%s/credentials" % server["id"] for server in run.result["servers"]])
    assert len(api_requests(sandbox, "GET")) == 2 + 3


def test_stats_are_not_offered_by_vpscrypto_and_nothing_is_sent(sandbox):
    args = connect_args(sandbox, "vpscrypto", include_stats=True)

    run = run_module(vps_server_info.main, args)

    assert run.failed and "VPSCrypto does not offer live server statistics" in run.result["msg"]
    assert api_requests(sandbox) == []


def test_otwa_stats_are_added_per_server(sandbox):
    args = connect_args(sandbox, "otwa")
    sandbox.seed_servers(args["api_key"], 1)

    run = run_module(vps_server_info.main, dict(args, include_stats=True))

    assert set(run.result["servers"][0]["stats"]) >= {"cpu", "memoryUsed", "memoryTotal"}


def test_waiting_for_several_orders_polls_the_list_once_per_round(sandbox):
    args = connect_args(sandbox, "otwa")
    order = dict(args, plan="Cloud S", os="debian-13", wait=False)
    for name in ("w-1", "w-2", "w-3"):
        assert run_module(vps_server.main, dict(order, name=name)).result["server"]["status"] == "provisioning"
    sandbox.control("DELETE", "/requests")

    run = run_module(vps_server_info.main, dict(args, wait_for="running", wait_timeout=30))

    assert not run.failed, run.result
    assert all(server["status"] == "running" and server["ip"] for server in run.result["servers"])
    assert not [line for line in api_requests(sandbox) if line.startswith("GET /servers/")]


def test_a_wait_that_times_out_names_the_servers_still_waiting(sandbox):
    args = connect_args(sandbox, "otwa")
    sandbox.seed_servers(args["api_key"], 1, name_prefix="idle", status="stopped")

    run = run_module(vps_server_info.main, dict(args, wait_for="running", wait_timeout=1))

    assert run.failed
    assert "waiting for 1 server(s) to be running" in run.result["msg"] and "status stopped" in run.result["msg"]
    assert run.result["servers"][0]["name"] == "idle-0001"


def test_a_wait_for_a_name_that_matches_no_server_fails_instead_of_passing(sandbox):
    args = connect_args(sandbox, "otwa", name="typo", wait_for="running", wait_timeout=5)

    run = run_module(vps_server_info.main, args)

    assert run.failed and run.result["msg"] == "no server to wait for: name 'typo' matches no live server"


def test_waiting_for_a_server_that_is_already_gone_to_terminate_passes(sandbox):
    args = connect_args(sandbox, "otwa")
    sandbox.seed_servers(args["api_key"], 1, name_prefix="old", status="terminated")

    run = run_module(vps_server_info.main, dict(args, name="old-0001", wait_for="terminated", wait_timeout=5))

    assert not run.failed, run.result


def test_a_wait_with_a_plan_not_in_the_catalog_fails_naming_the_plan_and_the_valid_ones(sandbox):
    args = connect_args(sandbox, "vpscrypto", plan="hunterr", wait_for="running", wait_timeout=5)
    sandbox.seed_servers(args["api_key"], 1, name_prefix="web", plan="hunter")

    run = run_module(vps_server_info.main, args)

    assert run.failed and run.result["servers"] == []
    assert "plan 'hunterr' is not in the catalog (valid values: " in run.result["msg"]
    assert "hunter" in run.result["msg"].split("valid values: ")[1]


def test_a_wait_with_a_location_no_server_has_fails_naming_the_servers_locations(sandbox):
    args = connect_args(sandbox, "vpscrypto", location="se", wait_for="running", wait_timeout=5)
    sandbox.seed_servers(args["api_key"], 1, name_prefix="web", plan="hunter", location="nl")

    run = run_module(vps_server_info.main, args)

    assert run.failed
    assert "no server has location 'se' (the servers' locations: nl)" in run.result["msg"]


def test_a_wait_with_no_filter_on_an_account_without_servers_only_warns(sandbox, capsys):
    args = connect_args(sandbox, "otwa", wait_for="running", wait_timeout=5)

    run = run_module(vps_server_info.main, args)

    assert not run.failed and run.result["servers"] == []
    assert "the account has no server, so there was nothing to wait for" in capsys.readouterr().err


def test_stats_are_read_only_for_running_servers(sandbox):
    args = connect_args(sandbox, "otwa")
    sandbox.seed_servers(args["api_key"], 1, name_prefix="up")
    stopped_id = sandbox.seed_servers(args["api_key"], 1, name_prefix="down", status="stopped")["ids"][0]

    run = run_module(vps_server_info.main, dict(args, include_stats=True))

    stats = dict((server["name"], server["stats"]) for server in run.result["servers"])
    assert stats["down-0002"] is None and stats["up-0001"]
    assert "GET /servers/%s/stats" % stopped_id not in api_requests(sandbox)


def test_terminated_servers_have_no_credentials_to_read(sandbox):
    args = connect_args(sandbox, "otwa", include_credentials=True, include_terminated=True)
    sandbox.seed_servers(args["api_key"], 1, name_prefix="live")
    gone_id = sandbox.seed_servers(args["api_key"], 1, name_prefix="gone", status="terminated")["ids"][0]

    run = run_module(vps_server_info.main, args)

    assert not run.failed, run.result
    credentials = dict((server["name"], server["credentials"]) for server in run.result["servers"])
    assert credentials["gone-0002"] is None and credentials["live-0001"]["password"]
    assert "GET /servers/%s/credentials" % gone_id not in api_requests(sandbox)


@pytest.fixture
def listening_port():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield listener.getsockname()[1]


def test_ssh_waits_succeed_for_servers_whose_port_accepts_connections(listening_port):
    servers = [{"id": "1", "name": "a", "ip": "127.0.0.1"}, {"id": "2", "name": "b", "ip": "127.0.0.1"}]

    wait_for_ssh(servers, timeout=5, port=listening_port)


def test_ssh_waits_time_out_naming_the_unreachable_server(listening_port):
    servers = [{"id": "1", "name": "up", "ip": "127.0.0.1"}, {"id": "2", "name": "down", "ip": None}]

    with pytest.raises(WaitTimeout) as caught:
        wait_for_ssh(servers, timeout=0.5, port=listening_port)

    assert "down (None:%d)" % listening_port in str(caught.value)
    assert "up (" not in str(caught.value)
