# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a 402 answering a signed payment says about the money, in the shapes the reference SDK's
servers produce (x402 2.x for protocol v2, x402 1.0.0 for v1); the payment-identifier extension;
a signed payment stored and sent again."""

from __future__ import annotations

import base64
import json

import pytest

from ansible_collections.vpsfleet.cloud.plugins.module_utils._payments import x402 as _x402

WALLET_KEY = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"
PAY_TO = "0x209693Bc6afc0C5328bA36FaF03C514EF312287C"
MAINNET_USDC = "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913"
PAYER = "0x" + "11" * 20
TRANSACTION = "0x" + "ab" * 32
NOW = 1767225600


def b64(document):
    # The SDK encodes with json.dumps' default separators.
    return base64.b64encode(json.dumps(document).encode("utf-8")).decode("ascii")


def v2_requirement(**changes):
    requirement = {"scheme": "exact", "network": "eip155:8453", "amount": "25000000", "asset": MAINNET_USDC,
                   "payTo": PAY_TO, "maxTimeoutSeconds": 300, "extra": {"name": "USD Coin", "version": "2"}}
    requirement.update(changes)
    return requirement


def v2_payment_required(error=None, extensions=None):
    document = {"x402Version": 2, "error": error, "resource": {"url": "http://127.0.0.1/topups"},
                "accepts": [v2_requirement()]}
    if extensions is not None:
        document["extensions"] = extensions
    return {"PAYMENT-REQUIRED": b64(document)}


def v1_body(error):
    return {"x402Version": 1, "error": error, "accepts": [{
        "scheme": "exact", "network": "base", "maxAmountRequired": "25000000", "resource": "http://x/topups",
        "description": "", "mimeType": "", "payTo": PAY_TO, "maxTimeoutSeconds": 60, "asset": MAINNET_USDC,
        "extra": {"name": "USD Coin", "version": "2"}}]}


def settle_failure(reason, message=None, transaction=""):
    """A v2 settlement failure as x402 2.x's resource server answers it: empty body, receipt header."""
    receipt = {"success": False, "errorReason": reason}
    if message is not None:
        receipt["errorMessage"] = message
    receipt.update(payer=PAYER, transaction=transaction, network="eip155:8453")
    return {"PAYMENT-RESPONSE": b64(receipt)}


# --- v2 (x402 2.x servers) ----------------------------------------------------------------------

def test_v2_settlement_pending_is_of_unknown_outcome_with_its_transaction():
    answer = _x402.classify_payment_answer(
        settle_failure("settlement_pending", "timeout waiting for receipt", TRANSACTION), {})
    assert (answer.stage, answer.outcome_unknown, answer.transaction) == ("settlement", True, TRANSACTION)
    assert answer.reason.startswith("settlement_pending")


def test_v2_facilitator_error_after_settling_is_of_unknown_outcome():
    text = "Facilitator settle failed (500): Internal Server Error"
    answer = _x402.classify_payment_answer(settle_failure(text, text), {})
    assert (answer.stage, answer.outcome_unknown, answer.transaction) == ("settlement", True, None)
    assert answer.reason == text


@pytest.mark.parametrize("reason", ["transaction_failed", "unexpected_settle_error"])
def test_v2_other_settlement_failures_are_of_unknown_outcome(reason):
    assert _x402.classify_payment_answer(settle_failure(reason), {}).outcome_unknown is True


def test_v2_a_reverted_transfer_with_a_hash_is_of_unknown_outcome_whatever_its_reason():
    answer = _x402.classify_payment_answer(
        settle_failure("invalid_exact_evm_transfer_event_mismatch", transaction=TRANSACTION), {})
    assert (answer.outcome_unknown, answer.transaction) == (True, TRANSACTION)


def test_v2_a_settle_time_reverification_refusal_without_a_transaction_is_a_clean_refusal():
    answer = _x402.classify_payment_answer(settle_failure("invalid_exact_evm_insufficient_balance"), {})
    assert (answer.stage, answer.outcome_unknown) == ("verification", False)


def test_v2_a_spent_nonce_is_of_unknown_outcome_though_it_reads_as_a_verification_refusal():
    answer = _x402.classify_payment_answer(v2_payment_required("invalid_exact_evm_nonce_already_used"), {})
    assert answer.outcome_unknown is True


@pytest.mark.parametrize("error", ["invalid_exact_evm_insufficient_balance",
                                   "invalid_exact_evm_payload_authorization_valid_after",
                                   "No matching payment requirements"])
def test_v2_a_fresh_payment_required_is_a_verification_refusal(error):
    answer = _x402.classify_payment_answer(v2_payment_required(error), {})
    assert (answer.stage, answer.outcome_unknown, answer.reason) == ("verification", False, error)


def test_a_402_with_neither_requirements_nor_a_receipt_is_of_unknown_outcome():
    answer = _x402.classify_payment_answer({}, {"error": "payment failed"})
    assert (answer.stage, answer.outcome_unknown, answer.reason) == ("unknown", True, "payment failed")


