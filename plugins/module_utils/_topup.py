# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""VPSCrypto balance top-ups: amount rules, the min_balance decision, invoices and x402 payments.

The x402 flow here makes at most one signature per call: the signed header is only ever re-sent
as it is (the same nonce can settle once), and a 402 answering our own payment is reported,
never paid again. Once the payment has been sent more than once, a refusal may only mean that an
earlier attempt already settled it, so it is reported as of unknown outcome, not as a refusal.
"""

from __future__ import annotations

import re
from decimal import Decimal

from ._client import ApiError
from ._model import to_decimal
from ._redact import redact_data, redact_text
from ._vpscrypto import topup_from_api
from ._x402 import X402Error, parse_payment_required, parse_settlement, prepare_payment

TOPUP_COINS = ("BTC", "XMR", "ETH", "LTC", "USDTTRC", "USDT", "USDCBASE")
X402_COIN = "USDCBASE"
MIN_TOPUP_USD = Decimal("25")
MAX_TOPUP_USD = Decimal("2000")
FINAL_STATUSES = ("completed", "expired", "cancelled")
WALLET_KEY_ENV = "VPSFLEET_WALLET_KEY"
# Where a 402 answering a payment says why it was refused (the sandbox and v1 servers use
# ``error``; facilitator answers use ``errorReason`` / ``invalidReason``).
REFUSAL_REASON_KEYS = ("errorReason", "invalidReason", "error")
# A refusal saying the authorization's nonce is spent: something settled this very payment
# ("invalid_exact_evm_nonce_already_used", the USDC contract's "authorization is used").
NONCE_USED_RE = re.compile(r"(nonce|authorization)[\s_-]+(is[\s_-]+)?(already[\s_-]+)?used", re.IGNORECASE)


class TopupRefused(Exception):
    """The provider answered our signed payment with a 402.

    ``reason`` is the provider's error text, ``settlement`` the decoded receipt header, if any.
    ``resent`` is true when the payment was sent more than once (an answer was lost).
    """

    def __init__(self, reason, settlement=None, resent=False):
        super(TopupRefused, self).__init__(reason)
        self.reason = reason
        self.settlement = settlement
        self.resent = resent

    @property
    def maybe_settled(self):
        """True when the refusal may answer a payment an earlier attempt already settled.

        After a re-send the first attempt may have settled, so the nonce is spent or the window
        closed, or the wallet no longer holds enough: the 402 then says nothing about the money.
        """
        return self.resent or bool(NONCE_USED_RE.search(self.reason or ""))


class PaymentUnconfirmed(Exception):
    """The signed payment was sent but answered with an error, or not at all.

    ``error`` is the ApiError (its text scrubbed of the payment), ``resent`` is true when the
    payment was sent more than once.
    """

    def __init__(self, error, resent=False):
        super(PaymentUnconfirmed, self).__init__(str(error))
        self.error = error
        self.resent = resent

    @property
    def maybe_settled(self):
        """False only for a definite refusal (a 4xx) of a payment sent once."""
        return self.resent or self.error.status is None or self.error.status >= 500


def validate_amount(amount):
    """The top-up amount as a Decimal, or ValueError saying what is accepted."""
    value = to_decimal(amount)
    if value is None or not value.is_finite():
        raise ValueError("amount must be a number of USD between %s and %s, got %r" % (
            MIN_TOPUP_USD, MAX_TOPUP_USD, amount))
    if value < MIN_TOPUP_USD or value > MAX_TOPUP_USD:
        raise ValueError("amount must be between %s and %s USD, got %s" % (MIN_TOPUP_USD, MAX_TOPUP_USD, value))
    if value != value.quantize(Decimal("0.01")):
        raise ValueError("amount must be a whole number of cents, got %s" % value)
    return value


def json_amount(amount):
    """A Decimal amount as the JSON number the API expects (an int when it is whole)."""
    return int(amount) if amount == amount.to_integral_value() else float(amount)


def account_balance(account):
    """The exact balance (Decimal) of a common account record, from the API's own number."""
    raw = (account.get("provider_data") or {}).get("balance_usd", account.get("balance_usd"))
    return to_decimal(raw)


