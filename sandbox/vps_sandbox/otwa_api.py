"""Otwa Cloud REST v1: account, catalog, servers, power, reinstall, add-ons, SSO; every route scope-gated."""

import random
import uuid
from urllib.parse import quote

from . import catalog, renewals, timefmt, tokens
from .auth import authenticate
from .errors import fail
from .routing import Response, Router
from .state import Server, money

PROVIDER = "otwa"
DAY = 86400
BILLING_CYCLE_DAYS = 30
PENDING_SHARE = 0.2  # share of provision_delay a new server spends in `pending` before `provisioning`
POWER_ACTIONS = {"start": ("start", "Start queued"), "stop": ("stop", "Stop queued"),
                 "reboot": ("reboot", "Reboot queued")}
ADDON_IP_ENTRY = {"gateway": "127.0.0.1", "netmask": "255.0.0.0", "cidr": "127.0.0.0/8"}


def _iso(epoch_seconds):
    # Otwa is a NestJS API: its dates are JavaScript's, with milliseconds. An update a moment
    # after the last one (a reboot) then shows in updatedAt, as callers that watch it expect.
    return timefmt.iso(epoch_seconds, milliseconds=True)


def _region(server):
    return catalog.find_otwa_region(server.location)


def ip_entries(server):
    """The server's add-on IPs as IpEntry objects."""
    return [dict(ADDON_IP_ENTRY, ip=ip, region=_region(server)["code"]) for ip in server.visible_additional_ips]


def summary_body(server, convenience_fields=True):
    """A ServerSummary; with convenience_fields, plus productId, monthlyPrice and regionSlug, which the
    sandbox adds beyond the spec (config `otwa_convenience_fields` turns them off)."""
    product = catalog.find_otwa_product(server.plan)
    body = {
        "id": server.id, "label": server.label, "hostname": server.hostname, "status": server.status,
        "ipAddress": server.visible_ip, "os": server.os, "region": _region(server)["code"],
        "vcpu": product["vcpu"], "ramMb": product["ramMb"], "diskGb": product["diskGb"],
        "bandwidthGb": product["bandwidthGb"], "additionalIps": ip_entries(server),
        "createdAt": _iso(server.created_at), "updatedAt": _iso(server.updated_at),
    }
    if convenience_fields:
        body.update(regionSlug=server.location, productId=product["id"], monthlyPrice=str(server.price))
    return body


def detail_body(server, convenience_fields=True):
    """A ServerDetail: the summary plus networking and specs."""
    body = summary_body(server, convenience_fields)
    body["networking"] = {"primaryIp": server.visible_ip, "gateway": "127.0.0.1" if server.visible_ip else None,
                          "additionalIps": ip_entries(server)}
    body["specs"] = {"vcpu": body["vcpu"], "ramMb": body["ramMb"], "ramGb": body["ramMb"] // 1024,
                     "diskGb": body["diskGb"], "bandwidthGb": body["bandwidthGb"], "os": server.os,
                     "region": body["region"]}
    return body


def _server_body(app, server, detail=False):
    """The server as this sandbox's config has Otwa show it."""
    convenience_fields = app.store.config["otwa_convenience_fields"]
    return detail_body(server, convenience_fields) if detail else summary_body(server, convenience_fields)


def _account(app, request, scope):
    return app.store.account_of(authenticate(app, request, PROVIDER, scope))


def _owned_server(app, request, scope):
    account = _account(app, request, scope)
    server = app.store.servers.get(f"{PROVIDER}-{request.params['id']}")
    if server is None or server.account_id != account.id:
        fail(404, "Server not found")
    return account, server


def get_account(app, request):
    account = _account(app, request, "account:read")
    return Response(200, {"id": account.id, "email": account.email, "firstName": "Sandbox", "lastName": "User",
                          "balance": str(account.balance), "tier": account.tier,
                          "createdAt": _iso(account.created_at)})


def list_products(app, request):
    _account(app, request, "account:read")
    return Response(200, [catalog.otwa_product_public(product) for product in catalog.OTWA_PRODUCTS])


def list_regions(app, request):
    _account(app, request, "account:read")
    return Response(200, [{"slug": region["slug"], "name": region["name"]} for region in catalog.OTWA_REGIONS])


def list_os_templates(app, request):
    _account(app, request, "account:read")
    return Response(200, [dict(template) for template in catalog.OTWA_OS_TEMPLATES])


