# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Otwa Cloud server add-ons: which server is meant, the add-on catalog as returned to users, and
the exact prices the price limit is checked against."""

from __future__ import annotations

import re

from .._providers.model import to_decimal, usd
from .._core.resolve import InvalidChoice

_UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def find_server_id(adapter, server):
    """The ID of the server named by ``server``: a UUID is taken as it is, anything else is a name.

    A name must match exactly one live server; otherwise InvalidChoice lists the servers there are.
    """
    if _UUID_RE.match(server):
        return server
    servers = [item for item in adapter.list_servers() if item["status"] != "terminated"]
    matches = [item for item in servers if item["name"] == server]
    if len(matches) == 1:
        return matches[0]["id"]
    if len(matches) > 1:
        raise InvalidChoice("server (the name is used by %d servers; give the ID)" % len(matches),
                            server, matches, ("id", "name"))
    raise InvalidChoice("server", server, servers, ("id", "name"))


def addon_record(addon):
    """One add-on as the modules return it (money as USD floats, ``owned`` as the API says)."""
    return {
        "id": addon.get("id"),
        "name": addon.get("name"),
        "description": addon.get("description"),
        "type": addon.get("type"),
        "price_usd": addon.get("price_usd"),
        "prorated_price_usd": addon.get("prorated_price_usd"),
        "owned": bool(addon.get("owned")),
    }


def addon_catalog(adapter, server_id):
    """``{server_id, addons, days_remaining, billing_cycle_end}`` for one server."""
    return catalog_from_listing(server_id, adapter.list_addons(server_id))


def catalog_from_listing(server_id, listing):
    """The catalog of :func:`addon_catalog` from an adapter's ``list_addons`` answer."""
    return {
        "server_id": server_id,
        "addons": [addon_record(addon) for addon in listing["addons"]],
        "days_remaining": listing["days_remaining"],
        "billing_cycle_end": listing["billing_cycle_end"],
    }


def exact_prorated_price(listing, addon_id):
    """The prorated price of one add-on as the exact Decimal the API sent, or None.

    The catalog's ``prorated_price_usd`` is rounded to cents for display; a limit is checked
    against the API's own number, so 15.004 is above a limit of 15.
    """
    for addon in listing["addons"]:
        if addon.get("id") == addon_id:
            return to_decimal(addon.get("proratedPrice"))
    return None


def exceeds_limit(price, limit):
    """True when ``price`` (exact Decimal, None if unknown) may be above ``limit`` USD (None: no limit)."""
    if limit is None:
        return False
    return price is None or price > to_decimal(limit)


def charged_amount(answer):
    """The exact Decimal a purchase charged, from Otwa's ``PurchaseAddonResponse``, or None."""
    return to_decimal((answer or {}).get("prorated"))


def purchase_record(answer):
    """What a purchase charged, from Otwa's ``PurchaseAddonResponse`` (money as USD floats)."""
    answer = answer or {}
    return {
        "charged_usd": usd(answer.get("prorated")),
        "new_monthly_price_usd": usd(answer.get("newMonthlyPrice")),
        "allocated_ip_count": answer.get("allocatedIpCount"),
        "days_remaining": answer.get("daysRemaining"),
    }
