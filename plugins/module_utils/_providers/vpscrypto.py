# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""VPSCrypto: its API paths and shapes, mapped to the common model."""

from __future__ import annotations

from .adapter import ProviderAdapter
from .._http.client import ApiError
from .model import as_list, new_server, provider_data, usd

PROVIDER = "vpscrypto"
SPEC_FIELDS = ("vcpu", "ram_mb", "disk_gb", "bandwidth_gb")
# Asks POST /topups for x402 payment requirements instead of an invoice.
X402_MODE_HEADER = "X-Payment-Mode"


def same_hostname(listed, ordered):
    """True when two hostnames name the same host: DNS names ignore case and a trailing dot."""
    if not listed or not ordered:
        return False
    return str(listed).strip().rstrip(".").lower() == str(ordered).strip().rstrip(".").lower()


def server_from_api(data):
    """The common server record for a VPSCrypto ``Server`` object."""
    return new_server(
        PROVIDER,
        id=str(data.get("id")) if data.get("id") is not None else None,
        name=data.get("hostname"),
        hostname=data.get("hostname"),
        raw_status=data.get("status"),
        ip=data.get("ip"),
        additional_ips=[],
        plan=data.get("plan"),
        location=data.get("location"),
        os=data.get("os"),
        price_usd=usd(data.get("price_usd")),
        cycle=data.get("cycle"),
        created_at=data.get("created_at"),
        expires_at=data.get("expires_at"),
        provider_data=data,
    )


def catalog_from_api(data):
    """The common catalog for a VPSCrypto ``/catalog`` answer."""
    data = data or {}
    plans = []
    for plan in data.get("plans") or []:
        plans.append({
            "id": plan.get("slug"),
            "slug": plan.get("slug"),
            "name": plan.get("name"),
            "price_monthly_usd": usd(plan.get("price_monthly_usd")),
            "price_annual_usd": usd(plan.get("price_annual_usd")),
            "vcpu": plan.get("vcpu"),
            "ram_mb": int(plan["ram_gb"] * 1024) if plan.get("ram_gb") is not None else None,
            "disk_gb": plan.get("disk_gb"),
            "bandwidth_gb": int(plan["bandwidth_tb"] * 1000) if plan.get("bandwidth_tb") is not None else None,
            "region": None,
        })
    return {
        "provider": PROVIDER,
        "plans": plans,
        "locations": [{"slug": loc.get("slug"), "name": loc.get("name")} for loc in data.get("locations") or []],
        "os": [{"slug": item.get("slug"), "name": item.get("name"), "family": item.get("family")}
               for item in data.get("os") or []],
        "cycles": list(data.get("cycles") or ["monthly", "annual"]),
        "coins": list(data.get("coins") or []),
        "topup": data.get("topup") or {"min_usd": 25, "max_usd": 2000},
        "provider_data": provider_data(data),
    }


def account_from_api(data):
    """The common account record for a VPSCrypto ``Account``."""
    data = data or {}
    return {
        "provider": PROVIDER,
        "id": str(data.get("user_id")) if data.get("user_id") is not None else None,
        "balance_usd": usd(data.get("balance_usd")),
        "currency": data.get("currency") or "USD",
        "servers": data.get("servers"),
        "totp_enabled": data.get("totp_enabled"),
        "created_at": data.get("created_at"),
        "tier": None,
        "provider_data": provider_data(data),
    }


def topup_from_api(data):
    """The common top-up record for a VPSCrypto ``Topup``."""
    data = data or {}
    return {
        "provider": PROVIDER,
        "ref": data.get("ref"),
        "status": data.get("status"),
        "amount_usd": usd(data.get("amount_usd")),
        "coin": data.get("coin"),
        "deposit_address": data.get("deposit_address"),
        "deposit_amount": data.get("deposit_amount"),
        "deposit_coin": data.get("deposit_coin"),
        "deposit_network": data.get("deposit_network"),
        "qr_data_uri": data.get("qr_data_uri"),
        "expires_at": data.get("expires_at"),
        "provider_data": provider_data(data),
    }


