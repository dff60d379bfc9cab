# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Setup mistakes (an unusable URL, a key that cannot be a header) fail at once, saying what to fix."""

from __future__ import annotations

import pytest

from ansible_collections.vpsfleet.cloud.plugins.module_utils._http.client import ApiError
# fake_api is a pytest fixture: importing it is what makes it available here.
from ansible_collections.vpsfleet.cloud.tests.unit.plugins.module_utils._http import (  # noqa: F401  # pylint: disable=unused-import
    API_KEY, client_for, fake_api)


@pytest.mark.parametrize("api_url", [
    "vpscrypto.io/api/v1",         # no scheme
    "127.0.0.1:8402/api/v1",       # no scheme either, read as one
    "ftp://vpscrypto.io/api/v1",   # a scheme requests cannot speak
    "http://",                     # no host
    "https://vps crypto.io/api",   # not a URL
], ids=["no-scheme", "host-port-only", "ftp", "no-host", "space"])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_an_unusable_api_url_fails_at_once_without_retry_and_names_api_url(api_url, method):
    delays = []
    with pytest.raises(ApiError) as caught:
        client_for(api_url, delays).request(method, "/servers")
    assert delays == []
    assert (caught.value.code, caught.value.status, caught.value.outcome_unknown) == ("setup_error", None, False)
    assert "was not sent" in caught.value.message and "api_url" in caught.value.message


def test_an_api_key_with_a_trailing_newline_fails_at_once_without_quoting_the_key(fake_api):
    delays = []
    with pytest.raises(ApiError) as caught:
        client_for(fake_api, delays, api_key=API_KEY + "\n").post("/topups", json_body={"amount": 25})
    assert delays == [] and fake_api.requests == []
    assert caught.value.code == "setup_error"
    assert "trailing newline" in caught.value.message
    assert API_KEY not in str(caught.value)


def test_a_body_that_json_cannot_carry_fails_at_once(fake_api):
    delays = []
    with pytest.raises(ApiError) as caught:
        client_for(fake_api, delays).post("/topups", json_body={"amount": float("nan")})
    assert delays == [] and fake_api.requests == []
    assert caught.value.code == "setup_error"


def test_a_failed_tls_handshake_fails_at_once_as_not_sent_even_for_an_order(fake_api):
    # The fake speaks plain HTTP, so an https:// URL fails in the TLS handshake, before any request.
    delays = []
    client = client_for(fake_api.url.replace("http://", "https://"), delays)
    with pytest.raises(ApiError) as caught:
        client.post("/servers", json_body={"plan": "hunter"}, effect_probe=lambda: pytest.fail("no probe"))
    assert delays == [] and fake_api.requests == []
    assert (caught.value.code, caught.value.outcome_unknown) == ("setup_error", False)
    assert "TLS handshake" in caught.value.message and "validate_certs" in caught.value.message
