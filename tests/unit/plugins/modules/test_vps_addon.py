# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""vps_addon and vps_addon_info on Otwa Cloud: listing, buying once, the price guard, check mode."""

from __future__ import annotations

from ansible_collections.vpsfleet.cloud.plugins.modules import vps_addon, vps_addon_info
from ansible_collections.vpsfleet.cloud.tests.unit.plugins.module_utils._http import (  # noqa: F401  pylint: disable=unused-import
    fake_api,  # a pytest fixture, used by name
)
from ansible_collections.vpsfleet.cloud.tests.unit.plugins.modules._run import run_module

SERVER_ID = "7c0e4b1a-3d55-4c4e-9f0e-2f4d8b1e6a10"
ADDONS_PATH = "/servers/%s/addons" % SERVER_ID


def catalog(backup_owned=False):
    return {"addons": [
        {"id": "vpk7wjf5", "name": "8 Additional IPs", "description": "/29", "type": "extra-ip", "price": 32,
         "proratedPrice": 15.47, "owned": False},
        {"id": "bk1", "name": "Daily Backups", "description": "7 days", "type": "backup", "price": 5,
         "proratedPrice": 2.42, "owned": backup_owned},
    ], "daysRemaining": 14, "billingCycleEnd": "2026-12-06T00:00:00Z"}


def addon_args(fake, **args):
    base = dict(provider="otwa", api_key="otwa_UnitTestKey0123", api_url=fake.url, api_retries=2,
                api_retry_max_delay=0.01, server=SERVER_ID, addon="Daily Backups")
    base.update(args)
    return base


def info_args(fake, **args):
    base = addon_args(fake, **args)
    del base["addon"]
    return base


def posts(fake):
    return [request for request in fake.requests if request.method == "POST"]


def test_info_lists_prorated_prices_days_remaining_and_owned(fake_api):
    fake_api.answer(200, catalog(backup_owned=True))

    run = run_module(vps_addon_info.main, info_args(fake_api))

    assert not run.failed, run.result
    assert run.result["days_remaining"] == 14
    backup = [addon for addon in run.result["addons"] if addon["type"] == "backup"][0]
    assert (backup["prorated_price_usd"], backup["price_usd"], backup["owned"]) == (2.42, 5.0, True)
    assert fake_api.paths() == ["GET " + ADDONS_PATH]


def test_an_addon_not_owned_is_bought_by_name_and_the_charge_returned(fake_api):
    fake_api.answer(200, catalog()).answer(200, {"addon": {"id": "bk1"}, "prorated": 2.42, "daysRemaining": 14,
                                                 "newMonthlyPrice": 14.99, "allocatedIpCount": 0})

    run = run_module(vps_addon.main, addon_args(fake_api))

    assert not run.failed, run.result
    assert run.result["changed"] is True
    assert posts(fake_api)[0].body == {"addonId": "bk1"}
    assert run.result["purchase"]["charged_usd"] == 2.42
    assert run.result["purchase"]["new_monthly_price_usd"] == 14.99
    assert run.result["addon"]["owned"] is True


def test_an_owned_addon_type_is_not_bought_again(fake_api):
    fake_api.answer(200, catalog(backup_owned=True))

    run = run_module(vps_addon.main, addon_args(fake_api, addon="bk1"))

    assert run.result["changed"] is False
    assert posts(fake_api) == []


def test_check_mode_reports_the_prorated_charge_and_buys_nothing(fake_api):
    fake_api.answer(200, catalog())

    run = run_module(vps_addon.main, addon_args(fake_api), check_mode=True, diff=True)

    assert run.result["changed"] is True
    assert run.result["addon"]["prorated_price_usd"] == 2.42
    assert run.result["diff"]["before"]["owned"] is False and run.result["diff"]["after"]["owned"] is True
    assert posts(fake_api) == []


