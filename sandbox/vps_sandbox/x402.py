"""x402 "exact" scheme on USDC: payment requirements (v1 and v2) and real EIP-3009 signature checks."""

import base64
import binascii
import json
import re
from dataclasses import dataclass
from decimal import Decimal

NETWORKS = {
    "base": {"chain_id": 8453, "caip2": "eip155:8453", "asset": "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913",
             "extra": {"name": "USD Coin", "version": "2"}},
    "base-sepolia": {"chain_id": 84532, "caip2": "eip155:84532",
                     "asset": "0x036CbD53842c5426634e7929541eC2318f3dCF7e", "extra": {"name": "USDC", "version": "2"}},
}
USDC_UNITS = Decimal(10) ** 6
MAX_TIMEOUT_SECONDS = 300
PAYMENT_HEADERS = {1: "X-PAYMENT", 2: "PAYMENT-SIGNATURE"}
RESPONSE_HEADERS = {1: "X-PAYMENT-RESPONSE", 2: "PAYMENT-RESPONSE"}
AUTHORIZATION_FIELDS = ("from", "to", "value", "validAfter", "validBefore", "nonce")
_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")
_NONCE = re.compile(r"^0x[0-9a-fA-F]{64}$")
_SIGNATURE = re.compile(r"^0x[0-9a-fA-F]{130}$")
PAYMENT_IDENTIFIER = "payment-identifier"
_PAYMENT_ID = re.compile(r"^[A-Za-z0-9_-]{16,128}$")
# The declaration x402 2.x's declare_payment_identifier_extension() makes, schema included.
PAYMENT_ID_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
    "properties": {"required": {"type": "boolean"},
                   "id": {"type": "string", "minLength": 16, "maxLength": 128, "pattern": "^[a-zA-Z0-9_-]+$"}},
    "required": ["required"],
}

_TYPES = {
    "EIP712Domain": [
        {"name": "name", "type": "string"}, {"name": "version", "type": "string"},
        {"name": "chainId", "type": "uint256"}, {"name": "verifyingContract", "type": "address"},
    ],
    "TransferWithAuthorization": [
        {"name": "from", "type": "address"}, {"name": "to", "type": "address"},
        {"name": "value", "type": "uint256"}, {"name": "validAfter", "type": "uint256"},
        {"name": "validBefore", "type": "uint256"}, {"name": "nonce", "type": "bytes32"},
    ],
}


class PaymentError(Exception):
    """A payment that cannot be accepted; `reason` is the x402 error string."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


@dataclass
class Offer:
    """What the sandbox asks for one payment."""

    version: int
    network: str
    pay_to: str
    base_units: int
    resource: str
    description: str
    payment_identifier: str = None  # None, "optional" or "required" (v2 only)

    @property
    def chain(self):
        """The network's constants."""
        return NETWORKS[self.network]

    @property
    def network_id(self):
        """The network as this protocol version names it ("base" in v1, "eip155:8453" in v2)."""
        return self.network if self.version == 1 else self.chain["caip2"]

    def requirement(self):
        """The single entry of `accepts`."""
        if self.version == 1:
            return {
                "scheme": "exact", "network": self.network, "maxAmountRequired": str(self.base_units),
                "resource": self.resource, "description": self.description, "mimeType": "application/json",
                "payTo": self.pay_to, "maxTimeoutSeconds": MAX_TIMEOUT_SECONDS, "asset": self.chain["asset"],
                "extra": dict(self.chain["extra"]),
            }
        return {
            "scheme": "exact", "network": self.network_id, "amount": str(self.base_units),
            "asset": self.chain["asset"], "payTo": self.pay_to, "maxTimeoutSeconds": MAX_TIMEOUT_SECONDS,
            "extra": dict(self.chain["extra"]),
        }

    def payment_required(self, error):
        """(body, headers) of the 402 answer."""
        body = {"x402Version": self.version, "error": error, "accepts": [self.requirement()]}
        if self.version == 1:
            return body, {}
        body["resource"] = {"url": self.resource, "description": self.description, "mimeType": "application/json"}
        if self.payment_identifier:
            body["extensions"] = {PAYMENT_IDENTIFIER: {
                "info": {"required": self.payment_identifier == "required"}, "schema": PAYMENT_ID_SCHEMA}}
        return body, {"PAYMENT-REQUIRED": encode_header(body)}

    def payment_id(self, payment):
        """The payment-identifier id a v2 payment carries, None without one (PaymentError when the offer
        requires it, or the id is malformed); always None when the offer does not declare the extension."""
        if self.version != 2 or not self.payment_identifier:
            return None
        extension = (payment.get("extensions") or {}).get(PAYMENT_IDENTIFIER)
        info = extension.get("info") if isinstance(extension, dict) else None
        payment_id = info.get("id") if isinstance(info, dict) else None
        if payment_id is None:
            if self.payment_identifier == "required":
                raise PaymentError("payment_identifier_required")
            return None
        if not isinstance(payment_id, str) or not _PAYMENT_ID.match(payment_id):
            raise PaymentError("invalid_payment_identifier")
        return payment_id

    def settlement_header(self, transaction, payer):
        """(name, value) of the header announcing a settled payment."""
        content = {"success": True, "transaction": transaction, "network": self.network_id, "payer": payer}
        return RESPONSE_HEADERS[self.version], encode_header(content)

    def settlement_failure(self, kind, transaction, payer):
        """(body, headers) of the 402 the reference SDK's servers send when settling failed.

        v2 (x402 2.x): an empty body and a PAYMENT-RESPONSE receipt with ``success: false``:
        ``settlement_pending`` with the transaction for a receipt that did not come in time, or
        the facilitator client's error text, no transaction, for a facilitator that failed.
        v1 (x402 1.0.0): the requirements again with ``error`` ``Settle failed: <reason>``, or
        ``Settle failed`` when the facilitator call raised.
        """
        if self.version == 1:
            error = "Settle failed: settlement_pending" if kind == "x402_settlement_pending" else "Settle failed"
            return self.payment_required(error)
        if kind == "x402_settlement_pending":
            receipt = {"success": False, "errorReason": "settlement_pending",
                       "errorMessage": f"Transaction {transaction} is not in the chain after 120 seconds",
                       "payer": payer, "transaction": transaction, "network": self.network_id}
        else:
            text = 'Facilitator settle failed (500): {"error":"Internal Server Error"}'
            receipt = {"success": False, "errorReason": text, "errorMessage": text, "transaction": "",
                       "network": self.network_id}
        return {}, {RESPONSE_HEADERS[2]: encode_header(receipt)}


