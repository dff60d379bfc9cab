"""x402 top-ups are verified for real: EIP-3009 signatures, payee, amount, validity window, funds, replays."""

import base64
import json
import secrets
import time

import pytest
from eth_account import Account
from eth_account.messages import encode_typed_data

from vps_sandbox.testing import call_api

USDC_BASE = {"name": "USD Coin", "version": "2", "chainId": 8453,
             "verifyingContract": "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913"}
TYPES = {
    "EIP712Domain": [{"name": "name", "type": "string"}, {"name": "version", "type": "string"},
                     {"name": "chainId", "type": "uint256"}, {"name": "verifyingContract", "type": "address"}],
    "TransferWithAuthorization": [
        {"name": "from", "type": "address"}, {"name": "to", "type": "address"}, {"name": "value", "type": "uint256"},
        {"name": "validAfter", "type": "uint256"}, {"name": "validBefore", "type": "uint256"},
        {"name": "nonce", "type": "bytes32"}],
}


def signed_payload(payer, domain, pay_to, amount, **overrides):
    """The `payload` of a payment: an EIP-3009 authorization signed by payer; overrides change fields first."""
    now = int(time.time())
    authorization = {"from": payer.address, "to": pay_to, "value": int(amount), "validAfter": now - 60,
                     "validBefore": now + 300, "nonce": "0x" + secrets.token_hex(32)}
    authorization.update(overrides)
    message = {"types": TYPES, "primaryType": "TransferWithAuthorization", "domain": domain, "message": authorization}
    signature = Account.sign_message(encode_typed_data(full_message=message), payer.key).signature.hex()
    return {"signature": signature if signature.startswith("0x") else "0x" + signature,
            "authorization": {name: str(value) for name, value in authorization.items()}}


def encode(payment):
    return base64.b64encode(json.dumps(payment).encode()).decode()


def signed_payment_header(payer, offer, **overrides):
    """An X-PAYMENT (v1) header paying `offer` on Base from `payer`."""
    payload = signed_payload(payer, USDC_BASE, offer["payTo"], offer["maxAmountRequired"], **overrides)
    return encode({"x402Version": 1, "scheme": "exact", "network": "base", "payload": payload})


@pytest.fixture
def customer(sandbox):
    """A VPSCrypto account with an empty balance and a funded payer wallet."""
    account = sandbox.create_account("vpscrypto", balance_usd=0)
    payer = Account.create()
    sandbox.fund_wallet(payer.address, "100.00")
    return account, payer


def topup(sandbox, account, payment_header=None, amount=25):
    headers = {"X-PAYMENT": payment_header} if payment_header else {}
    return call_api("POST", sandbox.vpscrypto_url + "/topups", account["api_key"],
                    {"amount": amount, "coin": "USDCBASE"}, headers)


def offer_for(sandbox, account, amount=25):
    return topup(sandbox, account, amount=amount).body["accepts"][0]


def balance_of(sandbox, account):
    return call_api("GET", sandbox.vpscrypto_url + "/account", account["api_key"]).body["balance_usd"]


def test_valid_payment_completes_the_topup_and_credits_once(sandbox, customer):
    account, payer = customer
    answer = topup(sandbox, account, signed_payment_header(payer, offer_for(sandbox, account)))
    assert answer.status == 201
    assert answer.body["status"] == "completed"
    settlement = json.loads(base64.b64decode(answer.headers["X-PAYMENT-RESPONSE"]))
    assert settlement["success"] is True and settlement["payer"] == payer.address
    assert balance_of(sandbox, account) == 25.0
    assert sandbox.control("GET", f"/wallets/{payer.address}")["usdc"] == "75.00"
    [credit] = sandbox.ledger(account=account["account_id"])
    assert credit["kind"] == "credit" and credit["reference"] == settlement["transaction"]


def test_replayed_payment_header_gets_the_same_answer_without_a_second_credit(sandbox, customer):
    account, payer = customer
    header = signed_payment_header(payer, offer_for(sandbox, account))
    first, replay = topup(sandbox, account, header), topup(sandbox, account, header)
    assert (first.status, replay.status) == (201, 201)
    assert replay.body == first.body
    assert replay.headers["X-PAYMENT-RESPONSE"] == first.headers["X-PAYMENT-RESPONSE"]
    assert balance_of(sandbox, account) == 25.0
    assert len(sandbox.ledger(account=account["account_id"])) == 1


