# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Server add-ons (Otwa Cloud): the add-on catalog as returned to users, and the exact prices the
price limit is checked against."""

from __future__ import annotations

from .._providers.model import to_decimal

PURCHASE_FIELDS = ("charged_usd", "new_monthly_price_usd", "allocated_ip_count", "days_remaining")


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
            return addon.get("prorated_price")
    return None


def exceeds_limit(price, limit):
    """True when ``price`` (exact Decimal, None if unknown) may be above ``limit`` USD (None: no limit)."""
    if limit is None:
        return False
    return price is None or price > to_decimal(limit)


def charged_amount(purchase):
    """The exact Decimal a purchase charged (an adapter's ``purchase_addon`` record), or None."""
    return (purchase or {}).get("charged")


def purchase_record(purchase):
    """What a purchase charged, as the module returns it (money as USD floats)."""
    purchase = purchase or {}
    return dict((key, purchase.get(key)) for key in PURCHASE_FIELDS)
