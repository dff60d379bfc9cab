# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Turning a ``vps_server`` task into an order: checks, catalog resolution and price.

Everything here runs before any request that costs money, so bad input fails with what is
accepted instead of a half-made order.
"""

from __future__ import annotations

from .._module.base import ModuleFailure
from .._providers.model import new_server, to_decimal, usd
from .._core.resolve import resolve_choice

PLAN_KEYS = ("slug", "id", "name")
LOCATION_KEYS = ("slug", "name")
OS_KEYS = ("slug", "name")
TOPUP_HINT = "top up with vpsfleet.cloud.vps_topup"
# VPSCrypto's order schema: root_password minLength.
MIN_ROOT_PASSWORD_LENGTH = 10


def check_order_options(provider, params):
    """Fail on options the provider's order API cannot honour (no request needed to know)."""
    if provider == "vpscrypto":
        if params.get("addons"):
            raise ModuleFailure("addons are only offered by Otwa Cloud; VPSCrypto orders have no add-ons")
        if params.get("hostname") and params.get("name") and params["hostname"] != params["name"]:
            raise ModuleFailure("on VPSCrypto the name is the server's hostname: omit hostname or set it to %r"
                                % params["name"])
    password = params.get("root_password")
    if provider == "vpscrypto" and password is not None and len(password) < MIN_ROOT_PASSWORD_LENGTH:
        # The length only: the value itself never appears in a message.
        raise ModuleFailure("root_password is too short: VPSCrypto accepts at least %d characters, it has %d"
                            % (MIN_ROOT_PASSWORD_LENGTH, len(password)))
    if provider == "otwa" and params.get("root_password"):
        raise ModuleFailure("Otwa Cloud generates the root password itself; root_password is only accepted "
                            "for VPSCrypto (read Otwa's password from the result or with vps_server_info)")


def missing_order_options(provider, params):
    """The options an order still needs, in the order a user reads them."""
    required = ["name", "plan", "os"] + (["location"] if provider == "vpscrypto" else [])
    return [option for option in required if not params.get(option)]


def resolve_order(provider, catalog, params):
    """The order for ``params`` against the live ``catalog``.

    Returns ``{"request": <what the adapter's order_server takes>, "price": Decimal or None,
    "plan": item, "location": item or None, "os": item, "cycle": str}``; unknown values raise
    :class:`InvalidChoice` listing the valid ones.
    """
    missing = missing_order_options(provider, params)
    if missing:
        raise ModuleFailure("ordering a server needs %s" % ", ".join(missing))
    plan = resolve_choice("plan", params["plan"], catalog["plans"], PLAN_KEYS)
    location = resolve_choice("location", params.get("location"), catalog["locations"], LOCATION_KEYS)
    os_item = resolve_choice("os", params["os"], catalog["os"], OS_KEYS)
    cycle = params.get("cycle") or "monthly"
    if cycle not in catalog["cycles"]:
        raise ModuleFailure("cycle %r is not offered; valid choices: %s" % (cycle, ", ".join(catalog["cycles"])))
    request = {
        "plan": plan["slug"] or plan["id"],
        "location": location["slug"] if location else None,
        "os": os_item["slug"],
        "name": params["name"],
    }
    if provider == "vpscrypto":
        request.update(cycle=cycle, hostname=params["name"], root_password=params.get("root_password"))
    else:
        request.update(os_template=os_item["slug"], hostname=params.get("hostname"), addons=params.get("addons"))
    return {"request": request, "price": plan_price(plan, cycle), "plan": plan, "location": location,
            "os": os_item, "cycle": cycle}


def plan_price(plan, cycle):
    """The plan's price for ``cycle`` as a Decimal, or None when the catalog does not say."""
    return to_decimal(plan.get("price_%s_usd" % cycle))


def planned_server(provider, order):
    """The server model the order is expected to produce (for check mode and diffs)."""
    request = order["request"]
    plan = order["plan"]
    return new_server(
        provider, name=request["name"], hostname=request.get("hostname") or request["name"],
        plan=plan.get("name") or plan.get("slug"),
        location=order["location"]["slug"] if order["location"] else None, os=order["os"]["slug"],
        price_usd=usd(order["price"]), cycle=order["cycle"], vcpu=plan.get("vcpu"), ram_mb=plan.get("ram_mb"),
        disk_gb=plan.get("disk_gb"), bandwidth_gb=plan.get("bandwidth_gb"))


def balance_covers(price, balance_usd, with_addons=False):
    """True/False when both are known, else None.

    ``with_addons``: the order also carries Otwa add-ons, whose prices the API only lists for an
    existing server - so ``price`` is a lower bound, and a balance above it proves nothing.
    """
    balance = to_decimal(balance_usd)
    if price is None or balance is None:
        return None
    if balance < price:
        return False
    return None if with_addons else True


def insufficient_balance_message(price, balance_usd, with_addons=False):
    """The message for a refused (402) order: price, balance and what to do."""
    return "insufficient balance: the order costs %s%s, the balance is %s; %s" % (
        _money(price), " plus its add-ons" if with_addons else "", _money(balance_usd), TOPUP_HINT)


def _money(value):
    amount = usd(value)
    return "unknown" if amount is None else "$%.2f" % amount
