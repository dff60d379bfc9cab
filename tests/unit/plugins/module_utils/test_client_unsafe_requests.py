# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The unsafe-request rule: what may be sent twice after a lost answer, and what may not."""

from __future__ import annotations

import pytest

from ansible_collections.vpsfleet.cloud.plugins.module_utils._http import client as _client
from ansible_collections.vpsfleet.cloud.plugins.module_utils._http.client import ApiError
# fake_api is a pytest fixture: importing it is what makes it available here.
from ansible_collections.vpsfleet.cloud.tests.unit.plugins.module_utils._http import (  # noqa: F401  # pylint: disable=unused-import
    client_for, fake_api)


def test_an_unsafe_post_is_not_repeated_after_a_dropped_connection(fake_api):
    fake_api.drop().answer(201, {"ref": "second"})
    with pytest.raises(ApiError) as caught:
        client_for(fake_api).post("/topups", json_body={"amount": 25, "coin": "BTC"})
    assert len(fake_api.requests) == 1
    assert caught.value.outcome_unknown is True
    assert "may have taken effect" in str(caught.value)
    assert caught.value.to_failure()["outcome_unknown"] is True


@pytest.mark.parametrize("status", [502, 503, 504])
def test_an_unsafe_post_is_not_repeated_after_a_gateway_error(fake_api, status):
    fake_api.answer(status, raw="Bad Gateway").answer(200, {})
    with pytest.raises(ApiError) as caught:
        client_for(fake_api).post("/servers/1/power/reboot")
    assert len(fake_api.requests) == 1
    assert caught.value.outcome_unknown is True


def test_an_unsafe_post_is_retried_when_the_rate_limiter_refused_it(fake_api):
    fake_api.answer(429, {"message": "try later"}, headers={"Retry-After": "1"}).answer(201, {"ref": "r1"})
    assert client_for(fake_api).post("/topups", json_body={"amount": 25}).body == {"ref": "r1"}
    assert len(fake_api.requests) == 2


def test_a_post_with_an_idempotency_key_is_repeated_with_the_same_key(fake_api):
    fake_api.drop().answer(502, raw="Bad Gateway").answer(201, {"id": "srv-1"})
    response = client_for(fake_api).post("/servers", json_body={"productId": "p"}, idempotency_key="k-123")
    assert response.body == {"id": "srv-1"}
    assert [request.headers["idempotency-key"] for request in fake_api.requests] == ["k-123"] * 3


def test_a_replay_safe_post_is_repeated_after_a_dropped_connection(fake_api):
    fake_api.drop().answer(200, {"url": "https://example.test/sso"})
    assert client_for(fake_api).post("/sso", replay_safe=True).body == {"url": "https://example.test/sso"}
    assert len(fake_api.requests) == 2


def test_a_found_effect_is_the_answer_and_the_post_is_not_sent_again(fake_api):
    fake_api.drop()
    probed = []

    def probe():
        probed.append(True)
        return {"id": 12, "hostname": "web-1"}

    response = client_for(fake_api).post("/servers", json_body={"hostname": "web-1"}, effect_probe=probe)
    assert response.body == {"id": 12, "hostname": "web-1"}
    assert response.recovered is True
    assert probed == [True]
    assert fake_api.paths() == ["POST /servers"]


def test_when_the_probes_find_nothing_the_post_is_never_sent_again(fake_api):
    fake_api.drop().answer(201, {"id": 13, "hostname": "web-1"})
    delays = []
    with pytest.raises(ApiError) as caught:
        client_for(fake_api, delays).post("/servers", json_body={"hostname": "web-1"}, effect_probe=lambda: None)
    assert caught.value.outcome_unknown is True
    assert fake_api.paths() == ["POST /servers"]
    assert len(delays) == _client.STILL_WORKING_PROBES


def test_the_probe_is_not_consulted_when_the_server_said_it_did_not_process_the_post(fake_api):
    fake_api.answer(429, {"message": "slow down"}).answer(201, {"id": 14})
    probed = []
    client_for(fake_api).post("/servers", json_body={}, effect_probe=lambda: probed.append(True))
    assert probed == []


