"""Every operation of both specs, driven with valid input, answers a documented status and a body that
validates against the spec's schema for that status and carries every property the schema declares."""

import os
from types import SimpleNamespace

import jsonschema
import pytest

from vps_sandbox.openapi_schema import component_schema, load_spec, operations, response_schema
from vps_sandbox.testing import call_api as http

SPEC_DIR = os.path.dirname(os.path.abspath(__file__))

ALL_OTWA_SCOPES = ["account:read", "servers:read", "servers:write", "servers:destroy", "billing:read"]
SPECS = {name: load_spec(os.path.join(SPEC_DIR, f"{name}.openapi.json")) for name in ("vpscrypto", "otwa")}
OPERATIONS = [(name, path, method) for name, spec in SPECS.items() for path, method, _operation in operations(spec)]
# Properties the spec says an answer may leave out: a password reset has a password only on
# success ("omitted on failure") and a message only on failure.
OPTIONAL_PROPERTIES = {"otwa": {"PasswordResetResponse": {"password", "message"}}}
# List answers the spec gives no schema for, whose items are a component schema: (key, schema name).
LIST_ITEMS = {("vpscrypto", "/servers", "GET"): ("servers", "Server")}


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


@pytest.fixture(scope="module")
def answer_of(world):
    """Drive an operation once per module; every check below reads the same answer."""
    answers = {}

    def drive(provider, path, method):
        if (provider, path, method) not in answers:
            driver = DRIVERS.get((provider, operation_of(provider, path, method)["operationId"]))
            assert driver is not None, f"the contract test has no driver for {provider} {method} {path}"
            answers[(provider, path, method)] = driver(world)
        return answers[(provider, path, method)]
    return drive


@pytest.mark.parametrize("provider,path,method", OPERATIONS, ids=[f"{p}:{m}:{path}" for p, path, m in OPERATIONS])
def test_operation_answers_a_documented_success_status_with_a_schema_valid_body(answer_of, provider, path, method):
    operation = operation_of(provider, path, method)
    answer = answer_of(provider, path, method)
    assert 200 <= answer.status < 300, answer
    assert str(answer.status) in operation["responses"], f"{answer.status} is not documented for {method} {path}"
    schema = response_schema(SPECS[provider], operation, answer.status)
    if schema is not None:
        jsonschema.validate(answer.body, schema)


@pytest.mark.parametrize("provider,path,method", OPERATIONS, ids=[f"{p}:{m}:{path}" for p, path, m in OPERATIONS])
def test_operation_answer_carries_every_property_its_schema_declares(answer_of, provider, path, method):
    answer = answer_of(provider, path, method)
    schema = response_schema(SPECS[provider], operation_of(provider, path, method), answer.status,
                             strict=True, optional=OPTIONAL_PROPERTIES.get(provider))
    if schema is not None:
        jsonschema.validate(answer.body, schema)


@pytest.mark.parametrize("provider,path,method", list(LIST_ITEMS), ids=[f"{p}:{m}:{path}" for p, path, m in LIST_ITEMS])
def test_list_items_are_complete_objects_of_their_component_schema(answer_of, provider, path, method):
    key, name = LIST_ITEMS[(provider, path, method)]
    items = answer_of(provider, path, method).body[key]
    assert items, f"{method} {path} listed nothing to check"
    schema = component_schema(SPECS[provider], name, strict=True, optional=OPTIONAL_PROPERTIES.get(provider))
    for item in items:
        jsonschema.validate(item, schema)


def test_spec_only_otwa_server_objects_hold_exactly_the_specs_properties(sandbox, world):
    summary = set(SPECS["otwa"]["components"]["schemas"]["ServerSummary"]["properties"])
    sandbox.configure(otwa_convenience_fields=False)
    try:
        listed = http("GET", world.otwa + "/servers", world.otwa_key).body
        detail = http("GET", f"{world.otwa}/servers/{world.otwa_server}", world.otwa_key).body
    finally:
        sandbox.configure(otwa_convenience_fields=True)
    assert listed and all(set(item) == summary for item in listed)
    assert set(detail) == summary | {"networking", "specs"}


def test_every_driver_names_a_real_operation():
    known = {(name, op["operationId"]) for name, spec in SPECS.items() for _path, _method, op in operations(spec)}
    assert set(DRIVERS) == known
