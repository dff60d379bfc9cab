#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: vps_account_info
short_description: Read the balance, tier and service health of a VPSCrypto or Otwa Cloud account
version_added: 0.1.0
author:
  - vpsfleet maintainers (@vpsfleet)
description:
  - Returns the account the API key belongs to, with its balance as a number in USD.
  - For Otwa Cloud, also the account's reseller state (C(GET /reseller)).
  - For VPSCrypto, also the service health (C(GET /health)).
extends_documentation_fragment:
  - vpsfleet.cloud.provider
  - vpsfleet.cloud.api_client
  - vpsfleet.cloud.attributes
  - vpsfleet.cloud.attributes.INFO_MODULE
options: {}
seealso:
  - module: vpsfleet.cloud.vps_topup
"""

EXAMPLES = r"""
- name: Read the VPSCrypto balance
  vpsfleet.cloud.vps_account_info:
    provider: vpscrypto
  register: vpscrypto_account

- name: Stop when the balance cannot pay for a 10 USD server
  ansible.builtin.assert:
    that: vpscrypto_account.account.balance_usd >= 10
    fail_msg: "Balance {{ vpscrypto_account.account.balance_usd }} USD is too low"

- name: Read the Otwa Cloud tier and reseller state
  vpsfleet.cloud.vps_account_info:
    provider: otwa
  register: otwa_account
"""

RETURN = r"""
account:
  description: The account.
  returned: success
  type: dict
  contains:
    id:
      description: Account ID.
      type: str
    provider:
      description: V(vpscrypto) or V(otwa).
      type: str
    balance_usd:
      description: Prepaid balance in USD.
      type: float
      sample: 42.5
    currency:
      description: Currency of the balance (V(USD)).
      type: str
    servers:
      description: How many servers the account has (VPSCrypto; V(null) for Otwa Cloud).
      type: int
    totp_enabled:
      description: Whether two-factor login is on (VPSCrypto; V(null) for Otwa Cloud).
      type: bool
    created_at:
      description: When the account was created.
      type: str
    tier:
      description: Account tier, V(standard), V(pro) or V(enterprise) (Otwa Cloud; V(null) for VPSCrypto).
      type: str
    provider_data:
      description: The API's own account object.
      type: dict
reseller:
  description:
    - Reseller state (Otwa Cloud), V(null) for an account that is not a reseller.
    - Keys as the API sends them (C(isReseller), C(brandSlug), C(brandName), C(marginPercent), C(status)).
  returned: when O(provider=otwa)
  type: dict
health:
  description: The service health answer of VPSCrypto, as the API sends it.
  returned: when O(provider=vpscrypto)
  type: dict
"""

from ansible_collections.vpsfleet.cloud.plugins.module_utils._base import VpsModule


class AccountInfoModule(VpsModule):
    represent = "account"

    def required_operations(self):
        return ("account", "reseller") if self.provider == "otwa" else ("account", "health")

    def execute(self):
        self.result["account"] = self.adapter.get_account()
        if self.provider == "otwa":
            self.result["reseller"] = self.adapter.get_reseller()
        else:
            self.result["health"] = self.adapter.health()


def main():
    module = VpsModule.build_module(argument_spec=dict())
    AccountInfoModule(module).run()


if __name__ == "__main__":
    main()