def test_a_503_with_retry_after_is_still_no_proof_that_an_unsafe_post_did_nothing(fake_api):
    # A proxy may answer 503 after the upstream took the request: only a 429 proves it was not processed.
    fake_api.answer(503, {"message": "unavailable"}, headers={"Retry-After": "1"}).answer(201, {"ref": "r2"})
    with pytest.raises(ApiError) as caught:
        client_for(fake_api).post("/topups", json_body={"amount": 25, "coin": "BTC"})
    assert caught.value.outcome_unknown is True
    assert fake_api.paths() == ["POST /topups"]


def test_after_a_503_the_order_is_looked_up_with_a_wait_before_each_look_and_never_sent_again(fake_api):
    # A 503 may come from a proxy after the provider acted, and the effect may land after a look-up.
    fake_api.answer(503, {"message": "unavailable"}).answer(201, {"id": 15})
    events = []
    client = client_for(fake_api)
    client.sleep = lambda delay: events.append("wait")
    with pytest.raises(ApiError) as caught:
        client.post("/servers", json_body={}, effect_probe=lambda: events.append("look up"))
    assert caught.value.outcome_unknown is True
    assert events == ["wait", "look up"] * _client.STILL_WORKING_PROBES
    assert fake_api.paths() == ["POST /servers"]


@pytest.mark.parametrize("status", [502, 503])
def test_an_effect_that_shows_only_on_the_second_look_up_is_the_answer(fake_api, status):
    fake_api.answer(status, raw="Bad Gateway")
    looks = iter([None, {"id": 17, "hostname": "web-1"}])
    response = client_for(fake_api).post("/servers", json_body={}, effect_probe=lambda: next(looks))
    assert (response.body, response.recovered) == ({"id": 17, "hostname": "web-1"}, True)
    assert fake_api.paths() == ["POST /servers"]


def test_a_dropped_order_whose_look_ups_find_nothing_is_of_unknown_outcome_even_with_retries_left(fake_api):
    fake_api.drop().answer(201, {"id": 18})
    with pytest.raises(ApiError) as caught:
        client_for(fake_api, retries=5).post("/servers", json_body={}, effect_probe=lambda: None)
    assert caught.value.outcome_unknown is True
    assert "it was not sent again" in str(caught.value)
    assert fake_api.paths() == ["POST /servers"]


def test_after_a_504_the_order_is_never_sent_again_and_each_look_up_waits_first(fake_api):
    fake_api.answer(504, raw="Gateway Timeout").answer(201, {"id": 19})
    events = []
    looks = iter([None, None, {"id": 19, "hostname": "web-1"}])

    def look_up():
        events.append("look up")
        return next(looks)

    client = client_for(fake_api)
    client.sleep = lambda delay: events.append("wait")
    response = client.post("/servers", json_body={}, effect_probe=look_up)
    assert (response.body, response.recovered) == ({"id": 19, "hostname": "web-1"}, True)
    assert events == ["wait", "look up"] * 3
    assert fake_api.paths() == ["POST /servers"]


def test_after_a_504_with_no_effect_found_the_outcome_is_unknown_and_the_order_not_sent_again(fake_api):
    fake_api.answer(504, raw="Gateway Timeout").answer(201, {"id": 20})
    looks = []
    with pytest.raises(ApiError) as caught:
        client_for(fake_api).post("/servers", json_body={}, effect_probe=lambda: looks.append(True))
    assert caught.value.outcome_unknown is True
    assert "may still be carrying it out" in str(caught.value)
    assert len(looks) == _client.STILL_WORKING_PROBES
    assert fake_api.paths() == ["POST /servers"]


def test_after_a_read_timeout_the_order_is_never_sent_again(fake_api):
    fake_api.answer(201, {"id": 21}, delay=0.6).answer(201, {"id": 22})
    with pytest.raises(ApiError) as caught:
        client_for(fake_api, timeout=0.2).post("/servers", json_body={}, effect_probe=lambda: None)
    assert caught.value.outcome_unknown is True
    assert fake_api.paths() == ["POST /servers"]


def test_a_failing_probe_reports_the_order_outcome_as_unknown_and_sends_nothing_more(fake_api):
    fake_api.drop().answer(201, {"id": 16})

    def probe():
        raise ApiError("listing failed", status=500, method="GET", path="/servers")

    with pytest.raises(ApiError) as caught:
        client_for(fake_api).post("/servers", json_body={"hostname": "web-1"}, effect_probe=probe)
    assert (caught.value.method, caught.value.outcome_unknown) == ("POST", True)
    assert "reading back whether it did failed too: listing failed" in str(caught.value)
    assert fake_api.paths() == ["POST /servers"]


