"""x402 settlement failures shaped as the reference SDK's servers send them, and faults aimed at the payment."""

import base64
import json
import time

import pytest
from eth_account import Account

from vps_sandbox.testing import SandboxError, call_api

from test_x402_payments import USDC_BASE, encode, signed_payload

FAULT_DELAY = 0.3


@pytest.fixture
def customer(sandbox):
    account = sandbox.create_account("vpscrypto", balance_usd=0)
    payer = Account.create()
    sandbox.fund_wallet(payer.address, "100.00")
    return account, payer


def post_topup(sandbox, account, headers=None):
    return call_api("POST", sandbox.vpscrypto_url + "/topups", account["api_key"], {"amount": 25, "coin": "USDCBASE"},
                    headers or {})


def pay(sandbox, account, payer, version):
    """Ask for the offer, sign it, send the payment; return the answer to the payment."""
    asked = post_topup(sandbox, account)
    if version == 1:
        offer = asked.body["accepts"][0]
        payload = signed_payload(payer, USDC_BASE, offer["payTo"], offer["maxAmountRequired"])
        return post_topup(sandbox, account, {"X-PAYMENT": encode(
            {"x402Version": 1, "scheme": "exact", "network": "base", "payload": payload})})
    accepted = json.loads(base64.b64decode(asked.headers["PAYMENT-REQUIRED"]))["accepts"][0]
    payload = signed_payload(payer, USDC_BASE, accepted["payTo"], accepted["amount"])
    return post_topup(sandbox, account, {"PAYMENT-SIGNATURE": encode(
        {"x402Version": 2, "accepted": accepted, "payload": payload})})


def receipt(answer):
    return json.loads(base64.b64decode(answer.headers["PAYMENT-RESPONSE"]))


def credits(sandbox, account):
    return [entry for entry in sandbox.ledger(account=account["account_id"]) if entry["kind"] == "credit"]


def wallet(sandbox, payer):
    return sandbox.control("GET", f"/wallets/{payer.address}")["usdc"]


def test_v2_settlement_pending_names_the_transaction_and_the_credit_lands_later(sandbox, customer):
    account, payer = customer
    sandbox.configure(x402_version=2, faults=[
        {"path": "^/topups$", "kind": "x402_settlement_pending", "effect_delay": FAULT_DELAY}])

    answer = pay(sandbox, account, payer, 2)

    assert (answer.status, answer.body) == (402, {})
    failed = receipt(answer)
    assert (failed["success"], failed["errorReason"], failed["network"]) == (False, "settlement_pending", "eip155:8453")
    assert failed["transaction"].startswith("0x") and len(failed["transaction"]) == 66
    assert wallet(sandbox, payer) == "75.00", "the money left the wallet at once"
    assert credits(sandbox, account) == []
    time.sleep(FAULT_DELAY + 0.5)
    [credit] = credits(sandbox, account)
    assert credit["reference"] == failed["transaction"]


def test_v2_facilitator_error_after_settling_carries_the_sdk_client_text_and_no_transaction(sandbox, customer):
    account, payer = customer
    sandbox.configure(x402_version=2, faults=[
        {"path": "^/topups$", "kind": "x402_facilitator_error", "effect_delay": FAULT_DELAY}])

    answer = pay(sandbox, account, payer, 2)

    failed = receipt(answer)
    assert answer.status == 402 and failed["success"] is False and failed["transaction"] == ""
    assert failed["errorReason"].startswith("Facilitator settle failed (500): ")
    assert wallet(sandbox, payer) == "75.00"
    time.sleep(FAULT_DELAY + 0.5)
    assert len(credits(sandbox, account)) == 1


@pytest.mark.parametrize("kind, error", [("x402_settlement_pending", "Settle failed: settlement_pending"),
                                         ("x402_facilitator_error", "Settle failed")])