def get_reseller(app, request):
    account = _account(app, request, "account:read")
    if not account.reseller:
        return Response(200, None)
    state = {"isReseller": True, "brandSlug": None, "brandName": None, "marginPercent": None, "status": "active"}
    state.update(account.reseller)
    return Response(200, state)


def _sso_link(request, default_next):
    next_path = request.json().get("next", default_next)
    if not isinstance(next_path, str) or not next_path.startswith("/"):
        fail(400, "next must be a path starting with /")
    url = f"{request.origin}/otwa/sso?t={tokens.hex_token(24)}&next={quote(next_path, safe='')}"
    return Response(200, {"url": url, "expiresIn": 300})


def account_sso(app, request):
    _account(app, request, "account:read")
    return _sso_link(request, "/dashboard")


def server_sso(app, request):
    server = _owned_server(app, request, "servers:read")[1]
    return _sso_link(request, f"/dashboard/servers/{server.id}")


def validated_template(body):
    """The OS template named by osTemplate, with `os` matching its id or family; 400 otherwise."""
    for field in ("os", "osTemplate"):
        if not isinstance(body.get(field), str) or not body[field]:
            fail(400, f"{field} is required")
    template = catalog.find_otwa_template(body["osTemplate"])
    if template is None:
        valid = ", ".join(t["id"] for t in catalog.OTWA_OS_TEMPLATES)
        fail(400, f"Unknown osTemplate {body['osTemplate']!r}. Valid templates: {valid}")
    if body["os"] not in (template["id"], template["family"].lower()):
        fail(400, f"os must be {template['id']!r} or {template['family'].lower()!r} for this osTemplate")
    return template


def _validated_addons(product, addon_ids):
    if addon_ids is None:
        return []
    if not isinstance(addon_ids, list) or not all(isinstance(item, str) for item in addon_ids):
        fail(400, "addons must be a list of add-on ids")
    offered = {addon["id"]: addon for addon in product["addons"]}
    chosen = []
    for addon_id in addon_ids:
        if addon_id not in offered:
            fail(400, f"Unknown add-on {addon_id!r} for this product. Valid add-ons: {', '.join(offered)}")
        if any(addon["type"] == offered[addon_id]["type"] for addon in chosen):
            fail(400, f"Only one add-on per type: {offered[addon_id]['type']} given twice")
        chosen.append(offered[addon_id])
    return chosen


def validated_deploy(body):
    """(product, template, region, addons) of a deploy body; 400 naming the bad field otherwise."""
    if not isinstance(body.get("productId"), str) or not body["productId"]:
        fail(400, "productId is required")
    product = catalog.find_otwa_product(body["productId"])
    if product is None:
        fail(400, f"Unknown productId {body['productId']!r}. Valid products: "
                  + ", ".join(p["id"] for p in catalog.OTWA_PRODUCTS))
    template = validated_template(body)
    region_slug = body.get("region") or catalog.OTWA_REGIONS[0]["slug"]
    region = catalog.find_otwa_region(region_slug)
    if region is None:
        fail(400, f"Unknown region {region_slug!r}. Valid regions: "
                  + ", ".join(r["slug"] for r in catalog.OTWA_REGIONS))
    for field in ("label", "hostname"):
        if body.get(field) is not None and (not isinstance(body[field], str) or not body[field]):
            fail(400, f"{field} must be a non-empty string")
    return product, template, region, _validated_addons(product, body.get("addons"))


def new_server(store, account, product, template_id, region_slug, label=None, hostname=None, addons=(),
               status="pending"):
    """Create an Otwa server record with its addresses reserved (no charge, no scheduling)."""
    server_id = str(uuid.uuid4())
    created = store.billing_now()
    short = server_id.split("-", maxsplit=1)[0]
    server = store.add_server(Server(
        key=f"{PROVIDER}-{server_id}", provider=PROVIDER, id=server_id, account_id=account.id,
        plan=product["id"], location=region_slug, os=template_id, hostname=hostname or f"srv-{short}.otwa.cloud",
        label=label or f"server-{short}", cycle="monthly",
        price=money(product["monthlyPrice"]) + sum(money(addon["price"]) for addon in addons),
        status=status, ip=store.primary_ips.allocate(), password=tokens.password(),
        created_at=created, updated_at=timefmt.now(), addons=[addon["id"] for addon in addons],
        expires_at=renewals.cycle_end(PROVIDER, "monthly", created),
    ))
    for addon in addons:
        server.additional_ips.extend(store.additional_ips.allocate() for _ip in range(addon["ip_count"]))
    return server


