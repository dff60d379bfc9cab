# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The playbooks the rulebooks run, given an event as ansible-rulebook gives it (``ansible_eda.event``)."""

from __future__ import annotations

import pytest

eth_account = pytest.importorskip("eth_account")

SANDBOX_PAY_TO = "0x5A9D1e8BA4f1c2d3E4f5A6b7C8d9E0F1a2b3c4D5"


def short_runway_event(short_usd):
    return {"event": {"vps": {"type": "runway_short", "account": "vpscrypto", "provider": "vpscrypto",
                              "server": None, "previous": None, "runway": {"short_usd": short_usd}}}}


@pytest.fixture
def short_account(clean_sandbox):
    """A VPSCrypto account that lacks 30 USD for the renewals of the coming month; a funded payer."""
    account = clean_sandbox.create_account("vpscrypto", balance_usd=5)
    clean_sandbox.seed_servers(account["api_key"], 5, plan="scout")  # 35 USD due within 35 days
    wallet = eth_account.Account.create()
    clean_sandbox.fund_wallet(wallet.address, 100)
    env = {"VPSCRYPTO_API_KEY": account["api_key"], "VPSCRYPTO_API_URL": clean_sandbox.vpscrypto_url,
           "VPSFLEET_WALLET_KEY": wallet.key.hex(), "VPSFLEET_EXPECTED_PAY_TO": SANDBOX_PAY_TO}
    return account, env


def topup_posts(sandbox):
    return [entry for entry in sandbox.requests_log() if (entry["method"], entry["path"]) == ("POST", "/topups")]


def test_keep_funded_pays_what_the_event_says_is_short_when_above_the_amount(clean_sandbox, ansible,
                                                                             short_account):
    account, env = short_account
    run = ansible.playbook("vpsfleet.cloud.eda_keep_funded", env=env, extra_vars={
        "ansible_eda": short_runway_event(30.0), "keep_funded_amount": 25, "keep_funded_max_usd": 40,
        "keep_funded_cover_days": 35})
    assert run.rc == 0, run.stdout + run.stderr
    credits = [entry["amount_usd"] for entry in clean_sandbox.ledger(provider="vpscrypto", account=str(
        account["account_id"])) if entry["kind"] == "credit"]
    assert credits == [30.0]


def test_keep_funded_refuses_an_amount_above_the_spend_cap_before_paying(clean_sandbox, ansible, short_account):
    _account, env = short_account
    run = ansible.playbook("vpsfleet.cloud.eda_keep_funded", env=env, extra_vars={
        "ansible_eda": short_runway_event(30.0), "keep_funded_amount": 25, "keep_funded_max_usd": 29,
        "keep_funded_cover_days": 35})
    assert run.rc != 0
    assert "would exceed the spend cap" in run.stdout
    assert topup_posts(clean_sandbox) == []


def test_report_suspension_writes_one_line_naming_the_server_and_account(ansible, tmp_path):
    log = tmp_path / "suspensions.log"
    event = {"event": {"vps": {"type": "server_status_changed", "account": "main", "provider": "vpscrypto",
                               "server": {"id": "12", "name": "web-1", "status": "suspended"},
                               "previous": "running", "runway": None}}}
    run = ansible.playbook("vpsfleet.cloud.eda_report_suspension",
                           extra_vars={"ansible_eda": event, "report_suspension_log": str(log)})
    assert run.rc == 0, run.stdout + run.stderr
    lines = log.read_text().splitlines()
    assert len(lines) == 1
    assert "vpscrypto server web-1 (12) of account main is suspended (was running)" in lines[0]
