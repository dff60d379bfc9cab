#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: vps_addon
short_description: Buy an add-on (extra IPs, IP class, backups) for an Otwa Cloud server
version_added: 0.1.0
author:
  - vpsfleet maintainers (@vpsfleet)
description:
  - Makes sure the server has the add-on O(addon), buying it if the server has no active add-on of its type.
  - Buying charges the prorated price (for the days left in the billing cycle) to the account balance at
    once, and raises the server's monthly price by the add-on's price.
  - Otwa Cloud allows one add-on per type (extra-ip, ip-class, backup). The API only says whether an add-on
    of the same type is active, so an active add-on of that type counts as present.
  - New IPs are routed to the server; configuring them inside the guest OS is up to you.
  - VPSCrypto has no add-ons; with O(provider=vpscrypto) the module fails before any request.
extends_documentation_fragment:
  - vpsfleet.cloud.provider
  - vpsfleet.cloud.api_client
  - vpsfleet.cloud.attributes
  - vpsfleet.cloud.attributes.CHANGES_WITH_DIFF
options:
  server:
    description:
      - ID (UUID) or name (label) of the server. A name must match exactly one server.
    type: str
    required: true
  addon:
    description:
      - ID (for example V(vpk8qnr2)) or name (for example V(8 Additional IPs)) of the add-on.
      - M(vpsfleet.cloud.vps_addon_info) lists the add-ons a server can buy. An unknown value fails listing them.
    type: str
    required: true
  state:
    description:
      - V(present) buys the add-on unless an add-on of its type is active. Add-ons cannot be removed through
        the API.
    type: str
    choices: [present]
    default: present
  max_prorated_price:
    description:
      - Refuse to buy when the prorated price charged now is above this many USD. Nothing is charged then.
      - Compared with the exact price the API lists, not the one rounded to cents in RV(addon.prorated_price_usd).
      - Should the purchase report a charge above it all the same, the task warns; the charge has been made.
    type: float
notes:
  - In check mode, reports whether the add-on would be bought and the prorated charge; buys nothing.
  - The diff says whether an add-on of that type was active before and after.
  - A purchase whose answer is lost is not sent again; the module reads the add-on list instead and reports
    the purchase when the add-on shows as active.
seealso:
  - module: vpsfleet.cloud.vps_addon_info
"""

EXAMPLES = r"""
- name: Add daily backups to web-1, at most 10 USD for the rest of this cycle
  vpsfleet.cloud.vps_addon:
    provider: otwa
    server: web-1
    addon: Daily Backups
    max_prorated_price: 10

