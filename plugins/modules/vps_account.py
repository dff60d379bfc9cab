#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: vps_account
short_description: Create a VPSCrypto account, or check that an API key's account exists
version_added: 0.1.0
author:
  - vpsfleet maintainers (@vpsfleet)
description:
  - With an API key (O(api_key) or E(VPSCRYPTO_API_KEY)), checks that its account exists and returns it;
    nothing is created (C(changed=false)).
  - Without an API key and with O(force=true), creates a new VPSCrypto account (C(POST /account), no KYC) and
    returns its API key and dashboard login token. The API shows both B(once only).
  - Creating an account is not idempotent by nature; the API has no way to find "my" account without its
    key. So a new account is only created when O(force=true) is set explicitly, and B(every run with no API
    key and O(force=true) creates another account). Store the returned key (for example with Ansible Vault)
    and pass it on later runs, which then only check it.
  - Otwa Cloud accounts cannot be created through the API; with O(provider=otwa) the module fails before any
    request.
extends_documentation_fragment:
  - vpsfleet.cloud.provider
  - vpsfleet.cloud.api_client
  - vpsfleet.cloud.attributes
  - vpsfleet.cloud.attributes.CHANGES_WITHOUT_DIFF
options:
  state:
    description:
      - V(present) makes sure an account exists (see the description for how).
    type: str
    choices: [present]
    default: present
  force:
    description:
      - Create a new account when no API key is given. Required for any account to be created.
    type: bool
    default: false
notes:
  - In check mode, reports whether an account would be created; creates none.
  - The returned RV(api_key) and RV(login_token) are secrets. Set C(no_log=true) on the task, and register the
    result, so they stay out of logs and callbacks.
seealso:
  - module: vpsfleet.cloud.vps_api_key
  - module: vpsfleet.cloud.vps_account_info
"""

EXAMPLES = r"""
- name: Create a VPSCrypto account (runs only when no key is stored yet)
  vpsfleet.cloud.vps_account:
    provider: vpscrypto
    force: true
  register: new_account
  no_log: true
  when: vault_vpscrypto_api_key is not defined

- name: Check the stored key's account on later runs
  vpsfleet.cloud.vps_account:
    provider: vpscrypto
    api_key: "{{ vault_vpscrypto_api_key }}"
  when: vault_vpscrypto_api_key is defined
"""

RETURN = r"""
api_key:
  description: The new account's API key (bearer credential). Shown once by the API.
  returned: when an account was created
  type: str
login_token:
  description: The new account's web dashboard login token. Shown once by the API.
  returned: when an account was created
  type: str
account:
  description: The account.
  returned: success, except in check mode when an account would be created
  type: dict
  contains:
    id:
      description: Account ID.
      type: str
    provider:
      description: V(vpscrypto).
      type: str
    balance_usd:
      description: Prepaid balance in USD.
      type: float
    currency:
      description: Currency of the balance (V(USD)).
      type: str
    servers:
      description: How many servers the account has.
      type: int
    totp_enabled:
      description: Whether two-factor login is on.
      type: bool
    created_at:
      description: When the account was created.
      type: str
    tier:
      description: Always V(null) for VPSCrypto.
      type: str
    provider_data:
      description: The API's account object (without the key and the login token).
      type: dict
"""

from ansible_collections.vpsfleet.cloud.plugins.module_utils._module.base import ModuleFailure, VpsModule
from ansible_collections.vpsfleet.cloud.plugins.module_utils._providers.registry import PROVIDERS, provider_api_key
from ansible_collections.vpsfleet.cloud.plugins.module_utils._providers.vpscrypto import account_from_api

SECRET_FIELDS = ("api_key", "login_token")


class AccountModule(VpsModule):
    operations = ("create_account", "account")
    represent = "account"
    needs_api_key = False

    def execute(self):
        if provider_api_key(self.provider, self.params["api_key"]):
            self.result["account"] = self.adapter.get_account()
            return
        if not self.params["force"]:
            raise ModuleFailure(
                "no API key given (api_key or %s): creating a new %s account every run is not idempotent, so it"
                " needs force=true; pass the stored key to check an existing account instead" % (
                    PROVIDERS[self.provider]["key_env"], self.provider_label))
        self.mark_changed()
        if self.check_mode:
            return
        created = self.adapter.create_account()
        self.record_effect()
        for field in SECRET_FIELDS:
            self.result[field] = created.get(field)
        public = dict((key, value) for key, value in created.items() if key not in SECRET_FIELDS)
        self.result["account"] = account_from_api(public)


def main():
    module = VpsModule.build_module(argument_spec=dict(
        state=dict(type="str", choices=["present"], default="present"),
        force=dict(type="bool", default=False),
    ))
    AccountModule(module).run()


if __name__ == "__main__":
    main()
