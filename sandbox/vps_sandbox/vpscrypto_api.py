"""VPSCrypto REST v1: account, keys, catalog, top-ups (classic and x402), servers, health."""

from decimal import Decimal

from . import catalog, renewals, timefmt, tokens, x402_topups
from .topups import new_topup, topup_body
from .auth import authenticate
from .errors import fail
from .routing import Response, Router
from .state import Server, money

PROVIDER = "vpscrypto"
MIN_PASSWORD_LENGTH = 10


def server_body(server):
    """A Server object as the API shows it."""
    plan = catalog.find_vpscrypto_plan(server.plan)
    return {
        "id": server.id, "plan": plan["name"], "location": server.location, "os": server.os,
        "hostname": server.hostname, "cycle": server.cycle, "price_usd": float(server.price),
        "status": server.status, "ip": server.visible_ip, "username": "root",
        "created_at": timefmt.iso(server.created_at), "expires_at": timefmt.iso(server.expires_at),
    }


def account_body(store, account):
    """The Account schema."""
    live = [s for s in store.servers_of(PROVIDER, account.id) if s.status != "terminated"]
    return {"user_id": account.id, "balance_usd": float(account.balance), "currency": "USD",
            "servers": len(live), "totp_enabled": False, "created_at": timefmt.iso(account.created_at)}


def _own_account(app, request):
    return app.store.account_of(authenticate(app, request, PROVIDER))


def _owned_server(app, request):
    account = _own_account(app, request)
    server = app.store.servers.get(f"{PROVIDER}-{request.params['id']}")
    if server is None or server.account_id != account.id:
        fail(404, "Server not found")
    return server


def create_account(app, request):
    request.json()
    account, key = app.store.create_account(PROVIDER)
    return Response(201, {
        "user_id": account.id, "api_key": key.secret, "login_token": tokens.login_token(),
        "balance_usd": 0, "currency": "USD", "created_at": timefmt.iso(account.created_at),
    })


def get_account(app, request):
    return Response(200, account_body(app.store, _own_account(app, request)))


def health(app, request):
    return Response(200, {"status": "ok", "version": "1.0.0", "time": timefmt.iso(timefmt.now())})


def list_keys(app, request):
    account = _own_account(app, request)
    keys = [key for key in app.store.keys.values()
            if key.provider == PROVIDER and key.account_id == account.id and not key.revoked]
    return Response(200, {"keys": [
        {"id": key.id, "name": key.name, "prefix": key.prefix, "created_at": timefmt.iso(key.created_at),
         "last_used_at": timefmt.iso(key.last_used_at)} for key in sorted(keys, key=lambda k: k.id)]})


def create_key(app, request):
    account = _own_account(app, request)
    name = request.json().get("name")
    if name is not None and not isinstance(name, str):
        fail(400, "name must be a string")
    key = app.store.add_key(account, name)
    return Response(201, {"id": key.id, "name": key.name, "prefix": key.prefix, "api_key": key.secret,
                          "created_at": timefmt.iso(key.created_at)})


def revoke_key(app, request):
    account = _own_account(app, request)
    key = next((k for k in app.store.keys.values() if str(k.id) == request.params["id"]
                and k.provider == PROVIDER and k.account_id == account.id and not k.revoked), None)
    if key is None:
        fail(404, "API key not found")
    key.revoked = True
    return Response(200, {"id": key.id, "revoked": True})


def get_catalog(app, request):
    return Response(200, catalog.vpscrypto_catalog())


def _choice(body, field, entries, finder=None):
    value = body.get(field)
    found = finder(value) if finder and isinstance(value, str) else next(
        (entry for entry in entries if entry["slug"] == value), None)
    if found is None:
        valid = ", ".join(entry["slug"] for entry in entries)
        fail(400, f"{field} is {'missing' if value is None else 'unknown: ' + repr(value)}; valid values: {valid}")
    return found


def validated_order(body):
    """(plan, location slug, os slug, cycle) of an order body; 400 naming the bad field otherwise."""
    plan = _choice(body, "plan", catalog.VPSCRYPTO_PLANS, catalog.find_vpscrypto_plan)
    location = _choice(body, "location", catalog.VPSCRYPTO_LOCATIONS)["slug"]
    os_slug = _choice(body, "os", catalog.VPSCRYPTO_OS)["slug"]
    cycle = body.get("cycle") or "monthly"
    if cycle not in catalog.VPSCRYPTO_CYCLES:
        fail(400, f"cycle is unknown: {cycle!r}; valid values: {', '.join(catalog.VPSCRYPTO_CYCLES)}")
    password = body.get("root_password")
    if password is not None and (not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH):
        fail(400, f"root_password must be a string of at least {MIN_PASSWORD_LENGTH} characters")
    hostname = body.get("hostname")
    if hostname is not None and (not isinstance(hostname, str) or not hostname):
        fail(400, "hostname must be a non-empty string")
    return plan, location, os_slug, cycle


