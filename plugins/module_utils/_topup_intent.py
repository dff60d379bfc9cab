# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Top-ups across runs: the journaled intent of an invoice or an x402 payment, and resolving it.

One top-up per account may be pending. An x402 intent keeps the signed payment itself: while its
authorization is valid, the next run re-sends exactly that (same nonce: it settles at most once)
instead of signing a new one, so a payment whose answer was lost is completed, never doubled.
"""

from __future__ import annotations

import time
from decimal import Decimal

from ._journal import JournalError, describe_age
from ._topup import X402_COIN, PaymentUnconfirmed, TopupRefused, payment_summary, send_payment
from ._x402 import SignedPayment, X402Error

TOPUP_INTENT = "topup"
TOPUP_SUBJECT = "balance"
# An authorization this close to its end is not re-sent: it could expire in flight.
RESEND_MARGIN_SECONDS = 10


class PendingTopup(Exception):
    """An earlier run's top-up is unresolved; the message says what is pending and how to resolve it."""


def record_invoice_intent(journal, amount, coin):
    try:
        return journal.record(TOPUP_INTENT, TOPUP_SUBJECT, method="invoice", amount=str(amount), coin=coin)
    except (JournalError, OSError) as exc:
        raise PendingTopup("nothing was ordered: the intent could not be journaled (%s)" % exc)


def record_x402_intent(journal, amount, payment):
    try:
        return journal.record(TOPUP_INTENT, TOPUP_SUBJECT, method="x402", amount=str(amount), coin=X402_COIN,
                              payment=payment.to_dict())
    except (JournalError, OSError) as exc:
        raise PendingTopup("nothing was paid: the intent could not be journaled (%s)" % exc)


def clear_topup_intent(journal):
    journal.clear(TOPUP_INTENT, TOPUP_SUBJECT)


def resolve_pending_topup(adapter, journal, abandon=False, warn=None, hide=None, now=None):
    """Settle the top-up an earlier run left pending before this run pays anything.

    ``hide(secrets)`` is called with the signed payment's secrets before it is sent again.
    Returns None when nothing was pending (or it was abandoned or harmless), or a dict
    ``{"topup", "settlement", "payment", "note"}`` for an x402 payment this call completed or found
    settled. Raises :class:`PendingTopup` when it cannot be resolved yet.
    """
    intent = journal.find(TOPUP_INTENT, TOPUP_SUBJECT)
    if intent is None:
        return None
    if abandon:
        clear_topup_intent(journal)
        return None
    now = time.time() if now is None else now
    if intent.get("method") != "x402":
        # The lost answer held the invoice's payment address: nobody saw it, so nobody paid it, and an
        # unpaid invoice expires by itself. A new invoice is no second payment.
        clear_topup_intent(journal)
        if warn is not None:
            warn("an earlier run's invoice request for %s USD in %s lost its answer (%s); if the invoice was made,"
                 " its address was never shown, so it cannot have been paid, and it expires unpaid"
                 % (intent.get("amount"), intent.get("coin"), describe_age(intent, now)))
        return None
    try:
        payment = SignedPayment.from_dict(intent["payment"])
    except X402Error as exc:
        raise PendingTopup("an earlier run's x402 payment of %s USD is still unresolved, but its journal entry %s"
                           " cannot be read (%s); nothing new was signed or paid. Check the balance"
                           " (vps_account_info); once you know it did not settle, run again with"
                           " abandon_pending=true" % (intent.get("amount"), intent["path"], exc))
    if hide is not None:
        hide(payment.secrets())
    summary = payment_summary(payment)
    if not payment.can_still_settle(now, margin=RESEND_MARGIN_SECONDS):
        raise PendingTopup(_expired_message(intent, summary, now))
    try:
        topup, settlement = send_payment(adapter, Decimal(intent["amount"]), payment)
    except PaymentUnconfirmed as exc:
        raise PendingTopup("an earlier run's x402 payment of %s USD (nonce %s) is still unresolved: re-sending the"
                           " same signed authorization failed too (%s); nothing new was signed or paid. Run again"
                           " to re-send it while it is valid (until %s)" % (
                               intent["amount"], summary["nonce"], exc.error, _when(payment.valid_until())))
    except TopupRefused as exc:
        if exc.answer.nonce_spent:
            clear_topup_intent(journal)
            return {"topup": None, "settlement": exc.settlement, "payment": summary,
                    "note": "the x402 payment of %s USD an earlier run left unresolved had already settled (its"
                            " nonce is used); nothing new was paid" % intent["amount"]}
        raise PendingTopup("an earlier run's x402 payment of %s USD (nonce %s) is still unresolved: re-sending the"
                           " same signed authorization was refused (%s, %s stage%s), which does not tell whether"
                           " the first attempt settled; nothing new was signed or paid. Check the balance"
                           " (vps_account_info) and the payer's transactions; once you know it did not settle, run"
                           " again with abandon_pending=true (journal entry %s)" % (
                               intent["amount"], summary["nonce"], exc.reason, exc.answer.stage,
                               ", transaction %s" % exc.transaction if exc.transaction else "", intent["path"]))
    clear_topup_intent(journal)
    return {"topup": topup, "settlement": settlement, "payment": summary,
            "note": "completed the x402 top-up of %s USD an earlier run left unresolved, by re-sending its"
                    " signed authorization; nothing new was paid" % intent["amount"]}


def _expired_message(intent, summary, now):
    return ("an earlier run's x402 payment of %s USD from %s to %s (nonce %s, %s) lost its answer and its"
            " authorization has expired, so it can no longer settle - but it may have settled before. Nothing new was"
            " signed or paid. Check the balance (vps_account_info), the top-up if you know its ref (vps_topup_info"
            " ref=...) and the payer's transactions for that nonce; if it settled, the top-up is done; if not, run"
            " again with abandon_pending=true (journal entry %s)" % (
                intent["amount"], summary["payer"], summary["pay_to"], summary["nonce"], describe_age(intent, now),
                intent["path"]))


def _when(epoch):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))
