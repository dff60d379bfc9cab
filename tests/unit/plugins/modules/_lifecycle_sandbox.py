# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sandbox (both fake provider APIs) for the server lifecycle module tests.

Import the fixtures into a test module: ``from ..._lifecycle_sandbox import sandbox  # noqa: F401``.
"""

from __future__ import annotations

import pytest

testing = pytest.importorskip("vps_sandbox.testing", reason="the sandbox package is not importable")

OTWA_SCOPES = ["account:read", "servers:read", "servers:write", "servers:destroy"]
MUTATING_METHODS = ("POST", "PUT", "PATCH", "DELETE")


@pytest.fixture(scope="module")
def sandbox_process():
    with testing.SandboxProcess(provision_delay=0.2) as process:
        yield process


@pytest.fixture
def sandbox(sandbox_process):
    """The module's sandbox, emptied, with short power, reinstall and termination delays."""
    sandbox_process.reset()
    sandbox_process.configure(power_delay=0.05, reinstall_delay=0.1, terminate_delay=0.05)
    return sandbox_process


def connect(sandbox, provider, balance_usd=100, scopes=None, **args):
    """(module arguments for a new account of ``provider``, that account)."""
    if scopes is None and provider == "otwa":
        scopes = OTWA_SCOPES
    account = sandbox.create_account(provider, balance_usd=balance_usd, scopes=scopes)
    url = sandbox.otwa_url if provider == "otwa" else sandbox.vpscrypto_url
    base = dict(provider=provider, api_key=account["api_key"], api_url=url, api_retries=2, api_retry_max_delay=0.05)
    base.update(args)
    return base, account


def connect_args(sandbox, provider, **args):
    """Only the module arguments of :func:`connect`."""
    return connect(sandbox, provider, **args)[0]


def api_requests(sandbox, method=None):
    """``"METHOD /path"`` of every provider API request so far (control calls excluded)."""
    return ["%s %s" % (entry["method"], entry["path"]) for entry in sandbox.requests_log()
            if entry.get("provider") in ("otwa", "vpscrypto") and (method is None or entry["method"] == method)]


def mutating_requests(sandbox):
    return [line for line in api_requests(sandbox) if line.split(" ")[0] in MUTATING_METHODS]


def charges(sandbox, account):
    return [entry for entry in sandbox.ledger(provider=account["provider"], account=account["account_id"])
            if entry["kind"] == "charge"]


def order_directly(sandbox, args, body):
    """Order a server through the API itself (e.g. to make two with the same name)."""
    answer = testing.call_api("POST", args["api_url"] + "/servers", key=args["api_key"], body=body)
    assert answer.status == 201, answer
    return answer.body
