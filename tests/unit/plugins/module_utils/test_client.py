# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""ApiClient basics: headers, timeouts, JSON, error mapping, passed-through statuses."""

from __future__ import annotations

import json

import pytest

from ansible_collections.vpsfleet.cloud.plugins.module_utils._http.client import ApiClient, ApiError, error_from_body
from ansible_collections.vpsfleet.cloud.plugins.module_utils._version import COLLECTION_VERSION
# fake_api is a pytest fixture: importing it is what makes it available here.
from ansible_collections.vpsfleet.cloud.tests.unit.plugins.module_utils._http import (  # noqa: F401  # pylint: disable=unused-import
    API_KEY, client_for, fake_api)


def test_every_request_carries_the_api_key_as_a_bearer_token(fake_api):
    fake_api.answer(200, {})
    client_for(fake_api).get("/account")
    assert fake_api.requests[0].headers["authorization"] == "Bearer %s" % API_KEY


def test_an_unauthenticated_request_sends_no_authorization_header(fake_api):
    fake_api.answer(200, {})
    client_for(fake_api).get("/catalog", authenticated=False)
    assert "authorization" not in fake_api.requests[0].headers


def test_the_user_agent_names_the_collection_and_its_version(fake_api):
    fake_api.answer(200, {})
    client_for(fake_api).get("/health")
    assert fake_api.requests[0].headers["user-agent"].startswith("vpsfleet.cloud/%s " % COLLECTION_VERSION)


def test_the_connect_timeout_is_capped_at_ten_seconds_and_the_read_timeout_is_the_option():
    assert ApiClient("http://127.0.0.1:9", "k", timeout=45).timeout == (10.0, 45.0)


def test_a_short_timeout_applies_to_both_connect_and_read():
    assert ApiClient("http://127.0.0.1:9", "k", timeout=3).timeout == (3.0, 3.0)


def test_a_json_body_is_sent_as_json_and_the_json_answer_is_decoded(fake_api):
    fake_api.answer(201, {"id": 7, "hostname": "web-1"})
    response = client_for(fake_api).post("/servers", json_body={"plan": "hunter", "hostname": "web-1"})
    assert fake_api.requests[0].headers["content-type"] == "application/json"
    assert fake_api.requests[0].body == {"plan": "hunter", "hostname": "web-1"}
    assert (response.status, response.body) == (201, {"id": 7, "hostname": "web-1"})


def test_query_parameters_reach_the_server(fake_api):
    fake_api.answer(200, [])
    client_for(fake_api).get("/servers", params={"page": 2})
    assert fake_api.requests[0].query == {"page": ["2"]}


def test_the_base_url_trailing_slash_does_not_double_the_path_separator(fake_api):
    fake_api.answer(200, {})
    client_for(fake_api.url + "/api/v1/").get("/account")
    assert fake_api.requests[0].path == "/api/v1/account"


def test_an_empty_answer_body_decodes_to_none(fake_api):
    fake_api.answer(204)
    assert client_for(fake_api).delete("/keys/3", replay_safe=True).body is None


def test_a_vpscrypto_error_shape_gives_code_and_message(fake_api):
    fake_api.answer(400, {"error": "invalid_plan", "message": "Unknown plan 'x'; valid: scout, hunter"})
    with pytest.raises(ApiError) as caught:
        client_for(fake_api).post("/servers", json_body={"plan": "x"})
    assert (caught.value.status, caught.value.code) == (400, "invalid_plan")
    assert caught.value.message == "Unknown plan 'x'; valid: scout, hunter"


def test_an_otwa_error_shape_gives_the_message_and_no_code(fake_api):
    fake_api.answer(403, {"message": "Forbidden: this API key lacks the servers:destroy scope", "statusCode": 403})
    with pytest.raises(ApiError) as caught:
        client_for(fake_api, provider="Otwa Cloud").delete("/servers/abc", replay_safe=True)
    assert (caught.value.status, caught.value.code) == (403, None)
    assert caught.value.message == "Forbidden: this API key lacks the servers:destroy scope"


def test_a_non_json_error_body_becomes_the_message(fake_api):
    fake_api.answer(500, raw="<html>Internal Server Error</html>")
    with pytest.raises(ApiError) as caught:
        client_for(fake_api).get("/account")
    assert caught.value.status == 500
    assert caught.value.message == "<html>Internal Server Error</html>"
    assert caught.value.body is None


def test_an_error_without_any_body_names_the_status():
    assert error_from_body(None, "", 418) == (None, "HTTP 418")


def test_an_identifier_in_the_error_field_is_the_code():
    assert error_from_body({"error": "not_found", "message": "No such server"}, "", 404) == ("not_found", "No such server")


def test_a_sentence_in_the_error_field_is_the_message_not_the_code():
    assert error_from_body({"error": "X-PAYMENT header is required"}, "", 402) == (None, "X-PAYMENT header is required")


def test_a_status_text_in_the_error_field_is_not_a_code():
    body = {"statusCode": 404, "message": "Server not found", "error": "Not Found"}
    assert error_from_body(body, "", 404) == (None, "Server not found")


def test_a_list_of_validation_messages_is_joined_with_semicolons():
    body = {"statusCode": 400, "message": ["label must be a string", "os should not be empty"], "error": "Bad Request"}
    assert error_from_body(body, "", 400) == (None, "label must be a string; os should not be empty")


def test_a_body_status_code_that_differs_from_the_http_status_is_named_in_the_message():
    body = {"statusCode": 500, "message": "Internal server error"}
    assert error_from_body(body, "", 502) == (None, "Internal server error (the error body says status 500)")


def test_a_body_status_code_equal_to_the_http_status_adds_nothing():
    assert error_from_body({"statusCode": 403, "message": "Forbidden"}, "", 403) == (None, "Forbidden")


def test_an_error_reads_as_provider_status_code_method_path_and_message(fake_api):
    fake_api.answer(404, {"error": "not_found", "message": "No such server"})
    with pytest.raises(ApiError) as caught:
        client_for(fake_api).get("/servers/9")
    assert str(caught.value) == "VPSCrypto API HTTP 404 not_found on GET /servers/9: No such server"


def test_to_failure_carries_status_code_message_method_and_path(fake_api):
    fake_api.answer(401, {"message": "Unauthorized", "statusCode": 401})
    with pytest.raises(ApiError) as caught:
        client_for(fake_api).get("/account")
    assert caught.value.to_failure() == {
        "status": 401, "code": None, "message": "Unauthorized", "method": "GET", "path": "/account",
        "outcome_unknown": False,
    }
    json.dumps(caught.value.to_failure())  # a module returns it as JSON


def test_a_passed_status_is_returned_instead_of_raised(fake_api):
    fake_api.answer(402, {"x402Version": 1, "error": "X-PAYMENT header is required", "accepts": []})
    response = client_for(fake_api).post("/topups", json_body={"amount": 25, "coin": "USDCBASE"}, pass_statuses=(402,))
    assert response.status == 402
    assert response.body["error"] == "X-PAYMENT header is required"


def test_a_402_not_listed_as_passed_is_an_error(fake_api):
    fake_api.answer(402, {"error": "insufficient_balance", "message": "Insufficient balance"})
    with pytest.raises(ApiError) as caught:
        client_for(fake_api).post("/servers", json_body={})
    assert caught.value.code == "insufficient_balance"
