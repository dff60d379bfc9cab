# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""x402 payments: reading the 402, the spend guards, the EIP-3009 signature and its headers."""

from __future__ import annotations

import base64
import json
import sys
import time

import pytest

from ansible_collections.vpsfleet.cloud.plugins.module_utils._payments import x402 as _x402

eth_account = pytest.importorskip("eth_account", reason="signing tests need eth-account")
from eth_account import Account  # noqa: E402
from eth_account.messages import encode_typed_data  # noqa: E402

# A well-known throwaway key (from the eth-account documentation), never funded for real use.
WALLET_KEY = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"
WALLET_ADDRESS = Account.from_key(WALLET_KEY).address
PAY_TO = "0x209693Bc6afc0C5328bA36FaF03C514EF312287C"
MAINNET_USDC = "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913"
SEPOLIA_USDC = "0x036CbD53842c5426634e7929541eC2318f3dCF7e"

# The pinned vector: this key, this nonce, this clock and a 25 USD mainnet requirement with a
# 120 s timeout sign to exactly this signature. A change to the typed data changes it.
VECTOR_NOW = 1767225600
VECTOR_NONCE = bytes(range(32))
VECTOR_SIGNATURE = (
    "0x682d59b42910b8c64c5d264482a9b117905e7df150142dbd9918ff9b26c783c4"
    "75c73fc0bf434e9b1e14e078c84bb802dbf06284de43ce32a4fb9c59d83675211b"
)


def v1_requirement(**changes):
    requirement = {
        "scheme": "exact", "network": "base", "maxAmountRequired": "25000000",
        "payTo": PAY_TO, "asset": MAINNET_USDC, "maxTimeoutSeconds": 120,
        "extra": {"name": "USD Coin", "version": "2"},
        "resource": "https://api.vpscrypto.example/topups", "description": "Top-up",
        "mimeType": "application/json",
    }
    requirement.update(changes)
    return requirement


def v2_requirement(**changes):
    requirement = {
        "scheme": "exact", "network": "eip155:8453", "amount": "25000000",
        "payTo": PAY_TO, "asset": MAINNET_USDC, "maxTimeoutSeconds": 120,
        "extra": {"name": "USD Coin", "version": "2"},
    }
    requirement.update(changes)
    return requirement


def v1_offer(*requirements):
    return _x402.PaymentRequired(1, list(requirements) or [v1_requirement()])


def decode_header(payment):
    return json.loads(base64.b64decode(payment.header_value))


def encode_b64_json(document):
    return base64.b64encode(json.dumps(document).encode()).decode()


def recovered_signer(network, header_document):
    payload = header_document["payload"]
    typed_data = _x402.transfer_typed_data(network, payload["authorization"])
    return Account.recover_message(encode_typed_data(full_message=typed_data),
                                   signature=payload["signature"])


@pytest.fixture
def signing_calls(monkeypatch):
    """Record every call to the signing function, still letting it sign."""
    calls = []
    real_sign = _x402._sign_typed_data

    def recording_sign(full_message, private_key):
        calls.append(full_message)
        return real_sign(full_message, private_key)

    monkeypatch.setattr(_x402, "_sign_typed_data", recording_sign)
    return calls


# --- reading the 402 ----------------------------------------------------------------------------

def test_v1_requirements_are_read_from_the_json_body():
    body = json.dumps({"x402Version": 1, "error": "X-PAYMENT header is required",
                       "accepts": [v1_requirement()]})
    offer = _x402.parse_payment_required(402, {"Content-Type": "application/json"}, body)
    assert (offer.x402_version, offer.error, offer.accepts) == (
        1, "X-PAYMENT header is required", [v1_requirement()])


def test_v2_requirements_come_from_the_payment_required_header_whatever_its_case():
    document = {"x402Version": 2, "error": "payment required", "accepts": [v2_requirement()],
                "resource": {"url": "https://api.vpscrypto.example/topups"}}
    offer = _x402.parse_payment_required(
        402, {"payment-required": encode_b64_json(document)}, b"{}")
    assert offer.x402_version == 2
    assert offer.accepts == [v2_requirement()]
    assert offer.resource == {"url": "https://api.vpscrypto.example/topups"}


