# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""vps_root_password against the sandbox: rotation, the agent's refusal, check mode, VPSCrypto refused."""

from __future__ import annotations

from ansible_collections.vpsfleet.cloud.plugins.module_utils._providers.otwa import OtwaAdapter
from ansible_collections.vpsfleet.cloud.plugins.modules import vps_root_password, vps_server_info
from ansible_collections.vpsfleet.cloud.tests.unit.plugins.modules._lifecycle_sandbox import (  # noqa: F401  pylint: disable=unused-import
    api_requests, connect, connect_args, sandbox, sandbox_process)
from ansible_collections.vpsfleet.cloud.tests.unit.plugins.modules._run import run_module


def seeded(sandbox):
    args = connect_args(sandbox, "otwa")
    sandbox.seed_servers(args["api_key"], 1, name_prefix="box")
    return dict(args, name="box-0001")


def current_password(args):
    info = run_module(vps_server_info.main, dict(args, include_credentials=True))
    return info.result["servers"][0]["credentials"]["password"]


def test_rotation_returns_the_new_password_the_api_now_reports(sandbox):
    args = seeded(sandbox)
    before = current_password(args)

    run = run_module(vps_root_password.main, args)

    assert run.result["changed"] is True
    assert run.result["root_password"] != before
    assert run.result["root_password"] == current_password(args)


def test_an_agent_that_does_not_answer_fails_with_its_message(sandbox):
    args = seeded(sandbox)
    sandbox.configure(guest_agent_down=True)

    run = run_module(vps_root_password.main, args)

    assert run.failed
    assert run.result["msg"].endswith(": Guest agent is not responding")
    assert "root_password" not in run.result


def test_check_mode_sends_no_rotation(sandbox):
    args = seeded(sandbox)

    run = run_module(vps_root_password.main, args, check_mode=True)

    assert run.result["changed"] is True and "root_password" not in run.result
    assert api_requests(sandbox, "POST") == []


def test_vpscrypto_cannot_rotate_and_nothing_is_sent(sandbox):
    args = connect_args(sandbox, "vpscrypto", name="web-1")

    run = run_module(vps_root_password.main, args)

    assert run.failed and "VPSCrypto does not offer rotating the root password" in run.result["msg"]
    assert api_requests(sandbox) == []


def test_a_rotation_whose_answer_lacks_the_password_is_a_change_that_points_to_the_credentials(sandbox, monkeypatch):
    args = seeded(sandbox)
    monkeypatch.setattr(OtwaAdapter, "reset_password", lambda self, server_id: {"success": True})

    run = run_module(vps_root_password.main, args)

    assert run.failed and run.result["changed"] is True
    assert "was rotated" in run.result["msg"] and "include_credentials" in run.result["msg"]
