"""Cross-cutting contract rules: authentication, scopes, insufficient balance, idempotent deploys, x402 offers."""

import base64
import json
import os

import jsonschema
import pytest

from vps_sandbox.openapi_schema import load_spec, operations, requires_auth, response_schema, to_json_schema
from vps_sandbox.testing import call_api as http

SPEC_DIR = os.path.dirname(os.path.abspath(__file__))
SPECS = {name: load_spec(os.path.join(SPEC_DIR, f"{name}.openapi.json")) for name in ("vpscrypto", "otwa")}
AUTHED = [(name, path, method) for name, spec in SPECS.items()
          for path, method, operation in operations(spec) if requires_auth(spec, operation)]
SAMPLE_PATH_VALUES = {"{id}": "1", "{ref}": "vps-26-0000000000", "{action}": "start"}
BAD_KEYS = {"vpscrypto": "vpsk_not-a-real-key", "otwa": "otwa_not-a-real-key"}


def schema_named(provider, name):
    """A components/schemas entry as JSON Schema."""
    spec = SPECS[provider]
    return to_json_schema(spec, spec["components"]["schemas"][name])


def base_url(sandbox, provider):
    return sandbox.vpscrypto_url if provider == "vpscrypto" else sandbox.otwa_url


def concrete(path):
    for placeholder, value in SAMPLE_PATH_VALUES.items():
        path = path.replace(placeholder, value)
    return path


@pytest.mark.parametrize("bad_key", [None, "bad"], ids=["no-key", "bad-key"])
@pytest.mark.parametrize("provider,path,method", AUTHED, ids=[f"{p}:{m}:{path}" for p, path, m in AUTHED])
def test_authed_operation_rejects_a_missing_or_bad_key_with_401(sandbox, provider, path, method, bad_key):
    key = BAD_KEYS[provider] if bad_key else None
    answer = http(method, base_url(sandbox, provider) + concrete(path), key, body={})
    assert answer.status == 401
    operation = SPECS[provider]["paths"][path][method.lower()]
    documented = response_schema(SPECS[provider], operation, 401)
    jsonschema.validate(answer.body, documented or schema_named(provider, "Error"))


def test_otwa_terminate_with_default_scopes_is_forbidden_and_leaves_the_server(sandbox):
    account = sandbox.create_account("otwa", balance_usd=0)
    server_id = sandbox.seed_servers(account["api_key"], 1, status="running")["ids"][0]
    answer = http("DELETE", f"{sandbox.otwa_url}/servers/{server_id}", account["api_key"])
    assert answer.status == 403
    assert answer.body == {"message": "Forbidden: this API key lacks the servers:destroy scope", "statusCode": 403}
    status = http("GET", f"{sandbox.otwa_url}/servers/{server_id}", account["api_key"]).body["status"]
    assert status == "running"


def test_vpscrypto_order_beyond_the_balance_is_402_and_charges_nothing(sandbox):
    account = sandbox.create_account("vpscrypto", balance_usd=5)
    order = {"plan": "hunter", "location": "nl", "os": "debian-13"}
    answer = http("POST", sandbox.vpscrypto_url + "/servers", account["api_key"], order)
    assert answer.status == 402
    jsonschema.validate(answer.body, schema_named("vpscrypto", "Error"))
    assert answer.body == {"error": "insufficient_balance",
                           "message": "Insufficient balance: this order costs $14.00, your balance is $5.00"}
    assert [entry["kind"] for entry in sandbox.ledger(account=account["account_id"])] == ["opening"]
    assert http("GET", sandbox.vpscrypto_url + "/servers", account["api_key"]).body == {"servers": []}


def test_otwa_deploy_beyond_the_balance_is_402_and_charges_nothing(sandbox):
    account = sandbox.create_account("otwa", balance_usd=1)
    product = http("GET", sandbox.otwa_url + "/products", account["api_key"]).body[0]
    order = {"productId": product["id"], "os": "ubuntu", "osTemplate": "ubuntu-24.04"}
    answer = http("POST", sandbox.otwa_url + "/servers", account["api_key"], order)
    assert answer.status == 402
    assert answer.body == {"message": "Insufficient wallet balance", "statusCode": 402}
    assert [entry["kind"] for entry in sandbox.ledger(account=account["account_id"])] == ["opening"]


