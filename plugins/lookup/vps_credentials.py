# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: vps_credentials
short_description: Read a server's root credentials from VPSCrypto or Otwa Cloud when needed
version_added: 0.1.0
author:
  - vpsfleet maintainers (@vpsfleet)
description:
  - Reads the login credentials of one or more servers from the provider's API, at the moment the
    lookup is templated. Nothing is written anywhere; a read is remembered in memory for a few seconds by
    the process that made it, so that a task templating a connection's user and password (Ansible does
    so several times per task) sends one request.
  - The P(vpsfleet.cloud.vps#inventory) inventory with O(vpsfleet.cloud.vps#inventory:credentials=lazy)
    sets C(ansible_user) and C(ansible_password) to this lookup, so a password is only read when a
    connection to that host needs it.
  - The API key comes from O(api_key), else the variable named by O(api_key_var), else the provider's
    key option (E(VPSCRYPTO_API_KEY) or E(OTWA_API_KEY)). It is never taken from host variables
    the inventory set.
extends_documentation_fragment:
  - vpsfleet.cloud.api_client
  - vpsfleet.cloud.api_client.PLUGIN_KEYS
options:
  _terms:
    description:
      - The provider (V(vpscrypto) or V(otwa)) followed by one or more server ids.
    type: list
    elements: str
    required: true
  field:
    description:
      - Return only this field of each server's credentials instead of the whole dictionary.
    type: str
    choices: [username, password, ip, ssh_command]
  api_key:
    description:
      - The API key. Prefer O(api_key_var) or the environment, so that the key does not appear in a task.
    type: str
  api_key_var:
    description:
      - The name of a variable holding the API key (for example one kept in Vault-encrypted group_vars).
    type: str
  api_url:
    description:
      - The API base URL. Default is the E(VPSCRYPTO_API_URL) or E(OTWA_API_URL) environment variable,
        else production.
    type: str
notes:
  - The result is secret. Use it in tasks with C(no_log=true), or as a connection variable, never in C(debug) output.
  - Errors never contain the key or the password.
seealso:
  - plugin: vpsfleet.cloud.vps
    plugin_type: inventory
"""

EXAMPLES = r"""
- name: Log in to a fresh Otwa server with its root password (OTWA_API_KEY in the environment)
  ansible.builtin.set_fact:
    ansible_password: "{{ lookup('vpsfleet.cloud.vps_credentials', 'otwa', new_server.server.id, field='password') }}"
  no_log: true

- name: Both fields of a VPSCrypto server, with the key from a Vault-encrypted variable
  ansible.builtin.set_fact:
    root_login: "{{ lookup('vpsfleet.cloud.vps_credentials', 'vpscrypto', '4711', api_key_var='vault_vpscrypto_key') }}"
  no_log: true

# In an inventory host or group variable: read only when a connection needs it
# ansible_password: "{{ lookup('vpsfleet.cloud.vps_credentials', 'otwa', vps_id, field='password') }}"
"""

RETURN = r"""
_raw:
  description:
    - One entry per server id, the credentials dictionary, or the value of O(field).
  type: list
  elements: raw
  contains:
    username:
      description: The login user (usually C(root)).
      type: str
    password:
      description: The login password. Secret.
      type: str
    ip:
      description: The address the provider says to log in to.
      type: str
    ssh_command:
      description: The provider's suggested SSH command line.
      type: str
"""

import hashlib
import time

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase
from ansible.utils.display import Display
from ansible.utils.unsafe_proxy import wrap_var

from ansible_collections.vpsfleet.cloud.plugins.module_utils._http.client import HAS_REQUESTS
from ansible_collections.vpsfleet.cloud.plugins.module_utils._providers.registry import PROVIDERS, build_adapter, provider_api_url
from ansible_collections.vpsfleet.cloud.plugins.module_utils._http.rate_limit import rate_limit_from_env

display = Display()

# One task templates its connection's user and password several times, in one process, within
# milliseconds; remembering a read that briefly makes that one request instead of four.
REMEMBER_SECONDS = 5.0
_recent_reads = {}  # (provider, API URL, server id, key digest) -> (monotonic time of the read, credentials)
_clock = time.monotonic


class LookupModule(LookupBase):
    """See DOCUMENTATION."""

    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        if not HAS_REQUESTS:
            raise AnsibleLookupError("vpsfleet.cloud.vps_credentials needs the Python library 'requests'")
        if len(terms) < 2:
            raise AnsibleLookupError("vpsfleet.cloud.vps_credentials takes a provider (%s) and one or more server ids"
                                     % " or ".join(sorted(PROVIDERS)))
        provider, server_ids = str(terms[0]), [str(term) for term in terms[1:]]
        if provider not in PROVIDERS:
            raise AnsibleLookupError("vpsfleet.cloud.vps_credentials: unknown provider %r; valid choices: %s"
                                     % (provider, ", ".join(sorted(PROVIDERS))))
        try:
            rate_limit = rate_limit_from_env(self.get_option("api_rate_limit"), environ={})
        except ValueError as exc:
            raise AnsibleLookupError("vpsfleet.cloud.vps_credentials: %s" % exc)
        api_key = self._api_key(provider, variables or {})
        api_url = provider_api_url(provider, self.get_option("api_url"))
        key_digest = hashlib.sha256(api_key.encode("utf-8")).hexdigest()
        field = self.get_option("field")
        adapter, results = None, []
        for server_id in server_ids:
            read_key = (provider, api_url, server_id, key_digest)
            credentials = _recently_read(read_key)
            if credentials is None:
                adapter = adapter or build_adapter(
                    provider, api_key=api_key, api_url=api_url, timeout=self.get_option("api_timeout"),
                    retries=self.get_option("api_retries"), validate_certs=self.get_option("validate_certs"),
                    rate_limit=rate_limit, log=display.vvvv)
                try:
                    credentials = adapter.get_credentials(server_id)
                except Exception as exc:  # ApiError text is already scrubbed of the key
                    raise AnsibleLookupError("vpsfleet.cloud.vps_credentials: could not read the credentials of %s server %s: %s"
                                             % (PROVIDERS[provider]["label"], server_id, exc))
                _remember(read_key, credentials)
            results.append(wrap_var(credentials[field] if field else credentials))
        return results

    def _api_key(self, provider, variables):
        """The key: option, then the named variable (templated: Vault, lookups), then the provider's env."""
        key = self.get_option("api_key")
        key_var = self.get_option("api_key_var")
        if not key and key_var:
            if key_var not in variables:
                raise AnsibleLookupError("vpsfleet.cloud.vps_credentials: api_key_var names %r, which is not defined" % key_var)
            key = self._templar.template(variables[key_var])
        key = key or self.get_option("%s_api_key" % provider)
        if not key:
            key_env = PROVIDERS[provider]["key_env"]
            raise AnsibleLookupError(
                "vpsfleet.cloud.vps_credentials: no API key for %s: the api_key option, api_key_var, the %s_api_key "
                "option and the environment variable %s are all unset; set %s (or give api_key_var the name of a "
                "variable holding the key)" % (PROVIDERS[provider]["label"], provider, key_env, key_env))
        return str(key)


def _recently_read(read_key):
    """Credentials read for ``read_key`` less than REMEMBER_SECONDS ago in this process, else None."""
    remembered = _recent_reads.get(read_key)
    if remembered is None or _clock() - remembered[0] >= REMEMBER_SECONDS:
        return None
    return remembered[1]


def _remember(read_key, credentials):
    now = _clock()
    for stale in [key for key, (read_at, dummy) in _recent_reads.items() if now - read_at >= REMEMBER_SECONDS]:
        del _recent_reads[stale]
    _recent_reads[read_key] = (now, credentials)
