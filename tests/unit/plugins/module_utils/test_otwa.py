# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Otwa Cloud adapter: API shapes to the common model, idempotent deploys, the unsafe actions."""

from __future__ import annotations


import pytest

from ansible_collections.vpsfleet.cloud.plugins.module_utils._http.client import ApiError
from ansible_collections.vpsfleet.cloud.plugins.module_utils._providers.model import public_view
from ansible_collections.vpsfleet.cloud.plugins.module_utils._providers.otwa import OtwaAdapter, product_for, region_slug, server_from_api
# fake_api is a pytest fixture: importing it is what makes it available here.
from ansible_collections.vpsfleet.cloud.tests.unit.plugins.module_utils._http import (  # noqa: F401  # pylint: disable=unused-import
    client_for, fake_api)

PRODUCT_ID = "0b9f5c2e-4d1a-4f5e-9a61-1f2a3b4c5d6e"
SERVER_ID = "7d3c0a2e-1111-4222-8333-944455556666"

PRODUCTS = [{"id": PRODUCT_ID, "name": "Cloud M", "vcpu": 2, "ramMb": 4096, "diskGb": 50, "bandwidthGb": 1000,
             "monthlyPrice": "10.00", "region": "OTWA IST"}]
REGIONS = [{"slug": "tr-ist-01", "name": "Istanbul, Turkey"}]
TEMPLATES = [{"id": "ubuntu-24.04", "family": "Ubuntu", "label": "Ubuntu 24.04 LTS", "icon": None, "color": "#E95420"}]


def api_server(**changes):
    server = {
        "id": SERVER_ID, "label": "web-1", "hostname": "web-1.example.com", "status": "running",
        "ipAddress": "198.51.100.10", "os": "ubuntu-24.04", "region": "OTWA IST", "vcpu": 2, "ramMb": 4096,
        "diskGb": 50, "bandwidthGb": 1000, "additionalIps": [], "createdAt": "2026-01-01T00:00:00Z",
    }
    server.update(changes)
    return server


def answer_catalog(fake_api):
    fake_api.answer(200, PRODUCTS).answer(200, REGIONS).answer(200, TEMPLATES)


@pytest.fixture
def adapter(fake_api):
    return OtwaAdapter(client_for(fake_api, provider="Otwa Cloud"))


def test_a_pending_server_is_provisioning(fake_api, adapter):
    fake_api.answer(200, [api_server(status="pending", ipAddress=None)])
    answer_catalog(fake_api)
    server = adapter.list_servers()[0]
    assert (server["status"], server["raw_status"], server["ip"]) == ("provisioning", "pending", None)


def test_a_listed_server_carries_ip_additional_ips_specs_and_its_plan_name(fake_api, adapter):
    extra = [{"ip": "198.51.100.11", "gateway": "198.51.100.1"}, {"ip": "198.51.100.12"}]
    fake_api.answer(200, [api_server(additionalIps=extra)])
    answer_catalog(fake_api)
    server = adapter.list_servers()[0]
    assert (server["id"], server["name"], server["hostname"]) == (SERVER_ID, "web-1", "web-1.example.com")
    assert (server["status"], server["ip"]) == ("running", "198.51.100.10")
    assert server["additional_ips"] == ["198.51.100.11", "198.51.100.12"]
    assert (server["vcpu"], server["ram_mb"], server["disk_gb"], server["bandwidth_gb"]) == (2, 4096, 50, 1000)
    assert (server["plan"], server["location"], server["os"]) == ("Cloud M", "tr-ist-01", "ubuntu-24.04")
    assert server["provider_data"]["additionalIps"] == extra


def test_a_server_detail_reads_ip_and_specs_from_networking_and_specs(fake_api, adapter):
    detail = {"id": SERVER_ID, "label": "web-1", "status": "stopped",
              "networking": {"primaryIp": "198.51.100.10", "additionalIps": [{"ip": "198.51.100.13"}]},
              "specs": {"vcpu": 4, "ramMb": 8192, "diskGb": 100, "bandwidthGb": 2000, "os": "debian-13",
                        "region": "OTWA FRA"}}
    fake_api.answer(200, detail)
    answer_catalog(fake_api)
    server = adapter.get_server(SERVER_ID)
    assert (server["status"], server["ip"], server["additional_ips"]) == ("stopped", "198.51.100.10", ["198.51.100.13"])
    assert (server["vcpu"], server["ram_mb"], server["os"], server["location"]) == (4, 8192, "debian-13", "OTWA FRA")
    assert server["plan"] is None  # no product has these specs