def test_the_header_wins_over_a_v1_body_as_in_the_reference_client():
    header = encode_b64_json({"x402Version": 2, "accepts": [v2_requirement()]})
    body = {"x402Version": 1, "accepts": [v1_requirement()]}
    offer = _x402.parse_payment_required(402, {"PAYMENT-REQUIRED": header}, body)
    assert offer.x402_version == 2


def test_a_402_without_requirements_is_an_error():
    with pytest.raises(_x402.X402Error, match="no x402 payment requirements"):
        _x402.parse_payment_required(402, {}, b'{"error": "insufficient funds"}')


def test_an_undecodable_payment_required_header_is_an_error():
    with pytest.raises(_x402.X402Error, match="not base64-encoded JSON"):
        _x402.parse_payment_required(402, {"PAYMENT-REQUIRED": "%%%not base64"}, None)


def test_a_non_402_answer_is_not_read_as_a_payment_request():
    with pytest.raises(_x402.X402Error, match="HTTP 201"):
        _x402.parse_payment_required(201, {}, {"x402Version": 1, "accepts": [v1_requirement()]})


# --- the spend guards ---------------------------------------------------------------------------

TAMPERED_V1_REQUIREMENTS = {
    "too much": (v1_requirement(maxAmountRequired="30000000"),
                 "asks for 30.000000 USDC (30000000 base units) but the top-up is for 25.00 USD"),
    "too little": (v1_requirement(maxAmountRequired="2500000"),
                   "asks for 2.500000 USDC (2500000 base units)"),
    "wrong asset": (v1_requirement(asset="0x1111111111111111111111111111111111111111"),
                    "is not the USDC contract"),
    "wrong network": (v1_requirement(network="ethereum"), "'ethereum' is not Base"),
    "v2 network name in a v1 answer": (v1_requirement(network="eip155:8453"), "v1 naming"),
    "testnet without allow_testnet": (
        v1_requirement(network="base-sepolia", asset=SEPOLIA_USDC,
                       extra={"name": "USDC", "version": "2"}),
        "testnet and allow_testnet is false"),
    "wrong domain name": (v1_requirement(extra={"name": "USDC", "version": "2"}),
                          "domain name 'USDC' does not match"),
    "wrong domain version": (v1_requirement(extra={"name": "USD Coin", "version": "1"}),
                             "domain version '1'"),
    "wrong payee": (v1_requirement(payTo="0x2222222222222222222222222222222222222222"),
                    "is not the expected payee"),
    "zero payee": (v1_requirement(payTo="0x" + "0" * 40), "zero address"),
    "malformed payee": (v1_requirement(payTo="0x1234"), "not a 20-byte hex address"),
    "permit2 transfer": (v1_requirement(extra={"name": "USD Coin", "version": "2",
                                               "assetTransferMethod": "permit2"}),
                         "transfer method is 'permit2'"),
    "scheme not exact": (v1_requirement(scheme="upto"), "scheme is 'upto'"),
    "zero timeout": (v1_requirement(maxTimeoutSeconds=0), "maxTimeoutSeconds 0"),
    "v2 amount field in a v1 answer": (
        dict((key, value) for key, value in v1_requirement(amount="25000000").items()
             if key != "maxAmountRequired"),
        "has no 'maxAmountRequired', where x402 v1 puts the amount"),
    "fractional base units": (v1_requirement(maxAmountRequired="25000000.5"),
                              "not a whole number of base units"),
}


@pytest.mark.parametrize("case", sorted(TAMPERED_V1_REQUIREMENTS))
def test_a_tampered_requirement_is_refused_before_anything_is_signed(case, signing_calls):
    requirement, expected_reason = TAMPERED_V1_REQUIREMENTS[case]
    with pytest.raises(_x402.SpendGuardError) as refusal:
        _x402.sign_payment(v1_offer(requirement), "25.00", WALLET_KEY, expected_pay_to=PAY_TO)
    assert str(refusal.value).startswith("refusing to pay: ")
    assert expected_reason in str(refusal.value)
    assert signing_calls == []


