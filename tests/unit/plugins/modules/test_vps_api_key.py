# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""vps_api_key and vps_api_key_info: mint once per label, revoke by id or label, never self-revoke."""

from __future__ import annotations

from ansible_collections.vpsfleet.cloud.plugins.modules import vps_api_key, vps_api_key_info
from ansible_collections.vpsfleet.cloud.tests.unit.plugins.module_utils._http import (  # noqa: F401  pylint: disable=unused-import
    fake_api,  # a pytest fixture, used by name
)
from ansible_collections.vpsfleet.cloud.tests.unit.plugins.modules._run import run_module

OWN_KEY = "vpsk_Own123RestOfTheKeyXYZ"
MINTED_KEY = "vpsk_Min456RestOfTheKeyXYZ"


def listing(*extra):
    keys = [{"id": 1, "name": "admin", "prefix": "vpsk_Own123", "created_at": "2026-01-01T00:00:00Z",
             "last_used_at": None}]
    return {"keys": keys + list(extra)}


def ci_key(key_id=2):
    return {"id": key_id, "name": "ci", "prefix": "vpsk_Ci%04d" % key_id, "created_at": "2026-02-01T00:00:00Z",
            "last_used_at": None}


def key_args(fake, **args):
    base = dict(provider="vpscrypto", api_key=OWN_KEY, api_url=fake.url, api_retries=1, api_retry_max_delay=0.01)
    base.update(args)
    return base


def test_a_missing_label_is_minted_and_the_full_key_returned_once(fake_api):
    fake_api.answer(200, listing()).answer(201, {"id": 2, "name": "ci", "prefix": "vpsk_Min456",
                                                 "api_key": MINTED_KEY, "created_at": "2026-11-22T00:00:00Z"})

    run = run_module(vps_api_key.main, key_args(fake_api, name="ci"))

    assert run.result["changed"] is True
    assert run.result["api_key"] == MINTED_KEY
    assert run.result["key"] == {"id": "2", "name": "ci", "prefix": "vpsk_Min456",
                                 "created_at": "2026-11-22T00:00:00Z", "last_used_at": None}
    assert fake_api.requests[1].body == {"name": "ci"}


def test_a_key_minted_without_the_label_asked_for_warns_that_idempotency_by_name_fails(fake_api, capsys):
    fake_api.answer(200, listing()).answer(201, {"id": 2, "name": None, "prefix": "vpsk_Min456",
                                                 "api_key": MINTED_KEY, "created_at": "2026-11-22T00:00:00Z"})

    run = run_module(vps_api_key.main, key_args(fake_api, name="ci"))

    assert not run.failed, run.result
    assert run.result["changed"] is True
    warning = capsys.readouterr().err
    assert "labelled None, not 'ci'" in warning and "cannot be idempotent by name" in warning


def test_a_lost_mint_answer_is_not_resent_and_says_how_to_revoke_the_orphan(fake_api):
    fake_api.answer(200, listing()).drop()

    run = run_module(vps_api_key.main, key_args(fake_api, name="ci"))

    assert run.failed
    assert "a key may have been minted" in run.result["msg"]
    assert "kept in the intent journal" in run.result["msg"] and "revoke it" in run.result["msg"]
    assert run.result["failure"]["outcome_unknown"] is True
    assert fake_api.paths() == ["GET /keys", "POST /keys"]


def test_an_existing_label_is_not_minted_again(fake_api):
    fake_api.answer(200, listing(ci_key()))

    run = run_module(vps_api_key.main, key_args(fake_api, name="ci"))

    assert run.result["changed"] is False
    assert "api_key" not in run.result
    assert fake_api.paths() == ["GET /keys"]


def test_check_mode_mints_nothing(fake_api):
    fake_api.answer(200, listing())

    run = run_module(vps_api_key.main, key_args(fake_api, name="ci"), check_mode=True)

    assert run.result["changed"] is True
    assert fake_api.paths() == ["GET /keys"]


def test_absent_by_label_revokes_every_key_with_it(fake_api):
    fake_api.answer(200, listing(ci_key(2), ci_key(3))).answer(200, {"id": 2, "revoked": True})
    fake_api.answer(200, {"id": 3, "revoked": True})

    run = run_module(vps_api_key.main, key_args(fake_api, name="ci", state="absent"), diff=True)

    assert run.result["revoked"] == ["2", "3"]
    assert fake_api.paths() == ["GET /keys", "DELETE /keys/2", "DELETE /keys/3"]
    assert run.result["diff"]["after"] == {"keys": ["admin (vpsk_Own123)"]}


def test_absent_for_an_unknown_id_changes_nothing(fake_api):
    fake_api.answer(200, listing())

    run = run_module(vps_api_key.main, key_args(fake_api, id="99", state="absent"))

    assert run.result["changed"] is False
    assert run.result["revoked"] == []
    assert fake_api.paths() == ["GET /keys"]


def test_revoking_the_key_the_task_uses_is_refused(fake_api):
    fake_api.answer(200, listing())

    run = run_module(vps_api_key.main, key_args(fake_api, id="1", state="absent"))

    assert run.failed
    assert "authenticates with it" in run.result["msg"]
    assert fake_api.paths() == ["GET /keys"]


def test_present_without_a_name_fails_before_any_request(fake_api):
    run = run_module(vps_api_key.main, key_args(fake_api))

    assert run.failed
    assert "name" in run.result["msg"]
    assert fake_api.requests == []


def test_info_lists_prefixes_and_filters_by_label(fake_api):
    fake_api.answer(200, listing(ci_key()))

    run = run_module(vps_api_key_info.main, key_args(fake_api, name="ci"))

    assert [key["prefix"] for key in run.result["api_keys"]] == ["vpsk_Ci0002"]
    assert run.result["changed"] is False
