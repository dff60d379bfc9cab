# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""vps_topup against the reference x402 SDK's own resource server and exact-EVM facilitator.

The sandbox agrees with our client because both were written here; these tests pay a server built
from the official SDK (x402 2.x, protocol v2; see x402_sdk_peer.py), whose facilitator checks the
EIP-3009 signature with the SDK's own code over a stub chain, and read its settlement failures.
"""

from __future__ import annotations

import os
import pathlib
import time

import pytest

pytest.importorskip("x402.http.middleware.flask", reason="the x402 SDK with its Flask middleware is not installed")
eth_account = pytest.importorskip("eth_account")

from x402.mechanisms.evm.eip712 import hash_eip3009_authorization  # noqa: E402
from x402.mechanisms.evm.types import ExactEIP3009Payload  # noqa: E402
from x402.mechanisms.evm.verify import verify_eoa_signature  # noqa: E402

import x402_sdk_peer  # noqa: E402  (tests/integration is on sys.path)

PLAYBOOK = """
- name: Top up through x402
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Pay the top-up
      vpsfleet.cloud.vps_topup:
        provider: vpscrypto
        api_retry_max_delay: 1
        amount: 25
        coin: USDCBASE
        expected_pay_to: "%s"
      register: paid
      ignore_errors: true
""" % x402_sdk_peer.PAY_TO
USDC_25 = 25 * 10 ** 6
# Where x402 1.0.0 (the last SDK with a v1 server) is installed apart: `make test-integration` puts it there.
X402_V1_PATH = pathlib.Path(os.environ.get("X402_V1_PATH") or pathlib.Path(__file__).resolve().parents[2] / ".build"
                            / "x402-v1")


@pytest.fixture
def wallet():
    return eth_account.Account.create()


def start_peer(**options):
    return x402_sdk_peer.VpsCryptoX402Peer(**options)


@pytest.fixture
def peer(request):
    server = start_peer(**getattr(request, "param", {}))
    yield server
    server.close()


@pytest.fixture
def v1_peer():
    if not (X402_V1_PATH / "x402" / "flask" / "middleware.py").is_file():
        pytest.skip("x402 1.0.0 is not installed in %s (make test-integration installs it)" % X402_V1_PATH)
    server = x402_sdk_peer.VpsCryptoX402V1Peer(X402_V1_PATH)
    yield server
    server.close()


def pay(ansible, peer, wallet):
    """Run vps_topup once against the peer; return the task result."""
    env = {"VPSCRYPTO_API_KEY": "vpsk_PeerTestKey0123456789", "VPSCRYPTO_API_URL": peer.url,
           "VPSFLEET_WALLET_KEY": wallet.key.hex()}
    run = ansible.playbook(PLAYBOOK, env=env)
    assert run.rc == 0, run.stdout + run.stderr
    return run.json["plays"][0]["tasks"][0]["hosts"]["localhost"]


def settled_authorization(peer):
    """The EIP-3009 authorization and signature the facilitator settled, read by the SDK."""
    payload = ExactEIP3009Payload.from_dict(peer.calls("settle")[0]["payload"]["payload"])
    return payload.authorization, payload.signature


def assert_unknown_outcome_with_no_rerun_advice(result):
    assert result["failed"] is True
    assert result["failure"]["outcome_unknown"] is True
    assert "outcome is unknown" in result["msg"] and "not paid again" in result["msg"]
    assert "re-run" not in result["msg"] and "safe" not in result["msg"] and "fix the cause" not in result["msg"]
    assert "vps_topup_info" in result["msg"]


def test_vps_topup_pays_the_sdk_server_with_a_signature_its_facilitator_accepts(ansible, peer, wallet):
    peer.chain.fund(wallet.address, 100 * 10 ** 6)

    paid = pay(ansible, peer, wallet)

    assert paid["changed"] is True, paid
    assert paid["topup"]["status"] == "completed"
    (transfer,) = peer.chain.transfers
    assert (transfer["from"].lower(), transfer["to"], transfer["value"]) == (
        wallet.address.lower(), x402_sdk_peer.PAY_TO, USDC_25)
    assert paid["settlement"] == {"success": True, "payer": transfer["from"], "transaction": transfer["transaction"],
                                  "network": "eip155:8453"}
    verified = peer.calls("verify")[0]
    assert verified["requirements"]["network"] == "eip155:8453" and verified["requirements"]["amount"] == "25000000"
    authorization, signature = settled_authorization(peer)
    digest = hash_eip3009_authorization(authorization, 8453, x402_sdk_peer.USDC, "USD Coin", "2")
    assert verify_eoa_signature(digest, bytes.fromhex(signature[2:]), wallet.address)
    assert peer.chain.balance(wallet.address) == 75 * 10 ** 6


@pytest.mark.parametrize("peer", [{"max_timeout_seconds": 86400}], indirect=True)
def test_a_day_long_timeout_is_paid_with_a_window_of_five_minutes_at_most(ansible, peer, wallet):
    peer.chain.fund(wallet.address, 100 * 10 ** 6)

    paid = pay(ansible, peer, wallet)

    assert paid["changed"] is True, paid
    (transfer,) = peer.chain.transfers
    assert transfer["valid_before"] <= time.time() + 300


def test_a_payer_clock_two_minutes_fast_still_pays(ansible, peer, wallet):
    peer.chain.fund(wallet.address, 100 * 10 ** 6)
    peer.chain.clock_offset = -120  # the facilitator and the chain run 120 s behind the payer

    paid = pay(ansible, peer, wallet)

    assert paid["changed"] is True, paid
    assert len(peer.chain.transfers) == 1


def test_a_settlement_pending_answer_is_of_unknown_outcome_with_its_transaction(ansible, peer, wallet):
    peer.chain.fund(wallet.address, 100 * 10 ** 6)
    peer.chain.mode = "pending"

    paid = pay(ansible, peer, wallet)

    assert_unknown_outcome_with_no_rerun_advice(paid)
    (transfer,) = peer.chain.transfers
    assert paid["failure"]["transaction"] == transfer["transaction"]
    assert paid["failure"]["stage"] == "settlement" and paid["failure"]["reason"].startswith("settlement_pending")
    assert transfer["transaction"] in paid["msg"]
    assert paid["settlement"]["errorReason"] == "settlement_pending"
    assert paid["payment"]["nonce"] == transfer["nonce"]


def test_a_facilitator_error_after_settling_is_of_unknown_outcome(ansible, peer, wallet):
    peer.chain.fund(wallet.address, 100 * 10 ** 6)
    peer.facilitator_service.fail_after_settle = True

    paid = pay(ansible, peer, wallet)

    assert_unknown_outcome_with_no_rerun_advice(paid)
    assert paid["failure"]["reason"].startswith("Facilitator settle failed (500)")
    assert len(peer.chain.transfers) == 1, "the money moved though the answer was a 402"


def test_a_failed_transfer_call_is_of_unknown_outcome(ansible, peer, wallet):
    peer.chain.fund(wallet.address, 100 * 10 ** 6)
    peer.chain.mode = "revert"

    paid = pay(ansible, peer, wallet)

    assert_unknown_outcome_with_no_rerun_advice(paid)
    assert paid["failure"]["reason"].startswith("transaction_failed")


def test_a_verification_refusal_is_a_clean_refusal_and_moves_nothing(ansible, peer, wallet):
    peer.chain.fund(wallet.address, 10 * 10 ** 6)

    paid = pay(ansible, peer, wallet)

    assert paid["failed"] is True
    assert paid["failure"]["outcome_unknown"] is False and paid["failure"]["stage"] == "verification"
    assert paid["failure"]["reason"] == "invalid_exact_evm_insufficient_balance"
    assert "fix the cause and run again" in paid["msg"]
    assert peer.chain.transfers == [] and peer.calls("settle") == []


@pytest.mark.parametrize("peer", [{"payment_identifier": True}], indirect=True)
def test_a_required_payment_identifier_is_echoed_with_a_stable_id_and_accepted(ansible, peer, wallet):
    peer.chain.fund(wallet.address, 100 * 10 ** 6)

    paid = pay(ansible, peer, wallet)

    assert paid["changed"] is True, paid
    extensions = peer.calls("settle")[0]["payload"]["extensions"]
    payment_id = extensions["payment-identifier"]["info"]["id"]
    assert payment_id == paid["payment"]["payment_id"] and payment_id.startswith("pay_")
    assert extensions["payment-identifier"]["info"]["required"] is True
    assert peer.calls("verify")[0]["payload"]["extensions"] == extensions


# --- protocol v1: the x402 1.0.0 server in its own process, the 2.x facilitator's v1 scheme --------

def test_vps_topup_pays_the_sdk_1_v1_server(ansible, v1_peer, wallet):
    v1_peer.chain.fund(wallet.address, 100 * 10 ** 6)

    paid = pay(ansible, v1_peer, wallet)

    assert paid["changed"] is True, paid
    (transfer,) = v1_peer.chain.transfers
    assert paid["settlement"]["success"] is True and paid["settlement"]["transaction"] == transfer["transaction"]
    assert v1_peer.calls("verify")[0]["requirements"]["maxAmountRequired"] == "25000000"


def test_a_v1_settle_failed_after_the_transfer_is_of_unknown_outcome(ansible, v1_peer, wallet):
    v1_peer.chain.fund(wallet.address, 100 * 10 ** 6)
    v1_peer.chain.mode = "pending"

    paid = pay(ansible, v1_peer, wallet)

    assert_unknown_outcome_with_no_rerun_advice(paid)
    assert paid["failure"]["reason"].startswith("Settle failed") and paid["failure"]["stage"] == "settlement"
    assert len(v1_peer.chain.transfers) == 1, "the money moved though the answer was a 402"


def test_a_v1_invalid_payment_is_a_clean_refusal_and_moves_nothing(ansible, v1_peer, wallet):
    v1_peer.chain.fund(wallet.address, 10 * 10 ** 6)

    paid = pay(ansible, v1_peer, wallet)

    assert paid["failed"] is True
    assert paid["failure"]["outcome_unknown"] is False
    assert paid["failure"]["reason"].startswith("Invalid payment: ")
    assert v1_peer.chain.transfers == [] and v1_peer.calls("settle") == []