def test_the_payee_and_asset_are_compared_without_regard_to_checksum_case():
    requirement = v1_requirement(payTo=PAY_TO.lower(), asset=MAINNET_USDC.upper().replace("0X", "0x"))
    chosen = _x402.select_requirement(v1_offer(requirement), "25", expected_pay_to=PAY_TO.upper()
                                      .replace("0X", "0x"))
    assert chosen is requirement


def test_testnet_is_paid_when_allowed():
    requirement = v1_requirement(network="base-sepolia", asset=SEPOLIA_USDC,
                                 extra={"name": "USDC", "version": "2"})
    assert _x402.select_requirement(v1_offer(requirement), "25", allow_testnet=True) is requirement


def test_absent_domain_fields_take_the_table_values(signing_calls):
    requirement = v1_requirement(extra={})
    _x402.sign_payment(v1_offer(requirement), "25", WALLET_KEY, now=VECTOR_NOW, nonce=VECTOR_NONCE)
    assert signing_calls[0]["domain"] == {"name": "USD Coin", "version": "2", "chainId": 8453,
                                          "verifyingContract": MAINNET_USDC}


def test_a_v2_requirement_without_amount_is_refused_even_with_a_v1_amount_field(signing_calls):
    requirement = dict((key, value) for key, value in v2_requirement(maxAmountRequired="25000000").items()
                       if key != "amount")
    with pytest.raises(_x402.SpendGuardError, match="has no 'amount', where x402 v2 puts the amount"):
        _x402.sign_payment(_x402.PaymentRequired(2, [requirement]), "25", WALLET_KEY)
    assert signing_calls == []


def test_each_version_reads_only_its_own_amount_field():
    v1_with_a_stray_amount = v1_requirement(maxAmountRequired="30000000", amount="25000000")
    with pytest.raises(_x402.SpendGuardError, match="asks for 30.000000 USDC"):
        _x402.select_requirement(v1_offer(v1_with_a_stray_amount), "25")
    v2_with_a_stray_amount = v2_requirement(amount="30000000", maxAmountRequired="25000000")
    with pytest.raises(_x402.SpendGuardError, match="asks for 30.000000 USDC"):
        _x402.select_requirement(_x402.PaymentRequired(2, [v2_with_a_stray_amount]), "25")


def test_an_amount_finer_than_a_micro_dollar_is_refused():
    with pytest.raises(_x402.SpendGuardError, match="more than 6 decimals"):
        _x402.select_requirement(v1_offer(), "25.0000001")


def test_the_mainnet_usdc_contract_is_refused_on_the_testnet():
    requirement = v1_requirement(network="base-sepolia", extra={"name": "USDC", "version": "2"})
    with pytest.raises(_x402.SpendGuardError, match="is not the USDC contract .* on base-sepolia"):
        _x402.select_requirement(v1_offer(requirement), "25", allow_testnet=True)


def test_the_testnet_usdc_contract_is_refused_on_mainnet():
    with pytest.raises(_x402.SpendGuardError, match="is not the USDC contract .* on base"):
        _x402.select_requirement(v1_offer(v1_requirement(asset=SEPOLIA_USDC)), "25")


V2_TAMPERED = {
    "more than asked": (v2_requirement(amount="25000001"), "asks for 25.000001 USDC"),
    "v1 network name in a v2 answer": (v2_requirement(network="base"), "v2 naming"),
    "testnet without allow_testnet": (v2_requirement(network="eip155:84532", asset=SEPOLIA_USDC,
                                                     extra={"name": "USDC", "version": "2"}), "testnet"),
    "another payee": (v2_requirement(payTo="0x2222222222222222222222222222222222222222"),
                      "is not the expected payee"),
}


@pytest.mark.parametrize("case", sorted(V2_TAMPERED))
def test_a_tampered_v2_requirement_is_refused_before_anything_is_signed(case, signing_calls):
    requirement, expected_reason = V2_TAMPERED[case]
    with pytest.raises(_x402.SpendGuardError, match=expected_reason):
        _x402.sign_payment(_x402.PaymentRequired(2, [requirement]), "25", WALLET_KEY, expected_pay_to=PAY_TO)
    assert signing_calls == []


