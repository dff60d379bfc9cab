# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""x402 top-ups end to end: the sandbox verifies the EIP-3009 signature and settles test USDC.

Every refusal must leave the ledger and the wallet untouched, and no lost answer may pay twice.
"""

from __future__ import annotations

import pathlib
import socket
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

eth_account = pytest.importorskip("eth_account")

PLAYBOOK = pathlib.Path(__file__).resolve().parent / "playbooks" / "money_x402.yml"
SANDBOX_PAY_TO = "0x5A9D1e8BA4f1c2d3E4f5A6b7C8d9E0F1a2b3c4D5"
PAYMENT_HEADERS = ("x-payment", "payment-signature")


@pytest.fixture
def wallet():
    return eth_account.Account.create()


@pytest.fixture
def payer(clean_sandbox, wallet):
    """A VPSCrypto account with no balance, and the environment that pays from ``wallet``."""
    account = clean_sandbox.create_account("vpscrypto", balance_usd=0)
    env = {"VPSCRYPTO_API_KEY": account["api_key"], "VPSCRYPTO_API_URL": clean_sandbox.vpscrypto_url,
           "VPSFLEET_WALLET_KEY": wallet.key.hex()}
    return account, env


def pay(ansible, env, **extra_vars):
    """Run the x402 playbook; return (top-up task result, account info result)."""
    run = ansible.playbook(PLAYBOOK, extra_vars=extra_vars, env=env)
    assert run.rc == 0, run.stdout + run.stderr
    tasks = run.json["plays"][0]["tasks"]
    return tasks[0]["hosts"]["localhost"], tasks[1]["hosts"]["localhost"]


def credits(sandbox, account):
    return [entry for entry in sandbox.ledger(provider="vpscrypto", account=account["account_id"])
            if entry["kind"] == "credit"]


def wallet_usdc(sandbox, wallet):
    return sandbox.control("GET", "/wallets/%s" % wallet.address)["usdc"]


def topup_posts(sandbox):
    return [entry for entry in sandbox.requests_log() if (entry["method"], entry["path"]) == ("POST", "/topups")]


@pytest.mark.parametrize("version, settlement_network", [(1, "base"), (2, "eip155:8453")])
def test_an_x402_topup_is_signed_verified_settled_and_credited(clean_sandbox, ansible, payer, wallet, version,
                                                               settlement_network):
    account, env = payer
    clean_sandbox.configure(x402_version=version)
    clean_sandbox.fund_wallet(wallet.address, 100)

    paid, info = pay(ansible, env, expected_pay_to=SANDBOX_PAY_TO)

    assert paid["changed"] is True, paid
    assert paid["topup"]["status"] == "completed"
    assert paid["settlement"]["success"] is True
    assert paid["settlement"]["payer"].lower() == wallet.address.lower()
    assert paid["settlement"]["network"] == settlement_network
    assert info["account"]["balance_usd"] == 25.0
    assert [entry["amount_usd"] for entry in credits(clean_sandbox, account)] == [25.0]
    assert float(wallet_usdc(clean_sandbox, wallet)) == 75.0


def test_a_wallet_without_enough_test_usdc_is_answered_cleanly_and_credits_nothing(clean_sandbox, ansible, payer,
                                                                                   wallet):
    account, env = payer
    clean_sandbox.fund_wallet(wallet.address, 10)

    paid, info = pay(ansible, env)

    assert paid["failed"] is True
    assert "insufficient_funds" in paid["msg"] and "not paid again" in paid["msg"]
    assert len(topup_posts(clean_sandbox)) == 2
    assert credits(clean_sandbox, account) == []
    assert info["account"]["balance_usd"] == 0.0
    assert float(wallet_usdc(clean_sandbox, wallet)) == 10.0


@pytest.mark.parametrize("config, expected_pay_to, refusal", [
    ({"x402_pay_to": "0x" + "12" * 20}, SANDBOX_PAY_TO, "is not the expected payee"),
    ({"x402_network": "base-sepolia"}, None, "is a testnet and allow_testnet is false"),
])
def test_a_refused_requirement_signs_nothing_and_leaves_the_ledger_untouched(clean_sandbox, ansible, payer, wallet,
                                                                             config, expected_pay_to, refusal):
    account, env = payer
    clean_sandbox.configure(**config)
    clean_sandbox.fund_wallet(wallet.address, 100)

    paid, dummy = pay(ansible, env, **({"expected_pay_to": expected_pay_to} if expected_pay_to else {}))

    assert paid["failed"] is True
    assert refusal in paid["msg"] and "refusing to pay" in paid["msg"]
    assert len(topup_posts(clean_sandbox)) == 1, "only the unpaid request that asked for the requirements"
    assert clean_sandbox.ledger(provider="vpscrypto", account=account["account_id"]) == []
    assert float(wallet_usdc(clean_sandbox, wallet)) == 100.0


def test_min_balance_makes_a_rerun_pay_nothing(clean_sandbox, ansible, payer, wallet):
    account, env = payer
    clean_sandbox.fund_wallet(wallet.address, 100)

    first, dummy = pay(ansible, env, min_balance=20)
    second, info = pay(ansible, env, min_balance=20)

    assert first["changed"] is True
    assert second["changed"] is False and second["topup_needed"] is False
    assert len(credits(clean_sandbox, account)) == 1
    assert info["account"]["balance_usd"] == 25.0


CHECK_MODE_PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Would pay the top-up
      vpsfleet.cloud.vps_topup:
        provider: vpscrypto
        amount: 25
        coin: USDCBASE
        min_balance: 20
      register: planned
"""


