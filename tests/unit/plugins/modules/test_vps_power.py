# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""vps_power against the sandbox: idempotent against the live status, check mode, VPSCrypto refused."""

from __future__ import annotations

import pytest

from ansible_collections.vpsfleet.cloud.plugins.modules import vps_power
from ansible_collections.vpsfleet.cloud.plugins.modules.vps_power import power_action_needed
from ansible_collections.vpsfleet.cloud.tests.unit.plugins.modules._lifecycle_sandbox import (  # noqa: F401  pylint: disable=unused-import
    api_requests, connect, connect_args, sandbox, sandbox_process)
from ansible_collections.vpsfleet.cloud.tests.unit.plugins.modules._run import run_module


@pytest.mark.parametrize("state, status, action", [
    ("started", "running", None),
    ("started", "stopped", "start"),
    ("started", "provisioning", None),
    ("stopped", "stopped", None),
    ("stopped", "running", "stop"),
    ("restarted", "running", "reboot"),
    ("restarted", "stopped", "reboot"),
])
def test_the_action_depends_on_the_live_status_except_for_restarted(state, status, action):
    assert power_action_needed(state, status) == action


def running_server(sandbox):
    args = connect_args(sandbox, "otwa")
    sandbox.seed_servers(args["api_key"], 1, name_prefix="box")
    return args, "box-0001"


def test_stopping_a_running_server_waits_until_it_is_stopped(sandbox):
    args, name = running_server(sandbox)

    run = run_module(vps_power.main, dict(args, name=name, state="stopped", wait_timeout=30))

    assert (run.result["changed"], run.result["action"], run.result["server"]["status"]) == (True, "stop", "stopped")


def test_starting_a_running_server_changes_nothing_and_sends_no_action(sandbox):
    args, name = running_server(sandbox)

    run = run_module(vps_power.main, dict(args, name=name, state="started"))

    assert run.result["changed"] is False and run.result["action"] is None
    assert api_requests(sandbox, "POST") == []


def test_restarting_always_reboots(sandbox):
    args, name = running_server(sandbox)

    run = run_module(vps_power.main, dict(args, name=name, state="restarted"))

    assert run.result["changed"] is True
    assert [line for line in api_requests(sandbox, "POST") if line.endswith("/power/reboot")]


def test_check_mode_reports_the_change_with_a_diff_and_sends_no_action(sandbox):
    args, name = running_server(sandbox)

    run = run_module(vps_power.main, dict(args, name=name, state="stopped"), check_mode=True, diff=True)

    assert run.result["changed"] is True
    assert (run.result["diff"]["before"]["status"], run.result["diff"]["after"]["status"]) == ("running", "stopped")
    assert api_requests(sandbox, "POST") == []


def test_vpscrypto_has_no_power_actions_and_nothing_is_sent(sandbox):
    args = connect_args(sandbox, "vpscrypto", name="web-1", state="stopped")

    run = run_module(vps_power.main, args)

    assert run.failed and "VPSCrypto does not offer power actions" in run.result["msg"]
    assert api_requests(sandbox) == []


def test_an_unknown_server_fails_naming_it(sandbox):
    args = connect_args(sandbox, "otwa", name="ghost", state="started")

    run = run_module(vps_power.main, args)

    assert run.failed and run.result["msg"] == "no server with name 'ghost'"


def test_a_restart_waits_for_the_queued_reboot_to_happen_not_only_for_running(sandbox):
    args, name = running_server(sandbox)
    sandbox.configure(power_delay=0.5)
    before = run_module(vps_power.main, dict(args, name=name, state="started")).result["server"]

    run = run_module(vps_power.main, dict(args, name=name, state="restarted", wait_timeout=30))

    assert not run.failed, run.result
    after = run.result["server"]
    assert after["status"] == "running"
    assert after["provider_data"]["updatedAt"] != before["provider_data"]["updatedAt"]


def test_stopping_a_provisioning_server_waits_until_it_runs_then_stops_it(sandbox):
    args = connect_args(sandbox, "otwa")
    sandbox.configure(provision_delay=0.3)
    sandbox.seed_servers(args["api_key"], 1, name_prefix="new", status="provisioning")

    run = run_module(vps_power.main, dict(args, name="new-0001", state="stopped", wait_timeout=30))

    assert not run.failed, run.result
    assert run.result["server"]["status"] == "stopped"


def test_stopping_a_provisioning_server_without_wait_fails_and_sends_nothing(sandbox):
    args = connect_args(sandbox, "otwa")
    sandbox.configure(provision_delay=30)
    sandbox.seed_servers(args["api_key"], 1, name_prefix="new", status="provisioning")

    run = run_module(vps_power.main, dict(args, name="new-0001", state="stopped", wait=False))

    assert run.failed and "still provisioning" in run.result["msg"]
    assert api_requests(sandbox, "POST") == []