@pytest.mark.parametrize("expected_pay_to", ["0x1234", "not an address", PAY_TO + "00"])
def test_a_malformed_expected_payee_refuses_every_payment(expected_pay_to):
    with pytest.raises(_x402.SpendGuardError, match="expected_pay_to .* is not a 20-byte hex address"):
        _x402.select_requirement(v1_offer(), "25", expected_pay_to=expected_pay_to)


@pytest.mark.parametrize("amount", ["0", "-25", "NaN", "Infinity", "twenty"])
def test_an_amount_that_is_not_a_positive_number_is_refused(amount):
    with pytest.raises(_x402.SpendGuardError, match="refusing to pay: the top-up amount"):
        _x402.select_requirement(v1_offer(), amount)


def test_a_boolean_or_negative_required_amount_is_refused():
    for raw in (True, -25000000):
        with pytest.raises(_x402.SpendGuardError, match="not a whole number of base units"):
            _x402.select_requirement(v1_offer(v1_requirement(maxAmountRequired=raw)), "25")


def test_the_amount_is_converted_to_six_decimal_base_units_exactly():
    assert [_x402.usd_to_base_units(value) for value in ("25", 25.1, "1999.99", "0.000001")] == [
        25000000, 25100000, 1999990000, 1]


def test_the_first_requirement_that_passes_every_guard_is_chosen():
    testnet = v1_requirement(network="base-sepolia", asset=SEPOLIA_USDC)
    mainnet = v1_requirement()
    assert _x402.select_requirement(v1_offer(testnet, mainnet), "25") is mainnet


def test_when_no_requirement_passes_the_refusal_lists_each_reason():
    offer = v1_offer(v1_requirement(scheme="upto"), v1_requirement(maxAmountRequired="1"))
    with pytest.raises(_x402.SpendGuardError) as refusal:
        _x402.select_requirement(offer, "25")
    message = str(refusal.value)
    assert "none of the 2 offered requirements passes" in message
    assert "#1: the scheme is 'upto'" in message
    assert "#2: the requirement asks for 0.000001 USDC (1 base units)" in message


# --- building and signing -----------------------------------------------------------------------

def test_the_pinned_vector_signs_to_the_same_bytes():
    payment = _x402.build_payment(v1_requirement(), 1, WALLET_KEY, now=VECTOR_NOW,
                                  nonce=VECTOR_NONCE)
    assert decode_header(payment)["payload"]["signature"] == VECTOR_SIGNATURE


def test_the_signature_recovers_to_the_wallet_address():
    payment = _x402.build_payment(v1_requirement(), 1, WALLET_KEY)
    mainnet = _x402.network_for("base", 1)
    assert recovered_signer(mainnet, decode_header(payment)) == WALLET_ADDRESS
    assert payment.payer == WALLET_ADDRESS


def test_the_authorization_pays_the_required_amount_to_the_payee_within_a_short_window():
    payment = _x402.build_payment(v1_requirement(maxTimeoutSeconds=120), 1, WALLET_KEY,
                                  now=VECTOR_NOW)
    authorization = decode_header(payment)["payload"]["authorization"]
    assert authorization["from"] == WALLET_ADDRESS
    assert authorization["to"] == PAY_TO
    assert authorization["value"] == "25000000"
    assert authorization["validAfter"] == str(VECTOR_NOW - 600)
    assert authorization["validBefore"] == str(VECTOR_NOW + 120)


def test_a_day_long_timeout_is_paid_with_a_window_of_five_minutes_at_most():
    offer = v1_offer(v1_requirement(maxTimeoutSeconds=86400))
    payment = _x402.sign_payment(offer, "25", WALLET_KEY, now=VECTOR_NOW)
    assert payment.authorization["validBefore"] == str(VECTOR_NOW + 300)


def test_valid_after_is_signed_ten_minutes_in_the_past_so_a_fast_payer_clock_still_pays():
    payment = _x402.sign_payment(v1_offer(v1_requirement()), "25", WALLET_KEY, now=VECTOR_NOW)
    # A payer clock 120 s fast: the authorization is valid by a server clock 120 s behind it.
    assert int(payment.authorization["validAfter"]) <= VECTOR_NOW - 120 - 300