def test_check_mode_needs_no_wallet_key_and_says_what_would_be_paid(clean_sandbox, ansible, payer):
    account, env = payer
    env = dict(env)
    del env["VPSFLEET_WALLET_KEY"]

    run = ansible.playbook(CHECK_MODE_PLAYBOOK, "--check", env=env)

    assert run.rc == 0, run.stdout + run.stderr
    planned = run.json["plays"][0]["tasks"][0]["hosts"]["localhost"]
    assert planned["changed"] is True and planned["topup_needed"] is True
    assert (planned["planned"]["amount_base_units"], planned["planned"]["networks"]) == ("25000000", ["base"])
    assert topup_posts(clean_sandbox) == []
    assert clean_sandbox.ledger(provider="vpscrypto", account=account["account_id"]) == []


def test_a_dropped_connection_on_the_topup_request_does_not_pay_twice(clean_sandbox, ansible, payer, wallet):
    account, env = payer
    clean_sandbox.fund_wallet(wallet.address, 100)
    clean_sandbox.configure(faults=[{"method": "POST", "path": "^/topups$", "kind": "drop_after_effect", "times": 1}])

    paid, info = pay(ansible, env)

    assert paid["changed"] is True, paid
    assert [entry.get("fault") for entry in topup_posts(clean_sandbox)][0] == "drop_after_effect"
    assert len(credits(clean_sandbox, account)) == 1
    assert info["account"]["balance_usd"] == 25.0
    assert float(wallet_usdc(clean_sandbox, wallet)) == 75.0


class PaidAnswerDropper(object):
    """A proxy in front of the sandbox that passes the paid request on, then drops its answer once.

    The sandbox's own faults hit the first matching request (the unpaid one asking for the
    requirements); this drops the answer to the payment itself, after it has settled.
    """

    def __init__(self, target):
        self.dropped = 0
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler(target))
        self._server.daemon_threads = True
        self.url = "http://127.0.0.1:%d" % self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self):
        self._server.shutdown()
        self._server.server_close()

    def _handler(self, target):
        proxy = self

        class Forward(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def log_message(self, *args):
                pass

            def _forward(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)) or None
                headers = dict((name, value) for name, value in self.headers.items()
                               if name.lower() not in ("host", "content-length", "connection"))
                request = urllib.request.Request(target + self.path, data=body, method=self.command, headers=headers)
                try:
                    with urllib.request.urlopen(request, timeout=30) as answer:
                        status, answer_headers, payload = answer.status, answer.headers, answer.read()
                except urllib.error.HTTPError as error:
                    status, answer_headers, payload = error.code, error.headers, error.read()
                paid = any(name.lower() in PAYMENT_HEADERS for name in self.headers)
                if paid and not proxy.dropped:
                    proxy.dropped += 1
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                self.send_response(status)
                for name, value in answer_headers.items():
                    if name.lower() not in ("content-length", "connection", "transfer-encoding", "date", "server"):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = _forward

        return Forward


def test_a_lost_answer_to_the_payment_resends_the_same_payment_and_pays_once(clean_sandbox, ansible, payer, wallet):
    account, env = payer
    clean_sandbox.fund_wallet(wallet.address, 100)
    proxy = PaidAnswerDropper(clean_sandbox.vpscrypto_url)
    try:
        paid, info = pay(ansible, dict(env, VPSCRYPTO_API_URL=proxy.url))
    finally:
        proxy.close()

    assert proxy.dropped == 1
    assert paid["changed"] is True, paid
    assert paid["topup"]["status"] == "completed"
    assert len(topup_posts(clean_sandbox)) == 3, "ask, pay (answer lost), the same payment again"
    assert len(credits(clean_sandbox, account)) == 1
    assert info["account"]["balance_usd"] == 25.0
    assert float(wallet_usdc(clean_sandbox, wallet)) == 75.0