def test_nonce_reused_under_a_new_signature_is_rejected(sandbox, customer):
    account, payer = customer
    offer = offer_for(sandbox, account)
    nonce = "0x" + secrets.token_hex(32)
    assert topup(sandbox, account, signed_payment_header(payer, offer, nonce=nonce)).status == 201
    again = topup(sandbox, account, signed_payment_header(payer, offer, nonce=nonce, validBefore=int(time.time()) + 200))
    assert again.status == 402 and again.body["error"] == "nonce_already_used"


@pytest.mark.parametrize("overrides,reason", [
    ({"to": "0x000000000000000000000000000000000000dEaD"}, "recipient_mismatch"),
    ({"value": 24_000_000}, "amount_mismatch"),
    ({"validBefore": 1_000}, "authorization_expired"),
    ({"validAfter": 4_000_000_000, "validBefore": 4_000_000_300}, "authorization_not_yet_valid"),
], ids=["wrong-payee", "wrong-amount", "expired", "not-yet-valid"])
def test_payment_that_does_not_match_the_offer_is_402_and_credits_nothing(sandbox, customer, overrides, reason):
    account, payer = customer
    answer = topup(sandbox, account, signed_payment_header(payer, offer_for(sandbox, account), **overrides))
    assert answer.status == 402
    assert answer.body["error"] == reason and answer.body["accepts"]
    assert sandbox.ledger(account=account["account_id"]) == []
    assert balance_of(sandbox, account) == 0.0


def test_unfunded_payer_is_402_insufficient_funds(sandbox, customer):
    account = customer[0]
    stranger = Account.create()
    answer = topup(sandbox, account, signed_payment_header(stranger, offer_for(sandbox, account)))
    assert answer.status == 402 and answer.body["error"] == "insufficient_funds"
    assert sandbox.ledger(account=account["account_id"]) == []


def test_signature_by_someone_other_than_the_payer_is_invalid(sandbox, customer):
    account, payer = customer
    impostor = Account.create()
    header = signed_payment_header(impostor, offer_for(sandbox, account), **{"from": payer.address})
    answer = topup(sandbox, account, header)
    assert answer.status == 402 and answer.body["error"] == "invalid_signature"
    assert sandbox.control("GET", f"/wallets/{payer.address}")["usdc"] == "100.00"


def test_garbage_payment_header_is_invalid_payload(sandbox, customer):
    account = customer[0]
    answer = topup(sandbox, account, "not base64 json!")
    assert answer.status == 402 and answer.body["error"] == "invalid_payload"


def test_v2_payment_on_base_sepolia_settles_with_a_payment_response_header(sandbox, customer):
    account, payer = customer
    sandbox.configure(x402_version=2, x402_network="base-sepolia")
    asked = call_api("POST", sandbox.vpscrypto_url + "/topups", account["api_key"], {"amount": 25, "coin": "USDCBASE"})
    required = json.loads(base64.b64decode(asked.headers["PAYMENT-REQUIRED"]))
    accepted = required["accepts"][0]
    domain = {"name": "USDC", "version": "2", "chainId": 84532, "verifyingContract": accepted["asset"]}
    payment = {"x402Version": 2, "accepted": accepted,
               "payload": signed_payload(payer, domain, accepted["payTo"], accepted["amount"])}
    paid = call_api("POST", sandbox.vpscrypto_url + "/topups", account["api_key"],
                    {"amount": 25, "coin": "USDCBASE"}, {"PAYMENT-SIGNATURE": encode(payment)})
    assert paid.status == 201 and paid.body["status"] == "completed"
    settlement = json.loads(base64.b64decode(paid.headers["PAYMENT-RESPONSE"]))
    assert settlement["success"] is True and settlement["network"] == "eip155:84532"
    assert balance_of(sandbox, account) == 25.0


def test_payment_signed_for_the_wrong_chain_is_rejected(sandbox, customer):
    account, payer = customer
    offer = offer_for(sandbox, account)
    sepolia = dict(USDC_BASE, chainId=84532)
    payload = signed_payload(payer, sepolia, offer["payTo"], offer["maxAmountRequired"])
    header = encode({"x402Version": 1, "scheme": "exact", "network": "base", "payload": payload})
    answer = topup(sandbox, account, header)
    assert answer.status == 402 and answer.body["error"] == "invalid_signature"
    assert sandbox.ledger(account=account["account_id"]) == []
