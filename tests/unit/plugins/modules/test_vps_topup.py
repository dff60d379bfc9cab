# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""vps_topup: validation before any request, min_balance, check mode, invoices and waiting."""

from __future__ import annotations

import pytest

from ansible_collections.vpsfleet.cloud.plugins.modules import vps_topup
from ansible_collections.vpsfleet.cloud.tests.unit.plugins.module_utils._http import (  # noqa: F401  pylint: disable=unused-import
    fake_api,  # a pytest fixture, used by name
)
from ansible_collections.vpsfleet.cloud.tests.unit.plugins.modules._run import run_module

API_KEY = "vpsk_UnitTestKey0123456789"


def topup_args(fake, **args):
    base = dict(provider="vpscrypto", api_key=API_KEY, api_url=fake.url, api_retries=2, api_retry_max_delay=0.01)
    base.update(args)
    return base


def invoice(status="pending", ref="vps-26-0123456789"):
    return {"ref": ref, "status": status, "amount_usd": 50, "coin": "BTC", "deposit_address": "bc1qexample",
            "deposit_amount": "0.00061", "deposit_coin": "BTC", "deposit_network": "bitcoin",
            "qr_data_uri": "data:image/png;base64,AA==", "expires_at": "2026-11-22T16:00:00Z"}


@pytest.mark.parametrize("amount", [24.99, 2000.01, 0, -25])
def test_an_amount_outside_25_to_2000_fails_before_any_request(fake_api, amount):
    run = run_module(vps_topup.main, topup_args(fake_api, amount=amount, coin="BTC"))

    assert run.failed
    assert "between 25 and 2000" in run.result["msg"]
    assert fake_api.requests == []


def test_an_amount_finer_than_cents_fails_before_any_request(fake_api):
    run = run_module(vps_topup.main, topup_args(fake_api, amount=25.001, coin="BTC"))

    assert run.failed
    assert "whole number of cents" in run.result["msg"]
    assert fake_api.requests == []


def test_an_unknown_coin_fails_listing_the_accepted_coins_before_any_request(fake_api):
    run = run_module(vps_topup.main, topup_args(fake_api, amount=50, coin="DOGE"))

    assert run.failed
    assert "USDCBASE" in run.result["msg"] and "BTC" in run.result["msg"]
    assert fake_api.requests == []


def test_otwa_fails_saying_it_has_no_topup_api_before_any_request(fake_api):
    run = run_module(vps_topup.main, topup_args(fake_api, provider="otwa", amount=50, coin="BTC"))

    assert run.failed
    assert "Otwa Cloud does not offer topping up the balance" in run.result["msg"]
    assert fake_api.requests == []


def test_paying_with_usdcbase_without_a_wallet_key_fails_before_any_post(fake_api, monkeypatch):
    monkeypatch.delenv("VPSFLEET_WALLET_KEY", raising=False)
    run = run_module(vps_topup.main, topup_args(fake_api, amount=25, coin="USDCBASE"))

    assert run.failed
    assert "VPSFLEET_WALLET_KEY" in run.result["msg"]
    assert fake_api.requests == []


def test_a_balance_at_min_balance_creates_nothing(fake_api):
    fake_api.answer(200, {"user_id": 7, "balance_usd": 50.0})

    run = run_module(vps_topup.main, topup_args(fake_api, amount=100, coin="BTC", min_balance=50))

    assert not run.failed, run.result
    assert run.result["changed"] is False
    assert run.result["topup_needed"] is False
    assert run.result["balance_usd"] == 50.0
    assert fake_api.paths() == ["GET /account"]


def test_a_balance_below_min_balance_creates_an_invoice_for_amount(fake_api):
    fake_api.answer(200, {"user_id": 7, "balance_usd": 49.99}).answer(201, invoice())

    run = run_module(vps_topup.main, topup_args(fake_api, amount=100, coin="BTC", min_balance=50))

    assert run.result["changed"] is True
    assert fake_api.paths() == ["GET /account", "POST /topups"]
    assert fake_api.requests[1].body == {"amount": 100, "coin": "BTC"}
    assert run.result["topup"]["deposit_address"] == "bc1qexample"
    assert run.result["topup"]["qr_data_uri"].startswith("data:image/png")


