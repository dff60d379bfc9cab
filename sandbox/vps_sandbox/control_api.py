"""The /_sandbox control API: reset, accounts, bulk seeding, top-up settlement, wallets, config, logs."""

import copy
import re

from . import catalog, otwa_api, renewals, timefmt, tokens, topups, vpscrypto_api
from .config import ConfigError, apply_update
from .errors import fail
from .routing import Response, Router
from .state import money

_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")
SEED_STATUSES = {
    "vpscrypto": {"running": "active", "active": "active", "provisioning": "provisioning",
                  "suspended": "suspended", "terminated": "terminated"},
    "otwa": {"running": "running", "active": "running", "pending": "pending", "provisioning": "provisioning",
             "stopped": "stopped", "suspended": "suspended", "terminated": "terminated"},
}
MAX_SEED_COUNT = 100_000
MAX_ADVANCE_SECONDS = 10 * 366 * 86400


def health(app, request):
    return Response(200, {"status": "ok"})


def reset(app, request):
    app.store.reset()
    app.lifecycle.machines.shutdown()
    return Response(200, {"status": "reset"})


def create_account(app, request):
    body = request.json()
    provider = body.get("provider")
    if provider not in ("vpscrypto", "otwa"):
        fail(400, "provider must be one of: vpscrypto, otwa")
    try:
        balance = money(body.get("balance_usd", 0))
    except ArithmeticError:
        fail(400, "balance_usd must be a number")
    reseller = body.get("reseller")
    if reseller is not None and not isinstance(reseller, dict):
        fail(400, "reseller must be null or an object")
    tier = body.get("tier", "standard")
    if tier not in ("standard", "pro", "enterprise"):
        fail(400, "tier must be one of: standard, pro, enterprise")
    account, key = app.store.create_account(provider, balance, body.get("scopes"), tier, reseller)
    return Response(201, {"provider": provider, "account_id": account.id, "api_key": key.secret,
                          "balance_usd": float(account.balance), "scopes": account.scopes})


def _seed_one(app, account, body, index, status):
    store = app.store
    name = f"{body.get('name_prefix', 'seed')}-{index:04d}"
    if account.provider == "vpscrypto":
        plan = catalog.find_vpscrypto_plan(body.get("plan", "hunter"))
        if plan is None:
            fail(400, "plan is unknown; valid values: " + ", ".join(p["slug"] for p in catalog.VPSCRYPTO_PLANS))
        location, os_slug = body.get("location", "nl"), body.get("os", "debian-13")
        return vpscrypto_api.new_server(store, account, plan, location, os_slug, body.get("cycle", "monthly"),
                                        hostname=name, status=status)
    product = catalog.find_otwa_product(body.get("plan", catalog.OTWA_PRODUCTS[0]["id"]))
    if product is None:
        fail(400, "plan is unknown; valid values: " + ", ".join(p["id"] for p in catalog.OTWA_PRODUCTS))
    region = body.get("region") or body.get("location") or catalog.OTWA_REGIONS[0]["slug"]
    if catalog.find_otwa_region(region) is None:
        fail(400, "region is unknown; valid values: " + ", ".join(r["slug"] for r in catalog.OTWA_REGIONS))
    return otwa_api.new_server(store, account, product, body.get("os", "ubuntu-24.04"), region,
                               label=name, hostname=name, status=status)


def seed_servers(app, request):
    store = app.store
    body = request.json(required=True)
    key = store.authenticate_any(body.get("api_key"))
    if key is None:
        fail(400, "api_key must be a live API key of a sandbox account")
    account = store.account_of(key)
    count = body.get("count", 1)
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_SEED_COUNT:
        fail(400, f"count must be an integer between 1 and {MAX_SEED_COUNT}")
    status = SEED_STATUSES[account.provider].get(body.get("status", "running"))
    if status is None:
        fail(400, "status must be one of: " + ", ".join(SEED_STATUSES[account.provider]))
    first = len(store.servers_of(account.provider, account.id)) + 1
    ids = []
    for index in range(first, first + count):
        server = _seed_one(app, account, body, index, status)
        server.provisioned = status in ("active", "running", "stopped", "suspended", "terminated")
        if status == "terminated":
            store.release_ips(server)
        elif status in ("pending", "provisioning"):
            store.schedule(server, store.config["provision_delay"], "provision")
        elif status in ("active", "running") and body.get("start_machines"):
            app.lifecycle.call_machine(server.key, "start", server.ip, server.hostname, server.password)
        ids.append(server.id)
    return Response(201, {"created": count, "ids": ids})