def make_offer(config, amount_usd, resource, description):
    """The Offer for amount_usd under the current sandbox config."""
    return Offer(config["x402_version"], config["x402_network"], config["x402_pay_to"],
                 int(Decimal(amount_usd) * USDC_UNITS), resource, description, config["x402_payment_identifier"])


def encode_header(content):
    """Standard base64 of compact JSON."""
    return base64.b64encode(json.dumps(content, separators=(",", ":")).encode("utf-8")).decode("ascii")


def decode_header(value):
    """The JSON object inside a base64 header; PaymentError(invalid_payload) when it is not one."""
    try:
        content = json.loads(base64.b64decode(value.strip(), validate=True))
    except (ValueError, binascii.Error):
        raise PaymentError("invalid_payload") from None
    if not isinstance(content, dict):
        raise PaymentError("invalid_payload")
    return content


@dataclass
class Authorization:
    """A structurally valid EIP-3009 authorization with its signature."""

    payer: str
    to: str
    value: int
    valid_after: int
    valid_before: int
    nonce: str
    signature: str


def parse_payment(payment, offer):
    """Check the envelope against the offer and return the Authorization (PaymentError otherwise)."""
    if payment.get("x402Version") != offer.version:
        raise PaymentError("invalid_payload")
    if offer.version == 1:
        scheme, network = payment.get("scheme"), payment.get("network")
    else:
        accepted = payment.get("accepted")
        if not isinstance(accepted, dict):
            raise PaymentError("invalid_payload")
        scheme, network = accepted.get("scheme"), accepted.get("network")
    if scheme != "exact" or network != offer.network_id:
        raise PaymentError("network_mismatch")
    payload = payment.get("payload")
    if not isinstance(payload, dict) or not isinstance(payload.get("authorization"), dict):
        raise PaymentError("invalid_payload")
    auth, signature = payload["authorization"], payload.get("signature")
    if not all(isinstance(auth.get(name), str) for name in AUTHORIZATION_FIELDS) or not isinstance(signature, str):
        raise PaymentError("invalid_payload")
    if not (_ADDRESS.match(auth["from"]) and _ADDRESS.match(auth["to"]) and _NONCE.match(auth["nonce"])
            and _SIGNATURE.match(signature)):
        raise PaymentError("invalid_payload")
    try:
        numbers = [int(auth[name]) for name in ("value", "validAfter", "validBefore")]
    except ValueError:
        raise PaymentError("invalid_payload") from None
    return Authorization(auth["from"], auth["to"], *numbers, nonce=auth["nonce"].lower(), signature=signature.lower())


def recover_signer(authorization, offer):
    """The address that signed the TransferWithAuthorization over the offer's USDC domain."""
    from eth_account import Account  # imported lazily: only x402 payments need it
    from eth_account.messages import encode_typed_data

    message = {
        "types": _TYPES, "primaryType": "TransferWithAuthorization",
        "domain": {"name": offer.chain["extra"]["name"], "version": offer.chain["extra"]["version"],
                   "chainId": offer.chain["chain_id"], "verifyingContract": offer.chain["asset"]},
        "message": {"from": authorization.payer, "to": authorization.to, "value": authorization.value,
                    "validAfter": authorization.valid_after, "validBefore": authorization.valid_before,
                    "nonce": authorization.nonce},
    }
    try:
        return Account.recover_message(encode_typed_data(full_message=message), signature=authorization.signature)
    except Exception:  # malformed points or values: a signature that does not verify
        raise PaymentError("invalid_signature") from None


def verify(authorization, offer, now):
    """Raise PaymentError unless the authorization pays exactly this offer, signed by its payer, right now."""
    if recover_signer(authorization, offer).lower() != authorization.payer.lower():
        raise PaymentError("invalid_signature")
    if authorization.to.lower() != offer.pay_to.lower():
        raise PaymentError("recipient_mismatch")
    if authorization.value != offer.base_units:
        raise PaymentError("amount_mismatch")
    if now < authorization.valid_after:
        raise PaymentError("authorization_not_yet_valid")
    if now >= authorization.valid_before:
        raise PaymentError("authorization_expired")
