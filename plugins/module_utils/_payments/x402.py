# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""x402 payments in USDC on Base: read a 402 answer, guard the spend, sign an EIP-3009 transfer,
and read what a 402 answering the payment says about the money.

A pure library: the input is the parsed HTTP 402 answer, the output is the payment header to
re-send the request with (serialisable, to send the same authorization again later). It makes no
request itself: ``send_signed_payment`` takes the function that does. ``eth_account`` is imported only when a
payment is signed, so the module imports on a Python that has ansible-core and nothing else.
"""

from __future__ import annotations

import base64
import binascii
import copy
import json
import re
import secrets
import time
from collections import namedtuple
from decimal import Decimal, InvalidOperation

USDC_DECIMALS = 6
USDC_BASE_UNITS_PER_DOLLAR = 10 ** USDC_DECIMALS

# An authorization is a bearer instrument until it expires: keep its life short whatever the
# server allows (any offered maxTimeoutSeconds is accepted, the window signed is the shorter).
MAX_AUTHORIZATION_SECONDS = 300
# validAfter is signed this far in the past, as the reference clients do, so a payer clock some
# minutes fast still pays: a facilitator refuses an authorization not yet valid by its clock.
VALID_AFTER_BACKDATE_SECONDS = 600

# The payment-identifier extension (x402 v2): the server declares
# ``extensions["payment-identifier"] = {"info": {"required": bool}, "schema": {...}}`` and the
# client echoes it with ``info.id`` added, an idempotency key of 16-128 [A-Za-z0-9_-].
PAYMENT_IDENTIFIER = "payment-identifier"
_PAYMENT_ID_RE = re.compile(r"^[A-Za-z0-9_-]{16,128}$")

ZERO_ADDRESS = "0x" + "0" * 40
REDACTED = "********"

PAYMENT_REQUIRED_HEADER = "PAYMENT-REQUIRED"
PAYMENT_HEADER_BY_VERSION = {1: "X-PAYMENT", 2: "PAYMENT-SIGNATURE"}
# Where each version puts the required amount; a requirement must use its own version's field.
AMOUNT_FIELD_BY_VERSION = {1: "maxAmountRequired", 2: "amount"}
# The reference client reads the v2 name first, then the v1 one.
SETTLEMENT_HEADERS = ("PAYMENT-RESPONSE", "X-PAYMENT-RESPONSE")

_ADDRESS_RE = re.compile(r"^0x[0-9a-fA-F]{40}$")
_PRIVATE_KEY_RE = re.compile(r"^(?:0x)?[0-9a-fA-F]{64}$")
_BASE_UNITS_RE = re.compile(r"^[0-9]+$")

UsdcNetwork = namedtuple(
    "UsdcNetwork",
    "v1_name caip2 chain_id usdc_address domain_name domain_version testnet",
)

# The one table of the chains we pay on. The EIP-712 domain name differs between the two USDC
# deployments ("USD Coin" on mainnet, "USDC" on Sepolia): a wrong name yields a valid-looking
# signature that the token contract rejects.
NETWORKS = (
    UsdcNetwork("base", "eip155:8453", 8453,
                "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913", "USD Coin", "2", False),
    UsdcNetwork("base-sepolia", "eip155:84532", 84532,
                "0x036CbD53842c5426634e7929541eC2318f3dCF7e", "USDC", "2", True),
)

TRANSFER_WITH_AUTHORIZATION_TYPES = {
    "EIP712Domain": [
        {"name": "name", "type": "string"},
        {"name": "version", "type": "string"},
        {"name": "chainId", "type": "uint256"},
        {"name": "verifyingContract", "type": "address"},
    ],
    "TransferWithAuthorization": [
        {"name": "from", "type": "address"},
        {"name": "to", "type": "address"},
        {"name": "value", "type": "uint256"},
        {"name": "validAfter", "type": "uint256"},
        {"name": "validBefore", "type": "uint256"},
        {"name": "nonce", "type": "bytes32"},
    ],
}


class X402Error(Exception):
    """A 402 answer that cannot be understood, or a payment that cannot be built."""


class SpendGuardError(X402Error):
    """The offered payment requirements fail a spend guard; nothing was signed."""


class WalletKeyError(X402Error):
    """The wallet private key is malformed. The message never contains the key."""


class MissingSigningLibraryError(X402Error):
    """The Python library eth-account, needed to sign, is not installed."""

    library = "eth-account"


class PaymentRequired:
    """What a 402 answer asks for: protocol version, offered requirements, error text."""

    def __init__(self, x402_version, accepts, error=None, resource=None, extensions=None):
        self.x402_version = x402_version
        self.accepts = accepts
        self.error = error
        self.resource = resource
        # v2 only: the extensions the server declares, echoed in the payment as they came.
        self.extensions = extensions if isinstance(extensions, dict) else None

    def advertises_payment_identifier(self):
        """True when the 402 declares the payment-identifier extension (v2)."""
        declared = (self.extensions or {}).get(PAYMENT_IDENTIFIER)
        info = declared.get("info") if isinstance(declared, dict) else None
        return isinstance(info, dict) and isinstance(info.get("required"), bool)

    def requires_payment_identifier(self):
        """True when the 402 says a payment without a payment id is refused."""
        return self.advertises_payment_identifier() and (
            self.extensions[PAYMENT_IDENTIFIER]["info"]["required"] is True)

    def __repr__(self):
        return "PaymentRequired(x402_version=%r, accepts=%d, error=%r)" % (
            self.x402_version, len(self.accepts), self.error)


class SignedPayment:
    """A signed payment, ready to send as ``{header_name: header_value}``.

    The header value is itself a usable authorization to move the wallet's money, and so is the
    signature with the authorization fields next to it, so ``repr`` shows who pays how much to
    whom, never the header or the signature.
    """

    # The fields ``to_dict`` writes and ``from_dict`` reads back.
    FIELDS = ("header_name", "header_value", "payer", "authorization", "network", "signature",
              "x402_version", "payment_id")

    def __init__(self, header_name, header_value, payer, authorization, network, signature,
                 x402_version=None, payment_id=None):
        self.header_name = header_name
        self.header_value = header_value
        self.payer = payer
        self.authorization = authorization
        self.network = network
        self.signature = signature
        self.x402_version = x402_version
        self.payment_id = payment_id

    def to_dict(self):
        """The payment as a JSON-serialisable dict, to send the SAME authorization again later.

        It holds the header and signature: store it only where the wallet key itself may be
        kept. Re-sent, it can settle at most once (one nonce) and pays only its one payee.
        """
        return dict((name, getattr(self, name)) for name in self.FIELDS)

    @classmethod
    def from_dict(cls, data):
        """The SignedPayment ``to_dict`` wrote; X402Error when a field is missing."""
        if not isinstance(data, dict) or not all(name in data for name in cls.FIELDS[:6]):
            raise X402Error("a stored x402 payment lacks one of: %s" % ", ".join(cls.FIELDS[:6]))
        return cls(*(data.get(name) for name in cls.FIELDS))

    def valid_until(self):
        """Unix time after which the authorization can no longer settle (its validBefore)."""
        return int(self.authorization["validBefore"])

    def can_still_settle(self, now=None, margin=6):
        """True while re-sending can still settle: before validBefore, less ``margin`` seconds
        (the reference facilitator refuses an authorization that expires within 6 s)."""
        now = int(time.time()) if now is None else int(now)
        return now + margin < self.valid_until()

    def headers(self):
        """Return the request header that carries the payment."""
        return {self.header_name: self.header_value}

    def secrets(self):
        """Return the values to hide from every output: the whole header and the bare signature.

        A server may echo the decoded payload, so the signature can appear without its header.
        """
        return (self.header_value, self.signature)

    def __repr__(self):
        return "SignedPayment(header_name=%r, payer=%r, to=%r, value=%r, network=%r, payment_id=%r)" % (
            self.header_name, self.payer, self.authorization["to"],
            self.authorization["value"], self.network, self.payment_id)


# --- reading the 402 answer -------------------------------------------------------------------

def _header(headers, name):
    """Return the value of header ``name`` (case-insensitive) from a mapping or pairs, or None."""
    if not headers:
        return None
    items = headers.items() if hasattr(headers, "items") else headers
    wanted = name.lower()
    for key, value in items:
        if str(key).lower() == wanted:
            return value
    return None


def _decode_base64_json(value, what):
    try:
        text = base64.b64decode(value + "=" * (-len(value) % 4)).decode("utf-8")
        return json.loads(text)
    except (binascii.Error, ValueError, TypeError):
        raise X402Error("the %s header is not base64-encoded JSON" % what) from None


def _json_body(body):
    if isinstance(body, dict):
        return body
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    if isinstance(body, str) and body.strip():
        try:
            data = json.loads(body)
        except ValueError:
            return None
        return data if isinstance(data, dict) else None
    return None


def parse_payment_required(status, headers, body):
    """Read the x402 payment requirements out of an HTTP 402 answer.

    Detection follows the reference client (coinbase/x402,
    python/x402/http/x402_http_client_base.py, ``get_payment_required_response``): a
    ``PAYMENT-REQUIRED`` header (base64 JSON, version taken from ``x402Version``, default 2)
    wins; otherwise a JSON body with ``x402Version: 1`` is a v1 answer. ``body`` may be a dict,
    str or bytes.
    """
    if status != 402:
        raise X402Error("expected an HTTP 402 answer, got HTTP %s" % status)
    header = _header(headers, PAYMENT_REQUIRED_HEADER)
    if isinstance(header, str) and header:
        data = _decode_base64_json(header, PAYMENT_REQUIRED_HEADER)
        if not isinstance(data, dict):
            raise X402Error("the %s header is not a JSON object" % PAYMENT_REQUIRED_HEADER)
        version = data.get("x402Version", 2)
    else:
        data = _json_body(body)
        if data is None or data.get("x402Version") != 1:
            raise X402Error("the 402 answer carries no x402 payment requirements")
        version = 1
    if version not in PAYMENT_HEADER_BY_VERSION:
        raise X402Error("unsupported x402 version %r" % (version,))
    accepts = data.get("accepts")
    if not isinstance(accepts, list) or not all(isinstance(item, dict) for item in accepts):
        raise X402Error("the 402 answer has no list of payment requirements ('accepts')")
    if not accepts:
        raise X402Error("the 402 answer offers no payment requirement")
    return PaymentRequired(version, accepts, data.get("error"), data.get("resource"),
                           data.get("extensions") if version == 2 else None)


# --- spend guards -------------------------------------------------------------------------------

def network_for(name, x402_version):
    """Return the ``UsdcNetwork`` a requirement's network names, in that version's naming, or None.

    v1 names networks "base"/"base-sepolia", v2 uses CAIP-2 ("eip155:8453"); the header we send
    echoes the name, so each version must use its own form.
    """
    for network in NETWORKS:
        if name == (network.v1_name if x402_version == 1 else network.caip2):
            return network
    return None


def usd_to_base_units(amount_usd):
    """Return a USD amount as USDC base units (an int), exactly; at most 6 decimals allowed.

    A float is read through its shortest decimal form (25.5 -> "25.5"), never its binary value.
    """
    try:
        amount = Decimal(str(amount_usd))
    except (InvalidOperation, ValueError):
        raise SpendGuardError(
            "refusing to pay: the top-up amount %r is not a number" % (amount_usd,)) from None
    if not amount.is_finite() or amount <= 0:
        raise SpendGuardError("refusing to pay: the top-up amount %s is not a positive amount" % amount)
    units = amount * USDC_BASE_UNITS_PER_DOLLAR
    if units != units.to_integral_value():
        raise SpendGuardError(
            "refusing to pay: the top-up amount %s USD has more than %d decimals, finer than USDC"
            % (amount, USDC_DECIMALS))
    return int(units)


def _format_usdc(base_units):
    return "%d.%06d" % divmod(base_units, USDC_BASE_UNITS_PER_DOLLAR)


def _required_base_units(requirement, x402_version):
    """Return the amount a requirement asks for, from its version's field (v1
    ``maxAmountRequired``, v2 ``amount``), or None when that field is missing or malformed."""
    raw = requirement.get(AMOUNT_FIELD_BY_VERSION[x402_version])
    if isinstance(raw, int) and not isinstance(raw, bool) and raw >= 0:
        return raw
    if isinstance(raw, str) and _BASE_UNITS_RE.match(raw):
        return int(raw)
    return None


def _extra(requirement):
    # v1 servers may send ``extra`` JSON-encoded; the reference facilitator accepts that too.
    extra = requirement.get("extra") or {}
    if isinstance(extra, str):
        try:
            extra = json.loads(extra)
        except ValueError:
            return None
    return extra if isinstance(extra, dict) else None


def _same_address(left, right):
    return isinstance(left, str) and isinstance(right, str) and left.lower() == right.lower()


def _refusal_reason(requirement, x402_version, wanted_units, amount_usd, allow_testnet,
                    expected_pay_to):
    """Return why ``requirement`` must not be paid, or None when every guard passes."""
    scheme = requirement.get("scheme")
    if scheme != "exact":
        return "the scheme is %r, only 'exact' is paid" % (scheme,)
    network_name = requirement.get("network")
    network = network_for(network_name, x402_version)
    if network is None:
        return "the network %r is not Base mainnet or Base Sepolia (x402 v%d naming)" % (
            network_name, x402_version)
    if network.testnet and not allow_testnet:
        return "the network %r is a testnet and allow_testnet is false" % (network_name,)
    extra = _extra(requirement)
    if extra is None:
        return "the requirement's 'extra' is not a JSON object"
    method = extra.get("assetTransferMethod", "eip3009")
    if method != "eip3009":
        return "the transfer method is %r, only EIP-3009 (eip3009) is signed" % (method,)
    asset = requirement.get("asset")
    if not _same_address(asset, network.usdc_address):
        return "the asset %r is not the USDC contract %s on %s" % (
            asset, network.usdc_address, network_name)
    for field, known in (("name", network.domain_name), ("version", network.domain_version)):
        if field in extra and extra[field] != known:
            return "the EIP-712 domain %s %r does not match USDC on %s (%r)" % (
                field, extra[field], network_name, known)
    amount_field = AMOUNT_FIELD_BY_VERSION[x402_version]
    if amount_field not in requirement:
        return "the requirement has no %r, where x402 v%d puts the amount" % (amount_field, x402_version)
    offered_units = _required_base_units(requirement, x402_version)
    if offered_units is None:
        return "the required amount %r is not a whole number of base units" % (requirement[amount_field],)
    if offered_units != wanted_units:
        return "the requirement asks for %s USDC (%d base units) but the top-up is for %s USD" % (
            _format_usdc(offered_units), offered_units, amount_usd)
    pay_to = requirement.get("payTo")
    if not isinstance(pay_to, str) or not _ADDRESS_RE.match(pay_to):
        return "the payee %r is not a 20-byte hex address" % (pay_to,)
    if pay_to.lower() == ZERO_ADDRESS:
        return "the payee is the zero address"
    if expected_pay_to is not None and not _same_address(pay_to, expected_pay_to):
        return "the payee %s is not the expected payee %s" % (pay_to, expected_pay_to)
    timeout = requirement.get("maxTimeoutSeconds")
    if isinstance(timeout, bool) or not isinstance(timeout, int) or timeout <= 0:
        return "maxTimeoutSeconds %r is not a positive number of seconds" % (timeout,)
    return None


def select_requirement(payment_required, amount_usd, allow_testnet=False, expected_pay_to=None):
    """Return the first offered requirement (verbatim dict) that passes every spend guard.

    Guards: exact amount (``amount_usd`` x 10^6 base units), scheme ``exact``, EIP-3009 transfer,
    Base mainnet (Sepolia only with ``allow_testnet``), the known USDC contract and EIP-712
    domain, a well-formed non-zero payee equal to ``expected_pay_to`` when given, a positive
    timeout (any length: the window signed is capped, not the offer). Raises ``SpendGuardError`` naming each
    requirement's failed check otherwise.
    """
    wanted_units = usd_to_base_units(amount_usd)
    if expected_pay_to is not None and not _ADDRESS_RE.match(str(expected_pay_to)):
        raise SpendGuardError(
            "refusing to pay: expected_pay_to %r is not a 20-byte hex address" % (expected_pay_to,))
    reasons = []
    for requirement in payment_required.accepts:
        reason = _refusal_reason(requirement, payment_required.x402_version, wanted_units,
                                 amount_usd, allow_testnet, expected_pay_to)
        if reason is None:
            return requirement
        reasons.append(reason)
    if len(reasons) == 1:
        raise SpendGuardError("refusing to pay: %s" % reasons[0])
    raise SpendGuardError("refusing to pay: none of the %d offered requirements passes: %s" % (
        len(reasons), "; ".join("#%d: %s" % (index, reason)
                                for index, reason in enumerate(reasons, start=1))))


# --- signing ------------------------------------------------------------------------------------

def _private_key_bytes(private_key):
    if isinstance(private_key, bytes) and len(private_key) == 32:
        return private_key
    if isinstance(private_key, str) and _PRIVATE_KEY_RE.match(private_key.strip()):
        text = private_key.strip()
        return bytes.fromhex(text[2:] if text[:2] in ("0x", "0X") else text)
    raise WalletKeyError(
        "the wallet private key is malformed: expected 32 bytes as 64 hex digits, "
        "with or without a 0x prefix")


def check_wallet_key(private_key):
    """Raise WalletKeyError (which never shows the key) unless ``private_key`` is 32 bytes of hex."""
    _private_key_bytes(private_key)


def is_address(value):
    """True for a 20-byte hex address (0x and 40 hex digits, surrounding blanks ignored)."""
    return bool(_ADDRESS_RE.match(str(value).strip()))


def _nonce_hex(nonce):
    if nonce is None:
        nonce = secrets.token_bytes(32)
    if isinstance(nonce, str):
        try:
            nonce = bytes.fromhex(nonce[2:] if nonce.startswith("0x") else nonce)
        except ValueError:
            raise X402Error("the authorization nonce is not hex") from None
    if not isinstance(nonce, bytes) or len(nonce) != 32:
        raise X402Error("the authorization nonce must be 32 bytes")
    return "0x" + nonce.hex()


def transfer_typed_data(network, authorization):
    """Return the EIP-712 ``TransferWithAuthorization`` message for an authorization dict."""
    return {
        "types": TRANSFER_WITH_AUTHORIZATION_TYPES,
        "primaryType": "TransferWithAuthorization",
        "domain": {
            "name": network.domain_name,
            "version": network.domain_version,
            "chainId": network.chain_id,
            "verifyingContract": network.usdc_address,
        },
        "message": {
            "from": authorization["from"],
            "to": authorization["to"],
            "value": int(authorization["value"]),
            "validAfter": int(authorization["validAfter"]),
            "validBefore": int(authorization["validBefore"]),
            "nonce": bytes.fromhex(authorization["nonce"][2:]),
        },
    }


def _load_account_class():
    try:
        from eth_account import Account
    except ImportError:
        raise MissingSigningLibraryError(
            "signing an x402 payment needs the Python library eth-account "
            "(pip install eth-account)") from None
    return Account


def wallet_address(private_key):
    """Return the checksummed address of a wallet private key (needs eth-account)."""
    key = _private_key_bytes(private_key)
    account_class = _load_account_class()
    try:
        return account_class.from_key(key).address
    except Exception:
        # from None: the original exception may carry the key in its arguments.
        raise WalletKeyError("the wallet private key is not a valid secp256k1 key") from None


def _sign_typed_data(full_message, private_key):
    """Sign EIP-712 typed data; return the signature as 0x-hex (65 bytes)."""
    account_class = _load_account_class()
    signed = account_class.sign_typed_data(_private_key_bytes(private_key), full_message=full_message)
    return "0x" + bytes(signed.signature).hex()


def is_valid_payment_id(payment_id):
    """True for a payment-identifier id: 16 to 128 characters of [A-Za-z0-9_-]."""
    return isinstance(payment_id, str) and bool(_PAYMENT_ID_RE.match(payment_id))


def payment_extensions(payment_required, payment_id=None):
    """The ``extensions`` to put in a v2 payment: the server's, echoed exactly, plus our id.

    Every extension the 402 declares is echoed as it came (a server refuses a payment whose
    echo drops or changes an advertised field); under ``payment-identifier``, when declared,
    ``info.id`` is added. Returns None when the 402 declares no extension. Raises X402Error
    when the server requires a payment id and ``payment_id`` is missing or malformed.
    """
    declared = payment_required.extensions
    if not declared:
        return None
    echoed = copy.deepcopy(declared)
    if payment_required.advertises_payment_identifier():
        if payment_id is None:
            if payment_required.requires_payment_identifier():
                raise X402Error("the server requires a payment-identifier id and none was given")
        elif not is_valid_payment_id(payment_id):
            raise X402Error("the payment id %r is not 16 to 128 characters of A-Z, a-z, 0-9, _ and -"
                            % (payment_id,))
        else:
            echoed[PAYMENT_IDENTIFIER]["info"]["id"] = payment_id
    return echoed


def build_payment(requirement, x402_version, private_key, now=None, nonce=None, resource=None,
                  extensions=None, payment_id=None):
    """Sign an EIP-3009 transfer for a guarded ``requirement`` and wrap it in the payment header.

    ``now`` (epoch seconds) and ``nonce`` (32 bytes or 0x-hex) default to the clock and 32
    random bytes. The window signed runs from ``now`` - 600 s to ``now`` + min(maxTimeoutSeconds,
    300 s). ``resource`` (the 402's top-level v2 ``resource``) and ``extensions`` (from
    ``payment_extensions``) are echoed in a v2 payment, as the reference client does.
    ``payment_id`` is only recorded on the result. Call ``select_requirement`` first: this
    function trusts it.
    """
    network = network_for(requirement.get("network"), x402_version)
    if network is None or x402_version not in PAYMENT_HEADER_BY_VERSION:
        raise X402Error("cannot sign for network %r with x402 version %r" % (
            requirement.get("network"), x402_version))
    now = int(time.time()) if now is None else int(now)
    lifetime = min(int(requirement["maxTimeoutSeconds"]), MAX_AUTHORIZATION_SECONDS)
    authorization = {
        "from": wallet_address(private_key),
        "to": requirement["payTo"],
        "value": str(_required_base_units(requirement, x402_version)),
        "validAfter": str(now - VALID_AFTER_BACKDATE_SECONDS),
        "validBefore": str(now + lifetime),
        "nonce": _nonce_hex(nonce),
    }
    signature = _sign_typed_data(transfer_typed_data(network, authorization), private_key)
    payload = {"signature": signature, "authorization": authorization}
    if x402_version == 1:
        document = {"x402Version": 1, "scheme": "exact", "network": network.v1_name,
                    "payload": payload}
    else:
        document = {"x402Version": 2, "accepted": requirement, "payload": payload}
        if resource is not None:
            document["resource"] = resource
        if extensions:
            document["extensions"] = extensions
    compact = json.dumps(document, separators=(",", ":"))
    return SignedPayment(PAYMENT_HEADER_BY_VERSION[x402_version],
                         base64.b64encode(compact.encode("utf-8")).decode("ascii"),
                         authorization["from"], authorization, network.v1_name, signature,
                         x402_version, payment_id if extensions and payment_id and
                         PAYMENT_IDENTIFIER in extensions else None)


def sign_payment(payment_required, amount_usd, private_key, allow_testnet=False,
                 expected_pay_to=None, payment_id=None, now=None, nonce=None):
    """Guard, then sign: the one call that answers a 402 with a ``SignedPayment``.

    Every spend guard runs before anything is signed. ``payment_id`` is the id of this
    logical payment, sent when the 402 declares the payment-identifier extension. The result's ``to_dict()`` keeps it to send the same authorization
    again later (``send_signed_payment``).
    """
    requirement = select_requirement(payment_required, amount_usd, allow_testnet=allow_testnet,
                                     expected_pay_to=expected_pay_to)
    extensions = (payment_extensions(payment_required, payment_id)
                  if payment_required.x402_version == 2 else None)
    return build_payment(requirement, payment_required.x402_version, private_key, now=now,
                         nonce=nonce, resource=payment_required.resource, extensions=extensions,
                         payment_id=payment_id)


# --- after the payment --------------------------------------------------------------------------

def parse_settlement(headers):
    """Return the decoded settlement receipt (``success``, ``transaction``, ``network``,
    ``payer``, ``errorReason``) from ``PAYMENT-RESPONSE`` or ``X-PAYMENT-RESPONSE``, or None
    when the answer carries neither. Raises ``X402Error`` when the header is not base64 JSON.
    """
    for name in SETTLEMENT_HEADERS:
        value = _header(headers, name)
        if isinstance(value, str) and value:
            receipt = _decode_base64_json(value, name)
            if not isinstance(receipt, dict):
                raise X402Error("the %s header is not a JSON object" % name)
            return receipt
    return None


# How servers built with the reference SDK answer a payment they did not take:
# - v2 (SDK 2.x): a refusal before settling is a fresh 402 with ``PAYMENT-REQUIRED`` whose
#   ``error`` is the verifier's reason (``invalid_exact_evm_...``, ``network_mismatch``, ...);
#   a failed settlement is a 402 with an empty body and a ``PAYMENT-RESPONSE`` receipt saying
#   ``success: false`` with ``errorReason``: ``settlement_pending`` (sent, not confirmed in time,
#   ``transaction`` set), a facilitator error text (``Facilitator settle failed (500): ...``),
#   ``transaction_failed``, ``unexpected_settle_error``, or an ``invalid_...`` reason when the
#   settle-time re-verification refused it before anything was sent.
# - v1 (SDK 1.x): always a 402 body with ``accepts`` and ``error``: ``Invalid payment: <reason>``
#   (and other texts) before settling, ``Settle failed: <reason>`` or ``Settle failed`` after.
STAGE_VERIFICATION = "verification"
STAGE_SETTLEMENT = "settlement"
STAGE_UNKNOWN = "unknown"
V1_SETTLE_FAILED = "Settle failed"
VERIFICATION_REASON_PREFIX = "invalid_"
# A refusal saying the authorization's nonce is spent: something settled this very payment
# ("invalid_exact_evm_nonce_already_used", the USDC contract's "authorization is used").
NONCE_USED_RE = re.compile(r"(nonce|authorization)[\s_-]+(is[\s_-]+)?(already[\s_-]+)?used", re.IGNORECASE)


class PaymentAnswer:
    """What a 402 answering a signed payment says about the money.

    ``stage`` is where the server stopped: ``verification`` (nothing was sent to the chain),
    ``settlement`` (a transfer was attempted: it may have moved the money) or ``unknown`` (the
    answer does not say). ``reason`` is the server's text, ``transaction`` the hash when one
    was given, ``settlement`` the decoded receipt header (or None).
    """

    def __init__(self, stage, reason, transaction=None, settlement=None):
        self.stage = stage
        self.reason = reason
        self.transaction = transaction
        self.settlement = settlement

    @property
    def nonce_spent(self):
        """True when the reason says the authorization's nonce is already used on chain."""
        return bool(NONCE_USED_RE.search(self.reason or ""))

    @property
    def outcome_unknown(self):
        """False only for a refusal before settling (and not for a spent nonce)."""
        return self.stage != STAGE_VERIFICATION or bool(self.transaction) or self.nonce_spent

    def __repr__(self):
        return "PaymentAnswer(stage=%r, reason=%r, transaction=%r)" % (
            self.stage, self.reason, self.transaction)