def list_servers(app, request):
    return Response(200, {"servers": [{
        "provider": server.provider, "id": server.id, "key": server.key, "account": server.account_id,
        "status": server.status, "ip": server.visible_ip, "hostname": server.hostname, "label": server.label,
        "plan": server.plan, "location": server.location, "os": server.os, "price_usd": float(server.price),
        "additional_ips": server.visible_additional_ips, "created_at": timefmt.iso(server.created_at),
        "expires_at": timefmt.iso(server.expires_at), "cycle": server.cycle,
    } for server in app.store.servers.values()]})


def list_secrets(app, request):
    """Every secret the sandbox knows: API keys, root passwords (former ones too), login tokens,
    signed payment headers. For tests that check none of them reaches a client's output."""
    known = set(tokens.issued()) | set(app.store.keys) | set(
        server.password for server in app.store.servers.values() if server.password)
    return Response(200, {"secrets": sorted(known)})


def settle_topup(app, request):
    return Response(200, topups.topup_body(topups.settle(app.store, request.params["ref"])))


def expire_topup(app, request):
    return Response(200, topups.topup_body(topups.expire(app.store, request.params["ref"])))


def _wallet_body(store, address):
    return {"address": address, "usdc": str(store.wallets.get(address.lower(), money(0)))}


def fund_wallet(app, request):
    body = request.json(required=True)
    address = body.get("address")
    if not isinstance(address, str) or not _ADDRESS.match(address):
        fail(400, "address must be a 0x-prefixed 20-byte hex address")
    try:
        amount = money(body.get("usdc", "0"))
    except ArithmeticError:
        fail(400, "usdc must be a decimal amount")
    store = app.store
    store.wallets[address.lower()] = store.wallets.get(address.lower(), money(0)) + amount
    return Response(200, _wallet_body(store, address))


def get_wallet(app, request):
    return Response(200, _wallet_body(app.store, request.params["address"]))


def get_config(app, request):
    # A copy: the answer is serialised after the lock is released, while faults keep being consumed.
    return Response(200, copy.deepcopy(app.store.config))


def put_config(app, request):
    try:
        apply_update(app.store.config, request.json(required=True))
    except ConfigError as error:
        fail(400, str(error))
    return Response(200, copy.deepcopy(app.store.config))


def get_ledger(app, request):
    provider, account = request.query.get("provider"), request.query.get("account")
    entries = [entry for entry in app.store.ledger
               if (provider is None or entry["provider"] == provider)
               and (account is None or str(entry["account"]) == account)]
    return Response(200, {"entries": entries})


def _clock_body(store):
    return {"offset_seconds": store.clock_offset, "now": timefmt.iso(store.billing_now()),
            "wall_clock": timefmt.iso(timefmt.now())}


def get_clock(app, request):
    return Response(200, _clock_body(app.store))


def advance_clock(app, request):
    seconds = request.json(required=True).get("advance_seconds")
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not 0 <= seconds <= MAX_ADVANCE_SECONDS:
        fail(400, f"advance_seconds must be a number of seconds between 0 and {MAX_ADVANCE_SECONDS}")
    store = app.store
    store.clock_offset += seconds
    outcomes = renewals.run_due(store)
    return Response(200, dict(_clock_body(store), renewals=outcomes))


def get_requests(app, request):
    return Response(200, {"requests": list(app.store.request_log)})


def clear_requests(app, request):
    app.store.request_log.clear()
    return Response(200, {"cleared": True})


def build_router():
    """Every control route (paths relative to /_sandbox)."""
    router = Router()
    for method, path, handler in [
        ("GET", "/health", health), ("POST", "/reset", reset), ("POST", "/accounts", create_account),
        ("POST", "/servers", seed_servers), ("GET", "/servers", list_servers), ("GET", "/secrets", list_secrets),
        ("POST", r"/topups/(?P<ref>[^/]+)/settle", settle_topup),
        ("POST", r"/topups/(?P<ref>[^/]+)/expire", expire_topup),
        ("POST", "/wallets", fund_wallet), ("GET", r"/wallets/(?P<address>[^/]+)", get_wallet),
        ("GET", "/config", get_config), ("PUT", "/config", put_config),
        ("GET", "/ledger", get_ledger),
        ("GET", "/clock", get_clock), ("POST", "/clock", advance_clock),
        ("GET", "/requests", get_requests), ("DELETE", "/requests", clear_requests),
    ]:
        router.add(method, path, handler)
    return router
