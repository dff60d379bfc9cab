# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""VPSCrypto balance top-ups: amount rules, the min_balance decision, invoices and x402 payments.

The x402 flow here makes at most one signature per call: the signed header is only ever re-sent
as it is (the same nonce can settle once), and a 402 answering our own payment is reported,
never paid again. A 402 is a clean refusal only when the server stopped before settling (see
``_x402.classify_payment_answer``); a settlement that failed or is unconfirmed may have moved the
money, and so may anything answering a payment sent more than once: those are of unknown outcome.
"""

from __future__ import annotations

from decimal import Decimal

from .._http.client import ApiError
from .._providers.model import to_decimal
from .._http.redact import redact_data, redact_text
from .._providers.vpscrypto import topup_from_api
from .x402 import (
    X402Error, parse_payment_required, parse_settlement, send_signed_payment, sign_payment,
)

TOPUP_COINS = ("BTC", "XMR", "ETH", "LTC", "USDTTRC", "USDT", "USDCBASE")
X402_COIN = "USDCBASE"
MIN_TOPUP_USD = Decimal("25")
MAX_TOPUP_USD = Decimal("2000")
FINAL_STATUSES = ("completed", "expired", "cancelled")
WALLET_KEY_ENV = "VPSFLEET_WALLET_KEY"


class TopupRefused(Exception):
    """The provider answered our signed payment with a 402.

    ``answer`` is the ``_x402.PaymentAnswer`` (stage, reason, transaction), ``settlement`` the
    decoded receipt header, if any. ``resent`` is true when the payment was sent more than once
    (an answer was lost). ``ref`` is the top-up reference when the answer named one.
    """

    def __init__(self, answer, resent=False, ref=None):
        super(TopupRefused, self).__init__(answer.reason)
        self.answer = answer
        self.ref = ref
        self.reason = answer.reason
        self.settlement = answer.settlement
        self.transaction = answer.transaction
        self.resent = resent

    @property
    def maybe_settled(self):
        """True unless the server refused before settling a payment sent once.

        A failed or unconfirmed settlement may have moved the money. After a re-send the first
        attempt may have settled, so the nonce is spent or the window closed, or the wallet no
        longer holds enough: the 402 then says nothing about the money.
        """
        return self.resent or self.answer.outcome_unknown


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
        "valid_after": authorization["validAfter"],
        "valid_before": authorization["validBefore"],
        "payment_id": payment.payment_id,
    }


def _requests_sent(adapter):
    """How many HTTP requests the adapter's client has sent so far, retries included."""
    return getattr(getattr(adapter, "client", None), "request_count", 0)


def _scrub_payment(error, payment):
    """Hide the payment header and its bare signature in an ApiError's text and body."""
    error.message = redact_text(error.message, payment.secrets())
    error.body = redact_data(error.body, payment.secrets())
    return error


def pay_with_x402(adapter, amount, private_key, allow_testnet=False, expected_pay_to=None, on_signed=None,
                  payment_id=None):
    """Top up ``amount`` USD through x402; return ``(topup, settlement, payment)``.

    The first request carries no payment: its 402 says what to pay. The spend guards run before
    anything is signed (SpendGuardError otherwise). ``payment_id`` is sent when the 402 declares
    the payment-identifier extension. ``on_signed(payment)`` runs before the signed request
    leaves, so the caller can hide the header from every output (and keep ``payment.to_dict()``
    to send the same authorization again with ``send_payment``). A 402 answering the payment
    raises :class:`TopupRefused`, any other failure after sending it :class:`PaymentUnconfirmed`;
    nothing is signed a second time.
    """
    asked = adapter.request_payment_requirements(json_amount(amount), X402_COIN)
    if asked.status != 402:
        return topup_from_api(asked.body), read_settlement(asked.headers), None
    payment_required = parse_payment_required(asked.status, asked.headers, asked.body)
    payment = sign_payment(payment_required, amount, private_key, allow_testnet=allow_testnet,
                           expected_pay_to=expected_pay_to, payment_id=payment_id)
    if on_signed is not None:
        on_signed(payment)
    topup, settlement = send_payment(adapter, amount, payment)
    return topup, settlement, payment


def send_payment(adapter, amount, payment):
    """Send a signed payment for ``amount`` USD (new, or a stored one read back with
    ``SignedPayment.from_dict``); return ``(topup, settlement)``.

    The same signed header goes out on every retry: one nonce settles at most once. Raises
    :class:`TopupRefused` for a 402, :class:`PaymentUnconfirmed` for any other failure.
    """
    sent_before = _requests_sent(adapter)

    def send(headers):
        answer = adapter.resend_payment(json_amount(amount), X402_COIN, headers=headers)
        return answer.status, answer.headers, answer.body

    try:
        status, headers, body, answer = send_signed_payment(send, payment)
    except ApiError as exc:
        raise PaymentUnconfirmed(_scrub_payment(exc, payment), _requests_sent(adapter) - sent_before > 1)
    resent = _requests_sent(adapter) - sent_before > 1
    if answer is not None:
        answer.reason = redact_text(answer.reason, payment.secrets())
        ref = body.get("ref") if isinstance(body, dict) else None
        raise TopupRefused(answer, resent, ref if isinstance(ref, str) and ref else None)
    return topup_from_api(body), read_settlement(headers)
