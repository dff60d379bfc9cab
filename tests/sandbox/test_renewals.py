"""Renewals on billing time: charged at expires_at, suspension when the balance cannot pay, the clock API."""

import time

import pytest
from eth_account import Account

from test_x402_payments import signed_payment_header, topup
from vps_sandbox.testing import SandboxError, call_api

MONTH = 31 * 86400
ORDER = {"plan": "scout", "location": "nl", "os": "debian-13"}  # 7 USD a month


def order(sandbox, account, **extra):
    answer = call_api("POST", sandbox.vpscrypto_url + "/servers", account["api_key"], dict(ORDER, **extra))
    assert answer.status == 201, answer
    return answer.body


def server(sandbox, account, server_id):
    return call_api("GET", f"{sandbox.vpscrypto_url}/servers/{server_id}", account["api_key"]).body


def balance(sandbox, account):
    return call_api("GET", sandbox.vpscrypto_url + "/account", account["api_key"]).body["balance_usd"]


def renewals(sandbox, account):
    return [entry for entry in sandbox.ledger(provider=account["provider"], account=str(account["account_id"]))
            if entry["kind"] == "renewal"]


def test_the_clock_starts_at_real_time_and_shows_its_offset(sandbox):
    clock = sandbox.control("GET", "/clock")
    assert clock["offset_seconds"] == 0
    assert clock["now"] == clock["wall_clock"] or abs(
        time.mktime(time.strptime(clock["now"], "%Y-%m-%dT%H:%M:%SZ")) - time.mktime(
            time.strptime(clock["wall_clock"], "%Y-%m-%dT%H:%M:%SZ"))) <= 1
    assert sandbox.advance_clock(3600)["offset_seconds"] == 3600
    assert sandbox.control("GET", "/clock")["offset_seconds"] == 3600


def test_a_renewal_falling_due_is_charged_once_and_moves_expires_at_one_cycle(sandbox):
    account = sandbox.create_account("vpscrypto", balance_usd=20)
    created = order(sandbox, account)
    advanced = sandbox.advance_clock(MONTH)
    assert [(entry["server"], entry["renewed"]) for entry in advanced["renewals"]] == [(created["id"], True)]
    assert balance(sandbox, account) == 20 - 7 - 7
    entries = renewals(sandbox, account)
    assert [(entry["amount_usd"], entry["reference"]) for entry in entries] == [(7.0, created["id"])]
    assert entries[0]["at"] == created["expires_at"]
    assert server(sandbox, account, created["id"])["expires_at"] > created["expires_at"]


def test_several_cycles_in_one_advance_renew_in_order(sandbox):
    account = sandbox.create_account("vpscrypto", balance_usd=50)
    order(sandbox, account)
    sandbox.advance_clock(3 * MONTH)
    entries = renewals(sandbox, account)
    assert len(entries) == 3
    assert [entry["at"] for entry in entries] == sorted(entry["at"] for entry in entries)


def test_a_renewal_the_balance_cannot_cover_suspends_the_server_and_charges_nothing(sandbox):
    account = sandbox.create_account("vpscrypto", balance_usd=10)
    created = order(sandbox, account)
    sandbox.advance_clock(MONTH)
    assert server(sandbox, account, created["id"])["status"] == "suspended"
    assert balance(sandbox, account) == 3
    assert renewals(sandbox, account) == []


def test_a_top_up_that_covers_the_renewal_resumes_the_suspended_server_charged(sandbox):
    account = sandbox.create_account("vpscrypto", balance_usd=10)
    created = order(sandbox, account)
    time.sleep(0.3)  # running before the suspension
    sandbox.advance_clock(MONTH)
    invoice = call_api("POST", sandbox.vpscrypto_url + "/topups", account["api_key"], {"amount": 25, "coin": "BTC"})
    sandbox.control("POST", f"/topups/{invoice.body['ref']}/settle")
    assert server(sandbox, account, created["id"])["status"] == "active"
    assert balance(sandbox, account) == 3 + 25 - 7
    assert len(renewals(sandbox, account)) == 1


def test_otwa_servers_renew_every_thirty_days_from_the_wallet(sandbox):
    account = sandbox.create_account("otwa", balance_usd=100)
    product = call_api("GET", sandbox.otwa_url + "/products", account["api_key"]).body[0]
    template = call_api("GET", sandbox.otwa_url + "/os-templates", account["api_key"]).body[0]
    deployed = call_api("POST", sandbox.otwa_url + "/servers", account["api_key"],
                        {"productId": product["id"], "os": template["id"], "osTemplate": template["id"]})
    assert deployed.status == 201, deployed
    sandbox.advance_clock(29 * 86400)
    assert renewals(sandbox, account) == []
    sandbox.advance_clock(2 * 86400)
    assert [entry["amount_usd"] for entry in renewals(sandbox, account)] == [float(product["monthlyPrice"])]


def test_the_date_header_shows_billing_time(sandbox):
    account = sandbox.create_account("vpscrypto", balance_usd=0)
    sandbox.advance_clock(400 * 86400)
    answer = call_api("GET", sandbox.vpscrypto_url + "/account", account["api_key"])
    shown = time.mktime(time.strptime(answer.headers["Date"], "%a, %d %b %Y %H:%M:%S GMT"))
    assert shown - time.mktime(time.gmtime()) > 399 * 86400


def test_an_x402_payment_signed_after_a_clock_advance_still_verifies(sandbox):
    # Signature windows are checked against real time, as a chain would: the offset is billing time only.
    account = sandbox.create_account("vpscrypto", balance_usd=0)
    payer = Account.create()
    sandbox.fund_wallet(payer.address, "100.00")
    sandbox.advance_clock(MONTH)
    offer = topup(sandbox, account).body["accepts"][0]
    answer = topup(sandbox, account, signed_payment_header(payer, offer))
    assert answer.status == 201, answer
    assert balance(sandbox, account) == 25


def test_advance_seconds_must_be_a_non_negative_number(sandbox):
    with pytest.raises(SandboxError, match="advance_seconds must be a number"):
        sandbox.advance_clock(-5)


def test_an_invoice_expires_an_hour_after_billing_time(sandbox):
    account = sandbox.create_account("vpscrypto", balance_usd=0)
    advanced = sandbox.advance_clock(10 * 86400)
    invoice = call_api("POST", sandbox.vpscrypto_url + "/topups", account["api_key"], {"amount": 25, "coin": "BTC"})
    now = time.mktime(time.strptime(advanced["now"], "%Y-%m-%dT%H:%M:%SZ"))
    expires = time.mktime(time.strptime(invoice.body["expires_at"], "%Y-%m-%dT%H:%M:%SZ"))
    assert 3500 < expires - now < 3700
