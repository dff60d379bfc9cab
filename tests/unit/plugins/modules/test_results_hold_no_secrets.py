# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""provider_data never holds a secret: a root password appears only under its documented key."""

from __future__ import annotations

import json

from ansible_collections.vpsfleet.cloud.plugins.modules import vps_fleet, vps_server
from ansible_collections.vpsfleet.cloud.tests.unit.plugins.modules._lifecycle_sandbox import (  # noqa: F401  pylint: disable=unused-import
    connect, sandbox, sandbox_process)
from ansible_collections.vpsfleet.cloud.tests.unit.plugins.modules._run import run_module

WEB = {"plan": "hunter", "location": "nl", "os": "debian-13"}


def test_a_fleet_ordered_without_waiting_returns_no_root_password(sandbox):
    args = connect(sandbox, "vpscrypto", balance_usd=100)[0]

    run = run_module(vps_fleet.main, dict(args, servers=[dict(WEB, name="web-1")], wait=False))

    assert not run.failed, run.result
    assert "root_password" not in run.result["servers"][0]["provider_data"]
    assert not [secret for secret in sandbox.secrets() if secret in run.output]


def test_a_server_ordered_without_waiting_has_its_root_password_only_under_root_password(sandbox):
    args = connect(sandbox, "vpscrypto", balance_usd=100)[0]

    run = run_module(vps_server.main, dict(args, name="web-1", wait=False, **WEB))

    assert not run.failed, run.result
    assert run.result["root_password"]
    assert "root_password" not in run.result["server"]["provider_data"]
    assert run.result["root_password"] not in json.dumps(run.result["server"])