def test_v1_settlement_failures_are_the_sdk_1_settle_failed_errors(sandbox, customer, kind, error):
    account, payer = customer
    sandbox.configure(faults=[{"path": "^/topups$", "kind": kind, "effect_delay": FAULT_DELAY}])

    answer = pay(sandbox, account, payer, 1)

    assert answer.status == 402 and answer.body["error"] == error and answer.body["accepts"]
    assert wallet(sandbox, payer) == "75.00"


def test_a_fault_aimed_at_the_payment_lets_the_offer_through(sandbox, customer):
    account, payer = customer
    sandbox.configure(faults=[{"path": "^/topups$", "kind": "503", "x402": "payment"}])

    answer = pay(sandbox, account, payer, 1)

    assert answer.status == 503
    assert [entry.get("fault") for entry in sandbox.requests_log()] == [None, "503"]
    assert wallet(sandbox, payer) == "100.00"


def test_a_fault_aimed_at_the_offer_spares_the_payment(sandbox, customer):
    account, payer = customer
    offer = post_topup(sandbox, account).body["accepts"][0]
    payload = signed_payload(payer, USDC_BASE, offer["payTo"], offer["maxAmountRequired"])
    header = encode({"x402Version": 1, "scheme": "exact", "network": "base", "payload": payload})
    sandbox.configure(faults=[{"path": "^/topups$", "kind": "503", "x402": "offer"}])

    assert post_topup(sandbox, account, {"X-PAYMENT": header}).status == 201
    assert post_topup(sandbox, account).status == 503


def test_x402_settlement_faults_cannot_aim_at_the_offer(sandbox):
    with pytest.raises(SandboxError, match="fault x402 must be"):
        sandbox.configure(faults=[{"path": "^/topups$", "kind": "x402_settlement_pending", "x402": "offer"}])


# --- payment-identifier ---------------------------------------------------------------------------

def pay_v2_with_id(sandbox, account, payer, payment_id):
    asked = post_topup(sandbox, account)
    required = json.loads(base64.b64decode(asked.headers["PAYMENT-REQUIRED"]))
    accepted = required["accepts"][0]
    extensions = json.loads(json.dumps(required.get("extensions") or {}))
    if payment_id and "payment-identifier" in extensions:
        extensions["payment-identifier"]["info"]["id"] = payment_id
    payment = {"x402Version": 2, "accepted": accepted, "extensions": extensions,
               "payload": signed_payload(payer, USDC_BASE, accepted["payTo"], accepted["amount"])}
    return required, post_topup(sandbox, account, {"PAYMENT-SIGNATURE": encode(payment)})


def test_a_declared_payment_identifier_has_the_sdk_declaration_shape(sandbox, customer):
    account, payer = customer
    sandbox.configure(x402_version=2, x402_payment_identifier="optional")

    required, dummy = pay_v2_with_id(sandbox, account, payer, None)

    declared = required["extensions"]["payment-identifier"]
    assert declared["info"] == {"required": False} and declared["schema"]["required"] == ["required"]


def test_a_second_payment_with_the_same_id_gets_the_first_answer_and_moves_nothing(sandbox, customer):
    account, payer = customer
    sandbox.configure(x402_version=2, x402_payment_identifier="optional")

    dummy, first = pay_v2_with_id(sandbox, account, payer, "pay_0123456789abcdef0123")
    dummy, second = pay_v2_with_id(sandbox, account, payer, "pay_0123456789abcdef0123")

    assert (first.status, second.status) == (201, 201) and second.body == first.body
    assert wallet(sandbox, payer) == "75.00" and len(credits(sandbox, account)) == 1


def test_a_required_payment_identifier_missing_is_refused_before_settling(sandbox, customer):
    account, payer = customer
    sandbox.configure(x402_version=2, x402_payment_identifier="required")

    dummy, answer = pay_v2_with_id(sandbox, account, payer, None)

    assert answer.status == 402 and answer.body["error"] == "payment_identifier_required"
    assert wallet(sandbox, payer) == "100.00"
