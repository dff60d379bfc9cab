# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Top-ups: the min_balance decision, and what a failure after an x402 payment was sent says."""

from __future__ import annotations

import base64
import json
from decimal import Decimal

import pytest

from ansible_collections.vpsfleet.cloud.plugins.module_utils._payments import topup as _topup
from ansible_collections.vpsfleet.cloud.plugins.module_utils._payments import x402 as _x402
from ansible_collections.vpsfleet.cloud.plugins.module_utils._providers.vpscrypto import VpsCryptoAdapter
# fake_api is a pytest fixture: importing it is what makes it available here.
from ansible_collections.vpsfleet.cloud.tests.unit.plugins.module_utils._http import (  # noqa: F401  # pylint: disable=unused-import
    client_for, fake_api)

pytest.importorskip("eth_account", reason="paying needs eth-account")

WALLET_KEY = "0x" + "4c" * 32
PAY_TO = "0x209693Bc6afc0C5328bA36FaF03C514EF312287C"
BASE_USDC = "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913"
FIXED_NOW = 1767225600
FIXED_NONCE = bytes(range(32))
REQUIREMENT = {"scheme": "exact", "network": "base", "maxAmountRequired": "25000000", "payTo": PAY_TO,
               "asset": BASE_USDC, "maxTimeoutSeconds": 300, "extra": {"name": "USD Coin", "version": "2"}}


def payment_required(error="X-PAYMENT header is required"):
    return {"x402Version": 1, "error": error, "accepts": [REQUIREMENT]}


def encoded(document):
    return base64.b64encode(json.dumps(document).encode("utf-8")).decode("ascii")


@pytest.fixture
def fixed_signature(monkeypatch):
    """Sign with a fixed clock and nonce, so the test knows the signature before it is made."""
    real_build_payment = _x402.build_payment

    def build_at_a_fixed_time(requirement, x402_version, private_key, now=None, nonce=None, resource=None, **extra):
        return real_build_payment(requirement, x402_version, private_key, now=FIXED_NOW, nonce=FIXED_NONCE,
                                  resource=resource, **extra)

    monkeypatch.setattr(_x402, "build_payment", build_at_a_fixed_time)
    return real_build_payment(REQUIREMENT, 1, WALLET_KEY, now=FIXED_NOW, nonce=FIXED_NONCE).signature


def adapter_for(fake, retries=2):
    return VpsCryptoAdapter(client_for(fake, retries=retries))


def pay(fake, retries=2):
    return _topup.pay_with_x402(adapter_for(fake, retries), Decimal("25"), WALLET_KEY)


def test_no_min_balance_always_tops_up():
    assert _topup.below_min_balance(None, None) is True


def test_a_balance_below_min_balance_tops_up_and_one_at_it_does_not():
    assert _topup.below_min_balance(Decimal("49.99"), 50) is True
    assert _topup.below_min_balance(Decimal("50"), 50) is False


def test_an_unreadable_balance_is_an_error_not_a_reason_to_pay():
    with pytest.raises(ValueError, match="balance could not be read"):
        _topup.below_min_balance(None, 50)


def test_a_failed_settlement_reports_the_receipts_error_reason(fake_api):
    receipt = {"success": False, "errorReason": "invalid_exact_evm_insufficient_balance", "transaction": "",
               "network": "base", "payer": "0xdB00079cad3e665853Bf766eFe26F4C38cdbdCDA"}
    fake_api.answer(402, payment_required()).answer(402, {}, headers={"PAYMENT-RESPONSE": encoded(receipt)})

    with pytest.raises(_topup.TopupRefused) as refusal:
        pay(fake_api)

    assert refusal.value.reason == "invalid_exact_evm_insufficient_balance"
    assert refusal.value.settlement == receipt
    assert refusal.value.maybe_settled is False


def test_the_receipts_error_message_is_added_to_its_reason(fake_api):
    receipt = {"success": False, "errorReason": "transaction_failed", "errorMessage": "execution reverted"}
    fake_api.answer(402, payment_required()).answer(402, {}, headers={"X-PAYMENT-RESPONSE": encoded(receipt)})

    with pytest.raises(_topup.TopupRefused) as refusal:
        pay(fake_api)

    assert refusal.value.reason == "transaction_failed (execution reverted)"


def test_a_402_after_the_payment_was_sent_twice_may_have_been_settled(fake_api):
    fake_api.answer(402, payment_required()).drop().answer(
        402, payment_required(error="invalid_exact_evm_payload_authorization_valid_before"))

    with pytest.raises(_topup.TopupRefused) as refusal:
        pay(fake_api)

    assert (refusal.value.resent, refusal.value.maybe_settled) == (True, True)


@pytest.mark.parametrize("reason", ["nonce_already_used", "invalid_exact_evm_nonce_already_used",
                                    "FiatTokenV2: authorization is used or canceled"])
def test_a_refusal_saying_the_nonce_is_used_may_have_been_settled(fake_api, reason):
    fake_api.answer(402, payment_required()).answer(402, payment_required(error=reason))

    with pytest.raises(_topup.TopupRefused) as refusal:
        pay(fake_api)

    assert (refusal.value.resent, refusal.value.maybe_settled) == (False, True)


def test_a_4xx_answering_the_payment_sent_once_is_a_definite_refusal(fake_api):
    fake_api.answer(402, payment_required()).answer(400, {"error": "bad_request", "message": "invalid amount"})

    with pytest.raises(_topup.PaymentUnconfirmed) as failure:
        pay(fake_api)

    assert failure.value.error.status == 400
    assert (failure.value.resent, failure.value.maybe_settled) == (False, False)


def test_a_4xx_after_the_payment_was_sent_twice_may_have_been_settled(fake_api):
    fake_api.answer(402, payment_required()).drop().answer(400, {"error": "bad_request", "message": "replayed"})

    with pytest.raises(_topup.PaymentUnconfirmed) as failure:
        pay(fake_api)

    assert (failure.value.resent, failure.value.maybe_settled) == (True, True)


def test_a_server_error_answering_the_payment_may_have_been_settled(fake_api):
    fake_api.answer(402, payment_required()).answer(502, {"error": "bad_gateway", "message": "upstream"})

    with pytest.raises(_topup.PaymentUnconfirmed) as failure:
        pay(fake_api, retries=0)

    assert (failure.value.error.status, failure.value.maybe_settled) == (502, True)


def test_the_bare_signature_echoed_in_an_error_is_scrubbed(fake_api, fixed_signature):
    fake_api.answer(402, payment_required()).answer(
        400, {"error": "bad_request", "message": "signature %s does not verify" % fixed_signature,
              "detail": {"echo": fixed_signature}})

    with pytest.raises(_topup.PaymentUnconfirmed) as failure:
        pay(fake_api)

    assert fixed_signature not in str(failure.value.error)
    assert fixed_signature not in json.dumps(failure.value.error.body)
    assert fixed_signature[2:] not in str(failure.value.error)


def test_the_bare_signature_echoed_in_a_refusal_reason_is_scrubbed(fake_api, fixed_signature):
    fake_api.answer(402, payment_required()).answer(402, {"error": "bad signature %s" % fixed_signature})

    with pytest.raises(_topup.TopupRefused) as refusal:
        pay(fake_api)

    assert fixed_signature not in refusal.value.reason