def _replay_or(store, scope, produce):
    """The cached answer for an Idempotency-Key scope, or produce() (a 2xx answer is remembered)."""
    if scope is not None:
        cached = store.cached_answer(scope)
        if cached is not None:
            return Response(*cached)
    response = produce()
    if scope is not None and 200 <= response.status < 300:
        store.remember_answer(scope, response.status, response.body)
    return response


def deploy_server(app, request):
    store = app.store
    account = _account(app, request, "servers:write")
    key = request.header("idempotency-key")
    scope = (PROVIDER, account.id, "deploy", key) if key else None

    def deploy():
        product, template, region, addons = validated_deploy(request.json(required=True))
        body = request.json()
        server_price = money(product["monthlyPrice"]) + sum(money(addon["price"]) for addon in addons)
        if not store.can_afford(account, server_price):
            fail(402, "Insufficient wallet balance")
        server = new_server(store, account, product, template["id"], region["slug"], body.get("label"),
                            body.get("hostname"), addons)
        store.charge(account, server_price, f"Server {server.label} ({product['name']})", server.id)
        delay = store.config["provision_delay"]
        store.schedule(server, delay * PENDING_SHARE, "accept", remaining=delay * (1 - PENDING_SHARE))
        return Response(201, _server_body(app, server))
    return _replay_or(store, scope, deploy)


def list_servers(app, request):
    account = _account(app, request, "servers:read")
    servers = app.store.listed(app.store.servers_of(PROVIDER, account.id))
    return Response(200, [_server_body(app, server) for server in servers])


def get_server(app, request):
    return Response(200, _server_body(app, _owned_server(app, request, "servers:read")[1], detail=True))


def terminate_server(app, request):
    server = _owned_server(app, request, "servers:destroy")[1]
    if server.status != "terminated":
        app.store.schedule(server, app.store.config["terminate_delay"], "terminate")
    return Response(200, {"message": "Termination queued"})


def get_credentials(app, request):
    server = _owned_server(app, request, "servers:read")[1]
    ip = server.visible_ip
    return Response(200, {"username": "root", "password": server.password, "ip": ip,
                          "sshCommand": f"ssh root@{ip}" if ip else None})