def below_min_balance(balance, min_balance):
    """True when a top-up is due: no ``min_balance`` given, or the balance is below it.

    Raises ValueError when ``min_balance`` is given but the balance is unknown (None): topping up
    on every run because the balance could not be read would pay again and again.
    """
    if min_balance is None:
        return True
    if balance is None:
        raise ValueError("the account balance could not be read, so min_balance cannot be checked;"
                         " nothing was ordered or paid")
    return balance < to_decimal(min_balance)


def is_final(topup):
    """True once a top-up can no longer change (completed, expired or cancelled)."""
    return (topup or {}).get("status") in FINAL_STATUSES


def create_invoice(adapter, amount, coin):
    """Create a classic crypto invoice and return the common top-up record."""
    response = adapter.create_topup(json_amount(amount), coin)
    if response.status == 402:
        raise X402Error("VPSCrypto asked for an x402 payment for coin %s; only %s is paid that way" % (
            coin, X402_COIN))
    return topup_from_api(response.body)


def _refusal_reason(response, settlement):
    """Why a 402 answering our payment refused it, in the order servers put it.

    The reference x402 server reports a failed settlement only in the receipt header
    (``success: false``, ``errorReason``) with an empty body; others use the body or a new 402.
    """
    settled = settlement if isinstance(settlement, dict) else {}
    reason, detail = settled.get("errorReason"), settled.get("errorMessage")
    if isinstance(reason, str) and reason:
        if isinstance(detail, str) and detail and detail != reason:
            return "%s (%s)" % (reason, detail)
        return reason
    body = response.body if isinstance(response.body, dict) else {}
    for key in REFUSAL_REASON_KEYS:
        if isinstance(body.get(key), str) and body[key]:
            return body[key]
    try:
        reason = parse_payment_required(402, response.headers, response.body).error
    except X402Error:
        reason = None
    return reason or "no reason given"


def read_settlement(headers):
    """The settlement receipt, or ``{"unreadable": message}``: after money moved, never fail on it."""
    try:
        return parse_settlement(headers)
    except X402Error as exc:
        return {"unreadable": str(exc)}


def payment_summary(payment):
    """What a signed payment pays, to whom, from where: everything but the signature and header."""
    authorization = payment.authorization
    return {
        "payer": payment.payer,
        "pay_to": authorization["to"],
        "amount_base_units": authorization["value"],
        "network": payment.network,
        "nonce": authorization["nonce"],
        "valid_before": authorization["validBefore"],
    }


def _requests_sent(adapter):
    """How many HTTP requests the adapter's client has sent so far, retries included."""
    return getattr(getattr(adapter, "client", None), "request_count", 0)


def _scrub_payment(error, payment):
    """Hide the payment header and its bare signature in an ApiError's text and body."""
    error.message = redact_text(error.message, payment.secrets())
    error.body = redact_data(error.body, payment.secrets())
    return error


def pay_with_x402(adapter, amount, private_key, allow_testnet=False, expected_pay_to=None, on_signed=None):
    """Top up ``amount`` USD through x402; return ``(topup, settlement, payment)``.

    The first request carries no payment: its 402 says what to pay. The spend guards run before
    anything is signed (SpendGuardError otherwise). ``on_signed(payment)`` runs before the signed
    request leaves, so the caller can hide the header from every output. A 402 answering the
    payment raises :class:`TopupRefused`, any other failure after sending it
    :class:`PaymentUnconfirmed`; nothing is signed a second time.
    """
    asked = adapter.request_payment_requirements(json_amount(amount), X402_COIN)
    if asked.status != 402:
        return topup_from_api(asked.body), read_settlement(asked.headers), None
    payment_required = parse_payment_required(asked.status, asked.headers, asked.body)
    payment = prepare_payment(payment_required, amount, private_key, allow_testnet=allow_testnet,
                              expected_pay_to=expected_pay_to)
    if on_signed is not None:
        on_signed(payment)
    sent_before = _requests_sent(adapter)
    answer = error = None
    # The same signed header on every retry: one nonce settles at most once.
    try:
        answer = adapter.resend_payment(json_amount(amount), X402_COIN, headers=payment.headers())
    except ApiError as exc:
        error = exc
    resent = _requests_sent(adapter) - sent_before > 1
    if error is not None:
        raise PaymentUnconfirmed(_scrub_payment(error, payment), resent)
    settlement = read_settlement(answer.headers)
    if answer.status == 402:
        reason = redact_text(_refusal_reason(answer, settlement), payment.secrets())
        raise TopupRefused(reason, settlement, resent)
    return topup_from_api(answer.body), settlement, payment
