"""Every operation of both specs, driven with valid input, answers a documented status and a body that
validates against the spec's schema for that status."""

import os
from types import SimpleNamespace

import jsonschema
import pytest

from vps_sandbox.openapi_schema import load_spec, operations, response_schema
from vps_sandbox.testing import call_api as http

SPEC_DIR = os.path.dirname(os.path.abspath(__file__))

ALL_OTWA_SCOPES = ["account:read", "servers:read", "servers:write", "servers:destroy", "billing:read"]
SPECS = {name: load_spec(os.path.join(SPEC_DIR, f"{name}.openapi.json")) for name in ("vpscrypto", "otwa")}
OPERATIONS = [(name, path, method) for name, spec in SPECS.items() for path, method, _operation in operations(spec)]


@pytest.fixture(scope="module")
def world(sandbox):
    """Funded accounts of both providers with running servers to act on."""
    vps = sandbox.create_account("vpscrypto", balance_usd=1000)
    otwa = sandbox.create_account("otwa", balance_usd=1000, scopes=ALL_OTWA_SCOPES)
    vps_server = sandbox.seed_servers(vps["api_key"], 1, status="running")["ids"][0]
    otwa_servers = sandbox.seed_servers(otwa["api_key"], 3, status="running")["ids"]
    return SimpleNamespace(
        vps=sandbox.vpscrypto_url, vps_key=vps["api_key"], vps_server=vps_server,
        otwa=sandbox.otwa_url, otwa_key=otwa["api_key"], otwa_server=otwa_servers[0],
        otwa_reinstalled=otwa_servers[1], otwa_doomed=otwa_servers[2],
    )


def _vps(method, path, body=None):
    return lambda w: http(method, w.vps + path.format(w=w), w.vps_key, body)


def _otwa(method, path, body=None):
    return lambda w: http(method, w.otwa + path.format(w=w), w.otwa_key, body)


def _revoke_fresh_key(w):
    minted = http("POST", w.vps + "/keys", w.vps_key, {"name": "to-revoke"}).body
    return http("DELETE", f"{w.vps}/keys/{minted['id']}", w.vps_key)


def _poll_fresh_topup(w):
    topup = http("POST", w.vps + "/topups", w.vps_key, {"amount": 25, "coin": "BTC"}).body
    return http("GET", f"{w.vps}/topups/{topup['ref']}", w.vps_key)


def _deploy(w):
    products = http("GET", w.otwa + "/products", w.otwa_key).body
    body = {"productId": products[0]["id"], "os": "ubuntu", "osTemplate": "ubuntu-24.04", "region": "de-fra-01"}
    return http("POST", w.otwa + "/servers", w.otwa_key, body)


def _purchase_addon(w):
    offered = http("GET", f"{w.otwa}/servers/{w.otwa_server}/addons", w.otwa_key).body["addons"]
    backup = next(addon for addon in offered if addon["type"] == "backup")
    return http("POST", f"{w.otwa}/servers/{w.otwa_server}/addons", w.otwa_key, {"addonId": backup["id"]})


DRIVERS = {
    ("vpscrypto", "create_account"): lambda w: http("POST", w.vps + "/account", body={}),
    ("vpscrypto", "get_account"): _vps("GET", "/account"),
    ("vpscrypto", "list_api_keys"): _vps("GET", "/keys"),
    ("vpscrypto", "create_api_key"): _vps("POST", "/keys", {"name": "ci"}),
    ("vpscrypto", "revoke_api_key"): _revoke_fresh_key,
    ("vpscrypto", "get_catalog"): lambda w: http("GET", w.vps + "/catalog"),
    ("vpscrypto", "create_topup"): _vps("POST", "/topups", {"amount": 25, "coin": "XMR"}),
    ("vpscrypto", "get_topup"): _poll_fresh_topup,
    ("vpscrypto", "list_servers"): _vps("GET", "/servers"),
    ("vpscrypto", "create_server"): _vps("POST", "/servers", {"plan": "hunter", "location": "is", "os": "debian-13"}),
    ("vpscrypto", "get_server"): _vps("GET", "/servers/{w.vps_server}"),
    ("vpscrypto", "get_server_credentials"): _vps("GET", "/servers/{w.vps_server}/credentials"),
    ("vpscrypto", "get_health"): lambda w: http("GET", w.vps + "/health"),
    ("otwa", "getAccount"): _otwa("GET", "/account"),
    ("otwa", "listProducts"): _otwa("GET", "/products"),
    ("otwa", "listRegions"): _otwa("GET", "/regions"),
    ("otwa", "listOsTemplates"): _otwa("GET", "/os-templates"),
    ("otwa", "getResellerState"): _otwa("GET", "/reseller"),
    ("otwa", "issueAccountSso"): _otwa("POST", "/sso", {"next": "/dashboard/billing"}),
    ("otwa", "listServers"): _otwa("GET", "/servers"),
    ("otwa", "deployServer"): _deploy,
    ("otwa", "getServer"): _otwa("GET", "/servers/{w.otwa_server}"),
    ("otwa", "terminateServer"): _otwa("DELETE", "/servers/{w.otwa_doomed}"),
    ("otwa", "getServerCredentials"): _otwa("GET", "/servers/{w.otwa_server}/credentials"),
    ("otwa", "getServerStats"): _otwa("GET", "/servers/{w.otwa_server}/stats"),
    ("otwa", "renameServer"): _otwa("PATCH", "/servers/{w.otwa_server}/label", {"label": "renamed"}),
    ("otwa", "listServerAddons"): _otwa("GET", "/servers/{w.otwa_server}/addons"),
    ("otwa", "purchaseServerAddon"): _purchase_addon,
    ("otwa", "serverPowerAction"): _otwa("POST", "/servers/{w.otwa_server}/power/reboot"),
    ("otwa", "reinstallServer"): _otwa("POST", "/servers/{w.otwa_reinstalled}/reinstall",
                                       {"os": "debian", "osTemplate": "debian-13"}),
    ("otwa", "resetServerPassword"): _otwa("POST", "/servers/{w.otwa_server}/password-reset"),
    ("otwa", "issueServerSso"): _otwa("POST", "/servers/{w.otwa_server}/sso", {}),
}


def operation_of(provider, path, method):
    """The spec's operation object."""
    return SPECS[provider]["paths"][path][method.lower()]


@pytest.mark.parametrize("provider,path,method", OPERATIONS, ids=[f"{p}:{m}:{path}" for p, path, m in OPERATIONS])
def test_operation_answers_a_documented_success_status_with_a_schema_valid_body(world, provider, path, method):
    operation = operation_of(provider, path, method)
    driver = DRIVERS.get((provider, operation["operationId"]))
    assert driver is not None, f"the contract test has no driver for {provider} {method} {path}"
    answer = driver(world)
    assert 200 <= answer.status < 300, answer
    assert str(answer.status) in operation["responses"], f"{answer.status} is not documented for {method} {path}"
    schema = response_schema(SPECS[provider], operation, answer.status)
    if schema is not None:
        jsonschema.validate(answer.body, schema)


def test_every_driver_names_a_real_operation():
    known = {(name, op["operationId"]) for name, spec in SPECS.items() for _path, _method, op in operations(spec)}
    assert set(DRIVERS) == known
