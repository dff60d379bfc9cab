# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""VPSCrypto adapter: API shapes to the common model, and ordering without an idempotency key."""

from __future__ import annotations

import pytest

from ansible_collections.vpsfleet.cloud.plugins.module_utils._http.client import ApiError
from ansible_collections.vpsfleet.cloud.plugins.module_utils._providers.model import SERVER_FIELDS
from ansible_collections.vpsfleet.cloud.plugins.module_utils._providers.vpscrypto import VpsCryptoAdapter, server_from_api
# fake_api is a pytest fixture: importing it is what makes it available here.
from ansible_collections.vpsfleet.cloud.tests.unit.plugins.module_utils._http import (  # noqa: F401  # pylint: disable=unused-import
    client_for, fake_api)


def api_server(**changes):
    server = {
        "id": 12, "plan": "Hunter", "location": "nl", "os": "debian-13", "hostname": "web-1",
        "cycle": "monthly", "price_usd": 14.0, "status": "active", "ip": "203.0.113.5", "username": "root",
        "created_at": "2026-01-01T00:00:00Z", "expires_at": "2026-02-01T00:00:00Z",
    }
    server.update(changes)
    return server


CATALOG = {
    "plans": [{"slug": "hunter", "name": "Hunter", "vcpu": 2, "ram_gb": 4, "disk_gb": 80, "bandwidth_tb": 4,
               "price_monthly_usd": 14.0, "price_annual_usd": 140.0}],
    "locations": [{"slug": "nl", "name": "Netherlands", "city": "Amsterdam"}],
    "os": [{"slug": "debian-13", "name": "Debian 13", "family": "debian"}],
    "cycles": ["monthly", "annual"],
    "coins": [{"code": "BTC", "name": "Bitcoin", "network": "bitcoin"}],
    "topup": {"min_usd": 25, "max_usd": 2000},
}

ORDER = {"plan": "hunter", "location": "nl", "os": "debian-13", "cycle": "monthly", "hostname": "web-1"}


@pytest.fixture
def adapter(fake_api):
    return VpsCryptoAdapter(client_for(fake_api))


def test_an_active_server_is_running_with_its_ip_plan_and_price(fake_api, adapter):
    fake_api.answer(200, api_server())
    server = adapter.get_server("12")
    assert set(server) == set(SERVER_FIELDS)
    assert (server["id"], server["name"], server["hostname"]) == ("12", "web-1", "web-1")
    assert (server["status"], server["raw_status"]) == ("running", "active")
    assert (server["ip"], server["additional_ips"]) == ("203.0.113.5", [])
    assert (server["plan"], server["location"], server["os"]) == ("Hunter", "nl", "debian-13")
    assert (server["price_usd"], server["cycle"]) == (14.0, "monthly")
    assert server["provider"] == "vpscrypto"
    assert server["provider_data"] == api_server()
    assert fake_api.paths() == ["GET /servers/12"]


def test_the_server_list_is_read_from_the_servers_key(fake_api, adapter):
    fake_api.answer(200, {"servers": [api_server(), api_server(id=13, hostname="db-1", status="provisioning", ip=None)]})
    servers = adapter.list_servers()
    assert [(server["id"], server["status"], server["ip"]) for server in servers] == [
        ("12", "running", "203.0.113.5"), ("13", "provisioning", None)]


def test_servers_are_found_by_name_without_the_terminated_ones(fake_api, adapter):
    fake_api.answer(200, {"servers": [api_server(id=1, status="terminated"), api_server(id=2), api_server(id=3, hostname="x")]})
    assert [server["id"] for server in adapter.find_servers_by_name("web-1")] == ["2"]


def test_the_account_balance_and_id_are_mapped(fake_api, adapter):
    fake_api.answer(200, {"user_id": 4, "balance_usd": 125.5, "currency": "USD", "servers": 2, "totp_enabled": False})
    account = adapter.get_account()
    assert (account["id"], account["balance_usd"], account["servers"]) == ("4", 125.5, 2)


def test_the_catalog_converts_ram_and_bandwidth_to_the_model_units(fake_api, adapter):
    fake_api.answer(200, CATALOG)
    catalog = adapter.get_catalog()
    assert catalog["plans"] == [{
        "id": "hunter", "slug": "hunter", "name": "Hunter", "price_monthly_usd": 14.0, "price_annual_usd": 140.0,
        "vcpu": 2, "ram_mb": 4096, "disk_gb": 80, "bandwidth_gb": 4000, "region": None}]
    assert catalog["locations"] == [{"slug": "nl", "name": "Netherlands"}]
    assert catalog["os"] == [{"slug": "debian-13", "name": "Debian 13", "family": "debian"}]
    assert (catalog["cycles"], catalog["topup"]) == (["monthly", "annual"], {"min_usd": 25, "max_usd": 2000})
    assert catalog["coins"][0]["code"] == "BTC"
    assert "authorization" not in fake_api.requests[0].headers