def test_an_unreadable_balance_fails_before_any_invoice(fake_api):
    fake_api.answer(200, {"user_id": 7})

    run = run_module(vps_topup.main, topup_args(fake_api, amount=100, coin="BTC", min_balance=50))

    assert run.failed
    assert "balance could not be read" in run.result["msg"]
    assert fake_api.paths() == ["GET /account"]


def test_check_mode_reports_the_planned_topup_and_sends_no_post(fake_api):
    fake_api.answer(200, {"user_id": 7, "balance_usd": 10})

    run = run_module(vps_topup.main, topup_args(fake_api, amount=25, coin="BTC", min_balance=50), check_mode=True)

    assert run.result["changed"] is True
    assert run.result["topup_needed"] is True
    assert run.result["planned"] == {"amount_usd": 25.0, "coin": "BTC", "method": "invoice"}
    assert run.result["topup"] is None
    assert [request.method for request in fake_api.requests] == ["GET"]


def test_check_mode_for_an_x402_payment_sends_nothing_and_signs_nothing(fake_api):
    run = run_module(vps_topup.main, topup_args(fake_api, amount=25, coin="USDCBASE",
                                                wallet_private_key="0x" + "4c" * 32), check_mode=True)

    assert run.result["changed"] is True
    assert run.result["planned"]["method"] == "x402"
    assert "payment" not in run.result
    assert fake_api.requests == []


def test_check_mode_for_x402_needs_no_wallet_key_and_says_what_would_be_paid(fake_api, monkeypatch, capsys):
    monkeypatch.delenv("VPSFLEET_WALLET_KEY", raising=False)
    pay_to = "0x209693Bc6afc0C5328bA36FaF03C514EF312287C"

    run = run_module(vps_topup.main, topup_args(fake_api, amount=25.5, coin="USDCBASE", expected_pay_to=pay_to),
                     check_mode=True)

    assert not run.failed, run.result
    assert run.result["changed"] is True
    assert run.result["planned"] == {"amount_usd": 25.5, "coin": "USDCBASE", "method": "x402",
                                     "amount_base_units": "25500000", "asset": "USDC", "networks": ["base"],
                                     "pay_to": pay_to}
    assert "needs wallet_private_key or the environment variable VPSFLEET_WALLET_KEY" in capsys.readouterr().err
    assert fake_api.requests == []


def test_wait_polls_the_invoice_until_it_is_completed(fake_api):
    fake_api.answer(201, invoice()).answer(200, invoice()).answer(200, invoice(status="completed"))

    run = run_module(vps_topup.main, topup_args(fake_api, amount=50, coin="BTC", wait=True, wait_timeout=30))

    assert not run.failed, run.result
    assert run.result["topup"]["status"] == "completed"
    assert fake_api.paths() == ["POST /topups", "GET /topups/vps-26-0123456789", "GET /topups/vps-26-0123456789"]


def test_an_expired_invoice_fails_the_wait_saying_nothing_was_credited(fake_api):
    fake_api.answer(200, invoice(status="expired"))

    run = run_module(vps_topup.main, topup_args(fake_api, ref="vps-26-0123456789", wait=True))

    assert run.failed
    assert "ended expired" in run.result["msg"]
    assert run.result["topup"]["status"] == "expired"


def test_ref_resumes_watching_an_invoice_without_creating_one(fake_api):
    fake_api.answer(200, invoice())

    run = run_module(vps_topup.main, topup_args(fake_api, ref="vps-26-0123456789"))

    assert run.result["changed"] is False
    assert run.result["topup"]["status"] == "pending"
    assert fake_api.paths() == ["GET /topups/vps-26-0123456789"]


def test_ref_and_amount_together_are_refused(fake_api):
    run = run_module(vps_topup.main, topup_args(fake_api, ref="vps-26-0123456789", amount=50, coin="BTC"))

    assert run.failed
    assert "mutually exclusive" in run.result["msg"]
    assert fake_api.requests == []
