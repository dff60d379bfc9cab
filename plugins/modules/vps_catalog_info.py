#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: vps_catalog_info
short_description: Read the plans, locations and OS images VPSCrypto or Otwa Cloud offer
version_added: 0.1.0
author:
  - vpsfleet maintainers (@vpsfleet)
description:
  - Reads VPSCrypto's C(/catalog), or Otwa Cloud's C(/products), C(/regions) and C(/os-templates),
    and returns them in one shape for both providers, with the raw answers beside.
  - The values it lists are what M(vpsfleet.cloud.vps_server) accepts for C(plan), C(location) and C(os).
  - VPSCrypto serves its catalog without an API key; Otwa Cloud needs one.
extends_documentation_fragment:
  - vpsfleet.cloud.provider
  - vpsfleet.cloud.api_client
  - vpsfleet.cloud.attributes
  - vpsfleet.cloud.attributes.INFO_MODULE
options: {}
"""

EXAMPLES = r"""
- name: Read the VPSCrypto catalog (no API key needed)
  vpsfleet.cloud.vps_catalog_info:
    provider: vpscrypto
  register: catalog

- name: Show the cheapest plan
  ansible.builtin.debug:
    msg: "{{ (catalog.catalog.plans | sort(attribute='price_monthly_usd') | first).name }}"
"""

RETURN = r"""
catalog:
  description: The catalog in the common shape.
  returned: success
  type: dict
  contains:
    provider: {description: V(vpscrypto) or V(otwa)., type: str, sample: vpscrypto}
    plans:
      description:
        - The plans, each with C(id), C(slug), C(name), C(price_monthly_usd), C(price_annual_usd),
          C(vcpu), C(ram_mb), C(disk_gb), C(bandwidth_gb) and C(region) (null where the provider does not say).
      type: list
      elements: dict
      sample: [{slug: hunter, name: Hunter, price_monthly_usd: 14.0, price_annual_usd: 140.0, vcpu: 2, ram_mb: 4096}]
    locations:
      description: The locations (Otwa regions), each with C(slug) and C(name).
      type: list
      elements: dict
      sample: [{slug: nl, name: Netherlands}]
    os:
      description: The OS images, each with C(slug), C(name) and C(family).
      type: list
      elements: dict
      sample: [{slug: debian-13, name: Debian 13, family: debian}]
    cycles: {description: The billing cycles offered., type: list, elements: str, sample: [monthly, annual]}
    coins: {description: The coins accepted for top-ups (VPSCrypto; empty for Otwa)., type: list, elements: dict}
    topup: {description: Top-up limits in USD (VPSCrypto; null for Otwa)., type: dict, sample: {min_usd: 25, max_usd: 2000}}
    provider_data:
      description: The raw answers (VPSCrypto's catalog; Otwa's C(products), C(regions) and C(os_templates)).
      type: dict
"""

from ansible_collections.vpsfleet.cloud.plugins.module_utils._module.base import VpsModule


class CatalogInfoModule(VpsModule):
    operations = ("catalog",)

    def __init__(self, module):
        super(CatalogInfoModule, self).__init__(module)
        # VPSCrypto's catalog is public; Otwa's needs the account:read scope.
        self.needs_api_key = self.provider == "otwa"

    def execute(self):
        self.result["catalog"] = self.adapter.catalog()


def main():
    module = VpsModule.build_module(argument_spec={})
    CatalogInfoModule(module).run()


if __name__ == "__main__":
    main()