def test_each_payment_gets_a_fresh_32_byte_nonce():
    first = _x402.build_payment(v1_requirement(), 1, WALLET_KEY).authorization["nonce"]
    second = _x402.build_payment(v1_requirement(), 1, WALLET_KEY).authorization["nonce"]
    assert len(bytes.fromhex(first[2:])) == 32
    assert first != second


def test_the_v1_header_has_exactly_the_v1_shape_with_string_fields():
    payment = _x402.build_payment(v1_requirement(), 1, WALLET_KEY, now=VECTOR_NOW,
                                  nonce=VECTOR_NONCE)
    document = decode_header(payment)
    assert payment.header_name == "X-PAYMENT"
    assert document == {
        "x402Version": 1, "scheme": "exact", "network": "base",
        "payload": {"signature": VECTOR_SIGNATURE, "authorization": {
            "from": WALLET_ADDRESS, "to": PAY_TO, "value": "25000000",
            "validAfter": str(VECTOR_NOW - 600), "validBefore": str(VECTOR_NOW + 120),
            "nonce": "0x" + VECTOR_NONCE.hex()}},
    }
    assert base64.b64decode(payment.header_value).decode() == json.dumps(
        document, separators=(",", ":"))


def test_the_v2_header_echoes_the_chosen_requirement_and_the_resource():
    resource = {"url": "https://api.vpscrypto.example/topups", "description": "Top-up"}
    header = encode_b64_json({"x402Version": 2, "accepts": [v2_requirement()],
                              "resource": resource})
    offer = _x402.parse_payment_required(402, {"PAYMENT-REQUIRED": header}, None)
    payment = _x402.sign_payment(offer, "25", WALLET_KEY, now=VECTOR_NOW, nonce=VECTOR_NONCE)
    document = decode_header(payment)
    assert payment.header_name == "PAYMENT-SIGNATURE"
    assert document["x402Version"] == 2
    assert document["accepted"] == v2_requirement()
    assert document["resource"] == resource
    assert document["payload"]["signature"] == VECTOR_SIGNATURE
    assert set(document) == {"x402Version", "accepted", "resource", "payload"}


def test_a_key_without_0x_signs_like_the_same_key_with_it():
    with_prefix = _x402.build_payment(v1_requirement(), 1, WALLET_KEY, now=VECTOR_NOW,
                                      nonce=VECTOR_NONCE)
    without = _x402.build_payment(v1_requirement(), 1, WALLET_KEY[2:], now=VECTOR_NOW,
                                  nonce=VECTOR_NONCE)
    assert without.header_value == with_prefix.header_value


@pytest.mark.parametrize("bad_key", [WALLET_KEY[:-2], WALLET_KEY[:-1] + "g", "0x" + "0" * 64])
def test_a_malformed_key_is_refused_without_echoing_it(bad_key):
    with pytest.raises(_x402.WalletKeyError) as refusal:
        _x402.build_payment(v1_requirement(), 1, bad_key)
    assert bad_key[2:12] not in str(refusal.value)
    assert refusal.value.__cause__ is None


def test_a_missing_eth_account_names_the_library(monkeypatch):
    monkeypatch.setitem(sys.modules, "eth_account", None)
    with pytest.raises(_x402.MissingSigningLibraryError, match="eth-account"):
        _x402.build_payment(v1_requirement(), 1, WALLET_KEY)


def test_the_repr_of_a_payment_shows_neither_header_nor_signature():
    payment = _x402.build_payment(v1_requirement(), 1, WALLET_KEY, now=VECTOR_NOW,
                                  nonce=VECTOR_NONCE)
    shown = repr(payment)
    assert payment.header_value not in shown
    assert VECTOR_SIGNATURE[2:20] not in shown
    assert WALLET_ADDRESS in shown


def test_the_secrets_of_a_payment_are_its_header_and_its_bare_signature():
    payment = _x402.build_payment(v1_requirement(), 1, WALLET_KEY, now=VECTOR_NOW,
                                  nonce=VECTOR_NONCE)
    assert payment.secrets() == (payment.header_value, VECTOR_SIGNATURE)


