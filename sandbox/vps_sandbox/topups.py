"""VPSCrypto top-up records and their one-way transitions (settle credits once, expire credits nothing)."""

from . import timefmt, tokens
from .errors import fail
from .state import Topup


def new_topup(store, account, amount, coin, **fields):
    """Create and register a top-up with a fresh `vps-26-<10 hex>` reference."""
    topup = Topup(ref="vps-26-" + tokens.hex_token(5), account_id=account.id, amount=amount, coin=coin, **fields)
    store.topups[topup.ref] = topup
    return topup


def topup_body(topup):
    """A Topup object as the API shows it."""
    return {
        "ref": topup.ref, "status": topup.status, "amount_usd": float(topup.amount), "coin": topup.coin,
        "deposit_address": topup.deposit_address, "deposit_amount": topup.deposit_amount,
        "deposit_coin": topup.deposit_coin, "deposit_network": topup.deposit_network,
        "qr_data_uri": topup.qr_data_uri, "expires_at": timefmt.iso(topup.expires_at),
    }


def _pending(store, ref):
    topup = store.topups.get(ref)
    if topup is None:
        fail(404, f"Top-up {ref} not found")
    if topup.status != "pending":
        fail(409, f"Top-up {ref} is already {topup.status}")
    return topup


def settle(store, ref):
    """Mark a pending top-up completed and credit its account once."""
    topup = _pending(store, ref)
    topup.status = "completed"
    account = store.accounts[("vpscrypto", topup.account_id)]
    store.credit(account, topup.amount, f"Top-up {topup.ref} ({topup.coin})", topup.ref)
    return topup


def expire(store, ref):
    """Mark a pending top-up expired (nothing credited)."""
    topup = _pending(store, ref)
    topup.status = "expired"
    return topup
