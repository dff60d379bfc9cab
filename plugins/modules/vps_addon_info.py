#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: vps_addon_info
short_description: List the add-ons an Otwa Cloud server can buy, with their prorated prices
version_added: 0.1.0
author:
  - vpsfleet maintainers (@vpsfleet)
description:
  - Lists every add-on the server's plan offers (extra IPs, IP classes, backups), with the full monthly
    price, the prorated price charged if bought now, the days left in the billing cycle, and whether an
    add-on of that type is already active on the server.
  - VPSCrypto has no add-ons; with O(provider=vpscrypto) the module fails before any request.
extends_documentation_fragment:
  - vpsfleet.cloud.provider
  - vpsfleet.cloud.api_client
  - vpsfleet.cloud.attributes
  - vpsfleet.cloud.attributes.INFO_MODULE
options:
  server:
    description:
      - ID (UUID) or name (label) of the server. A name must match exactly one server.
    type: str
    required: true
seealso:
  - module: vpsfleet.cloud.vps_addon
"""

EXAMPLES = r"""
- name: List the add-ons of web-1
  vpsfleet.cloud.vps_addon_info:
    provider: otwa
    server: web-1
  register: web1_addons

- name: Show what a backup add-on would cost now
  ansible.builtin.debug:
    msg: "{{ web1_addons.addons | selectattr('type', 'eq', 'backup') | map(attribute='prorated_price_usd') | list }}"
"""

RETURN = r"""
server_id:
  description: ID of the server.
  returned: success
  type: str
addons:
  description: The add-ons the server's plan offers.
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: Add-on ID.
      type: str
      sample: vpk8qnr2
    name:
      description: Display name.
      type: str
      sample: 8 Additional IPs
    description:
      description: What it provides.
      type: str
    type:
      description: V(extra-ip), V(ip-class) or V(backup). A server holds at most one add-on of each type.
      type: str
    price_usd:
      description: Full monthly price in USD.
      type: float
    prorated_price_usd:
      description: What buying it now charges, for the days left in the billing cycle, in USD.
      type: float
    owned:
      description: Whether an add-on of this type is already active on the server.
      type: bool
days_remaining:
  description: Days left in the server's billing cycle.
  returned: success
  type: int
billing_cycle_end:
  description: When the billing cycle ends.
  returned: success
  type: str
"""

from ansible_collections.vpsfleet.cloud.plugins.module_utils._services.addons import addon_catalog, find_server_id
from ansible_collections.vpsfleet.cloud.plugins.module_utils._module.base import VpsModule


class AddonInfoModule(VpsModule):
    operations = ("addons",)

    def execute(self):
        self.result.update(addon_catalog(self.adapter, find_server_id(self.adapter, self.params["server"])))


def main():
    module = VpsModule.build_module(argument_spec=dict(server=dict(type="str", required=True)))
    AddonInfoModule(module).run()


if __name__ == "__main__":
    main()