def _receipt_reason(receipt):
    reason, detail = receipt.get("errorReason"), receipt.get("errorMessage")
    if not isinstance(reason, str) or not reason:
        reason = detail if isinstance(detail, str) and detail else "settlement failed, no reason given"
    elif isinstance(detail, str) and detail and detail != reason:
        reason = "%s (%s)" % (reason, detail)
    return reason


def classify_payment_answer(headers, body):
    """Read a 402 answering our signed payment into a ``PaymentAnswer`` (never raises).

    A receipt header that is not ``success: true`` is the settlement stage: of unknown outcome
    unless its ``errorReason`` starts with ``invalid_`` and no transaction was sent. A fresh
    402 with requirements is the verification stage, except a v1 ``Settle failed`` error. Any
    other 402 (unreadable receipt, no requirements) is of unknown stage.
    """
    try:
        receipt = parse_settlement(headers)
    except X402Error as exc:
        return PaymentAnswer(STAGE_UNKNOWN, str(exc), settlement={"unreadable": str(exc)})
    if receipt is not None:
        transaction = receipt.get("transaction")
        transaction = transaction if isinstance(transaction, str) and transaction else None
        reason = _receipt_reason(receipt)
        if receipt.get("success") is True:
            # A success receipt on a 402 contradicts itself: the money may have moved.
            return PaymentAnswer(STAGE_UNKNOWN, "a 402 carrying a successful settlement receipt",
                                 transaction, receipt)
        stage = STAGE_SETTLEMENT
        if reason.startswith(VERIFICATION_REASON_PREFIX) and transaction is None:
            stage = STAGE_VERIFICATION
        return PaymentAnswer(stage, reason, transaction, receipt)
    try:
        error = parse_payment_required(402, headers, body).error
    except X402Error:
        data = _json_body(body) or {}
        texts = [data.get(key) for key in ("errorReason", "invalidReason", "error", "message")]
        reason = next((text for text in texts if isinstance(text, str) and text), None)
        return PaymentAnswer(STAGE_UNKNOWN, reason or "a 402 with neither requirements nor a receipt")
    reason = error if isinstance(error, str) and error else "no reason given"
    if reason.startswith(V1_SETTLE_FAILED):
        return PaymentAnswer(STAGE_SETTLEMENT, reason)
    return PaymentAnswer(STAGE_VERIFICATION, reason)


def send_signed_payment(send, payment):
    """Send a ``SignedPayment`` (new, or read back with ``from_dict``) through ``send(headers)``.

    ``send`` makes the request and returns ``(status, headers, body)``; this adds the payment
    header, nothing else, so the same authorization (same nonce) goes out and can settle at most
    once however often it is sent. Returns ``(status, headers, body, answer)`` where ``answer``
    is the ``PaymentAnswer`` of a 402, else None.
    """
    status, headers, body = send(payment.headers())
    answer = classify_payment_answer(headers, body) if status == 402 else None
    return status, headers, body, answer


def redact_payment_header(headers):
    """Return a copy of ``headers`` with any payment header's value replaced by a placeholder."""
    payment_names = set(name.lower() for name in PAYMENT_HEADER_BY_VERSION.values())
    return dict((key, REDACTED if str(key).lower() in payment_names else value)
                for key, value in headers.items())
