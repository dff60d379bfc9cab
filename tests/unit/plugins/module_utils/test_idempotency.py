# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Idempotency-Keys derived from what the user asked: the same request, the same key, in any run."""

from __future__ import annotations

from ansible_collections.vpsfleet.cloud.plugins.module_utils._providers.idempotency import (
    deploy_key_fields, derived_idempotency_key)
from ansible_collections.vpsfleet.cloud.plugins.module_utils._core.journal import account_ref

API_KEY = "otwa_SecretKeyThatMustNeverBeSent"
ORDER = {"plan": "prod-s", "location": "de-fra-01", "os": "debian-13", "name": "api-1", "hostname": None,
         "addons": None, "os_template": "debian-13"}


def key(request=None, user_key=None, api_key=API_KEY, operation="deploy"):
    return derived_idempotency_key(account_ref("otwa", api_key), operation, deploy_key_fields(request or ORDER),
                                   user_key)


def test_the_same_request_gives_the_same_key_in_every_run():
    assert key() == key(dict(ORDER))


def test_changing_any_part_of_the_request_changes_the_key():
    for field, value in (("plan", "prod-m"), ("location", "tr-ist-01"), ("os", "debian-12"), ("name", "api-2"),
                         ("hostname", "api.example.com"), ("addons", ["vpk7wjf5"])):
        assert key(dict(ORDER, **{field: value})) != key(), field


def test_another_account_or_operation_or_user_key_changes_the_key():
    assert key(api_key="otwa_other") != key()
    assert key(operation="reinstall") != key()
    assert key(user_key="second") != key() and key(user_key="second") == key(user_key="second")


def test_the_key_never_holds_the_api_key_and_fits_the_apis_limit():
    assert API_KEY not in key() and len(key()) <= 128
