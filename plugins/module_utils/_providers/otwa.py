# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Otwa Cloud: its API paths and shapes, mapped to the common model."""

from __future__ import annotations

import re
import threading

from .adapter import ProviderAdapter
from .._http.client import ApiError
from .model import as_list, new_server, provider_data, usd
from .._payments.runway import iso, next_cycle_end, provider_now

PROVIDER = "otwa"
BILLING_CYCLE_DAYS = 30


def _require_key(idempotency_key, what):
    if not idempotency_key:
        raise ValueError("an Otwa %s needs the Idempotency-Key derived from the request" % what)


def _ip_list(entries):
    return [entry.get("ip") if isinstance(entry, dict) else entry for entry in entries or [] if entry]


def _named_plan(data):
    """The product name a server object states outright, if any (the spec's objects do not)."""
    for key in ("productName", "plan", "product"):
        if isinstance(data.get(key), str):
            return data[key]
    return None


def _region_of(data):
    """The region a server object names: its slug where the API adds one, else the spec's code."""
    return data.get("regionSlug") or data.get("region") or (data.get("specs") or {}).get("region")


def product_for(data, products):
    """The ``/products`` entry a server runs on: by ``productId`` where the API gives one, else the
    one product with the server's vCPU, RAM and disk; None when that is not one product."""
    if data.get("productId"):
        by_id = [product for product in products if product.get("id") == data["productId"]]
        if by_id:
            return by_id[0]
    specs = data.get("specs") or {}
    wanted = tuple(data.get(key, specs.get(key)) for key in ("vcpu", "ramMb", "diskGb"))
    if None in wanted:
        return None
    matches = [product for product in products
               if tuple(product.get(key) for key in ("vcpu", "ramMb", "diskGb")) == wanted]
    return matches[0] if len(matches) == 1 else None


def region_slug(region, regions):
    """The ``/regions`` slug a server's region names, or None when no one region matches.

    The spec's server objects give a code (``OTWA IST``) where orders take a slug (``tr-ist-01``);
    the code's city part is one of the slug's dash-separated parts. A slug or a region's name
    is matched as it is.
    """
    if not region:
        return None
    text = str(region).strip().lower()
    for entry in regions:
        if text in (str(entry.get("slug") or "").lower(), str(entry.get("name") or "").lower()):
            return entry.get("slug")
    parts = [part for part in re.split(r"[\s_-]+", text) if part and part != "otwa"]
    matches = [entry.get("slug") for entry in regions
               if parts and set(parts) <= set(str(entry.get("slug") or "").lower().split("-"))]
    return matches[0] if len(matches) == 1 else None


def server_from_api(data, products=(), regions=()):
    """The common server record for an Otwa ``ServerSummary`` or ``ServerDetail``.

    ``products`` and ``regions`` are the ``/products`` and ``/regions`` answers: the spec's server
    objects name neither plan nor price nor region slug, so they come from there. Fields the API
    adds beyond the spec (``productId``, ``monthlyPrice``, ``regionSlug``) are used when present.
    """
    networking = data.get("networking") or {}
    specs = data.get("specs") or {}
    additional = data.get("additionalIps") or networking.get("additionalIps") or []
    product = product_for(data, products) or {}
    region = _region_of(data)
    return new_server(
        PROVIDER,
        id=data.get("id"),
        name=data.get("label"),
        hostname=data.get("hostname"),
        raw_status=data.get("status"),
        ip=data.get("ipAddress") or networking.get("primaryIp"),
        additional_ips=_ip_list(additional),
        plan=_named_plan(data) or product.get("name"),
        # The region slug, as orders take it; the API's code only where no region matches it.
        location=data.get("regionSlug") or region_slug(region, regions) or region,
        os=data.get("os") or specs.get("os"),
        # The product's price leaves out add-ons bought on top; the API's own figure includes them.
        price_usd=usd(data.get("monthlyPrice") if data.get("monthlyPrice") is not None else product.get("monthlyPrice")),
        cycle="monthly",
        created_at=data.get("createdAt"),
        expires_at=data.get("expiresAt"),
        vcpu=data.get("vcpu", specs.get("vcpu")),
        ram_mb=data.get("ramMb", specs.get("ramMb")),
        disk_gb=data.get("diskGb", specs.get("diskGb")),
        bandwidth_gb=data.get("bandwidthGb", specs.get("bandwidthGb")),
        provider_data=data,
    )