def test_the_catalog_is_read_once_per_adapter(fake_api, adapter):
    fake_api.answer(200, CATALOG)
    assert adapter.catalog() is adapter.catalog()
    assert len(fake_api.requests) == 1


def test_a_topup_is_mapped_with_its_deposit_details(fake_api, adapter):
    fake_api.answer(200, {"ref": "vps-26-0123456789", "status": "pending", "amount_usd": 25, "coin": "BTC",
                          "deposit_address": "bc1qexample", "deposit_amount": "0.00041", "deposit_coin": "BTC"})
    topup = adapter.get_topup("vps-26-0123456789")
    assert (topup["ref"], topup["status"], topup["amount_usd"]) == ("vps-26-0123456789", "pending", 25.0)
    assert (topup["deposit_address"], topup["deposit_amount"]) == ("bc1qexample", "0.00041")


def test_a_topup_request_passes_a_402_through_to_the_payer(fake_api, adapter):
    fake_api.answer(402, {"x402Version": 1, "error": "X-PAYMENT header is required", "accepts": []})
    response = adapter.create_topup(25, "USDCBASE")
    assert response.status == 402
    assert fake_api.requests[0].body == {"amount": 25, "coin": "USDCBASE"}


def test_asking_for_payment_requirements_sends_no_payment_and_asks_for_x402(fake_api, adapter):
    fake_api.answer(402, {"x402Version": 1, "error": "X-PAYMENT header is required", "accepts": []})
    response = adapter.request_payment_requirements(25, "USDCBASE")
    assert response.status == 402
    sent = fake_api.requests[0]
    assert sent.body == {"amount": 25, "coin": "USDCBASE"}
    assert sent.headers["x-payment-mode"] == "x402"
    assert "x-payment" not in sent.headers and "payment-signature" not in sent.headers


def test_asking_for_payment_requirements_is_repeated_after_a_dropped_answer(fake_api, adapter):
    fake_api.drop().answer(402, {"x402Version": 1, "accepts": []})
    assert adapter.request_payment_requirements(25, "USDCBASE").status == 402
    assert fake_api.paths() == ["POST /topups", "POST /topups"]


def test_a_classic_invoice_is_not_repeated_after_a_dropped_answer(fake_api, adapter):
    fake_api.drop().answer(201, {"ref": "second"})
    with pytest.raises(ApiError) as caught:
        adapter.create_topup(25, "BTC")
    assert caught.value.outcome_unknown is True
    assert fake_api.paths() == ["POST /topups"]


def test_an_error_answering_a_payment_does_not_echo_the_payment_header(fake_api, adapter):
    header = "eyJ4NDAyVmVyc2lvbiI6MSwicGF5bG9hZCI6e319"
    fake_api.answer(400, {"error": "bad_payment", "message": "cannot decode X-PAYMENT %s" % header})
    with pytest.raises(ApiError) as caught:
        adapter.resend_payment(25, "USDCBASE", {"X-PAYMENT": header})
    assert header not in str(caught.value)
    assert header not in str(caught.value.body)


def test_an_order_sends_only_the_given_fields_and_returns_the_one_time_root_password(fake_api, adapter):
    fake_api.answer(201, api_server(status="provisioning", ip=None, root_password="Gen3rated-Pass"))
    server, root_password = adapter.order_server(dict(ORDER, root_password=None))
    assert fake_api.requests[0].body == ORDER
    assert root_password == "Gen3rated-Pass"
    assert (server["id"], server["status"]) == ("12", "provisioning")


def test_a_dropped_order_answer_is_looked_up_by_name_before_any_retry(fake_api, adapter):
    fake_api.drop().answer(200, {"servers": [api_server(id=9), api_server(id=12, status="provisioning")]})
    server, root_password = adapter.order_server(ORDER, known_ids=[9])
    assert fake_api.paths() == ["POST /servers", "GET /servers"]
    assert server["id"] == "12"
    assert root_password is None


def test_a_dropped_order_is_never_sent_again_when_the_look_ups_find_no_new_server_with_its_name(fake_api, adapter):
    listing = {"servers": [api_server(id=9)]}
    fake_api.drop()
    for dummy in range(3):
        fake_api.answer(200, listing)
    fake_api.answer(201, api_server(id=13))
    with pytest.raises(ApiError) as caught:
        adapter.order_server(ORDER, known_ids=["9"])
    assert fake_api.paths()[0] == "POST /servers" and fake_api.paths().count("POST /servers") == 1
    assert caught.value.outcome_unknown is True


@pytest.mark.parametrize("listed", ["WEB-1", "web-1.", "Web-1."])
def test_the_look_up_after_a_dropped_order_ignores_hostname_case_and_a_trailing_dot(fake_api, adapter, listed):
    fake_api.drop().answer(200, {"servers": [api_server(id=12, hostname=listed, status="provisioning")]})
    server, dummy = adapter.order_server(ORDER)
    assert fake_api.paths() == ["POST /servers", "GET /servers"]
    assert server["id"] == "12"


