# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""vps_sso_link against the sandbox: account and server links, the next path check."""

from __future__ import annotations

import pytest

from ansible_collections.vpsfleet.cloud.plugins.modules import vps_sso_link
from ansible_collections.vpsfleet.cloud.tests.unit.plugins.modules._lifecycle_sandbox import (  # noqa: F401  pylint: disable=unused-import
    api_requests, connect, connect_args, sandbox, sandbox_process)
from ansible_collections.vpsfleet.cloud.tests.unit.plugins.modules._run import run_module


def test_an_account_link_lands_on_the_next_path(sandbox):
    args = connect_args(sandbox, "otwa", next="/dashboard/billing")

    run = run_module(vps_sso_link.main, args)

    assert not run.failed, run.result
    assert run.result["changed"] is False
    assert run.result["url"].startswith("http") and "%2Fdashboard%2Fbilling" in run.result["url"]
    assert run.result["expires_in"] and run.result["server_id"] is None
    assert api_requests(sandbox) == ["POST /sso"]


def test_a_server_link_is_minted_for_the_named_server(sandbox):
    args = connect_args(sandbox, "otwa")
    server_id = sandbox.seed_servers(args["api_key"], 1, name_prefix="box")["ids"][0]

    run = run_module(vps_sso_link.main, dict(args, name="box-0001"))

    assert run.result["server_id"] == server_id
    assert "POST /servers/%s/sso" % server_id in api_requests(sandbox)


@pytest.mark.parametrize("next_path", ["dashboard", "https://evil.example/", "//evil.example/",
                                       "/\\evil.example/", "/ /evil.example", "/dash\nboard",
                                       "/..//evil.example", "/%2F%2Fevil.example", "/%2f%2fevil.example",
                                       "/dashboard/../..//evil.example", "/%2e%2e//evil.example",
                                       "/%252F%252Fevil.example", "/%5Cevil.example", "/dash%0Aboard"])
def test_a_next_path_that_could_leave_the_site_fails_before_any_request(sandbox, next_path):
    args = connect_args(sandbox, "otwa", next=next_path)

    run = run_module(vps_sso_link.main, args)

    assert run.failed and "next must be a dashboard path on the provider's site: one '/' then the path" in run.result["msg"]
    assert api_requests(sandbox) == []


def test_vpscrypto_has_no_sso_links(sandbox):
    args = connect_args(sandbox, "vpscrypto")

    run = run_module(vps_sso_link.main, args)

    assert run.failed and "VPSCrypto does not offer dashboard SSO links" in run.result["msg"]


def test_a_next_path_is_sent_decoded_with_its_dot_segments_resolved(sandbox):
    args = connect_args(sandbox, "otwa", next="/dashboard/./servers/../%62illing?tab=1")

    run = run_module(vps_sso_link.main, args)

    assert not run.failed, run.result
    assert "next=%2Fdashboard%2Fbilling%3Ftab%3D1" in run.result["url"]
