"""Every money-moving operation under every fault kind: run, re-run at once, re-run after the late effect.

Each case opens a fresh account, arms one fault on the operation's request, runs the module three
times (the first run meets the fault; the second comes right after, before a late effect lands; the
third after it landed), then counts what exists - servers per name, keys per label, add-ons charged
- and reconciles the account's ledger (balance = opening + credits - charges). Nothing may exist
twice, whatever the runs reported.
"""

from __future__ import annotations

import time
from decimal import Decimal

import pytest

from ansible_collections.vpsfleet.cloud.plugins.modules import vps_addon, vps_api_key, vps_fleet, vps_server, vps_topup
from ansible_collections.vpsfleet.cloud.tests.unit.plugins.modules._run import run_module
from vps_sandbox.testing import call_api

LATE_SECONDS = 1.5
FAULTS = {
    "drop_after_effect": {},
    "500_after_effect": {},
    "503_after_effect": {},
    "504_late_effect": {"effect_delay": LATE_SECONDS},
    "503_late_effect": {"effect_delay": LATE_SECONDS},
    "drop_late_effect": {"effect_delay": LATE_SECONDS},
}
OTWA_SCOPES = ["account:read", "servers:read", "servers:write", "servers:destroy"]
COMMON = dict(api_retries=2, api_retry_max_delay=0.05)
# How long a re-run looks for an earlier run's late effect: longer than the late effects here.
GRACE = dict(pending_grace=10)


def connect(sandbox, provider, balance_usd=200):
    account = sandbox.create_account(provider, balance_usd=balance_usd,
                                     scopes=OTWA_SCOPES if provider == "otwa" else None)
    url = sandbox.otwa_url if provider == "otwa" else sandbox.vpscrypto_url
    return account, dict(COMMON, provider=provider, api_key=account["api_key"], api_url=url)


def live_servers_per_name(sandbox, account):
    found = {}
    for server in sandbox.servers():
        if server["provider"] == account["provider"] and str(server["account"]) == str(account["account_id"]) \
                and server["status"] != "terminated":
            name = server["label"] if server["provider"] == "otwa" else server["hostname"]
            found[name] = found.get(name, 0) + 1
    return found


def ledger_reconciles(sandbox, account, args):
    entries = sandbox.ledger(provider=account["provider"], account=account["account_id"])
    total = sum((Decimal(str(entry["amount_usd"])) * (-1 if entry["kind"] == "charge" else 1)) for entry in entries)
    answer = call_api("GET", args["api_url"] + "/account", key=args["api_key"]).body
    balance = answer.get("balance_usd", answer.get("balance"))
    return Decimal(str(balance)) == total


# -- the operations: (provider, what to run, how to count what exists; expected count) -------------

def order_one(provider):
    def prepare(sandbox, args):
        order = dict(name="web-1", plan="hunter", location="nl", os="debian-13") if provider == "vpscrypto" \
            else dict(name="api-1", plan="Cloud S", location="de-fra-01", os="debian-13")
        return vps_server.main, dict(args, wait=False, **dict(GRACE, **order)), {"method": "POST", "path": "^/servers$"}

    def count(sandbox, account, args):
        return sum(live_servers_per_name(sandbox, account).values()), 1
    return provider, prepare, count


def order_fleet(provider):
    def prepare(sandbox, args):
        entry = dict(plan="hunter", location="nl", os="debian-13") if provider == "vpscrypto" \
            else dict(plan="Cloud S", location="de-fra-01", os="debian-13")
        servers = [dict(entry, name="node-1"), dict(entry, name="node-2")]
        return vps_fleet.main, dict(args, wait=False, servers=servers, **GRACE), {"method": "POST", "path": "^/servers$"}

    def count(sandbox, account, args):
        return sum(live_servers_per_name(sandbox, account).values()), 2
    return provider, prepare, count


def mint_key():
    def prepare(sandbox, args):
        return vps_api_key.main, dict(args, name="ci", **GRACE), {"method": "POST", "path": "^/keys$"}

    def count(sandbox, account, args):
        keys = call_api("GET", args["api_url"] + "/keys", key=args["api_key"]).body
        keys = keys.get("keys", keys) if isinstance(keys, dict) else keys
        return len([key for key in keys if key.get("name") == "ci"]), 1
    return "vpscrypto", prepare, count


def buy_addon():
    def prepare(sandbox, args):
        server_id = sandbox.seed_servers(args["api_key"], 1, status="running")["ids"][0]
        offered = call_api("GET", "%s/servers/%s/addons" % (args["api_url"], server_id), key=args["api_key"]).body
        addon = offered["addons"][0]["id"]
        return vps_addon.main, dict(args, server=str(server_id), addon=addon), \
            {"method": "POST", "path": "^/servers/[^/]+/addons$"}

    def count(sandbox, account, args):
        charges = [entry for entry in sandbox.ledger(provider="otwa", account=account["account_id"])
                   if entry["kind"] == "charge"]
        return len(charges), 1
    return "otwa", prepare, count


def credits(sandbox, account):
    return [entry for entry in sandbox.ledger(provider="vpscrypto", account=account["account_id"])
            if entry["kind"] == "credit"]


def invoice_topup():
    """A classic invoice: its lost answer held the deposit address nobody saw, so nothing can be paid twice;
    counted: credits (none until someone pays an invoice)."""
    def prepare(sandbox, args):
        return vps_topup.main, dict(args, amount=30, coin="BTC", **GRACE), {"method": "POST", "path": "^/topups$"}

    def count(sandbox, account, args):
        return len(credits(sandbox, account)), 0
    return "vpscrypto", prepare, count


X402_WALLET_USD = 1000
X402_AMOUNT = 100


