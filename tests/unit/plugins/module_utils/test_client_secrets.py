# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The API key and secrets from a request body never reach errors or logs, even when echoed."""

from __future__ import annotations

import json

import pytest

from ansible_collections.vpsfleet.cloud.plugins.module_utils._http.client import ApiError
# fake_api is a pytest fixture: importing it is what makes it available here.
from ansible_collections.vpsfleet.cloud.tests.unit.plugins.module_utils._http import (  # noqa: F401  # pylint: disable=unused-import
    API_KEY, client_for, fake_api)

ROOT_PASSWORD = "Correct-Horse-42"


def order_with_echoed_secrets(fake_api, status=400, retries=0, **answer):
    """Send an order whose error answer repeats the API key and the root password back."""
    echo = "key %s may not set password %s" % (API_KEY, ROOT_PASSWORD)
    fake_api.answer(status, {"error": "bad_request", "message": echo, "root_password": ROOT_PASSWORD}, **answer)
    lines = []
    with pytest.raises(ApiError) as caught:
        client_for(fake_api, log_lines=lines, retries=retries).post(
            "/servers", json_body={"plan": "hunter", "root_password": ROOT_PASSWORD}, secrets=(ROOT_PASSWORD,))
    return caught.value, lines


def test_an_echoed_api_key_and_password_are_not_in_the_error_text(fake_api):
    error, dummy = order_with_echoed_secrets(fake_api)
    assert API_KEY not in str(error)
    assert ROOT_PASSWORD not in str(error)
    assert "may not set password" in str(error)


def test_an_echoed_api_key_and_password_are_not_in_the_structured_failure(fake_api):
    error, dummy = order_with_echoed_secrets(fake_api)
    failure = json.dumps(error.to_failure())
    assert API_KEY not in failure
    assert ROOT_PASSWORD not in failure


def test_an_echoed_api_key_and_password_are_not_in_the_error_body_kept_for_callers(fake_api):
    error, dummy = order_with_echoed_secrets(fake_api)
    body = json.dumps(error.body)
    assert API_KEY not in body
    assert ROOT_PASSWORD not in body


def test_no_log_line_carries_the_api_key_or_password(fake_api):
    fake_api.answer(429, {"message": "slow down"})
    error, lines = order_with_echoed_secrets(fake_api, retries=2)
    assert len(lines) >= 3
    for line in lines:
        assert API_KEY not in line
        assert ROOT_PASSWORD not in line


def test_a_transport_error_does_not_carry_the_api_key(fake_api):
    fake_api.drop()
    with pytest.raises(ApiError) as caught:
        client_for(fake_api).post("/topups", json_body={"amount": 25})
    assert API_KEY not in str(caught.value)
    assert API_KEY not in json.dumps(caught.value.to_failure())