def catalog_from_api(products, regions, templates):
    """The common catalog from ``/products``, ``/regions`` and ``/os-templates``."""
    plans = [{
        "id": product.get("id"),
        "slug": product.get("id"),
        "name": product.get("name"),
        "price_monthly_usd": usd(product.get("monthlyPrice")),
        "price_annual_usd": None,
        "vcpu": product.get("vcpu"),
        "ram_mb": product.get("ramMb"),
        "disk_gb": product.get("diskGb"),
        "bandwidth_gb": product.get("bandwidthGb"),
        "region": product.get("region"),
    } for product in products or []]
    return {
        "provider": PROVIDER,
        "plans": plans,
        "locations": [{"slug": region.get("slug"), "name": region.get("name")} for region in regions or []],
        "os": [{"slug": item.get("id"), "name": item.get("label"), "family": item.get("family")}
               for item in templates or []],
        "cycles": ["monthly"],
        "coins": [],
        "topup": None,
        "provider_data": {"products": products, "regions": regions, "os_templates": templates},
    }


def account_from_api(data):
    """The common account record for an Otwa ``Account`` (its balance is a string)."""
    data = data or {}
    return {
        "provider": PROVIDER,
        "id": data.get("id"),
        "balance_usd": usd(data.get("balance")),
        "currency": "USD",
        "servers": None,
        "totp_enabled": None,
        "created_at": data.get("createdAt"),
        "tier": data.get("tier"),
        "provider_data": provider_data(data),
    }


