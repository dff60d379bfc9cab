# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Top-ups across runs: the journaled intent of an invoice or an x402 payment, and resolving it.

One top-up per account may be pending. An x402 intent keeps the signed payment itself and its
random payment id: while its authorization is valid, the next run re-sends exactly that (same
nonce: it settles at most once) instead of signing a new one. The intent stays until the top-up
is known to be credited: a re-send answered with a top-up still ``pending``, or saying the nonce
is already used (the money moved, the credit is not confirmed), keeps it, with the top-up's ref
and transaction when known, and the next run waits for that top-up instead of paying again.
"""

from __future__ import annotations

import secrets
import time
from decimal import Decimal

from .._core.journal import JournalError, describe_age, wait_for_effect
from .._providers.model import to_decimal
from .topup import (
    X402_COIN, PaymentUnconfirmed, TopupRefused, account_balance, is_final, payment_summary, send_payment,
)
from .x402 import SignedPayment, X402Error

TOPUP_INTENT = "topup"
TOPUP_SUBJECT = "balance"
# An authorization this close to its end is not re-sent: it could expire in flight.
RESEND_MARGIN_SECONDS = 10


class PendingTopup(Exception):
    """An earlier run's top-up is unresolved; the message says what is pending and how to resolve it."""


def new_payment_id():
    """A fresh payment-identifier id for one logical top-up (``pay_`` + 40 random hex digits).

    Random, so two deliberate top-ups never share one; kept in the intent, so only the re-send of
    the same signed payment carries it again.
    """
    return "pay_" + secrets.token_hex(20)


def record_invoice_intent(journal, amount, coin):
    """Journal a classic invoice request before it is sent; PendingTopup when it cannot be journaled."""
    try:
        return journal.record(TOPUP_INTENT, TOPUP_SUBJECT, method="invoice", amount=str(amount), coin=coin)
    except (JournalError, OSError) as exc:
        raise PendingTopup("nothing was ordered: the intent could not be journaled (%s)" % exc)


def record_x402_intent(journal, amount, payment, balance=None):
    """Journal a signed x402 payment before it is sent (``balance``: the USD balance read before paying).

    PendingTopup when it cannot be journaled: then the payment is never sent.
    """
    try:
        return journal.record(TOPUP_INTENT, TOPUP_SUBJECT, method="x402", amount=str(amount), coin=X402_COIN,
                              payment=payment.to_dict(), balance_before=None if balance is None else str(balance))
    except (JournalError, OSError) as exc:
        raise PendingTopup("nothing was paid: the intent could not be journaled (%s)" % exc)


def note_topup_outcome(journal, ref=None, transaction=None):
    """Add what is known of a payment that is not yet credited (its top-up ref, its transaction) to its intent."""
    changes = dict((key, value) for key, value in (("ref", ref), ("transaction", transaction)) if value)
    if changes:
        try:
            journal.update(TOPUP_INTENT, TOPUP_SUBJECT, **changes)
        except (JournalError, OSError):
            pass  # the intent itself stays: the next run re-sends the payment and learns the ref again


def clear_topup_intent(journal):
    """Forget the top-up intent: its outcome is known."""
    journal.clear(TOPUP_INTENT, TOPUP_SUBJECT)