# -- retries exhausted after a lost answer ----------------------------------------------------


def test_a_keyed_post_whose_answers_are_all_lost_is_of_unknown_outcome(fake_api):
    for dummy in range(3):
        fake_api.drop()
    with pytest.raises(ApiError) as caught:
        client_for(fake_api, retries=2).post("/servers", json_body={}, idempotency_key="k-1")
    assert len(fake_api.requests) == 3
    assert caught.value.outcome_unknown is True
    assert "its answer was lost and 2 retries brought none" in str(caught.value)


def test_a_replay_safe_delete_whose_gateway_errors_outlast_the_retries_is_of_unknown_outcome(fake_api):
    for dummy in range(3):
        fake_api.answer(502, raw="Bad Gateway")
    with pytest.raises(ApiError) as caught:
        client_for(fake_api, retries=2).delete("/servers/abc", replay_safe=True)
    assert caught.value.outcome_unknown is True


def test_a_keyed_post_that_fails_after_an_earlier_lost_answer_is_of_unknown_outcome(fake_api):
    fake_api.drop().answer(409, {"message": "A request with this key is in progress", "statusCode": 409})
    with pytest.raises(ApiError) as caught:
        client_for(fake_api).post("/servers", json_body={}, idempotency_key="k-2")
    assert (caught.value.status, caught.value.outcome_unknown) == (409, True)
    assert "an earlier attempt's answer was lost" in str(caught.value)


def test_a_keyed_post_rate_limited_to_the_end_after_a_lost_answer_is_of_unknown_outcome(fake_api):
    fake_api.drop().answer(429, {"message": "slow down"}).answer(429, {"message": "slow down"})
    with pytest.raises(ApiError) as caught:
        client_for(fake_api, retries=2).post("/servers", json_body={}, idempotency_key="k-4")
    assert (caught.value.status, caught.value.outcome_unknown) == (429, True)
    assert "an earlier attempt's answer was lost" in str(caught.value)


def test_a_keyed_post_refused_by_the_rate_limiter_every_time_did_nothing(fake_api):
    for dummy in range(3):
        fake_api.answer(429, {"message": "slow down"})
    with pytest.raises(ApiError) as caught:
        client_for(fake_api, retries=2).post("/servers", json_body={}, idempotency_key="k-3")
    assert caught.value.outcome_unknown is False


def test_a_get_whose_answers_are_all_lost_is_not_of_unknown_outcome(fake_api):
    for dummy in range(3):
        fake_api.answer(502, raw="Bad Gateway")
    with pytest.raises(ApiError) as caught:
        client_for(fake_api, retries=2).get("/servers")
    assert caught.value.outcome_unknown is False


def test_an_unsafe_post_answered_500_is_of_unknown_outcome_and_not_repeated(fake_api):
    fake_api.answer(500, {"error": "internal_error", "message": "Internal error"}).answer(201, {"ref": "second"})
    with pytest.raises(ApiError) as caught:
        client_for(fake_api).post("/topups", json_body={"amount": 25, "coin": "BTC"})
    assert len(fake_api.requests) == 1
    assert caught.value.status == 500
    assert caught.value.outcome_unknown is True
    assert "may have taken effect" in str(caught.value)


def test_a_get_answered_500_is_a_plain_failure(fake_api):
    fake_api.answer(500, {"error": "internal_error", "message": "Internal error"})
    with pytest.raises(ApiError) as caught:
        client_for(fake_api).get("/account")
    assert len(fake_api.requests) == 1
    assert caught.value.outcome_unknown is False


def test_a_keyed_post_answered_500_is_repeated_with_the_same_key(fake_api):
    fake_api.answer(500, {"message": "Internal error"}).answer(201, {"id": "srv-1"})
    response = client_for(fake_api).post("/servers", json_body={"productId": "p"}, idempotency_key="k-500")
    assert response.body == {"id": "srv-1"}
    assert [request.headers["idempotency-key"] for request in fake_api.requests] == ["k-500"] * 2


def test_an_order_answered_500_is_looked_up_and_the_found_server_is_the_answer(fake_api):
    fake_api.answer(500, {"message": "Internal error"})
    found = {"id": 7}
    response = client_for(fake_api).post("/servers", json_body={"hostname": "web-1"}, effect_probe=lambda: found)
    assert response.body == found and response.recovered is True
    assert len(fake_api.requests) == 1