def test_servers_are_listed_without_plan_names_when_the_catalog_cannot_be_read(fake_api, adapter):
    forbidden = {"message": "Forbidden", "statusCode": 403}
    fake_api.answer(200, [api_server()]).answer(403, forbidden).answer(403, forbidden)
    server = adapter.list_servers()[0]
    assert (server["id"], server["plan"], server["price_usd"], server["location"]) == (SERVER_ID, None, None, "OTWA IST")


def test_an_unreadable_catalog_is_not_read_again(fake_api, adapter):
    forbidden = {"message": "Forbidden", "statusCode": 403}
    fake_api.answer(200, [api_server()]).answer(403, forbidden).answer(403, forbidden).answer(200, [api_server()])
    adapter.list_servers()
    adapter.list_servers()
    assert fake_api.paths() == ["GET /servers", "GET /products", "GET /regions", "GET /servers"]


# -- spec-only server objects: plan, price and region slug from the catalogs ---------------

REGION_CATALOG = [{"slug": "tr-ist-01", "name": "Istanbul, Turkey"}, {"slug": "de-fra-01", "name": "Frankfurt, Germany"},
                  {"slug": "nl-ams-01", "name": "Amsterdam, Netherlands"}, {"slug": "us-nyc-01", "name": "New York, United States"}]


def test_a_server_with_only_the_specs_fields_gets_plan_price_and_region_slug_from_the_catalogs(fake_api, adapter):
    fake_api.answer(200, [api_server()]).answer(200, PRODUCTS).answer(200, REGIONS)
    server = adapter.list_servers()[0]
    assert (server["plan"], server["price_usd"], server["location"]) == ("Cloud M", 10.0, "tr-ist-01")
    assert fake_api.paths() == ["GET /servers", "GET /products", "GET /regions"]


def test_a_server_with_the_extra_fields_maps_to_the_same_model_as_one_with_only_the_specs_fields(fake_api, adapter):
    extras = {"productId": PRODUCT_ID, "monthlyPrice": "10.00", "regionSlug": "tr-ist-01"}
    fake_api.answer(200, [api_server()]).answer(200, PRODUCTS).answer(200, REGIONS)
    spec_only = public_view(adapter.list_servers()[0])
    fake_api.answer(200, [api_server(**extras)]).answer(200, PRODUCTS)
    with_extras = public_view(OtwaAdapter(client_for(fake_api, provider="Otwa Cloud")).list_servers()[0])
    assert with_extras == spec_only


def test_servers_naming_their_region_slug_need_no_regions_read(fake_api, adapter):
    fake_api.answer(200, [api_server(productId=PRODUCT_ID, monthlyPrice="12.00", regionSlug="tr-ist-01")])
    fake_api.answer(200, PRODUCTS)
    server = adapter.list_servers()[0]
    assert (server["plan"], server["price_usd"], server["location"]) == ("Cloud M", 12.0, "tr-ist-01")
    assert fake_api.paths() == ["GET /servers", "GET /products"]


def test_the_catalogs_are_read_once_per_adapter_however_often_servers_are_read(fake_api, adapter):
    fake_api.answer(200, [api_server()]).answer(200, PRODUCTS).answer(200, REGIONS)
    fake_api.answer(200, [api_server()]).answer(200, api_server(status="stopped"))
    adapter.list_servers()
    adapter.list_servers()
    assert adapter.get_server(SERVER_ID)["plan"] == "Cloud M"
    assert fake_api.paths() == ["GET /servers", "GET /products", "GET /regions", "GET /servers",
                                "GET /servers/%s" % SERVER_ID]


def test_no_catalog_is_read_for_an_empty_server_list(fake_api, adapter):
    fake_api.answer(200, [])
    assert adapter.list_servers() == []
    assert fake_api.paths() == ["GET /servers"]


