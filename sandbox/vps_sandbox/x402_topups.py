"""VPSCrypto top-ups paid with x402: ask (402), verify, settle against test USDC wallets, replay safely."""

import hashlib
import threading

from . import timefmt, tokens, x402
from .catalog import X402_COIN
from .config import X402_FAULT_KINDS
from .errors import fail
from .routing import Response
from .topups import new_topup, topup_body
from .state import money

PAYMENT_MODE_HEADER = "x-payment-mode"


def is_x402_request(request, coin):
    """True for coin=USDCBASE, `X-Payment-Mode: x402`, or a request already carrying a payment header."""
    return (coin == X402_COIN or (request.header(PAYMENT_MODE_HEADER) or "").lower() == "x402"
            or any(request.header(name.lower()) for name in x402.PAYMENT_HEADERS.values()))


def _payment_required(offer, reason):
    body, headers = offer.payment_required(reason)
    fail(402, reason, code="payment_required", body=body, headers=headers)


def _transaction_hash(authorization):
    digest = hashlib.sha256((authorization.nonce + authorization.signature).encode("ascii")).hexdigest()
    return "0x" + digest


def pay_topup(app, request, account, amount):
    """Answer an x402 top-up request: 402 with requirements, or 201 with a completed, credited Topup."""
    store = app.store
    offer = x402.make_offer(store.config, amount, request.url, f"VPSCrypto balance top-up of ${amount}")
    header = request.header(x402.PAYMENT_HEADERS[offer.version].lower())
    if not header:
        _payment_required(offer, f"{x402.PAYMENT_HEADERS[offer.version]} header is required")
    tokens.remember(header)
    try:
        payment = x402.decode_header(header)
        authorization = x402.parse_payment(payment, offer)
        tokens.remember(authorization.signature)
        payment_id = offer.payment_id(payment)
        earlier = store.x402_payment_ids.get((account.id, payment_id)) if payment_id else None
        if earlier is not None:
            if earlier["base_units"] != offer.base_units:
                raise x402.PaymentError("payment_identifier_mismatch")
            # A payment id seen before: the first payment's answer, nothing settled again.
            return Response(201, topup_body(store.topups[earlier["ref"]]), dict([earlier["header"]]))
        settled = store.x402_payments.get(authorization.nonce)
        if settled is not None:
            if (settled["signature"], settled["account"], settled["base_units"]) == (
                    authorization.signature, account.id, offer.base_units):
                # The same payment re-sent (e.g. after a dropped answer): the same answer, no second credit.
                return Response(201, topup_body(store.topups[settled["ref"]]), dict([settled["header"]]))
            raise x402.PaymentError("nonce_already_used")
        x402.verify(authorization, offer, int(timefmt.now()))
        wallet = authorization.payer.lower()
        if store.wallets.get(wallet, money(0)) < amount:
            raise x402.PaymentError("insufficient_funds")
    except x402.PaymentError as error:
        _payment_required(offer, error.reason)
    transaction = _transaction_hash(authorization)
    store.wallets[wallet] -= amount
    fault = request.fault if request.fault and request.fault["kind"] in X402_FAULT_KINDS else None
    topup = new_topup(store, account, amount, X402_COIN, status="pending" if fault else "completed",
                      deposit_address=offer.pay_to, deposit_amount=str(amount), deposit_coin="USDC",
                      deposit_network=offer.network, qr_data_uri=None, expires_at=None, transaction=transaction)
    response_header = offer.settlement_header(transaction, authorization.payer)
    store.x402_payments[authorization.nonce] = {
        "signature": authorization.signature, "account": account.id, "base_units": offer.base_units,
        "ref": topup.ref, "header": response_header,
    }
    if payment_id:
        store.x402_payment_ids[(account.id, payment_id)] = store.x402_payments[authorization.nonce]
    if fault:
        # The money left the wallet; the answer says settling failed; the credit lands later.
        _credit_later(store, topup, offer, fault["effect_delay"])
        body, headers = offer.settlement_failure(fault["kind"], transaction, authorization.payer)
        return Response(402, body, headers)
    _credit(store, account, topup, offer)
    return Response(201, topup_body(topup), dict([response_header]))


def _credit(store, account, topup, offer):
    topup.status = "completed"
    store.credit(account, topup.amount, f"x402 top-up {topup.ref} (USDC on {offer.network})", topup.transaction)


def _credit_later(store, topup, offer, delay):
    """Complete and credit ``topup`` ``delay`` seconds from now (unless the sandbox was reset)."""
    def land():
        with store.lock:
            account = store.accounts.get(("vpscrypto", topup.account_id))
            if store.topups.get(topup.ref) is topup and topup.status == "pending" and account is not None:
                _credit(store, account, topup, offer)

    timer = threading.Timer(delay, land)
    timer.daemon = True
    timer.start()
