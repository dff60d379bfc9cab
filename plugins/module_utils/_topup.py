# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""VPSCrypto balance top-ups: amount rules, the min_balance decision, invoices and x402 payments.

The x402 flow here makes at most one signature per call: the signed header is only ever re-sent
as it is (the same nonce can settle once), and a 402 answering our own payment is reported,
never paid again.
"""

from __future__ import annotations

from decimal import Decimal

from ._model import to_decimal
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


class TopupRefused(Exception):
    """The provider answered our signed payment with a 402: it was not accepted.

    ``reason`` is the provider's error text, ``settlement`` the decoded receipt header, if any.
    """

    def __init__(self, reason, settlement=None):
        super(TopupRefused, self).__init__(reason)
        self.reason = reason
        self.settlement = settlement


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
    """True when a top-up is due: no ``min_balance`` given, or the balance is below it."""
    if min_balance is None:
        return True
    return balance is None or balance < to_decimal(min_balance)


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


def _refusal_reason(response):
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


def pay_with_x402(adapter, amount, private_key, allow_testnet=False, expected_pay_to=None, on_signed=None):
    """Top up ``amount`` USD through x402; return ``(topup, settlement, payment)``.

    The first request carries no payment: its 402 says what to pay. The spend guards run before
    anything is signed (SpendGuardError otherwise). ``on_signed(payment)`` runs before the signed
    request leaves, so the caller can hide the header from every output. A 402 answering the
    payment raises :class:`TopupRefused`; nothing is signed a second time.
    """
    asked = adapter.request_payment_requirements(json_amount(amount), X402_COIN)
    if asked.status != 402:
        return topup_from_api(asked.body), read_settlement(asked.headers), None
    payment_required = parse_payment_required(asked.status, asked.headers, asked.body)
    payment = prepare_payment(payment_required, amount, private_key, allow_testnet=allow_testnet,
                              expected_pay_to=expected_pay_to)
    if on_signed is not None:
        on_signed(payment)
    # The same signed header on every retry: one nonce settles at most once.
    answer = adapter.resend_payment(json_amount(amount), X402_COIN, headers=payment.headers())
    settlement = read_settlement(answer.headers)
    if answer.status == 402:
        raise TopupRefused(_refusal_reason(answer), settlement)
    return topup_from_api(answer.body), settlement, payment