def test_otwa_deploy_replayed_with_the_same_idempotency_key_gives_the_same_server_and_one_charge(sandbox):
    account = sandbox.create_account("otwa", balance_usd=100)
    product = http("GET", sandbox.otwa_url + "/products", account["api_key"]).body[0]
    order = {"productId": product["id"], "os": "ubuntu-24.04", "osTemplate": "ubuntu-24.04"}
    headers = {"Idempotency-Key": "deploy-once"}
    first = http("POST", sandbox.otwa_url + "/servers", account["api_key"], order, headers)
    second = http("POST", sandbox.otwa_url + "/servers", account["api_key"], order, headers)
    assert (first.status, second.status) == (201, 201)
    assert second.body["id"] == first.body["id"]
    assert len(http("GET", sandbox.otwa_url + "/servers", account["api_key"]).body) == 1
    charges = [entry for entry in sandbox.ledger(account=account["account_id"]) if entry["kind"] == "charge"]
    assert [entry["amount_usd"] for entry in charges] == [float(product["monthlyPrice"])]


def test_x402_topup_offer_validates_against_x402_requirements(sandbox):
    sandbox.configure(x402_version=1, x402_network="base")
    account = sandbox.create_account("vpscrypto", balance_usd=0)
    answer = http("POST", sandbox.vpscrypto_url + "/topups", account["api_key"], {"amount": 25, "coin": "USDCBASE"})
    assert answer.status == 402
    jsonschema.validate(answer.body, schema_named("vpscrypto", "X402Requirements"))
    offer = answer.body["accepts"][0]
    assert offer["maxAmountRequired"] == "25000000"
    assert offer["resource"] == sandbox.vpscrypto_url + "/topups"
    assert answer.body["error"] == "X-PAYMENT header is required"


def test_x402_v2_offer_travels_in_the_payment_required_header(sandbox):
    sandbox.configure(x402_version=2, x402_network="base-sepolia")
    try:
        account = sandbox.create_account("vpscrypto", balance_usd=0)
        answer = http("POST", sandbox.vpscrypto_url + "/topups", account["api_key"], {"amount": 30},
                      {"X-Payment-Mode": "x402"})
        required = json.loads(base64.b64decode(answer.headers["PAYMENT-REQUIRED"]))
    finally:
        sandbox.configure(x402_version=1, x402_network="base")
    assert answer.status == 402
    assert required["x402Version"] == 2
    assert required["accepts"][0]["network"] == "eip155:84532"
    assert required["accepts"][0]["amount"] == "30000000"
    assert required["resource"]["url"] == sandbox.vpscrypto_url + "/topups"


@pytest.mark.parametrize("provider,expected", [
    ("vpscrypto", {"error": "not_found"}), ("otwa", {"statusCode": 404}),
])
def test_unknown_path_is_404_in_the_providers_error_shape(sandbox, provider, expected):
    answer = http("GET", base_url(sandbox, provider) + "/no-such-thing")
    assert answer.status == 404
    assert expected.items() <= answer.body.items() and "message" in answer.body


def test_bad_enum_value_is_400_naming_the_field_and_the_accepted_values(sandbox):
    account = sandbox.create_account("vpscrypto", balance_usd=100)
    order = {"plan": "hunter", "location": "mars", "os": "debian-13"}
    answer = http("POST", sandbox.vpscrypto_url + "/servers", account["api_key"], order)
    assert answer.status == 400
    assert answer.body["error"] == "invalid_request"
    assert "location" in answer.body["message"] and "nl, is, ch" in answer.body["message"]


def test_converted_schema_rejects_a_body_of_the_wrong_shape():
    spec = SPECS["otwa"]
    schema = response_schema(spec, spec["paths"]["/servers/{id}"]["get"], 200)
    jsonschema.validate({"ipAddress": None, "networking": {"primaryIp": None}}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"ipAddress": 42}, schema)
