# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""ansible-rulebook runs the keep-funded rulebook against the sandbox: one top-up for one short runway.

The real thing: ansible-rulebook (Java and Drools included) loads ``vpsfleet.cloud.keep_funded`` and the
``vps_events`` source from the installed collection; the rule runs ``vpsfleet.cloud.eda_keep_funded`` through
ansible-runner, which pays by x402.
"""

from __future__ import annotations

import os
import sys

import pytest

from conftest import collections_path

eth_account = pytest.importorskip("eth_account")
rulebook = pytest.importorskip("vps_sandbox.rulebook", reason="the sandbox's rulebook helper is not available")

DAY = 86400
SANDBOX_PAY_TO = "0x5A9D1e8BA4f1c2d3E4f5A6b7C8d9E0F1a2b3c4D5"


@pytest.fixture
def funded_later(clean_sandbox, tmp_path):
    """An account whose one 7 USD server renews in a month and a funded wallet; the rulebook's environment."""
    reason = rulebook.unavailable_reason()
    if reason:
        if os.environ.get("VPSFLEET_REQUIRE_EDA") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    account = clean_sandbox.create_account("vpscrypto", balance_usd=5)
    clean_sandbox.seed_servers(account["api_key"], 1, plan="scout")
    wallet = eth_account.Account.create()
    clean_sandbox.fund_wallet(wallet.address, 100)
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(collections_path()),
               ANSIBLE_LOCAL_TEMP=str(tmp_path / "ansible-tmp"), ANSIBLE_PYTHON_INTERPRETER=sys.executable,
               ANSIBLE_NOCOLOR="1", VPSCRYPTO_API_KEY=account["api_key"], VPSCRYPTO_API_URL=clean_sandbox.vpscrypto_url,
               VPSFLEET_WALLET_KEY=wallet.key.hex(), VPSFLEET_EXPECTED_PAY_TO=SANDBOX_PAY_TO)
    variables = {"keep_funded_interval": 0.5, "keep_funded_runway_days": 30, "keep_funded_min_runway_days": 7,
                 "keep_funded_amount": 25, "keep_funded_max_usd": 30}
    return account, rulebook.RulebookRun(tmp_path, "vpsfleet.cloud.keep_funded", env, variables)


def server_reads(sandbox):
    return sum(1 for entry in sandbox.requests_log() if (entry["method"], entry["path"]) == ("GET", "/servers"))


def credits(sandbox, account):
    return [entry for entry in sandbox.ledger(provider="vpscrypto", account=str(account["account_id"]))
            if entry["kind"] == "credit"]


def test_the_keep_funded_rulebook_tops_up_once_when_the_clock_makes_the_runway_short(clean_sandbox, funded_later):
    account, run = funded_later
    with run:
        run.wait_until(lambda: server_reads(clean_sandbox) >= 2, "baseline poll")
        clean_sandbox.advance_clock(27 * DAY)  # the 7 USD renewal is 4 days away and 5 USD cannot pay it
        run.wait_until(lambda: credits(clean_sandbox, account), "top-up")
        paid_at = server_reads(clean_sandbox)
        run.wait_until(lambda: server_reads(clean_sandbox) >= paid_at + 6, "polls after the top-up")
    log = run.output()
    assert [entry["amount_usd"] for entry in credits(clean_sandbox, account)] == [25.0], log
    assert run.event_types() == ["runway_short", "runway_restored"], log
    assert account["api_key"] not in log
