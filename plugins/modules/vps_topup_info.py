#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: vps_topup_info
short_description: Read a VPSCrypto top-up by its reference
version_added: 0.1.0
author:
  - vpsfleet maintainers (@vpsfleet)
description:
  - Returns the state of one balance top-up (invoice or x402 payment) of a VPSCrypto account.
  - Reading a top-up is also how VPSCrypto notices a confirmed deposit and credits the balance.
  - Otwa Cloud has no top-up API; with O(provider=otwa) the module fails before any request.
extends_documentation_fragment:
  - vpsfleet.cloud.provider
  - vpsfleet.cloud.api_client
  - vpsfleet.cloud.attributes
  - vpsfleet.cloud.attributes.INFO_MODULE
options:
  ref:
    description:
      - Reference of the top-up, as returned by M(vpsfleet.cloud.vps_topup) (for example V(vps-26-f75fda02b9)).
    type: str
    required: true
seealso:
  - module: vpsfleet.cloud.vps_topup
"""

EXAMPLES = r"""
- name: Read a top-up
  vpsfleet.cloud.vps_topup_info:
    provider: vpscrypto
    ref: vps-26-f75fda02b9
  register: invoice

- name: Say whether it was paid
  ansible.builtin.debug:
    msg: "{{ invoice.topup.status }}"
"""

RETURN = r"""
topup:
  description: The top-up.
  returned: success
  type: dict
  contains:
    ref:
      description: Reference of the top-up.
      type: str
      sample: vps-26-f75fda02b9
    status:
      description: C(pending), C(completed), C(expired) or C(cancelled).
      type: str
    amount_usd:
      description: Amount credited when completed, in USD.
      type: float
    coin:
      description: The coin it is paid in.
      type: str
    deposit_address:
      description: Where to send the coins (classic coins), or the x402 payee.
      type: str
    deposit_amount:
      description: How much of the deposit coin to send.
      type: str
    deposit_coin:
      description: The coin to send.
      type: str
    deposit_network:
      description: The chain or network of the deposit.
      type: str
    qr_data_uri:
      description: A C(data:) URI of a QR code for the payment.
      type: str
    expires_at:
      description: When an unpaid invoice expires.
      type: str
    provider:
      description: V(vpscrypto).
      type: str
    provider_data:
      description: The API's own top-up object.
      type: dict
"""

from ansible_collections.vpsfleet.cloud.plugins.module_utils._module.base import VpsModule


class TopupInfoModule(VpsModule):
    operations = ("topup",)
    represent = "topup"

    def execute(self):
        self.result["topup"] = self.adapter.get_topup(self.params["ref"])


def main():
    module = VpsModule.build_module(argument_spec=dict(ref=dict(type="str", required=True)))
    TopupInfoModule(module).run()


if __name__ == "__main__":
    main()