def test_an_order_whose_gateway_timed_out_is_looked_up_and_never_sent_again(fake_api, adapter):
    fake_api.answer(504, raw="Gateway Timeout")
    for dummy in range(3):
        fake_api.answer(200, {"servers": []})
    with pytest.raises(ApiError) as caught:
        adapter.order_server(ORDER)
    assert fake_api.paths() == ["POST /servers", "GET /servers", "GET /servers", "GET /servers"]
    assert caught.value.outcome_unknown is True
    assert "a late order shows in the server list under its hostname" in str(caught.value)
    assert "safe" not in str(caught.value)


def test_an_order_without_a_hostname_is_not_sent_again_after_a_dropped_answer(fake_api, adapter):
    fake_api.drop().answer(201, api_server(id=14))
    order = dict(ORDER)
    del order["hostname"]
    with pytest.raises(ApiError) as caught:
        adapter.order_server(order)
    assert caught.value.outcome_unknown is True
    assert fake_api.paths() == ["POST /servers"]


def test_servers_are_found_by_name_as_hostnames_are_compared(fake_api, adapter):
    fake_api.answer(200, {"servers": [api_server(id=1, hostname="WEB-1."), api_server(id=2, hostname="db-1")]})
    assert [server["id"] for server in adapter.find_servers_by_name("web-1")] == ["1"]


def test_an_order_error_does_not_reveal_the_chosen_root_password(fake_api, adapter):
    fake_api.answer(400, {"error": "weak_password", "message": "password Sh0rt-Pass9 is too weak"})
    with pytest.raises(ApiError) as caught:
        adapter.order_server(dict(ORDER, root_password="Sh0rt-Pass9"))
    assert "Sh0rt-Pass9" not in str(caught.value)


def test_credentials_default_the_username_to_root(fake_api, adapter):
    fake_api.answer(200, {"password": "pw-1234567", "ip": "203.0.113.5", "ssh_command": "ssh root@203.0.113.5"})
    assert adapter.get_credentials("12") == {
        "username": "root", "password": "pw-1234567", "ip": "203.0.113.5", "ssh_command": "ssh root@203.0.113.5"}


def test_account_creation_sends_no_api_key(fake_api, adapter):
    fake_api.answer(201, {"api_key": "vpsk_new", "login_token": "tok"})
    assert adapter.create_account()["api_key"] == "vpsk_new"
    assert "authorization" not in fake_api.requests[0].headers


def test_revoking_a_key_is_retried_after_a_dropped_connection(fake_api, adapter):
    fake_api.drop().answer(200, {"revoked": True})
    assert adapter.revoke_api_key(3) == {"revoked": True}
    assert fake_api.paths() == ["DELETE /keys/3", "DELETE /keys/3"]


def test_a_retried_key_revocation_that_finds_the_key_gone_is_done(fake_api, adapter):
    fake_api.drop().answer(404, {"error": "not_found", "message": "API key not found"})
    adapter.revoke_api_key("key_1")
    assert [request.method for request in fake_api.requests] == ["DELETE", "DELETE"]


# -- specs from the catalog plan, only when asked ------------------------------------------


def test_listing_servers_reads_no_catalog_and_leaves_specs_empty(fake_api, adapter):
    fake_api.answer(200, {"servers": [api_server()]})
    server = adapter.list_servers()[0]
    assert (server["vcpu"], server["ram_mb"], server["disk_gb"], server["bandwidth_gb"]) == (None, None, None, None)
    assert fake_api.paths() == ["GET /servers"]


def test_plan_specs_fill_vcpu_ram_disk_and_bandwidth_from_the_catalog_plan(fake_api, adapter):
    fake_api.answer(200, {"servers": [api_server(plan="Hunter"), api_server(id=13, plan="hunter")]})
    fake_api.answer(200, CATALOG)
    servers = adapter.fill_plan_specs(adapter.list_servers())
    assert [(server["vcpu"], server["ram_mb"], server["disk_gb"], server["bandwidth_gb"]) for server in servers] == [
        (2, 4096, 80, 4000), (2, 4096, 80, 4000)]


def test_plan_specs_read_the_catalog_once_per_adapter(fake_api, adapter):
    fake_api.answer(200, CATALOG).answer(200, {"servers": [api_server()]}).answer(200, api_server())
    adapter.catalog()
    adapter.fill_plan_specs(adapter.list_servers())
    adapter.fill_plan_specs([adapter.get_server("12")])
    assert fake_api.paths() == ["GET /catalog", "GET /servers", "GET /servers/12"]


def test_a_plan_the_catalog_does_not_list_leaves_the_specs_empty(fake_api, adapter):
    fake_api.answer(200, CATALOG)
    server = adapter.fill_plan_specs([server_from_api(api_server(plan="Legacy"))])[0]
    assert (server["vcpu"], server["ram_mb"]) == (None, None)


def test_plan_specs_stay_empty_when_the_catalog_cannot_be_read(fake_api, adapter):
    fake_api.answer(404, {"error": "not_found", "message": "No such endpoint"})
    server = adapter.fill_plan_specs([server_from_api(api_server())])[0]
    assert (server["id"], server["vcpu"]) == ("12", None)