- name: Add 8 IPs to a Cloud M server by add-on ID (vps_addon_info lists a server's own)
  vpsfleet.cloud.vps_addon:
    provider: otwa
    server: 7c0e4b1a-3d55-4c4e-9f0e-2f4d8b1e6a10
    addon: vpk8qnr2
"""

RETURN = r"""
server_id:
  description: ID of the server.
  returned: success
  type: str
addon:
  description: The add-on, as M(vpsfleet.cloud.vps_addon_info) lists it, with RV(addon.owned) after the task.
  returned: success
  type: dict
  contains:
    id:
      description: Add-on ID.
      type: str
    name:
      description: Display name.
      type: str
    description:
      description: What it provides.
      type: str
    type:
      description: V(extra-ip), V(ip-class) or V(backup).
      type: str
    price_usd:
      description: Full monthly price in USD.
      type: float
    prorated_price_usd:
      description: The charge for buying it now, in USD.
      type: float
    owned:
      description: Whether an add-on of this type is active on the server.
      type: bool
days_remaining:
  description: Days left in the billing cycle.
  returned: success
  type: int
purchase:
  description: What the purchase charged. V(null) when the purchase answer was lost but the add-on shows as active.
  returned: when an add-on was bought
  type: dict
  contains:
    charged_usd:
      description: Prorated amount charged to the balance, in USD.
      type: float
    new_monthly_price_usd:
      description: The server's monthly price from now on, in USD.
      type: float
    allocated_ip_count:
      description: How many IPs were allocated (0 for backups).
      type: int
    days_remaining:
      description: Days left in the billing cycle.
      type: int
"""

from ansible_collections.vpsfleet.cloud.plugins.module_utils._services.addons import (
    addon_catalog, catalog_from_listing, charged_amount, exact_prorated_price, exceeds_limit, find_server_id,
    purchase_record,
)
from ansible_collections.vpsfleet.cloud.plugins.module_utils._module.base import ModuleFailure, VpsModule
from ansible_collections.vpsfleet.cloud.plugins.module_utils._http.client import ApiError
from ansible_collections.vpsfleet.cloud.plugins.module_utils._providers.model import to_decimal
from ansible_collections.vpsfleet.cloud.plugins.module_utils._core.resolve import resolve_choice


def owned_state(addon):
    return {"addon": addon["name"], "type": addon["type"], "owned": addon["owned"]}


class AddonModule(VpsModule):
    operations = ("addons",)
    represent = "addon"

    def execute(self):
        server_id = find_server_id(self.adapter, self.params["server"])
        listing = self.adapter.list_addons(server_id)
        catalog = catalog_from_listing(server_id, listing)
        addon = resolve_choice("add-on", self.params["addon"], catalog["addons"], keys=("id", "name"))
        self.result.update(server_id=server_id, addon=addon, days_remaining=catalog["days_remaining"])
        if addon["owned"]:
            return
        self.check_price_limit(addon, exact_prorated_price(listing, addon["id"]), catalog["days_remaining"])
        self.mark_changed()
        bought = dict(addon, owned=True)
        self.set_diff(owned_state(addon), owned_state(bought))
        if self.check_mode:
            return
        self.result["purchase"] = self.purchase(server_id, addon)
        self.result["addon"] = bought

    def check_price_limit(self, addon, price, days_remaining):
        """Fail before buying when the exact prorated ``price`` (Decimal) is above max_prorated_price."""
        limit = self.params["max_prorated_price"]
        if not exceeds_limit(price, limit):
            return
        if price is None:
            raise ModuleFailure("add-on %s has no listed prorated price, so max_prorated_price %s USD cannot be"
                                " checked; nothing was bought" % (addon["name"], to_decimal(limit)))
        raise ModuleFailure(
            "add-on %s costs %s USD now (prorated for %s days left), above max_prorated_price %s USD;"
            " nothing was bought" % (addon["name"], price, days_remaining, to_decimal(limit)))

    def warn_if_charged_above_limit(self, addon, answer):
        # The API may charge other than it listed; by now the money is gone, so say so loudly.
        charged = charged_amount(answer)
        if charged is not None and exceeds_limit(charged, self.params["max_prorated_price"]):
            self.module.warn(
                "add-on %s was bought and charged %s USD, above max_prorated_price %s USD (it was listed at %s"
                " USD); the charge has already been made" % (
                    addon["name"], charged, to_decimal(self.params["max_prorated_price"]),
                    addon["prorated_price_usd"]))

    def purchase(self, server_id, addon):
        try:
            answer = self.adapter.purchase_addon(server_id, addon["id"])
        except ApiError as exc:
            if not exc.outcome_unknown:
                raise
            # The purchase may have gone through: the add-on list tells, and a second purchase could charge twice.
            listed = [item for item in addon_catalog(self.adapter, server_id)["addons"] if item["id"] == addon["id"]]
            if not (listed and listed[0]["owned"]):
                raise
            self.module.warn("the purchase answer was lost; the add-on now shows as active, so it was bought")
            return None
        self.warn_if_charged_above_limit(addon, answer)
        return purchase_record(answer)


def main():
    module = VpsModule.build_module(argument_spec=dict(
        server=dict(type="str", required=True),
        addon=dict(type="str", required=True),
        state=dict(type="str", choices=["present"], default="present"),
        max_prorated_price=dict(type="float"),
    ))
    AddonModule(module).run()


if __name__ == "__main__":
    main()
