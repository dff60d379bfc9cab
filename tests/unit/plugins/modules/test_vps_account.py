# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""vps_account and vps_account_info: creation only on explicit opt-in, balance, tier, health."""

from __future__ import annotations

from ansible_collections.vpsfleet.cloud.plugins.modules import vps_account, vps_account_info
from ansible_collections.vpsfleet.cloud.tests.unit.plugins.module_utils._http import (  # noqa: F401  pylint: disable=unused-import
    fake_api,  # a pytest fixture, used by name
)
from ansible_collections.vpsfleet.cloud.tests.unit.plugins.modules._run import run_module

NEW_KEY = "vpsk_NewAccountKey0123456789"
LOGIN_TOKEN = "a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4e5f6"


def created_account():
    return {"user_id": 42, "api_key": NEW_KEY, "login_token": LOGIN_TOKEN, "balance_usd": 0, "currency": "USD",
            "created_at": "2026-11-22T15:00:00Z"}


def no_key_args(fake, monkeypatch, **args):
    monkeypatch.delenv("VPSCRYPTO_API_KEY", raising=False)
    return dict(provider="vpscrypto", api_url=fake.url, **args)


def test_without_a_key_and_without_force_nothing_is_created(fake_api, monkeypatch):
    run = run_module(vps_account.main, no_key_args(fake_api, monkeypatch))

    assert run.failed
    assert "force=true" in run.result["msg"]
    assert fake_api.requests == []


def test_force_creates_an_account_and_returns_its_key_and_login_token_once(fake_api, monkeypatch):
    fake_api.answer(201, created_account())

    run = run_module(vps_account.main, no_key_args(fake_api, monkeypatch, force=True))

    assert not run.failed, run.result
    assert run.result["changed"] is True
    assert (run.result["api_key"], run.result["login_token"]) == (NEW_KEY, LOGIN_TOKEN)
    assert run.result["account"]["id"] == "42"
    assert "api_key" not in run.result["account"]["provider_data"]
    assert "authorization" not in fake_api.requests[0].headers


def test_check_mode_with_force_creates_nothing(fake_api, monkeypatch):
    run = run_module(vps_account.main, no_key_args(fake_api, monkeypatch, force=True), check_mode=True)

    assert run.result["changed"] is True
    assert fake_api.requests == []


def test_with_a_key_the_existing_account_is_checked_and_nothing_created(fake_api):
    fake_api.answer(200, {"user_id": 7, "balance_usd": 12.5})

    run = run_module(vps_account.main, dict(provider="vpscrypto", api_url=fake_api.url, api_key=NEW_KEY, force=True))

    assert run.result["changed"] is False
    assert run.result["account"]["balance_usd"] == 12.5
    assert fake_api.paths() == ["GET /account"]


def test_otwa_accounts_cannot_be_created(fake_api, monkeypatch):
    run = run_module(vps_account.main, dict(no_key_args(fake_api, monkeypatch, force=True), provider="otwa"))

    assert run.failed
    assert "does not offer creating an account" in run.result["msg"]
    assert fake_api.requests == []


def test_account_info_returns_the_vpscrypto_balance_as_a_number_and_the_health(fake_api):
    fake_api.answer(200, {"user_id": 7, "balance_usd": 42.5, "currency": "USD", "servers": 2,
                          "totp_enabled": False, "created_at": "2026-01-01T00:00:00Z"})
    fake_api.answer(200, {"status": "ok"})

    run = run_module(vps_account_info.main, dict(provider="vpscrypto", api_url=fake_api.url, api_key=NEW_KEY,
                                                 runway_days=0))

    account = run.result["account"]
    assert (account["balance_usd"], account["currency"], account["servers"], account["totp_enabled"]) == (
        42.5, "USD", 2, False)
    assert run.result["health"] == {"status": "ok"}
    assert "authorization" not in fake_api.requests[1].headers


def test_account_info_returns_the_otwa_tier_and_reseller_state(fake_api):
    fake_api.answer(200, {"id": "u-1", "balance": "50.00", "tier": "pro"})
    fake_api.answer(200, {"isReseller": True, "brandSlug": "acme", "status": "active"})

    run = run_module(vps_account_info.main, dict(provider="otwa", api_url=fake_api.url, api_key="otwa_Key0123456",
                                                 runway_days=0))

    assert (run.result["account"]["balance_usd"], run.result["account"]["tier"]) == (50.0, "pro")
    assert run.result["reseller"]["isReseller"] is True
    assert fake_api.paths() == ["GET /account", "GET /reseller"]
