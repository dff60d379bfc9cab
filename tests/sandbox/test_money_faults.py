"""The faults money safety is tested under: errors after the effect, late effects, a lagging list,
and Idempotency-Key requests serialised as a real API serialises them."""

import http.client
import threading
import time
from datetime import datetime, timezone
from urllib.parse import urlsplit

import pytest

from vps_sandbox.testing import call_api

ORDER = {"plan": "scout", "location": "nl", "os": "debian-13", "hostname": "web-1"}
OTWA_SCOPES = ["account:read", "servers:read", "servers:write", "servers:destroy"]


def otwa_order(sandbox):
    products = call_api("GET", sandbox.otwa_url + "/products", key=sandbox.otwa_key).body
    return {"productId": products[0]["id"], "os": "debian-13", "osTemplate": "debian-13", "label": "api-1"}


@pytest.fixture
def otwa(sandbox):
    sandbox.otwa_key = sandbox.create_account("otwa", balance_usd=100, scopes=OTWA_SCOPES)["api_key"]
    return sandbox


@pytest.mark.parametrize("kind, status", [("500_after_effect", 500), ("503_after_effect", 503)])
def test_an_error_after_the_effect_answers_in_the_providers_shape_and_the_order_stands(sandbox, kind, status):
    key = sandbox.create_account("vpscrypto", balance_usd=100)["api_key"]
    sandbox.configure(faults=[{"method": "POST", "path": "^/servers$", "kind": kind}])
    answer = call_api("POST", sandbox.vpscrypto_url + "/servers", key, ORDER)
    assert answer.status == status and set(answer.body) == {"error", "message"}
    assert len(sandbox.servers()) == 1
    assert sandbox.requests_log()[-1]["fault"] == kind


def test_503_late_effect_answers_at_once_and_carries_the_request_out_later(sandbox):
    key = sandbox.create_account("vpscrypto", balance_usd=100)["api_key"]
    sandbox.configure(faults=[{"method": "POST", "path": "^/servers$", "kind": "503_late_effect", "effect_delay": 0.3}])
    assert call_api("POST", sandbox.vpscrypto_url + "/servers", key, ORDER).status == 503
    assert sandbox.servers() == []
    time.sleep(0.6)
    assert len(sandbox.servers()) == 1


def test_drop_late_effect_closes_the_connection_and_carries_the_request_out_later(sandbox):
    key = sandbox.create_account("vpscrypto", balance_usd=100)["api_key"]
    sandbox.configure(faults=[{"method": "POST", "path": "^/servers$", "kind": "drop_late_effect", "effect_delay": 0.3}])
    parts = urlsplit(sandbox.vpscrypto_url + "/servers")
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    connection.request("POST", parts.path, b'{"plan": "scout", "location": "nl", "os": "debian-13"}',
                       {"Authorization": "Bearer " + key, "Content-Type": "application/json"})
    with pytest.raises(http.client.RemoteDisconnected):
        connection.getresponse()
    connection.close()
    assert sandbox.servers() == []
    time.sleep(0.6)
    assert len(sandbox.servers()) == 1


def test_a_new_server_is_listed_only_after_the_list_lag(sandbox):
    key = sandbox.create_account("vpscrypto", balance_usd=100)["api_key"]
    sandbox.configure(list_lag=0.5)
    created = call_api("POST", sandbox.vpscrypto_url + "/servers", key, ORDER).body
    assert call_api("GET", sandbox.vpscrypto_url + "/servers", key).body["servers"] == []
    assert call_api("GET", sandbox.vpscrypto_url + "/servers/%s" % created["id"], key).status == 200
    time.sleep(0.7)
    assert [server["id"] for server in call_api("GET", sandbox.vpscrypto_url + "/servers", key).body["servers"]] \
        == [created["id"]]


def test_a_request_whose_key_is_in_flight_waits_for_the_first_and_replays_it(otwa):
    order = otwa_order(otwa)
    otwa.configure(faults=[{"method": "POST", "path": "^/servers$", "kind": "504_late_effect", "effect_delay": 1.0}])
    headers = {"Idempotency-Key": "same-order"}
    sent = time.time()
    first = call_api("POST", otwa.otwa_url + "/servers", otwa.otwa_key, order, headers=headers)
    second = call_api("POST", otwa.otwa_url + "/servers", otwa.otwa_key, order, headers=headers)
    assert first.status == 504
    assert second.status == 201
    # The server the second answer shows is the one the first request made when it landed, not a
    # second request's own order that the late one would have replayed.
    created = datetime.strptime(second.body["createdAt"][:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc)
    assert created.timestamp() >= int(sent + 1.0) - 0.001
    assert len(otwa.servers()) == 1


def test_concurrent_requests_with_one_key_order_one_server(otwa):
    order = otwa_order(otwa)
    otwa.configure(latency_ms=200)
    answers = []

    def send():
        answers.append(call_api("POST", otwa.otwa_url + "/servers", otwa.otwa_key, order,
                                headers={"Idempotency-Key": "concurrent"}))

    threads = [threading.Thread(target=send) for dummy in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert [answer.status for answer in answers] == [201, 201, 201]
    assert len(set(answer.body["id"] for answer in answers)) == 1
    assert len(otwa.servers()) == 1