def test_redaction_hides_the_payment_header_only():
    headers = {"x-payment": "secret-value", "Content-Type": "application/json"}
    assert _x402.redact_payment_header(headers) == {
        "x-payment": _x402.REDACTED, "Content-Type": "application/json"}


# --- settlement ---------------------------------------------------------------------------------

RECEIPT = {"success": True, "transaction": "0x" + "ab" * 32, "network": "base",
           "payer": WALLET_ADDRESS}


@pytest.mark.parametrize("header_name", ["X-PAYMENT-RESPONSE", "payment-response"])
def test_the_settlement_receipt_is_decoded_from_either_header(header_name):
    assert _x402.parse_settlement({header_name: encode_b64_json(RECEIPT)}) == RECEIPT


def test_an_answer_without_a_settlement_header_has_no_receipt():
    assert _x402.parse_settlement({"Content-Type": "application/json"}) is None
    assert _x402.parse_settlement(None) is None


# --- cross-check with the reference facilitator (x402 package, test-only) ------------------------

class LocalChain(object):
    """Answers the facilitator's chain reads locally: USDC has code, the payer is a plain
    account, and a simulated transfer succeeds. Signature checks stay the facilitator's own."""

    def get_code(self, address):
        return b"\x60\x80" if address.lower() in (MAINNET_USDC.lower(), SEPOLIA_USDC.lower()) else b""

    def read_contract(self, address, abi, function_name, *args):
        return None

    def get_addresses(self):
        return ["0x" + "f" * 40]


def reference_facilitator_module(name):
    """Import a module of the x402 package's EVM facilitator, or skip: it is test-only."""
    return pytest.importorskip(
        name, reason="cross-check needs the x402 package with its EVM extra (pip install 'x402[evm]')")


def tamper_signature(signature):
    flipped = "%02x" % (int(signature[10:12], 16) ^ 0xFF)
    return signature[:10] + flipped + signature[12:]


def test_the_reference_v1_facilitator_accepts_our_payment_and_rejects_a_tampered_one():
    ExactEvmSchemeV1 = reference_facilitator_module(
        "x402.mechanisms.evm.exact.v1.facilitator").ExactEvmSchemeV1
    from x402.http.utils import decode_payment_signature_header
    from x402.schemas.v1 import PaymentRequirementsV1

    requirement = v1_requirement()
    payment = _x402.sign_payment(v1_offer(requirement), "25", WALLET_KEY, expected_pay_to=PAY_TO)
    facilitator = ExactEvmSchemeV1(LocalChain())
    requirements = PaymentRequirementsV1.model_validate(requirement)

    verdict = facilitator.verify(decode_payment_signature_header(payment.header_value), requirements)
    assert (verdict.is_valid, verdict.invalid_reason, verdict.payer) == (True, None, WALLET_ADDRESS)

    document = decode_header(payment)
    document["payload"]["signature"] = tamper_signature(document["payload"]["signature"])
    tampered = decode_payment_signature_header(encode_b64_json(document))
    assert facilitator.verify(tampered, requirements).is_valid is False


def test_the_reference_v2_facilitator_accepts_our_payment_and_rejects_another_amount():
    ExactEvmScheme = reference_facilitator_module(
        "x402.mechanisms.evm.exact.facilitator").ExactEvmScheme
    from x402.http.utils import decode_payment_signature_header
    from x402.schemas import PaymentRequirements

    requirement = v2_requirement()
    offer = _x402.PaymentRequired(2, [requirement], resource={"url": "https://a.example/topups"})
    payment = _x402.sign_payment(offer, "25", WALLET_KEY, now=int(time.time()))
    facilitator = ExactEvmScheme(LocalChain())
    requirements = PaymentRequirements.model_validate(requirement)

    verdict = facilitator.verify(decode_payment_signature_header(payment.header_value), requirements)
    assert (verdict.is_valid, verdict.invalid_reason) == (True, None)

    document = decode_header(payment)
    document["payload"]["authorization"]["value"] = "26000000"
    document["accepted"]["amount"] = "26000000"
    inflated = decode_payment_signature_header(encode_b64_json(document))
    other_requirements = PaymentRequirements.model_validate(document["accepted"])
    assert facilitator.verify(inflated, other_requirements).is_valid is False