def test_a_prorated_price_above_max_prorated_price_fails_and_buys_nothing(fake_api):
    fake_api.answer(200, catalog())

    run = run_module(vps_addon.main, addon_args(fake_api, addon="vpk7wjf5", max_prorated_price=15))

    assert run.failed
    assert "15.47 USD" in run.result["msg"] and "max_prorated_price 15.0" in run.result["msg"]
    assert posts(fake_api) == []


def test_a_price_a_fraction_of_a_cent_above_max_prorated_price_fails_and_buys_nothing(fake_api):
    listing = catalog()
    listing["addons"][0]["proratedPrice"] = "15.004"  # shown rounded as 15.0, yet above a limit of 15
    fake_api.answer(200, listing)

    run = run_module(vps_addon.main, addon_args(fake_api, addon="vpk7wjf5", max_prorated_price=15))

    assert run.failed
    assert "costs 15.004 USD" in run.result["msg"] and "nothing was bought" in run.result["msg"]
    assert posts(fake_api) == []


def test_a_purchase_charging_more_than_max_prorated_price_warns_that_it_was_charged(fake_api, capsys):
    fake_api.answer(200, catalog()).answer(200, {"addon": {"id": "bk1"}, "prorated": 5.01, "daysRemaining": 14,
                                                 "newMonthlyPrice": 14.99, "allocatedIpCount": 0})

    run = run_module(vps_addon.main, addon_args(fake_api, max_prorated_price=5))

    assert not run.failed, run.result
    assert run.result["purchase"]["charged_usd"] == 5.01
    warning = capsys.readouterr().err
    assert "charged 5.01 USD, above max_prorated_price 5.0 USD" in warning
    assert "the charge has already been made" in warning


def test_an_unknown_addon_fails_listing_the_valid_choices(fake_api):
    fake_api.answer(200, catalog())

    run = run_module(vps_addon.main, addon_args(fake_api, addon="Snapshots"))

    assert run.failed
    assert "Daily Backups" in run.result["msg"] and "8 Additional IPs" in run.result["msg"]
    assert posts(fake_api) == []


def test_a_400_from_the_purchase_fails_with_the_api_message(fake_api):
    fake_api.answer(200, catalog()).answer(400, {"message": "Insufficient balance", "statusCode": 400})

    run = run_module(vps_addon.main, addon_args(fake_api))

    assert run.failed
    assert "Insufficient balance" in run.result["msg"]
    assert len(posts(fake_api)) == 1


def test_a_lost_purchase_answer_is_not_resent_and_the_addon_list_decides(fake_api):
    fake_api.answer(200, catalog()).drop().answer(200, catalog(backup_owned=True))

    run = run_module(vps_addon.main, addon_args(fake_api))

    assert not run.failed, run.result
    assert run.result["changed"] is True
    assert run.result["purchase"] is None
    assert len(posts(fake_api)) == 1


def test_a_lost_purchase_answer_with_the_addon_still_missing_fails_as_unknown(fake_api):
    fake_api.answer(200, catalog()).drop().answer(200, catalog())

    run = run_module(vps_addon.main, addon_args(fake_api))

    assert run.failed
    assert run.result["failure"]["outcome_unknown"] is True
    assert len(posts(fake_api)) == 1


def test_a_server_named_by_label_is_resolved_to_its_id(fake_api):
    fake_api.answer(200, [{"id": SERVER_ID, "label": "web-1", "status": "running"}])
    fake_api.answer(200, []).answer(200, []).answer(200, [])  # products, regions, OS templates
    fake_api.answer(200, catalog())

    run = run_module(vps_addon_info.main, info_args(fake_api, server="web-1"))

    assert not run.failed, run.result
    assert run.result["server_id"] == SERVER_ID
    assert fake_api.paths()[-1] == "GET " + ADDONS_PATH


def test_vpscrypto_fails_saying_it_has_no_addons_before_any_request(fake_api):
    run = run_module(vps_addon.main, addon_args(fake_api, provider="vpscrypto"))

    assert run.failed
    assert "does not offer server add-ons" in run.result["msg"]
    assert fake_api.requests == []