def x402_topup():
    """An x402 top-up (100 USD while the balance is below 250; the account opens with 200), the fault aimed
    at the request that carries the signed payment; counted: credits and the payer's wallet."""
    wallets = {}

    def prepare(sandbox, args):
        eth_account = pytest.importorskip("eth_account")
        wallet = eth_account.Account.create()
        sandbox.fund_wallet(wallet.address, X402_WALLET_USD)
        wallets[args["api_key"]] = wallet.address
        return vps_topup.main, dict(args, amount=X402_AMOUNT, coin="USDCBASE", min_balance=250,
                                    wallet_private_key=wallet.key.hex(), **GRACE), \
            {"method": "POST", "path": "^/topups$", "x402": "payment"}

    def count(sandbox, account, args):
        paid = Decimal(str(X402_WALLET_USD)) - Decimal(str(
            sandbox.control("GET", "/wallets/%s" % wallets[args["api_key"]])["usdc"]))
        payments = int(paid / X402_AMOUNT)
        assert payments == len(credits(sandbox, account)), "every on-chain payment is credited once"
        return payments, 1
    return "vpscrypto", prepare, count


OPERATIONS = {
    "vpscrypto server order": order_one("vpscrypto"),
    "vpscrypto fleet order": order_fleet("vpscrypto"),
    "otwa server deploy": order_one("otwa"),
    "otwa fleet deploy": order_fleet("otwa"),
    "vpscrypto api key mint": mint_key(),
    "otwa add-on purchase": buy_addon(),
    "vpscrypto invoice topup": invoice_topup(),
    "vpscrypto x402 topup": x402_topup(),
}
# Settlement failures shaped like the x402 SDK's: the money moves, the answer says it did not settle.
X402_SETTLEMENT_FAULTS = {
    "x402_settlement_pending": {"effect_delay": LATE_SECONDS},
    "x402_facilitator_error": {"effect_delay": LATE_SECONDS},
}


@pytest.mark.parametrize("fault", sorted(FAULTS))
@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_no_money_effect_is_doubled_by_a_fault_and_the_reruns(sandbox, counts, operation, fault):
    provider, prepare, count = OPERATIONS[operation]
    account, args = connect(sandbox, provider)
    main, module_args, target = prepare(sandbox, args)
    sandbox.configure(faults=[dict(target, provider=provider, kind=fault, **FAULTS[fault])])

    runs = [run_module(main, module_args), run_module(main, module_args)]
    time.sleep(LATE_SECONDS + 0.5)  # the late effect, if any, has landed
    runs.append(run_module(main, module_args))
    sandbox.configure(faults=[])

    found, expected = count(sandbox, account, args)
    reconciles = ledger_reconciles(sandbox, account, args)
    counts.append({"operation": operation, "fault": fault, "expected": expected, "found": found,
                   "doubles": max(0, found - expected), "ledger_ok": reconciles})
    assert found == expected, [run.result.get("msg") for run in runs]
    assert reconciles
    assert not runs[-1].failed, runs[-1].result.get("msg")
    for run in runs:
        assert "safe" not in (run.result.get("msg") or ""), run.result["msg"]


@pytest.mark.parametrize("operation", ["vpscrypto server order", "vpscrypto fleet order", "otwa server deploy"])
def test_a_server_list_that_lags_behind_the_order_doubles_nothing(sandbox, counts, operation):
    provider, prepare, count = OPERATIONS[operation]
    account, args = connect(sandbox, provider)
    main, module_args, target = prepare(sandbox, args)
    # The order lands at once but is listed only a second later: the look-ups after the lost answer miss it.
    sandbox.configure(list_lag=1.0, faults=[dict(target, provider=provider, kind="drop_after_effect")])

    runs = [run_module(main, module_args), run_module(main, module_args)]
    time.sleep(1.5)
    runs.append(run_module(main, module_args))
    sandbox.configure(list_lag=0, faults=[])

    found, expected = count(sandbox, account, args)
    reconciles = ledger_reconciles(sandbox, account, args)
    counts.append({"operation": operation, "fault": "drop + list lag", "expected": expected, "found": found,
                   "doubles": max(0, found - expected), "ledger_ok": reconciles})
    assert found == expected, [run.result.get("msg") for run in runs]
    assert reconciles
    assert not runs[-1].failed, runs[-1].result.get("msg")


@pytest.mark.parametrize("fault", sorted(X402_SETTLEMENT_FAULTS))
def test_an_x402_settlement_failure_and_the_reruns_pay_once(sandbox, counts, fault):
    provider, prepare, count = OPERATIONS["vpscrypto x402 topup"]
    account, args = connect(sandbox, provider)
    main, module_args, target = prepare(sandbox, args)
    sandbox.configure(faults=[dict(target, provider=provider, kind=fault, **X402_SETTLEMENT_FAULTS[fault])])

    # Two re-runs at once: the second comes after the first re-sent the payment, maybe before the credit.
    runs = [run_module(main, module_args), run_module(main, module_args), run_module(main, module_args)]
    time.sleep(LATE_SECONDS + 0.5)  # the credit has landed
    runs.append(run_module(main, module_args))
    sandbox.configure(faults=[])

    found, expected = count(sandbox, account, args)
    reconciles = ledger_reconciles(sandbox, account, args)
    counts.append({"operation": "vpscrypto x402 topup", "fault": fault, "expected": expected, "found": found,
                   "doubles": max(0, found - expected), "ledger_ok": reconciles})
    assert runs[0].failed and runs[0].result["failure"]["outcome_unknown"] is True
    assert found == expected, [run.result.get("msg") for run in runs]
    assert reconciles
    assert not runs[-1].failed, runs[-1].result.get("msg")