def test_servers_read_after_the_catalog_reuse_its_products_and_regions(fake_api, adapter):
    answer_catalog(fake_api)
    fake_api.answer(200, [api_server()])
    adapter.catalog()
    assert adapter.list_servers()[0]["location"] == "tr-ist-01"
    assert fake_api.paths() == ["GET /products", "GET /regions", "GET /os-templates", "GET /servers"]


def test_the_catalog_read_after_listing_servers_reuses_the_products_and_regions_the_listing_read(fake_api, adapter):
    fake_api.answer(200, [api_server()]).answer(200, PRODUCTS).answer(200, REGIONS).answer(200, TEMPLATES)
    adapter.list_servers()
    assert [plan["name"] for plan in adapter.catalog()["plans"]] == [product["name"] for product in PRODUCTS]
    assert fake_api.paths() == ["GET /servers", "GET /products", "GET /regions", "GET /os-templates"]


@pytest.mark.parametrize("region, slug", [
    ("OTWA IST", "tr-ist-01"), ("OTWA FRA", "de-fra-01"), ("otwa ams", "nl-ams-01"), ("OTWA NYC", "us-nyc-01"),
    ("de-fra-01", "de-fra-01"), ("Frankfurt, Germany", "de-fra-01"), ("OTWA LON", None), (None, None),
])
def test_a_region_code_maps_to_the_slug_whose_parts_hold_its_city(region, slug):
    assert region_slug(region, REGION_CATALOG) == slug


def test_a_region_code_matching_two_slugs_maps_to_none():
    assert region_slug("OTWA IST", REGION_CATALOG + [{"slug": "tr-ist-02", "name": "Istanbul 2"}]) is None


def test_a_plan_is_not_guessed_when_two_products_have_the_servers_specs():
    twin = dict(PRODUCTS[0], id="other-id", name="Cloud M Promo", monthlyPrice="8.00")
    assert product_for(api_server(), PRODUCTS + [twin]) is None
    assert product_for(api_server(productId="other-id"), PRODUCTS + [twin])["name"] == "Cloud M Promo"


def test_the_account_balance_string_becomes_a_number(fake_api, adapter):
    fake_api.answer(200, {"id": "acc-1", "balance": "50.00", "tier": "pro", "createdAt": "2026-01-01T00:00:00Z"})
    account = adapter.get_account()
    assert (account["id"], account["balance_usd"], account["tier"]) == ("acc-1", 50.0, "pro")


def test_the_catalog_joins_products_regions_and_os_templates(fake_api, adapter):
    answer_catalog(fake_api)
    catalog = adapter.get_catalog()
    assert fake_api.paths() == ["GET /products", "GET /regions", "GET /os-templates"]
    assert catalog["plans"] == [{
        "id": PRODUCT_ID, "slug": PRODUCT_ID, "name": "Cloud M", "price_monthly_usd": 10.0, "price_annual_usd": None,
        "vcpu": 2, "ram_mb": 4096, "disk_gb": 50, "bandwidth_gb": 1000, "region": "OTWA IST"}]
    assert catalog["locations"] == [{"slug": "tr-ist-01", "name": "Istanbul, Turkey"}]
    assert catalog["os"] == [{"slug": "ubuntu-24.04", "name": "Ubuntu 24.04 LTS", "family": "Ubuntu"}]
    assert (catalog["cycles"], catalog["topup"]) == (["monthly"], None)


def test_an_order_sends_the_deploy_body_with_an_idempotency_key(fake_api, adapter):
    fake_api.answer(201, api_server(status="pending"))
    answer_catalog(fake_api)
    order = {"plan": PRODUCT_ID, "os": "ubuntu-24.04", "name": "web-1", "hostname": "web-1.example.com",
             "location": "tr-ist-01", "addons": ["vpk7wjf5"]}
    server, root_password = adapter.order_server(order, idempotency_key="deploy-web-1")
    deploy = fake_api.requests[0]
    assert deploy.body == {"productId": PRODUCT_ID, "os": "ubuntu-24.04", "osTemplate": "ubuntu-24.04",
                           "label": "web-1", "hostname": "web-1.example.com", "region": "tr-ist-01",
                           "addons": ["vpk7wjf5"]}
    assert deploy.headers["idempotency-key"] == "deploy-web-1"
    assert (server["status"], root_password) == ("provisioning", None)