class OtwaAdapter(ProviderAdapter):
    """Otwa Cloud's REST v1 (https://otwa.cloud/api/v1)."""

    provider = PROVIDER
    # Cycle name -> (months, days): the wallet pays each server every 30 days from its creation, the
    # cycle the add-on proration counts (daysRemaining, billingCycleEnd).
    billing_cycles = {"monthly": (0, BILLING_CYCLE_DAYS)}

    def __init__(self, client):
        super(OtwaAdapter, self).__init__(client)
        self._lookups = {}
        self._lookups_lock = threading.Lock()

    # -- account ------------------------------------------------------------------------

    def get_account(self):
        self.require("account")
        return account_from_api(self.client.get("/account").body)

    def get_reseller(self):
        self.require("reseller")
        return self.client.get("/reseller").body

    def sso_link(self, next_path=None, server_id=None):
        """A single-use dashboard login URL, for the account or one server.

        Minting a second link on a retry is harmless (each expires unused), so it is replay-safe.
        """
        self.require("sso_link")
        path = "/servers/%s/sso" % server_id if server_id else "/sso"
        body = {"next": next_path} if next_path else {}
        return self.client.post(path, json_body=body, replay_safe=True).body or {}

    # -- catalog ------------------------------------------------------------------------

    def get_catalog(self):
        self.require("catalog")
        products = self._read_once_more("/products")
        regions = self._read_once_more("/regions")
        templates = self.client.get("/os-templates").body or []
        with self._lookups_lock:
            # The same lists _lookup() keeps, so servers listed later need no second read.
            self._lookups.update({"/products": as_list(products, "items"), "/regions": as_list(regions, "items")})
        return catalog_from_api(products, regions, templates)

    def _read_once_more(self, path):
        """``/products`` or ``/regions`` for the catalog: the list servers were mapped with, when one was
        read (a fleet lists its servers first), else read now; a failed read raises here."""
        with self._lookups_lock:
            known = self._lookups.get(path)
        return known if known else (self.client.get(path).body or [])

    def _lookup(self, path):
        """``/products`` or ``/regions`` as the API answers, read at most once per adapter.

        An unreadable one counts as empty: a key without ``account:read`` still lists servers,
        only without plan names, prices and region slugs.
        """
        with self._lookups_lock:  # held while reading, so concurrent callers read once
            if path not in self._lookups:
                try:
                    self._lookups[path] = as_list(self.client.get(path).body, "items")
                except ApiError:
                    self._lookups[path] = []
            return self._lookups[path]

    # -- servers ------------------------------------------------------------------------

    def _servers_from_api(self, items):
        """Common server records for API server objects, reading the catalogs only they need."""
        products = regions = ()
        if any(_named_plan(item) is None or item.get("monthlyPrice") is None for item in items):
            products = self._lookup("/products")
        if any(not item.get("regionSlug") and _region_of(item) for item in items):
            regions = self._lookup("/regions")
        servers = [server_from_api(item, products, regions) for item in items]
        # The API does not say when a server's paid period ends: it is the end of its current cycle.
        now = provider_now(self.client)
        for server in servers:
            if server["expires_at"] is None and server["status"] != "terminated":
                server["expires_at"] = iso(next_cycle_end(server["created_at"], now, self.billing_cycles["monthly"]))
        return servers

    def list_servers(self):
        self.require("list_servers")
        return self._servers_from_api(as_list(self.client.get("/servers").body, "servers"))

    def get_server(self, server_id):
        self.require("list_servers")
        return self._servers_from_api([self.client.get("/servers/%s" % server_id).body or {}])[0]

    def get_credentials(self, server_id):
        self.require("credentials")
        data = self.client.get("/servers/%s/credentials" % server_id).body or {}
        return {
            "username": data.get("username") or "root",
            "password": data.get("password"),
            "ip": data.get("ip"),
            "ssh_command": data.get("sshCommand"),
        }

    def get_stats(self, server_id):
        self.require("stats")
        return self.client.get("/servers/%s/stats" % server_id).body

    def order_server(self, order, idempotency_key=None, known_ids=()):
        """``POST /servers`` with the caller's ``Idempotency-Key``; returns ``(server, None)``.

        The key is derived from the request by the caller (``_order_guard.otwa_order_key``), so a
        re-run replays the order; there is no random fallback. Otwa never returns a password on
        deploy: it is read from ``/credentials``.
        """
        self.require("order_server")
        _require_key(idempotency_key, "order")
        body = {
            "productId": order["plan"],
            "os": order["os"],
            "osTemplate": order.get("os_template") or order["os"],
        }
        for key, api_key in (("name", "label"), ("hostname", "hostname"), ("location", "region"),
                             ("addons", "addons")):
            if order.get(key):
                body[api_key] = order[key]
        response = self.client.post("/servers", json_body=body,
                                    idempotency_key=idempotency_key)
        return self._servers_from_api([response.body or {}])[0], None

    def rename_server(self, server_id, label):
        # Setting a label to a value is the same however often it is done.
        self.require("rename_server")
        body = self.client.patch("/servers/%s/label" % server_id, json_body={"label": label},
                                 replay_safe=True).body
        return self._servers_from_api([body or {}])[0]

    def terminate_server(self, server_id):
        """``DELETE /servers/{id}`` (needs the ``servers:destroy`` scope). Terminating a server
        twice cannot destroy more than once, so a lost answer is retried. The caller found the
        server first, so a 404 means it is already gone (the goal), e.g. after such a retry."""
        self.require("terminate_server")
        return self.client.delete("/servers/%s" % server_id, replay_safe=True, pass_statuses=(404,)).body

    def power(self, server_id, action):
        """``start``, ``stop`` or ``reboot``. Not repeated on a lost answer (a second reboot is real)."""
        self.require("power")
        return self.client.post("/servers/%s/power/%s" % (server_id, action)).body

    def reinstall_server(self, server_id, os_template, os_family=None, idempotency_key=None):
        """``POST /servers/{id}/reinstall`` with the caller's ``Idempotency-Key`` (needs ``servers:destroy``)."""
        self.require("reinstall_server")
        _require_key(idempotency_key, "reinstall")
        family = os_family or os_template.split("-")[0]
        return self.client.post("/servers/%s/reinstall" % server_id,
                                json_body={"os": family, "osTemplate": os_template},
                                idempotency_key=idempotency_key).body

    def reset_password(self, server_id):
        """Rotate the root password through the guest agent; returns the raw answer."""
        self.require("reset_password")
        return self.client.post("/servers/%s/password-reset" % server_id).body or {}

    # -- add-ons ------------------------------------------------------------------------

    def list_addons(self, server_id):
        self.require("addons")
        body = self.client.get("/servers/%s/addons" % server_id).body or {}
        return {
            "addons": [dict(addon, prorated_price_usd=usd(addon.get("proratedPrice")),
                            price_usd=usd(addon.get("price"))) for addon in body.get("addons") or []],
            "days_remaining": body.get("daysRemaining"),
            "billing_cycle_end": body.get("billingCycleEnd"),
            "provider_data": provider_data(body),
        }

    def purchase_addon(self, server_id, addon_id):
        """Buy an add-on. Not repeated on a lost answer; the caller re-reads ``owned`` instead."""
        self.require("addons")
        return self.client.post("/servers/%s/addons" % server_id, json_body={"addonId": addon_id}).body or {}
