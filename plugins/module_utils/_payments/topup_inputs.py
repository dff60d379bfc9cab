# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every local input of a top-up, checked before the first request (the balance read included).

A wallet key or payee that cannot work must fail before the unpaid ``POST /topups`` that fetches
the x402 offer, and before anything else is asked of the provider.
"""

from __future__ import annotations

from .._module.base import ModuleFailure
from .topup import X402_COIN, validate_amount
from .x402 import WalletKeyError, check_wallet_key, is_address


def check_topup_inputs(params):
    """The amount as a Decimal (None when following a ``ref``), after checking every local input.

    Raises ModuleFailure saying what was wrong and what is accepted; a wallet key never appears in it.
    """
    if params.get("ref"):
        return None
    try:
        amount = validate_amount(params["amount"])
    except ValueError as exc:
        raise ModuleFailure(str(exc))
    if params.get("min_balance") is not None and params["min_balance"] < 0:
        raise ModuleFailure("min_balance must be 0 or more USD, got %s" % params["min_balance"])
    if params.get("cover_days") is not None and params["cover_days"] < 1:
        raise ModuleFailure("cover_days must be a whole number of days, 1 or more, got %r" % (params["cover_days"],))
    if params.get("coin") != X402_COIN:
        return amount
    pay_to = params.get("expected_pay_to")
    if pay_to is not None and not is_address(pay_to):
        raise ModuleFailure("expected_pay_to must be a 20-byte hex address (0x and 40 hex digits), got %r; "
                            "nothing was paid" % (pay_to,))
    if params.get("wallet_private_key"):
        try:
            check_wallet_key(params["wallet_private_key"])
        except WalletKeyError as exc:
            raise ModuleFailure("wallet_private_key: %s; nothing was paid" % exc)
    return amount
