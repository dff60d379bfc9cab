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
  - The prepaid runway (RV(runway)) - the renewals due in the next O(runway_days) days and whether the balance
    covers them - computed the same way for both providers from the servers' prices, cycles and expiry dates,
    on the provider's clock (the C(Date) header of its answers).
extends_documentation_fragment:
  - vpsfleet.cloud.provider
  - vpsfleet.cloud.api_client
  - vpsfleet.cloud.attributes
  - vpsfleet.cloud.attributes.INFO_MODULE
options:
  runway_days:
    description:
      - How many days ahead RV(runway) looks for renewals.
      - V(0) leaves the servers unread and RV(runway) out.
    type: int
    default: 30
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

- name: Warn when the balance does not pay every renewal of the next 14 days
  vpsfleet.cloud.vps_account_info:
    provider: vpscrypto
    runway_days: 14
  register: vpscrypto_runway

- name: Say what is short
  ansible.builtin.debug:
    msg: "Short by {{ vpscrypto_runway.runway.short_usd }} USD; covered until {{ vpscrypto_runway.runway.covered_until }}"
  when: not vpscrypto_runway.runway.covered

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
runway:
  description:
    - The prepaid runway for the next O(runway_days) days. Renewals are paid from the balance in the order they
      fall due; a renewal already past due (a server suspended for want of money) counts as due now.
    - V(null) when the API key may not list servers (an Otwa Cloud key without C(servers:read)); a warning says so.
  returned: when O(runway_days) is not V(0)
  type: dict
  contains:
    days:
      description: The window, in days (O(runway_days)).
      type: int
    from:
      description: The start of the window, the provider's time of the reading.
      type: str
      sample: "2026-12-05T08:00:00Z"
    renewals:
      description: Every renewal due in the window, earliest first.
      type: list
      elements: dict
      contains:
        server_id: {description: The server's ID., type: str}
        name: {description: The server's name., type: str}
        due_at: {description: When the renewal falls due., type: str, sample: "2026-12-24T10:00:00Z"}
        amount_usd: {description: What it costs (the server's price for its cycle)., type: float, sample: 7.0}
    due_usd:
      description: The sum of those renewals.
      type: float
    balance_usd:
      description: The balance they are paid from.
      type: float
    covered:
      description: Whether the balance pays every renewal in the window.
      type: bool
    short_usd:
      description: What the balance lacks to pay them all (V(0) when covered).
      type: float
    covered_until:
      description:
        - The due date of the first renewal the balance cannot pay, or the end of the window when it pays them all.
      type: str
      sample: "2026-12-24T10:00:00Z"
"""

from ansible_collections.vpsfleet.cloud.plugins.module_utils._module.base import ModuleFailure, VpsModule
from ansible_collections.vpsfleet.cloud.plugins.module_utils._http.client import ApiError
from ansible_collections.vpsfleet.cloud.plugins.module_utils._payments.runway import account_runway


class AccountInfoModule(VpsModule):
    represent = "account"

    def required_operations(self):
        return ("account", "reseller") if self.provider == "otwa" else ("account", "health")

    def execute(self):
        if self.params["runway_days"] < 0:
            raise ModuleFailure("runway_days must be 0 or more (0 leaves the runway out), got %d"
                                % self.params["runway_days"])
        self.result["account"] = self.adapter.get_account()
        if self.provider == "otwa":
            self.result["reseller"] = self.adapter.get_reseller()
        else:
            self.result["health"] = self.adapter.health()
        if self.params["runway_days"]:
            self.result["runway"] = self.read_runway(self.result["account"])

    def read_runway(self, account):
        try:
            servers = self.adapter.list_servers()
        except ApiError as error:
            if error.status != 403:
                raise
            self.module.warn("runway left out: the API key may not list servers (%s)" % error)
            return None
        try:
            return account_runway(self.adapter, self.params["runway_days"], account=account, servers=servers)
        except ValueError as error:
            self.module.warn("runway left out: %s" % error)
            return None


def main():
    module = VpsModule.build_module(argument_spec=dict(runway_days=dict(type="int", default=30)))
    AccountInfoModule(module).run()


if __name__ == "__main__":
    main()
