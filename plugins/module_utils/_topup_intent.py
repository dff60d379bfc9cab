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

from ._client import ApiError
from ._journal import JournalError, describe_age
from ._topup import NONCE_USED_RE, X402_COIN, read_settlement
from ._vpscrypto import topup_from_api
from ._x402 import SignedPayment

TOPUP_INTENT = "topup"
TOPUP_SUBJECT = "balance"
# An authorization this close to its end is not re-sent: it could expire in flight.
RESEND_MARGIN_SECONDS = 10


class PendingTopup(Exception):
    """An earlier run's top-up is unresolved; the message says what is pending and how to resolve it."""


def payment_record(payment):
    """A signed payment as JSON for the journal (the header is the authorization; it pays one payee once)."""
    return {"header_name": payment.header_name, "header_value": payment.header_value, "payer": payment.payer,
            "authorization": payment.authorization, "network": payment.network, "signature": payment.signature}


def payment_from_record(record):
    """The signed payment a journal record holds."""
    return SignedPayment(record["header_name"], record["header_value"], record["payer"], record["authorization"],
                         record["network"], record["signature"])


def record_invoice_intent(journal, amount, coin):
    try:
        return journal.record(TOPUP_INTENT, TOPUP_SUBJECT, method="invoice", amount=str(amount), coin=coin)
    except (JournalError, OSError) as exc:
        raise PendingTopup("nothing was ordered: the intent could not be journaled (%s)" % exc)


def record_x402_intent(journal, amount, payment):
    try:
        return journal.record(TOPUP_INTENT, TOPUP_SUBJECT, method="x402", amount=str(amount), coin=X402_COIN,
                              payment=payment_record(payment))
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
    payment = payment_from_record(intent["payment"])
    if hide is not None:
        hide(payment.secrets())
    summary = {"payer": payment.payer, "pay_to": payment.authorization.get("to"),
               "amount_base_units": payment.authorization.get("value"), "network": payment.network,
               "nonce": payment.authorization.get("nonce"), "valid_before": payment.authorization.get("validBefore")}
    valid_before = int(payment.authorization.get("validBefore") or 0)
    if valid_before - RESEND_MARGIN_SECONDS <= now:
        raise PendingTopup(_expired_message(intent, summary, now))
    try:
        answer = adapter.resend_payment(_json_amount(intent["amount"]), X402_COIN, headers=payment.headers())
    except ApiError as exc:
        raise PendingTopup("an earlier run's x402 payment of %s USD (nonce %s) is still unresolved: re-sending the"
                           " same signed authorization failed too (%s); nothing new was signed or paid. Run again"
                           " to re-send it while it is valid (until %s)" % (
                               intent["amount"], summary["nonce"], exc, _when(valid_before)))
    settlement = read_settlement(answer.headers)
    if answer.status != 402:
        clear_topup_intent(journal)
        return {"topup": topup_from_api(answer.body), "settlement": settlement, "payment": summary,
                "note": "completed the x402 top-up of %s USD an earlier run left unresolved, by re-sending its"
                        " signed authorization; nothing new was paid" % intent["amount"]}
    reason = _reason(answer, settlement)
    if NONCE_USED_RE.search(reason or ""):
        clear_topup_intent(journal)
        return {"topup": None, "settlement": settlement, "payment": summary,
                "note": "the x402 payment of %s USD an earlier run left unresolved had already settled (its nonce is"
                        " used); nothing new was paid" % intent["amount"]}
    raise PendingTopup("an earlier run's x402 payment of %s USD (nonce %s) is still unresolved: re-sending the same"
                       " signed authorization was refused (%s), which does not tell whether the first attempt settled;"
                       " nothing new was signed or paid. Check the balance (vps_account_info) and the payer's"
                       " transactions; once you know it did not settle, run again with abandon_pending=true (journal"
                       " entry %s)" % (intent["amount"], summary["nonce"], reason, intent["path"]))


def _expired_message(intent, summary, now):
    return ("an earlier run's x402 payment of %s USD from %s to %s (nonce %s, %s) lost its answer and its"
            " authorization has expired, so it can no longer settle - but it may have settled before. Nothing new was"
            " signed or paid. Check the balance (vps_account_info), the top-up if you know its ref (vps_topup_info"
            " ref=...) and the payer's transactions for that nonce; if it settled, the top-up is done; if not, run"
            " again with abandon_pending=true (journal entry %s)" % (
                intent["amount"], summary["payer"], summary["pay_to"], summary["nonce"], describe_age(intent, now),
                intent["path"]))


def _reason(answer, settlement):
    settled = settlement if isinstance(settlement, dict) else {}
    for value in (settled.get("errorReason"), (answer.body or {}).get("error") if isinstance(answer.body, dict) else None):
        if isinstance(value, str) and value:
            return value
    return "no reason given"


def _json_amount(amount):
    value = float(amount)
    return int(value) if value.is_integer() else value


def _when(epoch):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))