def new_server(store, account, plan, location, os_slug, cycle, hostname=None, password=None, status=None):
    """Create a VPSCrypto server record (no charge, no scheduling)."""
    server_id = store.next_id("vpscrypto_server")
    created = store.billing_now()
    price = plan["price_annual_usd"] if cycle == "annual" else plan["price_monthly_usd"]
    return store.add_server(Server(
        key=f"{PROVIDER}-{server_id}", provider=PROVIDER, id=server_id, account_id=account.id,
        plan=plan["slug"], location=location, os=os_slug, hostname=hostname or f"vps-{server_id}",
        label=hostname or f"vps-{server_id}", cycle=cycle, price=money(price),
        status=status or "provisioning", ip=store.primary_ips.allocate(), password=password or tokens.password(),
        created_at=created, updated_at=timefmt.now(), expires_at=renewals.cycle_end(PROVIDER, cycle, created),
    ))


def create_server(app, request):
    store = app.store
    account = _own_account(app, request)
    body = request.json(required=True)
    plan, location, os_slug, cycle = validated_order(body)
    price = money(plan["price_annual_usd"] if cycle == "annual" else plan["price_monthly_usd"])
    if not store.can_afford(account, price):
        fail(402, f"Insufficient balance: this order costs ${price}, your balance is ${account.balance}")
    server = new_server(store, account, plan, location, os_slug, cycle, body.get("hostname"), body.get("root_password"))
    store.charge(account, price, f"Server {server.id} ({plan['name']}, {cycle})", server.id)
    store.schedule(server, store.config["provision_delay"], "provision")
    answer = server_body(server)
    if not body.get("root_password"):
        answer["root_password"] = server.password
    return Response(201, answer)


def list_servers(app, request):
    account = _own_account(app, request)
    servers = sorted(app.store.listed(app.store.servers_of(PROVIDER, account.id)), key=lambda s: s.id)
    return Response(200, {"servers": [server_body(server) for server in servers]})


def get_server(app, request):
    return Response(200, server_body(_owned_server(app, request)))


def get_credentials(app, request):
    server = _owned_server(app, request)
    ip = server.visible_ip
    return Response(200, {"username": "root", "password": server.password, "ip": ip,
                          "ssh_command": f"ssh root@{ip}" if ip else None})


def _validated_topup(body):
    amount = body.get("amount")
    if isinstance(amount, bool) or not isinstance(amount, (int, float)) or not (
            catalog.TOPUP_MIN_USD <= amount <= catalog.TOPUP_MAX_USD):
        fail(400, f"amount must be a number between {catalog.TOPUP_MIN_USD} and {catalog.TOPUP_MAX_USD}")
    coin = body.get("coin")
    codes = [coin_entry["code"] for coin_entry in catalog.VPSCRYPTO_COINS]
    if coin is not None and coin not in codes:
        fail(400, f"coin is unknown: {coin!r}; valid values: {', '.join(codes)}")
    return money(amount), coin


def create_topup(app, request):
    account = _own_account(app, request)
    amount, coin = _validated_topup(request.json(required=True))
    if x402_topups.is_x402_request(request, coin):
        return x402_topups.pay_topup(app, request, account, amount)
    if coin is None:
        codes = ", ".join(coin_entry["code"] for coin_entry in catalog.VPSCRYPTO_COINS)
        fail(400, f"coin is missing; valid values: {codes}")
    network = next(c["network"] for c in catalog.VPSCRYPTO_COINS if c["code"] == coin)
    deposit = (amount / catalog.COIN_USD_RATES[coin]).quantize(Decimal("0.00000001"))
    topup = new_topup(
        app.store, account, amount, coin, status="pending", deposit_address=tokens.deposit_address(coin),
        deposit_amount=str(deposit), deposit_coin=coin.replace("TRC", ""), deposit_network=network,
        qr_data_uri=tokens.qr_data_uri(), expires_at=app.store.billing_now() + 3600)
    return Response(201, topup_body(topup))


def get_topup(app, request):
    account = _own_account(app, request)
    topup = app.store.topups.get(request.params["ref"])
    if topup is None or topup.account_id != account.id:
        fail(404, "Top-up not found")
    return Response(200, topup_body(topup))


def build_router():
    """Every VPSCrypto route."""
    router = Router()
    router.add("POST", "/account", create_account)
    router.add("GET", "/account", get_account)
    router.add("GET", "/health", health)
    router.add("GET", "/keys", list_keys)
    router.add("POST", "/keys", create_key)
    router.add("DELETE", r"/keys/(?P<id>[^/]+)", revoke_key)
    router.add("GET", "/catalog", get_catalog)
    router.add("POST", "/topups", create_topup)
    router.add("GET", r"/topups/(?P<ref>[^/]+)", get_topup)
    router.add("GET", "/servers", list_servers)
    router.add("POST", "/servers", create_server)
    router.add("GET", r"/servers/(?P<id>[^/]+)", get_server)
    router.add("GET", r"/servers/(?P<id>[^/]+)/credentials", get_credentials)
    return router