@pytest.mark.parametrize("version, kind", [(2, "x402_settlement_pending"), (2, "x402_facilitator_error"),
                                           (1, "x402_settlement_pending")])
def test_a_settlement_failure_is_of_unknown_outcome_and_pays_once(clean_sandbox, ansible, payer, wallet,
                                                                  version, kind):
    account, env = payer
    clean_sandbox.fund_wallet(wallet.address, 100)
    clean_sandbox.configure(x402_version=version, faults=[{"path": "^/topups$", "kind": kind, "effect_delay": 0.2}])

    paid, dummy = pay(ansible, env)

    assert paid["failed"] is True
    assert paid["failure"]["outcome_unknown"] is True and paid["failure"]["stage"] == "settlement"
    assert "outcome is unknown" in paid["msg"] and "safe" not in paid["msg"]
    assert len(topup_posts(clean_sandbox)) == 2, "asked once, paid once, never paid again"
    assert float(wallet_usdc(clean_sandbox, wallet)) == 75.0
    [credit] = landed_credits(clean_sandbox, account)  # the effect lands although the answer was a 402
    if (version, kind) == (2, "x402_settlement_pending"):
        assert paid["failure"]["transaction"] == credit["reference"]
    else:
        assert paid["failure"]["transaction"] is None


def landed_credits(sandbox, account, patience=10.0):
    """The account's credits once there is one (the sandbox lands a late effect within ``patience``)."""
    deadline = time.monotonic() + patience
    while not credits(sandbox, account) and time.monotonic() < deadline:
        time.sleep(0.1)
    return credits(sandbox, account)


def test_a_503_aimed_at_the_payment_resends_the_same_payment_and_pays_once(clean_sandbox, ansible, payer, wallet):
    account, env = payer
    clean_sandbox.fund_wallet(wallet.address, 100)
    clean_sandbox.configure(faults=[{"path": "^/topups$", "kind": "503", "x402": "payment"}])

    paid, info = pay(ansible, env)

    assert paid["changed"] is True, paid
    assert [entry.get("fault") for entry in topup_posts(clean_sandbox)] == [None, "503", None]
    assert len(credits(clean_sandbox, account)) == 1
    assert float(wallet_usdc(clean_sandbox, wallet)) == 75.0


def test_a_rerun_after_an_unconfirmed_settlement_resends_the_journaled_payment_and_pays_once(
        clean_sandbox, ansible, payer, wallet):
    account, env = payer
    clean_sandbox.fund_wallet(wallet.address, 100)
    clean_sandbox.configure(x402_version=2, x402_payment_identifier="required", faults=[
        {"path": "^/topups$", "kind": "x402_settlement_pending", "effect_delay": 8}])

    first, dummy = pay(ansible, env)
    # At once, while the first payment is still settling: it re-sends the same signed authorization (same
    # nonce and payment id) and waits for that top-up to be credited.
    second, dummy = pay(ansible, env)

    assert first["failed"] is True and first["failure"]["outcome_unknown"] is True
    assert second["changed"] is True, second
    assert second["payment"]["payment_id"] == first["payment"]["payment_id"]
    assert second["payment"]["nonce"] == first["payment"]["nonce"], "the journaled authorization, not a new one"
    assert second["settlement"]["transaction"] == first["failure"]["transaction"]
    assert second["topup"]["status"] == "completed"
    assert float(wallet_usdc(clean_sandbox, wallet)) == 75.0
    assert [entry["amount_usd"] for entry in credits(clean_sandbox, account)] == [25.0]


def test_a_resent_payment_whose_topup_is_still_pending_is_waited_for_and_never_paid_again(
        clean_sandbox, ansible, payer, wallet):
    account, env = payer
    clean_sandbox.fund_wallet(wallet.address, 100)
    clean_sandbox.configure(x402_version=2, faults=[
        {"path": "^/topups$", "kind": "x402_settlement_pending", "effect_delay": 6}])

    first, dummy = pay(ansible, env, min_balance=20, pending_grace=0)
    second, dummy = pay(ansible, env, min_balance=20, pending_grace=0)
    third, dummy = pay(ansible, env, min_balance=20, pending_grace=0)
    landed_credits(clean_sandbox, account)
    fourth, info = pay(ansible, env, min_balance=20)

    assert first["failure"]["outcome_unknown"] is True
    assert second["failed"] is True and "still pending" in second["msg"] and "completed" not in second["msg"]
    assert third.get("failed") or third["topup"]["status"] == "completed", third
    assert not fourth.get("failed"), fourth
    assert [entry["amount_usd"] for entry in credits(clean_sandbox, account)] == [25.0]
    assert float(wallet_usdc(clean_sandbox, wallet)) == 75.0
    assert info["account"]["balance_usd"] == 25.0