class VpsCryptoAdapter(ProviderAdapter):
    """VPSCrypto's REST v1 (https://vpscrypto.io/api/v1)."""

    provider = PROVIDER
    # A VPSCrypto server's name is its hostname, so names compare as DNS names do.
    same_name = staticmethod(same_hostname)
    # Cycle name -> (months, days): a server is paid for a calendar month or year at a time.
    billing_cycles = {"monthly": (1, 0), "annual": (12, 0)}

    # -- account and keys -------------------------------------------------------------

    def create_account(self):
        """``POST /account`` (no auth). Returns the raw answer: it holds api_key and login_token once."""
        self.require("create_account")
        return self.client.post("/account", authenticated=False).body or {}

    def get_account(self):
        self.require("account")
        return account_from_api(self.client.get("/account").body)

    def health(self):
        self.require("health")
        return self.client.get("/health", authenticated=False).body

    def list_api_keys(self):
        self.require("list_api_keys")
        return as_list(self.client.get("/keys").body, "keys")

    def create_api_key(self, name=None):
        """``POST /keys``; the answer carries the full key once. Not repeated on a lost answer."""
        self.require("create_api_key")
        body = {"name": name} if name else {}
        return self.client.post("/keys", json_body=body).body or {}

    def revoke_api_key(self, key_id):
        # Revoking twice cannot do more than revoking once. The caller found the key first, so a 404
        # means it is gone - often because a retried request's first attempt already revoked it.
        self.require("revoke_api_key")
        return self.client.delete("/keys/%s" % key_id, replay_safe=True, pass_statuses=(404,)).body

    # -- catalog ------------------------------------------------------------------------

    def get_catalog(self):
        self.require("catalog")
        return catalog_from_api(self.client.get("/catalog", authenticated=False).body)

    # -- top-ups ------------------------------------------------------------------------

    def create_topup(self, amount, coin):
        """``POST /topups`` for a classic invoice. Returns the raw Response (a 402 is passed through).

        Not repeated after an ambiguous failure: an invoice costs nothing, but a second one would
        be a second invoice.
        """
        self.require("topup")
        return self.client.post("/topups", json_body={"amount": amount, "coin": coin}, pass_statuses=(402,))

    def request_payment_requirements(self, amount, coin):
        """``POST /topups`` without a payment: the x402 requirements come back as a 402 Response.

        Replay-safe: with no X-PAYMENT / PAYMENT-SIGNATURE header the API has nothing to settle,
        and for an x402 coin (and ``X-Payment-Mode: x402``, which the spec says asks for x402
        whatever the coin) it can only answer 402 with what to pay, so a retry creates nothing.
        """
        self.require("topup")
        return self.client.post("/topups", json_body={"amount": amount, "coin": coin},
                                headers={X402_MODE_HEADER: "x402"}, pass_statuses=(402,), replay_safe=True)

    def resend_payment(self, amount, coin, headers):
        """Send the request again with a signed x402 payment header, as the protocol has it.

        Replay-safe: the same signed authorization (same nonce) can settle at most once, so a
        retry can only return the first outcome. The header is scrubbed from any error text.
        """
        self.require("topup")
        return self.client.post("/topups", json_body={"amount": amount, "coin": coin},
                                headers=headers, pass_statuses=(402,), replay_safe=True,
                                secrets=tuple(headers.values()))

    def get_topup(self, ref):
        self.require("topup")
        return topup_from_api(self.client.get("/topups/%s" % ref).body)

    # -- servers ------------------------------------------------------------------------

    def list_servers(self):
        self.require("list_servers")
        return [server_from_api(item) for item in as_list(self.client.get("/servers").body, "servers")]

    def get_server(self, server_id):
        self.require("list_servers")
        return server_from_api(self.client.get("/servers/%s" % server_id).body or {})

    def fill_plan_specs(self, servers):
        """Servers with vcpu, ram_mb, disk_gb and bandwidth_gb from the plan they name (its slug or
        name) in the catalog, read once per adapter; specs stay None where the plan is not listed
        or the catalog cannot be read. VPSCrypto's server objects carry no specs of their own."""
        if not servers:
            return servers
        try:
            plans = self.catalog()["plans"]
        except ApiError:
            return servers
        by_name = {}
        for plan in plans:
            for key in ("slug", "name"):
                if plan.get(key):
                    by_name.setdefault(str(plan[key]).lower(), plan)
        filled = []
        for server in servers:
            plan = by_name.get(str(server.get("plan") or "").lower(), {})
            specs = dict((field, plan.get(field)) for field in SPEC_FIELDS if server.get(field) is None)
            filled.append(dict(server, **specs))
        return filled

    def get_credentials(self, server_id):
        self.require("credentials")
        data = self.client.get("/servers/%s/credentials" % server_id).body or {}
        return {
            "username": data.get("username") or "root",
            "password": data.get("password"),
            "ip": data.get("ip"),
            "ssh_command": data.get("ssh_command"),
        }

    def order_server(self, order, known_ids=()):
        """``POST /servers``; returns ``(server, root_password_or_None)``.

        The API has no idempotency key, so when the answer is lost the server list is read again:
        a server with this hostname that was not among ``known_ids`` is the one this order made,
        and the order is not sent a second time (see ``ApiClient.request`` for when it is). An
        order without a hostname cannot be recognised that way, so it is never sent twice.
        """
        self.require("order_server")
        body = dict((key, order[key]) for key in ("plan", "location", "os", "cycle", "hostname", "root_password")
                    if order.get(key) is not None)
        known = set(str(item) for item in known_ids)
        hostname = order.get("hostname")

        def find_own_order():
            for server in self.list_servers():
                # A new order is never terminated; an old namesake that was is not this order.
                if (same_hostname(server["hostname"], hostname) and server["id"] not in known
                        and server["status"] != "terminated"):
                    return server["provider_data"]
            return None

        try:
            response = self.client.post("/servers", json_body=body, effect_probe=find_own_order if hostname else None,
                                        secrets=(order.get("root_password"),))
        except ApiError as error:
            if error.outcome_unknown and hostname:
                # Not "safe to re-run": a late order can land after the next run's look-up; the modules
                # say what their intent journal does about that.
                error.message += "; a late order shows in the server list under its hostname"
            raise
        data = response.body or {}
        return server_from_api(data), data.get("root_password")
