# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""ApiClient retries: which failures are retried, how long it waits, and when it stops."""

from __future__ import annotations

import email.utils
import time

import pytest

from ansible_collections.vpsfleet.cloud.plugins.module_utils._http import client as _client
from ansible_collections.vpsfleet.cloud.plugins.module_utils._http.client import ApiError, RetryPolicy, parse_retry_after
# fake_api is a pytest fixture: importing it is what makes it available here.
from ansible_collections.vpsfleet.cloud.tests.unit.plugins.module_utils._http import (  # noqa: F401  # pylint: disable=unused-import
    FakeApi, client_for, closed_port, fake_api)


@pytest.mark.parametrize("status", [429, 502, 503, 504])
def test_a_get_is_retried_after_a_transient_status(fake_api, status):
    fake_api.answer(status, {"message": "busy"}).answer(200, {"ok": True})
    delays = []
    assert client_for(fake_api, delays).get("/account").body == {"ok": True}
    assert len(fake_api.requests) == 2
    assert len(delays) == 1


def test_a_client_error_is_not_retried(fake_api):
    fake_api.answer(400, {"error": "bad_request", "message": "no"})
    with pytest.raises(ApiError):
        client_for(fake_api).get("/account")
    assert len(fake_api.requests) == 1


def test_retries_stop_after_the_configured_number_and_raise_the_last_error(fake_api):
    for dummy in range(4):
        fake_api.answer(503, {"message": "down for maintenance", "statusCode": 503})
    delays = []
    with pytest.raises(ApiError) as caught:
        client_for(fake_api, delays, retries=2).get("/account")
    assert len(fake_api.requests) == 3
    assert len(delays) == 2
    assert (caught.value.status, caught.value.message) == (503, "down for maintenance")


def test_zero_retries_means_one_attempt(fake_api):
    fake_api.answer(503, {"message": "down"})
    with pytest.raises(ApiError):
        client_for(fake_api, retries=0).get("/account")
    assert len(fake_api.requests) == 1


def test_retry_after_in_seconds_is_the_delay(fake_api):
    fake_api.answer(429, {"message": "slow down"}, headers={"Retry-After": "7"}).answer(200, {})
    delays = []
    client_for(fake_api, delays).get("/servers")
    assert delays == [7.0]


def test_retry_after_is_capped_by_retry_max_delay(fake_api):
    fake_api.answer(429, {"message": "slow down"}, headers={"Retry-After": "3600"}).answer(200, {})
    delays = []
    client_for(fake_api, delays, retry_max_delay=4).get("/servers")
    assert delays == [4.0]


def test_retry_after_as_an_http_date_waits_until_that_date(fake_api):
    in_three_seconds = email.utils.formatdate(time.time() + 3, usegmt=True)
    fake_api.answer(429, {"message": "slow down"}, headers={"Retry-After": in_three_seconds}).answer(200, {})
    delays = []
    client_for(fake_api, delays).get("/servers")
    assert 1.5 <= delays[0] <= 3.0


def test_an_http_date_in_the_past_means_no_wait():
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0


def test_an_unreadable_retry_after_is_ignored():
    assert parse_retry_after("soon") is None


def test_a_refused_connection_is_retried_until_the_server_is_up():
    port = closed_port()
    started = []

    def start_server_instead_of_sleeping(delay):
        if not started:
            started.append(FakeApi(port=port).answer(200, {"ok": True}))

    client = client_for("http://127.0.0.1:%d" % port, retries=3)
    client.sleep = start_server_instead_of_sleeping
    try:
        assert client.get("/health").body == {"ok": True}
    finally:
        for server in started:
            server.close()
    assert len(started[0].requests) == 1


def test_a_refused_connection_gives_up_after_the_retries_with_a_transport_error():
    delays = []
    with pytest.raises(ApiError) as caught:
        client_for("http://127.0.0.1:%d" % closed_port(), delays, retries=2).get("/health")
    assert len(delays) == 2
    assert caught.value.code == "transport_error"
    assert caught.value.status is None
    assert "no HTTP answer" in str(caught.value)


def test_a_refused_connection_says_which_host_was_tried_how_often_without_library_internals():
    port = closed_port()
    with pytest.raises(ApiError) as caught:
        client_for("http://127.0.0.1:%d" % port, [], retries=2).get("/health")
    text = str(caught.value)
    assert "could not connect to 127.0.0.1:%d: connection refused" % port in text
    assert text.endswith("; tried 3 times (api_retries=2)")
    for internal in ("HTTPConnectionPool", "Max retries exceeded", "NewConnectionError", "urllib3"):
        assert internal not in text


def test_a_storm_of_503_answers_says_how_many_attempts_were_made(fake_api):
    for dummy in range(3):
        fake_api.answer(503, {"message": "down for maintenance"})
    with pytest.raises(ApiError) as caught:
        client_for(fake_api, [], retries=2).get("/account")
    assert str(caught.value).endswith("down for maintenance; tried 3 times (api_retries=2)")


def test_a_read_timeout_on_a_get_is_retried(fake_api):
    fake_api.answer(200, {"late": True}, delay=0.6).answer(200, {"late": False})
    delays = []
    assert client_for(fake_api, delays, timeout=0.2).get("/servers").body == {"late": False}
    assert len(delays) == 1


def test_each_retry_is_logged_with_its_attempt_number(fake_api):
    fake_api.answer(503, {"message": "down"}).answer(200, {})
    lines = []
    client_for(fake_api, log_lines=lines, retries=3).get("/account")
    assert any("retry 1/3" in line for line in lines)


# -- the backoff itself --------------------------------------------------------------------


@pytest.fixture
def extreme_jitter(monkeypatch):
    """Make random.uniform return its lower (``low``) or upper (``high``) bound."""
    choice = {"end": "low"}
    monkeypatch.setattr(_client.random, "uniform", lambda a, b: a if choice["end"] == "low" else b)
    return choice


def test_backoff_doubles_with_each_attempt(extreme_jitter):
    policy = RetryPolicy(base_delay=0.5, max_delay=100)
    extreme_jitter["end"] = "high"
    assert [policy.delay(attempt) for attempt in range(4)] == [0.5, 1.0, 2.0, 4.0]


def test_jitter_never_goes_below_half_the_backoff(extreme_jitter):
    policy = RetryPolicy(base_delay=0.5, max_delay=100)
    assert [policy.delay(attempt) for attempt in range(4)] == [0.25, 0.5, 1.0, 2.0]


def test_backoff_and_jitter_stay_under_the_cap(extreme_jitter):
    policy = RetryPolicy(base_delay=0.5, max_delay=3)
    extreme_jitter["end"] = "high"
    assert policy.delay(10) == 3.0
    extreme_jitter["end"] = "low"
    assert policy.delay(10) == 1.5


def test_real_jitter_stays_within_its_bounds():
    policy = RetryPolicy(base_delay=1, max_delay=30)
    samples = [policy.delay(3) for dummy in range(200)]
    assert all(4.0 <= sample <= 8.0 for sample in samples)
    assert len(set(samples)) > 1


def test_retry_after_overrides_the_backoff_but_not_the_cap():
    policy = RetryPolicy(base_delay=0.5, max_delay=10)
    assert policy.delay(0, retry_after=6) == 6
    assert policy.delay(0, retry_after=60) == 10