def test_an_unreadable_receipt_is_of_unknown_outcome():
    answer = _x402.classify_payment_answer({"PAYMENT-RESPONSE": "%%%"}, {})
    assert (answer.stage, answer.outcome_unknown) == ("unknown", True)


# --- v1 (x402 1.0.0 servers) --------------------------------------------------------------------

@pytest.mark.parametrize("error", ["Settle failed: transaction_failed", "Settle failed"])
def test_v1_settle_failed_is_of_unknown_outcome(error):
    answer = _x402.classify_payment_answer({}, v1_body(error))
    assert (answer.stage, answer.outcome_unknown, answer.reason) == ("settlement", True, error)


@pytest.mark.parametrize("error", ["Invalid payment: insufficient_funds", "No matching payment requirements found",
                                   "Invalid payment header format"])
def test_v1_errors_before_settling_are_clean_refusals(error):
    answer = _x402.classify_payment_answer({}, v1_body(error))
    assert (answer.stage, answer.outcome_unknown) == ("verification", False)


# --- payment-identifier ---------------------------------------------------------------------------

DECLARED = {"payment-identifier": {"info": {"required": False}, "schema": {"type": "object"}},
            "other-extension": {"info": {"a": 1}}}


def parse(headers):
    return _x402.parse_payment_required(402, headers, None)


def test_a_declared_payment_identifier_gets_the_id_and_every_extension_is_echoed_as_declared():
    offer = parse(v2_payment_required(extensions=DECLARED))
    payment = _x402.sign_payment(offer, "25", WALLET_KEY, payment_id="pay_0123456789abcdef", now=NOW)
    document = json.loads(base64.b64decode(payment.header_value))
    assert document["extensions"] == {
        "payment-identifier": {"info": {"required": False, "id": "pay_0123456789abcdef"},
                               "schema": {"type": "object"}},
        "other-extension": {"info": {"a": 1}}}
    assert payment.payment_id == "pay_0123456789abcdef"
    assert DECLARED["payment-identifier"]["info"] == {"required": False}, "the declaration is not changed"


def test_no_extensions_are_sent_when_the_402_declares_none():
    payment = _x402.sign_payment(parse(v2_payment_required()), "25", WALLET_KEY, payment_id="pay_0123456789abcdef")
    assert "extensions" not in json.loads(base64.b64decode(payment.header_value))
    assert payment.payment_id is None


def test_a_required_payment_identifier_without_an_id_is_refused_before_signing():
    offer = parse(v2_payment_required(extensions={"payment-identifier": {"info": {"required": True}}}))
    with pytest.raises(_x402.X402Error, match="requires a payment-identifier id"):
        _x402.sign_payment(offer, "25", WALLET_KEY)


def test_a_malformed_payment_id_is_refused():
    offer = parse(v2_payment_required(extensions=DECLARED))
    with pytest.raises(_x402.X402Error, match="16 to 128 characters"):
        _x402.sign_payment(offer, "25", WALLET_KEY, payment_id="short")


# --- a signed payment kept and sent again ----------------------------------------------------------

def test_a_signed_payment_survives_a_json_round_trip_and_is_sent_again_unchanged():
    payment = _x402.sign_payment(parse(v2_payment_required(extensions=DECLARED)), "25", WALLET_KEY,
                                 payment_id="pay_0123456789abcdef", now=NOW)
    stored = json.loads(json.dumps(payment.to_dict()))
    again = _x402.SignedPayment.from_dict(stored)
    sent = []

    def send(headers):
        sent.append(headers)
        return 201, {}, {"ref": "vps-26-aaaaaaaaaa"}

    status, dummy, body, answer = _x402.send_signed_payment(send, again)
    assert sent == [payment.headers()]
    assert (status, answer, again.payment_id) == (201, None, "pay_0123456789abcdef")


def test_send_signed_payment_classifies_a_402():
    payment = _x402.sign_payment(parse(v2_payment_required()), "25", WALLET_KEY, now=NOW)
    answer = _x402.send_signed_payment(
        lambda headers: (402, settle_failure("settlement_pending", transaction=TRANSACTION), {}), payment)[3]
    assert (answer.outcome_unknown, answer.transaction) == (True, TRANSACTION)


def test_a_stored_payment_can_settle_only_until_shortly_before_valid_before():
    payment = _x402.sign_payment(parse(v2_payment_required()), "25", WALLET_KEY, now=NOW)
    assert payment.valid_until() == NOW + 300
    assert payment.can_still_settle(now=NOW + 200) is True
    assert payment.can_still_settle(now=NOW + 295) is False


def test_a_stored_payment_missing_a_field_is_refused():
    with pytest.raises(_x402.X402Error, match="lacks one of"):
        _x402.SignedPayment.from_dict({"header_name": "PAYMENT-SIGNATURE"})
