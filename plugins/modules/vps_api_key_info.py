#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: vps_api_key_info
short_description: List the API keys of a VPSCrypto account (prefixes only)
version_added: 0.1.0
author:
  - vpsfleet maintainers (@vpsfleet)
description:
  - Lists the active API keys of the account. The API shows only each key's prefix, never the full key.
  - Otwa Cloud keys cannot be listed through the API; with O(provider=otwa) the module fails before any
    request.
extends_documentation_fragment:
  - vpsfleet.cloud.provider
  - vpsfleet.cloud.api_client
  - vpsfleet.cloud.attributes
  - vpsfleet.cloud.attributes.INFO_MODULE
options:
  name:
    description:
      - Only return the keys with this label.
    type: str
seealso:
  - module: vpsfleet.cloud.vps_api_key
"""

EXAMPLES = r"""
- name: List the account's API keys
  vpsfleet.cloud.vps_api_key_info:
    provider: vpscrypto
  register: listing

- name: Show keys unused so far
  ansible.builtin.debug:
    msg: "{{ listing.api_keys | selectattr('last_used_at', 'none') | map(attribute='prefix') | list }}"
"""

RETURN = r"""
api_keys:
  description: The active keys, oldest first (named C(api_keys), not C(keys), which Jinja reads as a dict method).
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: Key ID.
      type: str
    name:
      description: Label.
      type: str
    prefix:
      description: The first characters of the key, enough to recognise it.
      type: str
    created_at:
      description: When the key was minted.
      type: str
    last_used_at:
      description: When the key was last used, or V(null).
      type: str
"""

from ansible_collections.vpsfleet.cloud.plugins.module_utils._services.api_keys import keys_matching, list_key_records
from ansible_collections.vpsfleet.cloud.plugins.module_utils._module.base import VpsModule


class ApiKeyInfoModule(VpsModule):
    operations = ("list_api_keys",)

    def execute(self):
        keys = list_key_records(self.adapter)
        if self.params["name"] is not None:
            keys = keys_matching(keys, name=self.params["name"])
        self.result["api_keys"] = keys


def main():
    module = VpsModule.build_module(argument_spec=dict(name=dict(type="str")))
    ApiKeyInfoModule(module).run()


if __name__ == "__main__":
    main()
