#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: vps_topup
short_description: Top up a VPSCrypto balance with a crypto invoice or an x402 USDC payment
version_added: 0.1.0
author:
  - vpsfleet maintainers (@vpsfleet)
description:
  - Adds money to the prepaid balance of a VPSCrypto account.
  - Classic coins (C(BTC), C(XMR), C(ETH), C(LTC), C(USDTTRC), C(USDT)) create an invoice and return its
    deposit address, amount, network, QR code and expiry; O(wait=true) watches it until it is completed,
    expired or cancelled.
  - C(USDCBASE) pays at once with the x402 protocol, USDC on Base. The module checks the provider's payment
    requirements against the spend guards, signs one EIP-3009 transfer authorization locally with
    O(wallet_private_key), and sends it. See the collection's C(docs/x402.md).
  - Otwa Cloud has no top-up API; with O(provider=otwa) the module fails before any request.
extends_documentation_fragment:
  - vpsfleet.cloud.provider
  - vpsfleet.cloud.api_client
  - vpsfleet.cloud.attributes
  - vpsfleet.cloud.attributes.CHANGES_WITHOUT_DIFF
  - vpsfleet.cloud.journal
  - vpsfleet.cloud.journal.LOCK
options:
  amount:
    description:
      - Amount in USD to add, between 25 and 2000, in whole cents; a number, or a string holding one.
        Checked before any request; anything else fails saying the accepted range.
      - Required unless O(ref) is given.
    type: raw
  coin:
    description:
      - What the top-up is paid in. C(USDCBASE) is USDC on Base, paid through x402 from O(wallet_private_key).
      - Required with O(amount).
    type: str
    choices: [BTC, XMR, ETH, LTC, USDTTRC, USDT, USDCBASE]
  min_balance:
    description:
      - Top up only when the account balance (USD) is below this; then by O(amount).
      - This makes the task idempotent, so a play can say "make sure I have at least 50 USD" and run again
        safely.
      - Without it, B(every run creates a new top-up) (and with C(USDCBASE), pays again).
      - When the API's account answer carries no readable balance, the task fails before any invoice or payment.
    type: float
  cover_days:
    description:
      - Top up only when the balance does not pay every renewal due in the next O(cover_days) days (plus
        O(min_balance), when given); then by O(amount). The renewals are those RV(vpsfleet.cloud.vps_account_info#module:runway)
        lists, from the servers' prices, cycles and expiry dates.
      - Like O(min_balance), this makes the task idempotent; a covered runway is C(changed=false).
      - When O(amount) would not cover what the balance lacks, the task fails before any invoice or payment and
        names that sum.
    type: int
  ref:
    description:
      - Reference of an existing top-up (for example V(vps-26-f75fda02b9)) to watch instead of creating one.
      - With O(wait=true), waits for that invoice to end; nothing is ever created or paid.
    type: str
  wait:
    description:
      - Wait until the invoice is completed (balance credited), expired or cancelled.
      - The task fails when the invoice expires or is cancelled.
      - x402 payments complete at once and ignore this.
    type: bool
    default: false
  wait_timeout:
    description:
      - How many seconds to wait with O(wait=true).
    type: int
    default: 1800
  wallet_private_key:
    description:
      - Hex private key (64 hex digits, with or without V(0x)) of the wallet that pays C(USDCBASE) top-ups.
      - If not set, the environment variable E(VPSFLEET_WALLET_KEY) is used.
      - Used only to sign locally; never sent, logged or returned.
      - Not needed in check mode, where nothing is signed; the task warns when a real run would lack it.
      - A missing or malformed key, and a malformed O(expected_pay_to), fail before any request.
    type: str
  expected_pay_to:
    description:
      - The address the payment must go to (VPSCrypto's published receiving address).
      - When set, a payment requirement naming any other payee is refused before anything is signed.
    type: str
  allow_testnet:
    description:
      - Accept payment requirements on Base Sepolia (test USDC). Only for sandboxes and staging APIs.
    type: bool
    default: false
requirements:
  - eth-account (only to pay with C(USDCBASE))
notes:
  - In check mode, reports whether O(min_balance) would trigger and what would be paid (RV(planned)); creates
    no invoice, signs nothing and pays nothing, so O(wallet_private_key) is not needed. With O(ref), check mode
    reads the top-up as a real run does (and with O(wait=true) waits for it); reading an invoice whose payment
    the provider has confirmed is what credits it, so such a read can credit the balance in check mode too.
  - Spend guards, checked before signing; any mismatch fails naming the check and the offered values,
    and nothing is signed or sent. The amount must equal O(amount) exactly, in USDC base units, read from
    C(maxAmountRequired) in x402 version 1 and C(amount) in version 2; the scheme must be C(exact) with an
    EIP-3009 transfer; the network Base mainnet (Base Sepolia only with O(allow_testnet=true)); the asset the
    known USDC contract with its EIP-712 name and version; the payee never the zero address, and
    O(expected_pay_to) when given; C(maxTimeoutSeconds) a positive number. Any offered timeout is accepted, but the
    signed authorization is valid for at most 300 seconds (C(validBefore)), and from 600 seconds in the past
    (C(validAfter)), so a wallet host whose clock runs a few minutes fast still pays.
  - When the 402 declares the C(payment-identifier) extension (x402 version 2), the payment carries a payment id
    (RV(payment.payment_id)), a random one for each new top-up, kept in the intent journal with the signed payment
    and sent again only when that same payment is re-sent, so a server that deduplicates by payment id answers the
    re-send with the first attempt's outcome and two deliberate top-ups never share an id. Every extension the
    server declares is echoed as it came.
  - The balance read (O(min_balance), O(cover_days)) and the payment are made under the account's lock
    (O(lock_timeout)), so two runs on one controller never both pay for one shortfall.
  - One payment per task. A network error after the signed payment was sent is retried with the same signed
    header, which can settle at most once. A 402 answering the payment is reported and never paid again.
  - A 402 is a clean refusal (RV(failure.outcome_unknown=false)) only when the server refused the payment before
    settling it (x402 version 2 C(PAYMENT-REQUIRED) again, or a C(PAYMENT-RESPONSE) whose C(errorReason) starts with
    C(invalid_) and names no transaction; version 1 errors other than C(Settle failed)). A failed or unconfirmed
    settlement (C(settlement_pending), a facilitator error, C(Settle failed)), a refusal after the payment was sent
    more than once or saying its nonce is already used, and any 402 that does not say, are of unknown outcome
    (RV(failure.outcome_unknown=true)), with RV(failure.transaction) when the server gave one, since the money may have
    moved. The signed payment stays in the intent journal (O(journal_dir); the failure message names the file);
    a re-run on the same controller with the same journal re-sends that same authorization while it is valid
    (it settles at most once), then waits up to O(pending_grace) seconds for its top-up to be credited, and pays
    nothing new until it is. A re-run is covered only if that directory persists (on AWX, a persistent volume);
    otherwise check the balance (M(vpsfleet.cloud.vps_account_info)), the top-up (M(vpsfleet.cloud.vps_topup_info))
    or the transaction on Base before running the task again.
  - Set C(no_log) on the task when passing O(wallet_private_key), to keep it out of callbacks as well.
seealso:
  - module: vpsfleet.cloud.vps_topup_info
  - module: vpsfleet.cloud.vps_account_info
"""

EXAMPLES = r"""
- name: Keep at least 50 USD on the account, topping up 100 USD in Bitcoin when below
  vpsfleet.cloud.vps_topup:
    provider: vpscrypto
    amount: 100
    coin: BTC
    min_balance: 50
  register: invoice

- name: Show where to pay
  ansible.builtin.debug:
    msg: "Send {{ invoice.topup.deposit_amount }} {{ invoice.topup.deposit_coin }} to {{ invoice.topup.deposit_address }}"
  when: invoice.topup

- name: Wait (up to 2 hours) for that invoice to be paid
  vpsfleet.cloud.vps_topup:
    provider: vpscrypto
    ref: "{{ invoice.topup.ref }}"
    wait: true
    wait_timeout: 7200
  when: invoice.topup

- name: Pay 50 USD through x402 when the balance does not pay every renewal of the next 30 days
  vpsfleet.cloud.vps_topup:
    provider: vpscrypto
    amount: 50
    coin: USDCBASE
    cover_days: 30
    expected_pay_to: "0x209693Bc6afc0C5328bA36FaF03C514EF312287C"
    wallet_private_key: "{{ vault_wallet_key }}"
  no_log: true

- name: Pay 25 USD in USDC on Base through x402 when the balance is below 30 USD
  vpsfleet.cloud.vps_topup:
    provider: vpscrypto
    amount: 25
    coin: USDCBASE
    min_balance: 30
    expected_pay_to: "0x209693Bc6afc0C5328bA36FaF03C514EF312287C"  # use VPSCrypto's published address
    wallet_private_key: "{{ vault_wallet_key }}"
  no_log: true
"""

RETURN = r"""
topup:
  description:
    - The top-up created, paid or watched. V(null) when none was needed or in check mode.
  returned: always
  type: dict
  contains:
    ref:
      description: Reference of the top-up.
      type: str
      sample: vps-26-f75fda02b9
    status:
      description: C(pending), C(completed), C(expired) or C(cancelled).
      type: str
    amount_usd:
      description: Amount credited when completed, in USD.
      type: float
    coin:
      description: The coin it is paid in.
      type: str
    deposit_address:
      description: Where to send the coins (classic coins), or the x402 payee.
      type: str
    deposit_amount:
      description: How much of the deposit coin to send.
      type: str
    deposit_coin:
      description: The coin to send.
      type: str
    deposit_network:
      description: The chain or network of the deposit.
      type: str
    qr_data_uri:
      description: A C(data:) URI of a QR code for the payment.
      type: str
    expires_at:
      description: When an unpaid invoice expires.
      type: str
    provider:
      description: V(vpscrypto).
      type: str
    provider_data:
      description: The API's own top-up object.
      type: dict
topup_needed:
  description: Whether a top-up was due (false when the balance is already at or above O(min_balance), or pays
    every renewal of the next O(cover_days) days).
  returned: when O(ref) is not given
  type: bool
balance_usd:
  description: The balance before the task, in USD.
  returned: when O(min_balance) or O(cover_days) is given
  type: float
  sample: 12.5
runway:
  description:
    - The runway for the next O(cover_days) days before the task, as RV(vpsfleet.cloud.vps_account_info#module:runway)
      returns it (C(renewals), C(due_usd), C(balance_usd), C(covered), C(short_usd), C(covered_until)).
  returned: when O(cover_days) is given
  type: dict
planned:
  description: What is (or in check mode would be) ordered.
  returned: when a top-up is due
  type: dict
  contains:
    amount_usd:
      description: The amount in USD.
      type: float
    coin:
      description: The coin.
      type: str
    method:
      description: C(invoice) for classic coins, C(x402) for an immediate USDC payment.
      type: str
    amount_base_units:
      description: The exact amount an x402 payment pays, in USDC base units (6 decimals).
      returned: with O(coin=USDCBASE)
      type: str
      sample: "25000000"
    asset:
      description: V(USDC).
      returned: with O(coin=USDCBASE)
      type: str
    networks:
      description: The networks a payment may be made on (V(base), and V(base-sepolia) with O(allow_testnet=true)).
      returned: with O(coin=USDCBASE)
      type: list
      elements: str
    pay_to:
      description: The only payee accepted (O(expected_pay_to)), or V(null) for the payee VPSCrypto's 402 names.
      returned: with O(coin=USDCBASE)
      type: str
settlement:
  description:
    - The settlement receipt of an x402 payment (C(X-PAYMENT-RESPONSE) or C(PAYMENT-RESPONSE)), when the
      provider sent one.
  returned: after an x402 payment
  type: dict
  sample: {"success": true, "transaction": "0x5e8c...", "network": "base", "payer": "0x8571..."}
payment:
  description:
    - What the signed x402 authorization pays (never the signature). Keep it to reconcile a payment whose
      answer was lost.
  returned: when an x402 payment was signed
  type: dict
  contains:
    payer:
      description: The paying wallet address.
      type: str
    pay_to:
      description: The payee address.
      type: str
    amount_base_units:
      description: The amount in USDC base units (6 decimals).
      type: str
    network:
      description: The network (V(base) or V(base-sepolia)).
      type: str
    nonce:
      description: The EIP-3009 nonce (32 bytes, hex), spent on chain once settled.
      type: str
    valid_after:
      description: Unix time from which the authorization can settle (600 seconds before it was signed).
      type: str
    valid_before:
      description: Unix time after which the authorization cannot settle.
      type: str
    payment_id:
      description:
        - The payment-identifier id sent with the payment, when the 402 declared that extension; V(null) otherwise.
      type: str
failure:
  description: Why a payment failed after it was signed.
  returned: when a signed x402 payment failed
  type: dict
  contains:
    reason:
      description: The provider's refusal reason.
      returned: when a 402 answered the payment
      type: str
    outcome_unknown:
      description:
        - Whether the payment may have been settled all the same (a failed or unconfirmed settlement, no answer, a
          server error, a refusal after the payment was sent more than once, or one saying its nonce is already used).
        - When true, a re-run with the same intent journal re-sends the same signed payment and never pays anew; without
          that journal, check the balance, the top-up or the transaction before running the task again.
      type: bool
    stage:
      description:
        - Where the server stopped, for a 402 answering the payment. V(verification) (refused before settling,
          nothing moved), V(settlement) (a transfer was attempted) or V(unknown) (the answer does not say).
      returned: when a 402 answered the payment
      type: str
    transaction:
      description: The transaction hash the server gave with a failed settlement (look it up on Base), else V(null).
      returned: when a 402 answered the payment
      type: str
    ref:
      description: The top-up reference, when the answer named one; read it with M(vpsfleet.cloud.vps_topup_info).
      returned: when a 402 answered the payment
      type: str
    payment_id:
      description: The payment-identifier id sent with the payment, if any.
      returned: when a 402 answered the payment
      type: str
    status:
      description: The HTTP status of the error answer, V(null) when none came back.
      returned: when an error other than a 402, or no answer, came back
      type: int
"""

from ansible.module_utils.basic import env_fallback, missing_required_lib

from ansible_collections.vpsfleet.cloud.plugins.module_utils._module.base import ModuleFailure, VpsModule
from ansible_collections.vpsfleet.cloud.plugins.module_utils._http.client import ApiError
from ansible_collections.vpsfleet.cloud.plugins.module_utils._core.journal import JournalError, journal_argument_spec
from ansible_collections.vpsfleet.cloud.plugins.module_utils._providers.model import usd
from ansible_collections.vpsfleet.cloud.plugins.module_utils._services.order_guard import UsesJournal, order_lock
from ansible_collections.vpsfleet.cloud.plugins.module_utils._payments.topup_intent import (
    TOPUP_INTENT, TOPUP_SUBJECT, PendingTopup, clear_topup_intent, new_payment_id, note_topup_outcome,
    record_invoice_intent, record_x402_intent, resolve_pending_topup)
from ansible_collections.vpsfleet.cloud.plugins.module_utils._payments.runway import topup_for_runway
from ansible_collections.vpsfleet.cloud.plugins.module_utils._payments.topup import (
    TOPUP_COINS, WALLET_KEY_ENV, X402_COIN, PaymentUnconfirmed, TopupRefused, account_balance,
    below_min_balance, create_invoice, is_final, pay_with_x402, payment_summary,
)
from ansible_collections.vpsfleet.cloud.plugins.module_utils._payments.topup_inputs import check_topup_inputs
from ansible_collections.vpsfleet.cloud.plugins.module_utils._payments.x402 import (
    NETWORKS, MissingSigningLibraryError, X402Error, usd_to_base_units,
)

MISSING_WALLET_KEY = "paying with %s needs wallet_private_key or the environment variable %s" % (
    X402_COIN, WALLET_KEY_ENV)
# After a payment that may have settled: what the next run does, and how to find out meanwhile.
HOW_TO_CHECK = ("The signed payment is kept in the intent journal (%s): the next run that finds that file re-sends"
                " that same authorization while it is valid (it settles at most once), waits for its top-up to be"
                " credited, and pays nothing new until it is resolved. That holds only if the directory persists"
                " until the next run (on AWX, a persistent volume for journal_dir); otherwise check the balance"
                " (vps_account_info), the top-up (vps_topup_info with its ref, when one is given) and the"
                " transaction on Base (failure.transaction, when given) before running the task again")


class TopupModule(UsesJournal, VpsModule):
    operations = ("topup",)
    represent = "topup"

    def execute(self):
        amount = check_topup_inputs(self.params)
        if self.params["ref"]:
            self.watch(self.params["ref"])
            return
        coin = self.params["coin"]
        if not self.check_mode and coin == X402_COIN and not self.params["wallet_private_key"]:
            raise ModuleFailure(MISSING_WALLET_KEY)
        if self.check_mode:
            self.plan_or_pay(amount, coin)
            return
        # One run at a time per account on this controller: resolve, read the balance and pay as one step.
        with order_lock(self, self.journal):
            if self.resolved_earlier_topup():
                return
            self.plan_or_pay(amount, coin)

    def plan_or_pay(self, amount, coin):
        """Decide whether a top-up is due and, unless in check mode, make it."""
        self.result.update(topup=None, topup_needed=self.topup_needed())
        if not self.result["topup_needed"]:
            return
        self.result["planned"] = {"amount_usd": usd(amount), "coin": coin,
                                  "method": "x402" if coin == X402_COIN else "invoice"}
        if coin == X402_COIN:
            self.result["planned"].update(self.planned_x402_payment(amount))
        wallet_key_missing = coin == X402_COIN and not self.params["wallet_private_key"]
        if self.check_mode:
            # Nothing is signed in check mode, so the key is not needed; say a real run would fail.
            if wallet_key_missing:
                self.module.warn(MISSING_WALLET_KEY)
            self.mark_changed()
            return
        if wallet_key_missing:
            raise ModuleFailure(MISSING_WALLET_KEY)
        if coin == X402_COIN:
            self.pay(amount)
        else:
            self.result["topup"] = self.invoice(amount, coin)
            self.mark_changed()
            self.record_effect()
            if self.params["wait"]:
                self.watch(self.result["topup"]["ref"])

    def resolved_earlier_topup(self):
        """Resolve a top-up an earlier run left unresolved; True when this run is then done."""
        try:
            resolved = resolve_pending_topup(self.adapter, self.journal, abandon=self.params["abandon_pending"],
                                             warn=self.module.warn, hide=self.module.no_log_values.update,
                                             grace=self.params["pending_grace"])
        except PendingTopup as exc:
            raise ModuleFailure(str(exc), failure={"outcome_unknown": True, "pending": True})
        except JournalError as exc:
            raise ModuleFailure("nothing was paid: %s" % exc, failure={"outcome_unknown": True, "pending": True})
        if resolved is None:
            return False
        self.mark_changed()
        self.record_effect()
        self.result.update(topup=resolved["topup"], settlement=resolved["settlement"], payment=resolved["payment"])
        self.module.warn(resolved["note"] + "; run again for a further top-up")
        return True

    def invoice(self, amount, coin):
        """A classic invoice, journaled while its answer is outstanding."""
        try:
            record_invoice_intent(self.journal, amount, coin)
        except PendingTopup as exc:
            raise ModuleFailure(str(exc))
        try:
            topup = create_invoice(self.adapter, amount, coin)
        except ApiError as exc:
            if not exc.outcome_unknown:
                clear_topup_intent(self.journal)
            raise
        except X402Error:
            clear_topup_intent(self.journal)
            raise
        clear_topup_intent(self.journal)
        return topup

    def topup_needed(self):
        """Read the balance when min_balance or cover_days is given; True when a top-up is due."""
        if self.params["cover_days"] is not None:
            return self.runway_not_covered()
        if self.params["min_balance"] is None:
            return True
        balance = account_balance(self.adapter.get_account())
        self.result["balance_usd"] = usd(balance)
        try:
            return below_min_balance(balance, self.params["min_balance"])
        except ValueError as exc:
            raise ModuleFailure(str(exc))

    def runway_not_covered(self):
        """cover_days: True when the balance does not pay every renewal of the window (plus min_balance)."""
        try:
            figures, lacking = topup_for_runway(self.adapter, self.params["cover_days"], self.params["amount"],
                                                self.params["min_balance"])
        except ValueError as exc:
            raise ModuleFailure(str(exc))
        self.result.update(balance_usd=figures["balance_usd"], runway=figures)
        return lacking > 0

    def planned_x402_payment(self, amount):
        """What an x402 payment of ``amount`` USD would pay, as far as it is known before the 402."""
        networks = [network.v1_name for network in NETWORKS if self.params["allow_testnet"] or not network.testnet]
        return {"amount_base_units": str(usd_to_base_units(amount)), "asset": "USDC", "networks": networks,
                "pay_to": self.params["expected_pay_to"]}

    def watch(self, ref):
        topup = self.adapter.get_topup(ref)
        if self.params["wait"] and not is_final(topup):
            topup = self.wait(lambda: self.adapter.get_topup(ref), is_final, self.params["wait_timeout"],
                              what="top-up %s to be completed" % ref,
                              describe=lambda item: "status %s" % item.get("status"))
        self.result["topup"] = topup
        if self.params["wait"] and topup.get("status") != "completed":
            raise ModuleFailure("top-up %s ended %s: nothing was credited" % (ref, topup.get("status")),
                                **self.result)

    def pay(self, amount):
        signed = []

        def hide_payment(payment):
            # The header, and the signature inside it, authorize moving the wallet's money until it expires.
            self.module.no_log_values.update(payment.secrets())
            signed.append(payment)
            # Journaled before it leaves: a lost answer is resolved by re-sending this very payment.
            record_x402_intent(self.journal, amount, payment, balance=self.result.get("balance_usd"))

        try:
            topup, settlement, payment = pay_with_x402(
                self.adapter, amount, self.params["wallet_private_key"], allow_testnet=self.params["allow_testnet"],
                expected_pay_to=self.params["expected_pay_to"], on_signed=hide_payment,
                payment_id=new_payment_id())
        except PendingTopup as exc:
            raise ModuleFailure(str(exc))
        except MissingSigningLibraryError:
            raise ModuleFailure(missing_required_lib("eth-account"))
        except X402Error as exc:
            raise ModuleFailure(str(exc))
        except TopupRefused as exc:
            if not exc.maybe_settled:
                clear_topup_intent(self.journal)
            else:
                note_topup_outcome(self.journal, exc.ref, exc.transaction)
            raise self.refused(exc, payment_summary(signed[0]))
        except PaymentUnconfirmed as exc:
            if not exc.maybe_settled:
                clear_topup_intent(self.journal)
            raise self.unconfirmed(exc, payment_summary(signed[0]))
        if payment is not None and topup.get("status") != "completed":
            # Paid but not credited yet: the intent stays, so the next run waits for this credit, never pays anew.
            note_topup_outcome(self.journal, topup.get("ref"), (settlement or {}).get("transaction"))
            self.module.warn("the x402 payment of %s USD settled but its top-up %s is still %s; the next run waits for"
                             " its credit (vps_topup_info ref=%s) and pays nothing new until then" % (
                                 amount, topup.get("ref"), topup.get("status"), topup.get("ref")))
        else:
            clear_topup_intent(self.journal)
        self.mark_changed()
        self.record_effect()
        self.result["topup"] = topup
        self.result["settlement"] = settlement
        if payment is not None:
            self.result["payment"] = payment_summary(payment)

    def how_to_check(self):
        """What the next run does with the journaled payment, naming the journal file, and how to check meanwhile."""
        return HOW_TO_CHECK % self.journal.path_of(TOPUP_INTENT, TOPUP_SUBJECT)

    def refused(self, refusal, summary):
        """The failure for a 402 answering the payment: a refusal, or of unknown outcome."""
        answer = refusal.answer
        failure = {"reason": refusal.reason, "outcome_unknown": refusal.maybe_settled, "stage": answer.stage,
                   "transaction": answer.transaction, "ref": refusal.ref, "payment_id": summary.get("payment_id")}
        if not refusal.maybe_settled:
            return ModuleFailure(
                "VPSCrypto refused the x402 payment before settling it: %s. Nothing was paid and it was not paid"
                " again; fix the cause and run again" % refusal.reason,
                settlement=refusal.settlement, payment=summary, failure=failure)
        if answer.stage == "settlement":
            why = "its settlement failed or is not confirmed"
        elif refusal.resent:
            why = "the payment had been sent more than once (an answer was lost or failed)"
        elif answer.nonce_spent:
            why = "the reason says its nonce is already used"
        else:
            why = "the answer does not say whether it was settled"
        if answer.transaction:
            why += " (transaction %s)" % answer.transaction
        why += ", so it may have been settled"
        return ModuleFailure(
            "VPSCrypto answered the x402 payment with a 402 (%s), but %s: the outcome is unknown. It was not paid"
            " again. %s" % (refusal.reason, why, self.how_to_check()),
            settlement=refusal.settlement, payment=summary, failure=failure)

    def unconfirmed(self, unconfirmed, summary):
        """The failure for an error (or silence) answering the payment, worded by what came back."""
        error = unconfirmed.error
        failure = dict(error.to_failure(), outcome_unknown=unconfirmed.maybe_settled)
        if error.status is None:
            text = "the signed x402 payment was sent but no answer came back (%s)" % error
        else:
            text = "the signed x402 payment was answered with an error (%s)" % error
        if not unconfirmed.maybe_settled:
            return ModuleFailure("%s. It was not sent again; fix the cause and run again" % text,
                                 payment=summary, failure=failure)
        if unconfirmed.resent:
            text += " after it had been sent more than once"
        return ModuleFailure("%s; it may have been settled: the outcome is unknown. It was not paid again. %s"
                             % (text, self.how_to_check()), payment=summary, failure=failure)


def main():
    module = VpsModule.build_module(
        argument_spec=dict(
            amount=dict(type="raw"),
            coin=dict(type="str", choices=list(TOPUP_COINS)),
            min_balance=dict(type="float"),
            cover_days=dict(type="int"),
            ref=dict(type="str"),
            wait=dict(type="bool", default=False),
            wait_timeout=dict(type="int", default=1800),
            wallet_private_key=dict(type="str", no_log=True, fallback=(env_fallback, [WALLET_KEY_ENV])),
            expected_pay_to=dict(type="str"),
            allow_testnet=dict(type="bool", default=False),
            **journal_argument_spec(lock=True)
        ),
        mutually_exclusive=[("ref", "amount"), ("ref", "coin"), ("ref", "min_balance"), ("ref", "cover_days")],
        required_one_of=[("ref", "amount")],
        required_together=[("amount", "coin")],
    )
    TopupModule(module).run()


if __name__ == "__main__":
    main()