def test_an_order_sends_the_os_family_and_the_template_separately_when_both_are_given(fake_api, adapter):
    fake_api.answer(201, api_server())
    answer_catalog(fake_api)
    adapter.order_server({"plan": PRODUCT_ID, "os": "ubuntu", "os_template": "ubuntu-24.04"}, idempotency_key="k" * 16)
    assert fake_api.requests[0].body == {"productId": PRODUCT_ID, "os": "ubuntu", "osTemplate": "ubuntu-24.04"}


def test_a_dropped_deploy_is_repeated_with_the_callers_idempotency_key(fake_api, adapter):
    fake_api.drop().answer(201, api_server())
    answer_catalog(fake_api)
    adapter.order_server({"plan": PRODUCT_ID, "os": "ubuntu-24.04"}, idempotency_key="deploy-web-1")
    deploys = [request for request in fake_api.requests if request.method == "POST"]
    assert [request.headers["idempotency-key"] for request in deploys] == ["deploy-web-1", "deploy-web-1"]


def test_a_reinstall_sends_family_and_template_with_an_idempotency_key(fake_api, adapter):
    fake_api.answer(200, {"message": "Reinstall queued"})
    adapter.reinstall_server(SERVER_ID, "debian-13", idempotency_key="reinstall-1")
    assert fake_api.requests[0].body == {"os": "debian", "osTemplate": "debian-13"}
    assert fake_api.requests[0].headers["idempotency-key"] == "reinstall-1"


def test_an_order_without_an_idempotency_key_is_refused_before_any_request(fake_api, adapter):
    with pytest.raises(ValueError, match="Idempotency-Key"):
        adapter.order_server({"plan": PRODUCT_ID, "os": "ubuntu-24.04"})
    assert fake_api.requests == []


def test_a_power_action_is_not_repeated_after_a_dropped_connection(fake_api, adapter):
    fake_api.drop().answer(200, {"message": "Reboot queued"})
    with pytest.raises(ApiError) as caught:
        adapter.power(SERVER_ID, "reboot")
    assert fake_api.paths() == ["POST /servers/%s/power/reboot" % SERVER_ID]
    assert caught.value.outcome_unknown is True


def test_renaming_sends_the_label_and_returns_the_renamed_server(fake_api, adapter):
    fake_api.answer(200, api_server(label="web-2"))
    answer_catalog(fake_api)
    assert adapter.rename_server(SERVER_ID, "web-2")["name"] == "web-2"
    assert fake_api.requests[0].method == "PATCH"
    assert fake_api.requests[0].body == {"label": "web-2"}


def test_termination_is_retried_after_a_dropped_connection(fake_api, adapter):
    fake_api.drop().answer(200, {"message": "Termination queued"})
    assert adapter.terminate_server(SERVER_ID) == {"message": "Termination queued"}
    assert len(fake_api.requests) == 2


def test_a_retried_termination_that_finds_the_server_gone_is_done(fake_api, adapter):
    fake_api.drop().answer(404, {"statusCode": 404, "message": "Server not found", "error": "Not Found"})
    adapter.terminate_server(SERVER_ID)
    assert [request.method for request in fake_api.requests] == ["DELETE", "DELETE"]


def test_addon_prices_become_numbers(fake_api, adapter):
    fake_api.answer(200, {"addons": [{"id": "vpk7wjf5", "type": "extra-ip", "price": "3.00", "proratedPrice": "1.50",
                                      "owned": False}], "daysRemaining": 15, "billingCycleEnd": "2026-02-01"})
    addons = adapter.list_addons(SERVER_ID)
    assert (addons["addons"][0]["price_usd"], addons["addons"][0]["prorated_price_usd"]) == (3.0, 1.5)
    assert addons["days_remaining"] == 15


def test_credentials_map_the_ssh_command(fake_api, adapter):
    fake_api.answer(200, {"username": "root", "password": "pw-1234567", "ip": "198.51.100.10",
                          "sshCommand": "ssh root@198.51.100.10"})
    assert adapter.get_credentials(SERVER_ID)["ssh_command"] == "ssh root@198.51.100.10"


def test_otwa_servers_carry_their_own_specs_so_filling_them_reads_nothing(fake_api, adapter):
    servers = [server_from_api(api_server())]
    assert adapter.fill_plan_specs(servers) == servers
    assert fake_api.requests == []
