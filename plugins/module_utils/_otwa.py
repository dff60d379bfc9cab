# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Otwa Cloud: its API paths and shapes, mapped to the common model."""

from __future__ import annotations

import uuid

from ._adapter import ProviderAdapter
from ._model import as_list, new_server, usd

PROVIDER = "otwa"


def new_idempotency_key():
    """One random key per logical operation, reused by every retry of it."""
    return str(uuid.uuid4())


def _ip_list(entries):
    return [entry.get("ip") if isinstance(entry, dict) else entry for entry in entries or [] if entry]


def _plan_for(data, products):
    """The product a server runs on: named by the API when it says so, else matched by specs."""
    for key in ("productName", "plan", "product"):
        if isinstance(data.get(key), str):
            return data[key]
    by_id = [product["name"] for product in products if data.get("productId") and product.get("id") == data["productId"]]
    if by_id:
        return by_id[0]
    specs = (data.get("vcpu"), data.get("ramMb"), data.get("diskGb"))
    matches = [product["name"] for product in products
               if (product.get("vcpu"), product.get("ram_mb"), product.get("disk_gb")) == specs]
    return matches[0] if len(matches) == 1 else None


def server_from_api(data, products=()):
    """The common server record for an Otwa ``ServerSummary`` or ``ServerDetail``."""
    networking = data.get("networking") or {}
    specs = data.get("specs") or {}
    additional = data.get("additionalIps") or networking.get("additionalIps") or []
    return new_server(
        PROVIDER,
        id=data.get("id"),
        name=data.get("label"),
        hostname=data.get("hostname"),
        raw_status=data.get("status"),
        ip=data.get("ipAddress") or networking.get("primaryIp"),
        additional_ips=_ip_list(additional),
        plan=_plan_for(data, products),
        # The region slug, as orders take it, where the API gives one; else its display code.
        location=data.get("regionSlug") or data.get("region") or specs.get("region"),
        os=data.get("os") or specs.get("os"),
        price_usd=usd(data.get("monthlyPrice")),
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
        "provider_data": data,
    }


class OtwaAdapter(ProviderAdapter):
    """Otwa Cloud's REST v1 (https://otwa.cloud/api/v1)."""

    provider = PROVIDER

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
        products = self.client.get("/products").body or []
        regions = self.client.get("/regions").body or []
        templates = self.client.get("/os-templates").body or []
        return catalog_from_api(products, regions, templates)

    # -- servers ------------------------------------------------------------------------

    def _plans(self):
        try:
            return self.catalog()["plans"]
        except Exception:  # a key without account:read still lists servers, only without plan names
            return []

    def list_servers(self):
        self.require("list_servers")
        items = as_list(self.client.get("/servers").body, "servers")
        plans = self._plans() if items else []
        return [server_from_api(item, plans) for item in items]

    def get_server(self, server_id):
        self.require("list_servers")
        return server_from_api(self.client.get("/servers/%s" % server_id).body or {}, self._plans())

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
        """``POST /servers`` with an ``Idempotency-Key``; returns ``(server, None)``.

        Otwa never returns a password on deploy: it is read from ``/credentials``.
        """
        self.require("order_server")
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
                                    idempotency_key=idempotency_key or new_idempotency_key())
        return server_from_api(response.body or {}, self._plans()), None

    def rename_server(self, server_id, label):
        # Setting a label to a value is the same however often it is done.
        self.require("rename_server")
        body = self.client.patch("/servers/%s/label" % server_id, json_body={"label": label},
                                 replay_safe=True).body
        return server_from_api(body or {}, self._plans())

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
        """``POST /servers/{id}/reinstall`` with an ``Idempotency-Key`` (needs ``servers:destroy``)."""
        self.require("reinstall_server")
        family = os_family or os_template.split("-")[0]
        return self.client.post("/servers/%s/reinstall" % server_id,
                                json_body={"os": family, "osTemplate": os_template},
                                idempotency_key=idempotency_key or new_idempotency_key()).body

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
            "provider_data": body,
        }

    def purchase_addon(self, server_id, addon_id):
        """Buy an add-on. Not repeated on a lost answer; the caller re-reads ``owned`` instead."""
        self.require("addons")
        return self.client.post("/servers/%s/addons" % server_id, json_body={"addonId": addon_id}).body or {}