def resolve_pending_topup(adapter, journal, abandon=False, warn=None, hide=None, now=None, grace=0,
                          sleep=time.sleep):
    """Settle the top-up an earlier run left pending before this run pays anything.

    ``hide(secrets)`` is called with the signed payment's secrets before it is sent again. A top-up
    known by its ref is watched for ``grace`` seconds. Returns None when nothing was pending (or it
    was abandoned or harmless), or a dict ``{"topup", "settlement", "payment", "note"}`` for an x402
    payment that is now known to be credited. Raises :class:`PendingTopup` when it cannot be
    resolved yet; the intent is then kept.
    """
    intent = journal.find(TOPUP_INTENT, TOPUP_SUBJECT)
    if intent is None:
        return None
    now = time.time() if now is None else now
    if abandon:
        clear_topup_intent(journal)
        if warn is not None:
            warn("abandon_pending: dropped the unresolved %s top-up of %s USD an earlier run left (%s%s, journal"
                 " entry %s); it is no longer looked for" % (
                     intent.get("method"), intent.get("amount"), describe_age(intent, now),
                     ", top-up %s" % intent["ref"] if intent.get("ref") else "", intent["path"]))
        return None
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
    except (X402Error, KeyError, TypeError) as exc:
        raise PendingTopup("an earlier run's x402 payment of %s USD is still unresolved, but its journal entry %s"
                           " cannot be read (%s); nothing new was signed or paid. Check the balance"
                           " (vps_account_info); once you know it did not settle, run again with"
                           " abandon_pending=true" % (intent.get("amount"), intent["path"], exc))
    if hide is not None:
        hide(payment.secrets())
    summary = payment_summary(payment)
    if intent.get("ref"):
        return _await_credit(adapter, journal, intent, summary, None, grace, sleep)
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
        if exc.ref:
            note_topup_outcome(journal, exc.ref, exc.transaction)
            return _await_credit(adapter, journal, dict(intent, ref=exc.ref), summary, exc.settlement, grace, sleep)
        if exc.answer.nonce_spent:
            note_topup_outcome(journal, transaction=exc.transaction)
            return _credit_by_balance(adapter, journal, intent, summary, exc.settlement)
        raise PendingTopup("an earlier run's x402 payment of %s USD (nonce %s) is still unresolved: re-sending the"
                           " same signed authorization was refused (%s, %s stage%s), which does not tell whether"
                           " the first attempt settled; nothing new was signed or paid. Check the balance"
                           " (vps_account_info) and the payer's transactions; once you know it did not settle, run"
                           " again with abandon_pending=true (journal entry %s)" % (
                               intent["amount"], summary["nonce"], exc.reason, exc.answer.stage,
                               ", transaction %s" % exc.transaction if exc.transaction else "", intent["path"]))
    if topup.get("status") != "completed":
        if not topup.get("ref"):
            raise PendingTopup("an earlier run's x402 payment of %s USD (nonce %s) was re-sent and answered with a"
                               " top-up %s that names no ref, so its credit cannot be followed; nothing new was"
                               " signed or paid. Check the balance (vps_account_info); once it is credited, run"
                               " again with abandon_pending=true (journal entry %s)" % (
                                   intent["amount"], summary["nonce"], topup.get("status"), intent["path"]))
        note_topup_outcome(journal, topup["ref"], (settlement or {}).get("transaction"))
        return _await_credit(adapter, journal, dict(intent, ref=topup["ref"]), summary, settlement, grace, sleep,
                             first=topup)
    clear_topup_intent(journal)
    return {"topup": topup, "settlement": settlement, "payment": summary,
            "note": "completed the x402 top-up of %s USD an earlier run left unresolved (top-up %s), by re-sending"
                    " its signed authorization; nothing new was paid" % (intent["amount"], topup.get("ref"))}


def _await_credit(adapter, journal, intent, summary, settlement, grace, sleep, first=None):
    """Watch the earlier payment's top-up for ``grace`` seconds; done once completed, else PendingTopup."""
    ref = intent["ref"]
    latest = {"topup": first}

    def completed_or_ended():
        if latest["topup"] is None or not is_final(latest["topup"]):
            latest["topup"] = adapter.get_topup(ref)
        return is_final(latest["topup"])

    wait_for_effect(completed_or_ended, grace, sleep=sleep)
    topup = latest["topup"]
    status = topup.get("status")
    transaction = intent.get("transaction") or (settlement or {}).get("transaction")
    paid = "an earlier run's x402 payment of %s USD (nonce %s, top-up %s%s)" % (
        intent["amount"], summary["nonce"], ref, ", transaction %s" % transaction if transaction else "")
    if status == "completed":
        clear_topup_intent(journal)
        return {"topup": topup, "settlement": settlement, "payment": summary,
                "note": "%s is now credited; nothing new was paid" % paid}
    if status in ("expired", "cancelled"):
        raise PendingTopup("%s ended %s without a credit, yet the money may have moved; nothing new was signed or"
                           " paid. Check the top-up (vps_topup_info ref=%s) and the transaction on Base; once you know"
                           " what happened, run again with abandon_pending=true (journal entry %s)" % (
                               paid, status, ref, intent["path"]))
    raise PendingTopup("%s is settling: its top-up is still %s after waiting %d s (pending_grace), so nothing new was"
                       " signed or paid. Run again later (it waits for that top-up, never pays again), or follow it"
                       " with vps_topup_info ref=%s" % (paid, status, max(0, grace), ref))


def _credit_by_balance(adapter, journal, intent, summary, settlement):
    """A re-send answered "nonce used": the money moved. Done once the balance shows the credit."""
    before = to_decimal(intent.get("balance_before"))
    balance = account_balance(adapter.get_account()) if before is not None else None
    paid = "an earlier run's x402 payment of %s USD (nonce %s%s)" % (
        intent["amount"], summary["nonce"],
        ", transaction %s" % intent["transaction"] if intent.get("transaction") else "")
    if balance is not None and balance >= before + Decimal(intent["amount"]):
        clear_topup_intent(journal)
        return {"topup": None, "settlement": settlement, "payment": summary,
                "note": "%s had settled (its nonce is used) and the balance shows the credit; nothing new was paid"
                        % paid}
    raise PendingTopup("%s has settled (its nonce is used), but its credit is not confirmed: the balance does not"
                       " show it. Nothing new was signed or paid. Check the balance (vps_account_info) and the"
                       " transaction on Base; once it is credited (or you have settled it with VPSCrypto), run again"
                       " with abandon_pending=true (journal entry %s)" % (paid, intent["path"]))


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
