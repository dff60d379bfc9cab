# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Check mode changes nothing remotely: every changing module, in every changing state, sends only GETs.

Each case runs a task that would change something (so check mode has something to hold back)
against the sandbox, and reads the sandbox's own request log and ledger afterwards.
"""

from __future__ import annotations

import pytest

from ansible_collections.vpsfleet.cloud.plugins.modules import (
    vps_account, vps_addon, vps_api_key, vps_power, vps_root_password, vps_server, vps_sso_link, vps_topup,
)
from ansible_collections.vpsfleet.cloud.tests.unit.plugins.modules._lifecycle_sandbox import (  # noqa: F401  pylint: disable=unused-import
    api_requests, connect, sandbox, sandbox_process, testing)
from ansible_collections.vpsfleet.cloud.tests.unit.plugins.modules._run import run_module

WALLET_KEY = "0x" + "4c" * 32


def seeded(sandbox, provider):
    """(module arguments, account, server id) for an account that owns one running server, box-0001."""
    args, account = connect(sandbox, provider)
    server_id = sandbox.seed_servers(args["api_key"], 1, name_prefix="box")["ids"][0]
    return args, account, str(server_id)


def topup_invoice(sandbox):
    args, account = connect(sandbox, "vpscrypto", balance_usd=10)
    return vps_topup.main, dict(args, amount=50, coin="BTC", min_balance=30), account


def topup_x402(sandbox):
    args, account = connect(sandbox, "vpscrypto", balance_usd=10)
    return vps_topup.main, dict(args, amount=25, coin="USDCBASE", min_balance=30, wallet_private_key=WALLET_KEY,
                                allow_testnet=True), account


def addon_purchase(sandbox):
    args, account, dummy = seeded(sandbox, "otwa")
    return vps_addon.main, dict(args, server="box-0001", addon="Daily Backups"), account


def api_key_minted(sandbox):
    args, account = connect(sandbox, "vpscrypto")
    return vps_api_key.main, dict(args, name="ci-new"), account


def api_key_revoked(sandbox):
    args, account = connect(sandbox, "vpscrypto")
    minted = testing.call_api("POST", args["api_url"] + "/keys", key=args["api_key"], body={"name": "ci-old"})
    assert minted.status == 201, minted
    return vps_api_key.main, dict(args, name="ci-old", state="absent"), account


def account_created(sandbox, monkeypatch):
    monkeypatch.delenv("VPSCRYPTO_API_KEY", raising=False)
    return vps_account.main, dict(provider="vpscrypto", api_url=sandbox.vpscrypto_url, force=True), None


def root_password_rotated(sandbox):
    args, account, dummy = seeded(sandbox, "otwa")
    return vps_root_password.main, dict(args, name="box-0001"), account


def power_stopped(sandbox):
    args, account, dummy = seeded(sandbox, "otwa")
    return vps_power.main, dict(args, name="box-0001", state="stopped"), account


def server_ordered(provider):
    order = {"vpscrypto": dict(name="web-1", plan="hunter", location="nl", os="debian-13"),
             "otwa": dict(name="api-1", plan="Cloud S", location="de-fra-01", os="debian-13")}[provider]

    def case(sandbox):
        args, account = connect(sandbox, provider)
        return vps_server.main, dict(args, **order), account
    return case


def server_in_state(provider, **task):
    def case(sandbox):
        args, account, dummy = seeded(sandbox, provider)
        return vps_server.main, dict(args, name="box-0001", **task), account
    return case


def server_renamed(sandbox):
    args, account, server_id = seeded(sandbox, "otwa")
    return vps_server.main, dict(args, id=server_id, name="box-renamed"), account


CASES = {
    "vps_topup invoice": topup_invoice,
    "vps_topup x402": topup_x402,
    "vps_addon purchase": addon_purchase,
    "vps_api_key present": api_key_minted,
    "vps_api_key absent": api_key_revoked,
    "vps_root_password": root_password_rotated,
    "vps_power stopped": power_stopped,
    "vps_server order vpscrypto": server_ordered("vpscrypto"),
    "vps_server order otwa": server_ordered("otwa"),
    "vps_server rename otwa": server_renamed,
    "vps_server rebuilt otwa": server_in_state("otwa", state="rebuilt", os="ubuntu-24.04"),
    "vps_server absent otwa": server_in_state("otwa", state="absent"),
}


def charges(sandbox, account):
    if account is None:
        return []
    return [entry for entry in sandbox.ledger(provider=account["provider"], account=account["account_id"])
            if entry["kind"] == "charge"]


@pytest.mark.parametrize("case", sorted(CASES))
def test_check_mode_reports_a_change_and_sends_only_gets(sandbox, case):
    main, args, account = CASES[case](sandbox)
    servers_before = sandbox.servers()
    sent_before = len(api_requests(sandbox))

    run = run_module(main, args, check_mode=True)

    assert not run.failed, run.result
    assert run.result["changed"] is True
    sent = api_requests(sandbox)[sent_before:]
    assert sent and all(line.startswith("GET ") for line in sent), sent
    assert sandbox.servers() == servers_before
    assert charges(sandbox, account) == []


def test_creating_an_account_in_check_mode_sends_nothing(sandbox, monkeypatch):
    main, args, dummy = account_created(sandbox, monkeypatch)

    run = run_module(main, args, check_mode=True)

    assert not run.failed, run.result
    assert run.result["changed"] is True and "api_key" not in run.result
    assert api_requests(sandbox) == []


def test_an_sso_link_is_not_minted_in_check_mode(sandbox):
    args, dummy_account, server_id = seeded(sandbox, "otwa")
    sent_before = len(api_requests(sandbox))

    run = run_module(vps_sso_link.main, dict(args, name="box-0001"), check_mode=True)

    assert not run.failed, run.result
    assert (run.result["url"], run.result["server_id"], run.result["changed"]) == (None, server_id, False)
    sent = api_requests(sandbox)[sent_before:]
    assert sent and all(line.startswith("GET ") for line in sent), sent