def get_stats(app, request):
    server = _owned_server(app, request, "servers:read")[1]
    if server.status != "running":
        return Response(200, None)
    product = catalog.find_otwa_product(server.plan)
    return Response(200, {"cpu": round(random.uniform(1, 40), 1),
                          "memoryUsed": random.randint(256, product["ramMb"] // 2), "memoryTotal": product["ramMb"],
                          "diskUsed": random.randint(2, product["diskGb"] // 2), "diskTotal": product["diskGb"]})


def rename_server(app, request):
    server = _owned_server(app, request, "servers:write")[1]
    label = request.json(required=True).get("label")
    if not isinstance(label, str) or not label.strip():
        fail(400, "label is required")
    server.label = label
    server.updated_at = timefmt.now()
    return Response(200, _server_body(app, server))


def _require_provisioned(store, server):
    pending = store.jobs.get(server.key)
    if server.status == "terminated" or (pending is not None and pending.kind == "terminate"):
        fail(400, "Server is terminated")
    if server.status == "suspended":
        fail(403, "Server is suspended by administrator")
    if server.status not in ("running", "stopped"):
        fail(400, "Server is not provisioned yet")


def power_action(app, request):
    server = _owned_server(app, request, "servers:write")[1]
    if request.params["action"] not in POWER_ACTIONS:
        fail(400, f"Unknown power action {request.params['action']!r}; valid actions: start, stop, reboot")
    _require_provisioned(app.store, server)
    job, message = POWER_ACTIONS[request.params["action"]]
    already = (job, server.status) in (("start", "running"), ("stop", "stopped"))
    if not already or server.key in app.store.jobs:
        app.store.schedule(server, app.store.config["power_delay"], job)
    return Response(200, {"message": message})


def reinstall_server(app, request):
    store = app.store
    account, server = _owned_server(app, request, "servers:destroy")
    key = request.header("idempotency-key")
    scope = (PROVIDER, account.id, "reinstall", server.id, key) if key else None

    def reinstall():
        template = validated_template(request.json(required=True))
        _require_provisioned(store, server)
        server.status = "provisioning"
        server.updated_at = timefmt.now()
        store.schedule(server, store.config["reinstall_delay"], "reinstall", os=template["id"])
        return Response(200, {"message": "Reinstall queued"})
    return _replay_or(store, scope, reinstall)


def reset_password(app, request):
    server = _owned_server(app, request, "servers:write")[1]
    if server.status != "running" or app.store.config["guest_agent_down"]:
        return Response(200, {"success": False, "message": "Guest agent is not responding"})
    new_password = tokens.password()
    # The machine first: a rotation it refuses answers success=false and keeps the old password.
    app.lifecycle.call_machine(server.key, "set_password", new_password)
    server.password = new_password
    return Response(200, {"success": True, "password": new_password})


def _days_remaining(store, server):
    elapsed_days = int((store.billing_now() - server.created_at) // DAY)
    return BILLING_CYCLE_DAYS - elapsed_days % BILLING_CYCLE_DAYS


def _prorated(price, days_remaining):
    return round(price * days_remaining / BILLING_CYCLE_DAYS, 2)


def list_addons(app, request):
    server = _owned_server(app, request, "servers:read")[1]
    product = catalog.find_otwa_product(server.plan)
    days = _days_remaining(app.store, server)
    owned_types = {addon["type"] for addon in product["addons"] if addon["id"] in server.addons}
    cycle_end = server.created_at + (int((app.store.billing_now() - server.created_at) // DAY) + days) * DAY
    return Response(200, {
        "addons": [{"id": addon["id"], "name": addon["name"], "description": addon["description"],
                    "type": addon["type"], "price": addon["price"], "proratedPrice": _prorated(addon["price"], days),
                    "owned": addon["type"] in owned_types} for addon in product["addons"]],
        "daysRemaining": days, "billingCycleEnd": _iso(cycle_end),
    })


def purchase_addon(app, request):
    store = app.store
    account, server = _owned_server(app, request, "servers:write")
    addon_id = request.json(required=True).get("addonId")
    if not isinstance(addon_id, str) or not addon_id:
        fail(400, "addonId is required")
    product = catalog.find_otwa_product(server.plan)
    addon = next((a for a in product["addons"] if a["id"] == addon_id), None)
    if addon is None:
        fail(400, f"Unknown add-on {addon_id!r} for this server. Valid add-ons: "
                  + ", ".join(a["id"] for a in product["addons"]))
    if server.status not in ("running", "stopped"):
        fail(400, "Add-ons can only be attached to a provisioned server")
    if any(a["type"] == addon["type"] and a["id"] in server.addons for a in product["addons"]):
        fail(400, f"An add-on of type {addon['type']} is already active on this server")
    days = _days_remaining(app.store, server)
    prorated = _prorated(addon["price"], days)
    if not store.can_afford(account, prorated):
        fail(400, "Insufficient wallet balance")
    store.charge(account, prorated, f"Add-on {addon['name']} for server {server.label}", addon["id"])
    server.addons.append(addon["id"])
    server.additional_ips.extend(store.additional_ips.allocate() for _ip in range(addon["ip_count"]))
    server.price += money(addon["price"])
    server.updated_at = timefmt.now()
    return Response(200, {
        "addon": {"id": addon["id"], "name": addon["name"], "type": addon["type"], "price": addon["price"]},
        "prorated": prorated, "daysRemaining": days, "newMonthlyPrice": float(server.price),
        "allocatedIpCount": addon["ip_count"],
    })


def build_router():
    """Every Otwa route."""
    router = Router()
    server = r"/servers/(?P<id>[^/]+)"
    for method, path, handler in [
        ("GET", "/account", get_account), ("GET", "/products", list_products), ("GET", "/regions", list_regions),
        ("GET", "/os-templates", list_os_templates), ("GET", "/reseller", get_reseller), ("POST", "/sso", account_sso),
        ("GET", "/servers", list_servers), ("POST", "/servers", deploy_server),
        ("GET", server, get_server), ("DELETE", server, terminate_server),
        ("GET", server + "/credentials", get_credentials), ("GET", server + "/stats", get_stats),
        ("PATCH", server + "/label", rename_server),
        ("GET", server + "/addons", list_addons), ("POST", server + "/addons", purchase_addon),
        ("POST", server + r"/power/(?P<action>[^/]+)", power_action),
        ("POST", server + "/reinstall", reinstall_server),
        ("POST", server + "/password-reset", reset_password), ("POST", server + "/sso", server_sso),
    ]:
        router.add(method, path, handler)
    return router
