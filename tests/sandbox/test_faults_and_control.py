"""Fault injection, rate limits, the request log and bulk seeding through the control API."""

import http.client
import time
from urllib.parse import urlsplit

import pytest

from ansible_collections.vpsfleet.cloud.plugins.module_utils._providers.model import public_view
from ansible_collections.vpsfleet.cloud.plugins.module_utils._providers.registry import build_adapter
from vps_sandbox.testing import SandboxError, call_api

ORDER = {"plan": "scout", "location": "nl", "os": "debian-13"}


def raw_post(url, key, body=b"{}"):
    """POST without urllib's error handling, so a dropped connection surfaces as an exception."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.request("POST", parts.path, body, {"Authorization": "Bearer " + key,
                                                      "Content-Type": "application/json"})
        return connection.getresponse().status
    finally:
        connection.close()


def test_drop_after_effect_creates_the_server_but_never_answers(sandbox):
    key = sandbox.create_account("vpscrypto", balance_usd=100)["api_key"]
    sandbox.configure(faults=[{"method": "POST", "path": "^/servers$", "kind": "drop_after_effect"}])
    with pytest.raises(http.client.RemoteDisconnected):
        raw_post(sandbox.vpscrypto_url + "/servers", key, b'{"plan": "scout", "location": "nl", "os": "debian-13"}')
    assert len(sandbox.servers()) == 1
    assert sandbox.requests_log()[-1]["fault"] == "drop_after_effect"


def test_504_late_effect_answers_504_and_carries_the_request_out_a_moment_later(sandbox):
    key = sandbox.create_account("vpscrypto", balance_usd=100)["api_key"]
    sandbox.configure(faults=[{"method": "POST", "path": "^/servers$", "kind": "504_late_effect", "effect_delay": 0.3}])
    answer = call_api("POST", sandbox.vpscrypto_url + "/servers", key, ORDER)
    assert (answer.status, answer.body["error"]) == (504, "gateway_timeout")
    assert sandbox.servers() == []
    time.sleep(0.6)
    assert len(sandbox.servers()) == 1
    assert sandbox.requests_log()[-1]["fault"] == "504_late_effect"


def test_the_collection_orders_once_when_the_order_lands_only_after_a_504(sandbox):
    account = sandbox.create_account("vpscrypto", balance_usd=100)
    sandbox.configure(faults=[{"method": "POST", "path": "^/servers$", "kind": "504_late_effect", "effect_delay": 1}])
    adapter = build_adapter("vpscrypto", api_key=account["api_key"], api_url=sandbox.vpscrypto_url, retries=3)
    server, dummy = adapter.order_server(dict(ORDER, hostname="web-1"))
    assert server["name"] == "web-1"
    assert [listed["hostname"] for listed in sandbox.servers()] == ["web-1"]
    charges = [entry for entry in sandbox.ledger(account=account["account_id"]) if entry["kind"] == "charge"]
    assert len(charges) == 1
    orders = [entry for entry in sandbox.requests_log() if entry["method"] == "POST"]
    assert len(orders) == 1


def test_drop_before_does_nothing(sandbox):
    key = sandbox.create_account("vpscrypto", balance_usd=100)["api_key"]
    sandbox.configure(faults=[{"method": "POST", "path": "^/servers$", "kind": "drop_before"}])
    with pytest.raises(http.client.RemoteDisconnected):
        raw_post(sandbox.vpscrypto_url + "/servers", key, b'{"plan": "scout", "location": "nl", "os": "debian-13"}')
    assert sandbox.servers() == []
    assert [entry["kind"] for entry in sandbox.ledger()] == ["opening"]


def test_one_shot_faults_are_consumed_in_order(sandbox):
    key = sandbox.create_account("otwa")["api_key"]
    sandbox.configure(faults=[{"path": "^/account$", "kind": "429", "retry_after": 2},
                              {"path": "^/account$", "kind": "503"}])
    first, second, third = (call_api("GET", sandbox.otwa_url + "/account", key) for _attempt in range(3))
    assert (first.status, first.headers["Retry-After"]) == (429, "2")
    assert first.body["statusCode"] == 429
    assert (second.status, third.status) == (503, 200)
    assert sandbox.control("GET", "/config")["faults"] == []


def test_rate_limit_answers_429_with_retry_after_per_key(sandbox):
    key = sandbox.create_account("vpscrypto")["api_key"]
    other = sandbox.create_account("vpscrypto")["api_key"]
    sandbox.configure(rate_limit={"per_second": 3, "retry_after": 1})
    while int(time.time() % 1 * 10) > 6:  # keep the burst inside one one-second window
        time.sleep(0.05)
    statuses = [call_api("GET", sandbox.vpscrypto_url + "/account", key).status for _attempt in range(5)]
    assert statuses[:3] == [200, 200, 200] and 429 in statuses[3:]
    assert call_api("GET", sandbox.vpscrypto_url + "/account", other).status == 200


def test_request_log_never_holds_keys_or_bodies(sandbox):
    account = sandbox.create_account("vpscrypto", balance_usd=100)
    call_api("POST", sandbox.vpscrypto_url + "/servers", account["api_key"], dict(ORDER, root_password="s3cret-pass-123"))
    log_text = str(sandbox.requests_log())
    assert "/servers" in log_text
    assert account["api_key"] not in log_text and "s3cret-pass-123" not in log_text
    sandbox.control("DELETE", "/requests")
    assert sandbox.requests_log() == []


def test_seeding_a_thousand_servers_is_fast_and_free(sandbox):
    account = sandbox.create_account("otwa", balance_usd=0)
    started = time.monotonic()
    seeded = sandbox.seed_servers(account["api_key"], 1000, name_prefix="bench")
    assert time.monotonic() - started < 1.0
    assert seeded["created"] == 1000 and len(set(seeded["ids"])) == 1000
    listed = call_api("GET", sandbox.otwa_url + "/servers", account["api_key"]).body
    assert len(listed) == 1000 and listed[0]["label"] == "bench-0001"
    assert sandbox.ledger() == []


def test_classic_topup_settles_once_through_the_control_api(sandbox):
    account = sandbox.create_account("vpscrypto", balance_usd=0)
    ref = call_api("POST", sandbox.vpscrypto_url + "/topups", account["api_key"], {"amount": 40, "coin": "BTC"}).body["ref"]
    assert sandbox.control("POST", f"/topups/{ref}/settle")["status"] == "completed"
    with pytest.raises(SandboxError):
        sandbox.control("POST", f"/topups/{ref}/settle")
    assert [entry["amount_usd"] for entry in sandbox.ledger()] == [40.0]


def test_otwa_servers_map_to_the_same_model_with_or_without_the_convenience_fields(sandbox):
    key = sandbox.create_account("otwa")["api_key"]
    sandbox.seed_servers(key, 1, plan="Cloud S", region="tr-ist-01", name_prefix="ist")
    sandbox.seed_servers(key, 1, plan="Cloud L", region="de-fra-01", name_prefix="fra")
    sandbox.seed_servers(key, 1, plan="Cloud XL", region="us-nyc-01", status="stopped", name_prefix="nyc")

    def servers_as_the_collection_sees_them():
        adapter = build_adapter("otwa", api_key=key, api_url=sandbox.otwa_url)
        listed = [public_view(server) for server in adapter.list_servers()]
        return listed, [public_view(adapter.get_server(server["id"])) for server in listed]

    with_extras = servers_as_the_collection_sees_them()
    sandbox.configure(otwa_convenience_fields=False)
    raw = call_api("GET", sandbox.otwa_url + "/servers", key).body
    assert not {"productId", "monthlyPrice", "regionSlug"} & set(raw[0])
    assert servers_as_the_collection_sees_them() == with_extras
    assert [(server["plan"], server["location"], server["price_usd"]) for server in with_extras[0]] == [
        ("Cloud S", "tr-ist-01", 6.0), ("Cloud L", "de-fra-01", 20.0), ("Cloud XL", "us-nyc-01", 40.0)]


def test_an_opening_balance_is_a_ledger_entry_of_its_own(sandbox):
    account = sandbox.create_account("otwa", balance_usd=50)
    [opening] = sandbox.ledger(account=account["account_id"])
    assert (opening["kind"], opening["amount_usd"], opening["balance_after_usd"]) == ("opening", 50.0, 50.0)
    assert opening["description"] == "Opening balance"


def test_an_account_opened_with_nothing_has_an_empty_ledger(sandbox):
    account = sandbox.create_account("vpscrypto", balance_usd=0)
    assert sandbox.ledger(account=account["account_id"]) == []


def test_the_ledger_adds_up_to_every_balance(sandbox):
    account = sandbox.create_account("vpscrypto", balance_usd=30)
    call_api("POST", sandbox.vpscrypto_url + "/servers", account["api_key"], ORDER)
    ref = call_api("POST", sandbox.vpscrypto_url + "/topups", account["api_key"], {"amount": 40, "coin": "BTC"}).body["ref"]
    sandbox.control("POST", f"/topups/{ref}/settle")
    signs = {"opening": 1, "credit": 1, "charge": -1}
    total = sum(signs[entry["kind"]] * entry["amount_usd"] for entry in sandbox.ledger(account=account["account_id"]))
    balance = call_api("GET", sandbox.vpscrypto_url + "/account", account["api_key"]).body["balance_usd"]
    assert round(total, 2) == balance == 63.0


def test_bad_config_is_rejected_whole(sandbox):
    with pytest.raises(SandboxError, match="x402_network"):
        sandbox.configure(latency_ms=5, x402_network="mainnet")
    assert sandbox.control("GET", "/config")["latency_ms"] == 0
