# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: vps
short_description: Servers of VPSCrypto and Otwa Cloud accounts as an Ansible inventory
version_added: 0.1.0
author:
  - vpsfleet maintainers (@vpsfleet)
description:
  - Lists the servers of one or more provider accounts (VPSCrypto, Otwa Cloud, or both) and adds them
    as hosts, with the server model as C(vps_*) host variables and, by default, the root credentials
    as C(ansible_user)/C(ansible_password) so the next play can log in to a fresh, password-only server.
  - Accounts, and the credentials of their servers, are read concurrently.
  - The source file name must end in C(vps.yml) or C(vps.yaml).
  - B(Where credentials end up.) With O(credentials=inline) the root passwords are host variables;
    C(ansible-inventory --list) prints them, and an AWX inventory sync stores them in AWX's database,
    visible to everyone who can read that inventory's hosts. With O(credentials=lazy) the inventory holds
    only a template; the password is read from the API when a connection to the host needs it and is
    never stored. With O(credentials=none) no credential is read.
  - Values that come from the API (names, passwords, ...) are marked unsafe, so they are never templated;
    a password such as C(a{{b}}c) reaches the connection unchanged.
extends_documentation_fragment:
  - constructed
  - inventory_cache
  - vpsfleet.cloud.api_client
  - vpsfleet.cloud.api_client.PLUGIN_KEYS
options:
  plugin:
    description: The name of this plugin; must be V(vpsfleet.cloud.vps).
    type: str
    required: true
    choices: [vpsfleet.cloud.vps]
  accounts:
    description:
      - The accounts to read. Each entry names a provider and, optionally, its own key, URL and name.
      - When neither O(accounts) nor O(provider) is given, one account is read for each provider whose
        key is set (O(vpscrypto_api_key), O(otwa_api_key)).
      - Cannot be combined with the short form (O(provider), O(api_key), O(api_url)).
      - Two entries that read with the same key at the same URL are refused.
    type: list
    elements: dict
    suboptions:
      provider:
        description: The provider of this account.
        type: str
        required: true
        choices: [vpscrypto, otwa]
      api_key:
        description:
          - The account's API key. May be Vault-encrypted or a template such as
            C("{{ lookup('ansible.builtin.env', 'FLEET_KEY') }}").
          - When absent, O(vpscrypto_api_key) or O(otwa_api_key) is used, by provider. When given but empty
            after templating (for example an unset environment variable), the inventory fails naming the
            account, since the provider's key may belong to another account.
        type: str
      api_url:
        description:
          - The account's API base URL.
          - Default is the E(VPSCRYPTO_API_URL) or E(OTWA_API_URL) environment variable, else production.
        type: str
      name:
        description:
          - How the account is called in host variables (C(vps_account)), groups and messages.
          - Default is the provider name, suffixed with the entry's position when a provider is listed twice.
          - Must be unique and must not contain C(/).
        type: str
      api_key_var:
        description:
          - With O(credentials=lazy), the name of a variable (for example in Vault-encrypted group_vars)
            that holds this account's key at connection time. Without it the lookup uses the provider's
            environment variable, and the inventory warns when that is not this account's key.
        type: str
  provider:
    description: Short form for a single account; the provider to read. Cannot be combined with O(accounts).
    type: str
    choices: [vpscrypto, otwa]
  api_key:
    description:
      - Short form for a single account; its API key (Vault-encrypted or templated values work). Needs O(provider).
      - When absent, O(vpscrypto_api_key) or O(otwa_api_key) is used, by O(provider); when given but empty
        after templating, the inventory fails.
    type: str
  api_url:
    description:
      - Short form for a single account; its API base URL. Needs O(provider).
      - Default is the E(VPSCRYPTO_API_URL) or E(OTWA_API_URL) environment variable, else production.
    type: str
  statuses:
    description: Only servers in one of these (normalised) statuses become hosts.
    type: list
    elements: str
    choices: [provisioning, running, stopped, suspended, terminated]
    default: [running]
  hostnames:
    description:
      - Which server field names the host, in order of preference; the first field with a value wins,
        and the server id is the last fallback.
      - When two servers get the same name, the first (accounts in the order given, then by server id)
        keeps it and the others are named C(<name>_<account>_<id>), with a warning.
      - A value holding C({{), C({%) or C({#) never names a host (ansible-core 2.18 would template it); the next
        field, or the id, does, with a warning.
    type: list
    elements: str
    choices: [name, hostname, ip, id]
    default: [name]
  connect_with:
    description:
      - The address put in C(ansible_host). V(ip) is the primary IP; V(additional_ip) the first
        additional IP; V(hostname) the server's hostname. The primary IP is used when the chosen one is empty.
    type: str
    choices: [ip, additional_ip, hostname]
    default: ip
  credentials:
    description:
      - How C(ansible_user) and C(ansible_password) are set.
      - V(inline) reads them while building the inventory; they are host variables (see above for where
        they end up).
      - V(lazy) sets them to templates calling the P(vpsfleet.cloud.vps_credentials#lookup) lookup, which reads
        them when a connection needs them, with the key from the provider's environment variable or
        O(accounts[].api_key_var). No secret is stored in the inventory. A task that templates a host's
        connection variables reads its credentials once (the lookup remembers a read for a few seconds, in memory).
      - V(none) sets neither.
    type: str
    choices: [inline, lazy, none]
    default: inline
  cache_credentials:
    description:
      - Also write inline credentials to the inventory cache. Off by default, so that a cache file or
        server never holds root passwords; the credentials are then read again on a cached run.
      - Turning it off again drops the stored credentials from the cache on the next run that uses it.
      - The C(ansible.builtin.jsonfile) cache writes its files readable by every local user (mode 0644);
        keep O(cache_connection) in a directory only you can enter.
    type: bool
    default: false
  strict_credentials:
    description:
      - Fail the inventory when a server's credentials cannot be read. By default such a server is listed
        without credentials and a warning names it.
    type: bool
    default: false
  skip_unreachable_accounts:
    description:
      - Warn about, and skip, an account that cannot be read (bad key, outage) instead of failing.
      - A run that skipped an account does not update the cache.
    type: bool
    default: false
  max_workers:
    description:
      - How many API requests may be in flight at once (listing accounts, reading credentials).
        V(1) reads everything one after the other.
    type: int
    default: 16
  default_groups:
    description:
      - Add hosts to groups by provider, account, location, plan, OS and status, named
        C(vps_provider_<value>), C(vps_account_<value>), C(vps_location_<value>), C(vps_plan_<value>),
        C(vps_os_<value>) and C(vps_status_<value>).
    type: bool
    default: true
  filters:
    description:
      - Jinja2 conditionals over a server's host variables (C(vps_*)); only servers for which all are
        true become hosts. Credentials are read only for those, and they alone are named, so a server
        left out never takes a host name.
      - A filter that cannot be evaluated for a server leaves it out with a warning, or fails the inventory
        with O(strict=true).
    type: list
    elements: str
    default: []
notes:
  - Keys are never shown in warnings, errors or C(-vvvv) output.
  - Inline credentials are not written to the cache unless O(cache_credentials=true); a cached run
    then makes no API request other than those credential reads.
  - A cache entry is used only for the same accounts, URLs and keys; it holds a salted hash of each key,
    never the key.
seealso:
  - plugin: vpsfleet.cloud.vps_credentials
    plugin_type: lookup
"""

EXAMPLES = r"""
# Three inventory source files, one per YAML document.
---
# fleet.vps.yml: running servers of both providers, keys from VPSCRYPTO_API_KEY and OTWA_API_KEY
plugin: vpsfleet.cloud.vps

---
# fleet.vps.yml: two accounts, no password stored in the inventory
plugin: vpsfleet.cloud.vps
accounts:
  - provider: vpscrypto
    name: shop
    api_key: "{{ lookup('ansible.builtin.env', 'SHOP_VPSCRYPTO_KEY') }}"
  - provider: otwa
    name: lab
credentials: lazy
hostnames: [name, ip]
keyed_groups:
  - key: vps_location
    prefix: region
groups:
  small: vps_ram_mb is not none and vps_ram_mb <= 2048
compose:
  ansible_port: 22

---
# fleet.vps.yml: cached for an hour, stopped servers too, Debian only
plugin: vpsfleet.cloud.vps
provider: otwa
statuses: [running, stopped]
filters:
  - vps_os is not none and 'debian' in vps_os
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/vpsfleet-inventory
cache_timeout: 3600
"""

import os
import re

from ansible.errors import AnsibleError, AnsibleParserError
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable
from ansible.utils.display import Display
from ansible.utils.unsafe_proxy import wrap_var

from ansible_collections.vpsfleet.cloud.plugins.module_utils._http.client import HAS_REQUESTS
from ansible_collections.vpsfleet.cloud.plugins.module_utils._services.fleet_hosts import (
    DEFAULT_GROUP_FIELDS, connection_address, name_hosts, server_key, server_variables)
from ansible_collections.vpsfleet.cloud.plugins.module_utils._services.fleet_reader import Account, FleetReader
from ansible_collections.vpsfleet.cloud.plugins.module_utils._providers.registry import PROVIDERS, build_adapter
from ansible_collections.vpsfleet.cloud.plugins.module_utils._http.rate_limit import rate_limit_from_env

try:
    from ansible.template import trust_as_template
except ImportError:  # ansible-core < 2.19 trusts every plain string already
    def trust_as_template(value):
        return value

display = Display()

CACHE_FORMAT = 2
SHORT_FORM_OPTIONS = ("provider", "api_key", "api_url")
VARIABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
LAZY_TEMPLATE = ("{{ lookup('vpsfleet.cloud.vps_credentials', vps_provider, vps_id, api_url=vps_api_url,"
                 " field='%s'%s) }}")
LISTED_IN_A_WARNING = 10  # servers named in one warning; -vvv names them all


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):
    """Hosts from provider accounts; see DOCUMENTATION."""

    NAME = "vpsfleet.cloud.vps"

    def verify_file(self, path):
        """Accept ``*vps.yml`` / ``*vps.yaml`` files only."""
        return super(InventoryModule, self).verify_file(path) and path.endswith(("vps.yml", "vps.yaml"))

    def parse(self, inventory, loader, path, cache=True):
        super(InventoryModule, self).parse(inventory, loader, path, cache)
        self._read_config_data(path)
        if not HAS_REQUESTS:
            raise AnsibleError("the vpsfleet.cloud.vps inventory needs the Python library 'requests'")
        if self.get_option("max_workers") < 1:
            raise AnsibleParserError("vpsfleet.cloud.vps: max_workers must be 1 or more (1 reads one request at a time)")
        try:
            rate_limit = rate_limit_from_env(self.get_option("api_rate_limit"), environ={})
        except ValueError as exc:
            raise AnsibleParserError("vpsfleet.cloud.vps: %s" % exc)
        accounts = self._accounts()
        if self.get_option("credentials") == "lazy":
            self._warn_about_lazy_keys(accounts)
        reader = FleetReader(accounts, adapter_factory=build_adapter, max_workers=self.get_option("max_workers"),
                             timeout=self.get_option("api_timeout"), retries=self.get_option("api_retries"),
                             validate_certs=self.get_option("validate_certs"), rate_limit=rate_limit,
                             trace=display.vvv, log=display.vvvv)
        self._account_key_vars = dict((account.name, account.api_key_var) for account in accounts)

        cache_key = self.get_cache_key(path)
        caching = self.get_option("cache")
        cached = self._cached_fleet(cache_key, accounts) if caching and cache else None
        fleet, complete = (cached["servers"], True) if cached else self._list_servers(reader)

        hosts = self._select_hosts(accounts, fleet)
        credentials = {}
        if self.get_option("credentials") == "inline":
            credentials = self._inline_credentials(reader, accounts, hosts, self._cached_credentials(cached))
        if caching and complete:
            entry = self._cache_entry(accounts, fleet, credentials)
            # A cached run rewrites the entry only to add credentials, or to purge ones no longer wanted.
            if cached is None or cached.get("credentials") != entry.get("credentials"):
                self._cache[cache_key] = entry

        for host_name, account_name, server, variables in hosts:
            self._add_host(host_name, account_name, server, variables, credentials.get(server_key(account_name, server["id"])))

    # -- configuration ----------------------------------------------------------------------

    def _accounts(self):
        entries = self._account_entries()
        per_provider = dict((provider, sum(1 for entry in entries if entry.get("provider") == provider))
                            for provider in PROVIDERS)
        accounts = [self._account(position, entry, per_provider) for position, entry in enumerate(entries, start=1)]
        _refuse_repeated_accounts(accounts)
        return accounts

    def _account_entries(self):
        """The ``accounts`` entries, the short form as one entry, or one entry per provider key set."""
        short_form = dict((option, self.get_option(option)) for option in SHORT_FORM_OPTIONS)
        if self.get_option("accounts"):
            given = [option for option in SHORT_FORM_OPTIONS if short_form[option] is not None]
            if given:
                raise AnsibleParserError("vpsfleet.cloud.vps: give either accounts or the short form (provider, api_key,"
                                         " api_url), not both; move %s into an accounts entry" % ", ".join(given))
            return self.get_option("accounts")
        if short_form["provider"]:
            return [short_form]
        if short_form["api_key"] is not None or short_form["api_url"] is not None:
            raise AnsibleParserError("vpsfleet.cloud.vps: api_key and api_url need provider, the provider they belong to")
        entries = [{"provider": provider} for provider in PROVIDERS if self.get_option("%s_api_key" % provider)]
        if not entries:
            raise AnsibleParserError("vpsfleet.cloud.vps: no account to read. Give 'accounts', or 'provider' and"
                                     " 'api_key', or set VPSCRYPTO_API_KEY / OTWA_API_KEY.")
        return entries

    def _account(self, position, entry, per_provider):
        provider = entry.get("provider")
        if provider not in PROVIDERS:
            raise AnsibleParserError("vpsfleet.cloud.vps: accounts[%d].provider must be one of: %s"
                                     % (position - 1, ", ".join(sorted(PROVIDERS))))
        name = entry.get("name")
        name = str(name) if name not in (None, "") else (provider if per_provider[provider] == 1 else "%s_%d" % (provider, position))
        if "/" in name:  # it separates account and server id in the credentials of the cache
            raise AnsibleParserError("vpsfleet.cloud.vps: account name %r must not contain '/'" % name)
        key_var = entry.get("api_key_var")
        if key_var and not VARIABLE_NAME.match(key_var):
            raise AnsibleParserError("vpsfleet.cloud.vps: account %r: api_key_var must be a variable name" % name)
        api_key = self._account_key(name, provider, entry.get("api_key"))
        api_url = self._template_secret(entry.get("api_url"))
        return Account(name, provider, api_key, api_url, api_key_var=key_var)

    def _account_key(self, name, provider, given):
        """The account's own key when one is given (never replaced when it renders empty), else the provider's."""
        key_env = PROVIDERS[provider]["key_env"]
        if given is None:
            api_key = self.get_option("%s_api_key" % provider)
            if not api_key:
                raise AnsibleParserError("vpsfleet.cloud.vps: account %r has no API key; give api_key or set %s" % (name, key_env))
            return api_key
        api_key = self._template_secret(given)
        if not api_key:
            # The provider's key may belong to another account: reading that one instead would be silent.
            raise AnsibleParserError("vpsfleet.cloud.vps: account %r: api_key is empty after templating (an unset"
                                     " environment variable?); %s is not used in its place" % (name, key_env))
        return api_key

    def _template_secret(self, value):
        """A key or URL from the source file: templated (lookups), Vault-decrypted, as a plain str."""
        if value is None:
            return None
        try:
            value = self.templar.template(value)
        except Exception as exc:
            raise AnsibleParserError("vpsfleet.cloud.vps: could not template an account option (%s)" % type(exc).__name__)
        return str(value) if value not in (None, "") else None

    def _warn_about_lazy_keys(self, accounts):
        """The lookup reads with the provider's key unless api_key_var names another: say so for accounts it does not fit."""
        for provider, spec in PROVIDERS.items():
            # What the lookup will use at connection time: the environment, not this source's options.
            provider_key = os.environ.get(spec["key_env"])
            misfits = [account.name for account in accounts
                       if account.provider == provider and not account.api_key_var and account.api_key != provider_key]
            if misfits:
                display.warning("vpsfleet.cloud.vps: with credentials: lazy, the vps_credentials lookup reads passwords with"
                                " %s, which is not the key of account(s) %s; give them api_key_var"
                                % (spec["key_env"], ", ".join(repr(name) for name in misfits)))

    # -- reading ----------------------------------------------------------------------------

    def _list_servers(self, reader):
        """``({account: [server, ...]}, complete)``; an account failure fails or is skipped."""
        servers, failures = reader.list_servers()
        for failure in failures:
            if not self.get_option("skip_unreachable_accounts"):
                raise AnsibleParserError("vpsfleet.cloud.vps: could not list the servers of %s" % failure)
            display.warning("vpsfleet.cloud.vps: skipped %s" % failure)
        return servers, not failures

    def _select_hosts(self, accounts, fleet):
        """``[(host name, account, server, vps_* variables)]``: servers in the statuses and filters, then named.

        Filters come first, so that a server left out never claims a name another one wants.
        """
        statuses = set(self.get_option("statuses"))
        selected, filter_failures = [], {}
        for account in accounts:
            for server in sorted(fleet.get(account.name, []), key=lambda server: str(server["id"])):
                if server.get("status") not in statuses:
                    continue
                variables = server_variables(server, account.name)
                variables["vps_api_url"] = account.api_url
                if self._passes_filters(_describe_server(account.name, server), variables, filter_failures):
                    selected.append((account.name, server, variables))
        for condition, servers in filter_failures.items():
            display.warning("vpsfleet.cloud.vps: filter %r could not be evaluated for %d server(s), left out: %s"
                            " (-vvv shows why)" % (condition, len(servers), _first_few(servers)))
        names, warnings = name_hosts([(account_name, server) for account_name, server, dummy in selected],
                                     self.get_option("hostnames"))
        for warning in warnings:
            display.warning("vpsfleet.cloud.vps: %s" % warning)
        return [(name, account_name, server, variables) for name, (account_name, server, variables) in zip(names, selected)]

    def _passes_filters(self, server_text, variables, failures):
        """Whether every filter holds; one that cannot be evaluated fails the inventory (strict) or leaves the server out."""
        for condition in self.get_option("filters"):
            try:
                if not self._compose(condition, wrap_var(variables)):
                    return False
            except Exception as exc:
                if self.get_option("strict"):
                    raise AnsibleParserError("vpsfleet.cloud.vps: filter %r failed for %s: %s" % (condition, server_text, exc))
                display.vvv("vpsfleet.cloud.vps: filter %r failed for %s, which is left out: %s" % (condition, server_text, exc))
                failures.setdefault(condition, []).append(server_text)
                return False
        return True

    def _inline_credentials(self, reader, accounts, hosts, cached_credentials):
        """Credentials of every selected host: from the cache when stored there, else read concurrently."""
        by_name = dict((account.name, account) for account in accounts)
        credentials, targets, described = {}, [], {}
        for host_name, account_name, server, dummy in hosts:
            key = server_key(account_name, server["id"])
            described[key] = (account_name, server["id"], host_name)
            if key in cached_credentials:
                credentials[key] = cached_credentials[key]
            else:
                targets.append((by_name[account_name], server["id"]))
        found, failed = reader.read_credentials(targets)
        credentials.update(found)
        if failed:
            lines = ["%s (%s id %s): %s" % (host_name, account_name, server_id, failed[key])
                     for account_name, server_id, host_name, key in sorted(
                         described[key][:2] + (described[key][2], key) for key in failed)]
            if self.get_option("strict_credentials"):
                raise AnsibleParserError("vpsfleet.cloud.vps: could not read the credentials of %d server(s): %s"
                                         % (len(lines), "; ".join(lines)))
            display.warning("vpsfleet.cloud.vps: listed without credentials (not readable): %s" % "; ".join(lines))
        return credentials

    # -- cache ------------------------------------------------------------------------------

    def _cached_fleet(self, cache_key, accounts):
        """The cache entry for this source, or None when absent or written for other accounts or keys."""
        try:
            cached = self._cache[cache_key]
        except KeyError:
            return None
        if not (isinstance(cached, dict) and cached.get("format") == CACHE_FORMAT and isinstance(cached.get("salt"), str)):
            return None
        written_for = [list(identity) for identity in cached.get("accounts") or []]
        return cached if written_for == _cache_identities(accounts, cached["salt"]) else None

    def _cached_credentials(self, cached):
        """Credentials from the cache only while cache_credentials is on (turning it off purges them)."""
        if cached is None or not self.get_option("cache_credentials"):
            return {}
        return cached.get("credentials") or {}

    def _cache_entry(self, accounts, fleet, credentials):
        salt = os.urandom(16).hex()
        entry = {"format": CACHE_FORMAT, "salt": salt, "accounts": _cache_identities(accounts, salt), "servers": fleet}
        if self.get_option("cache_credentials") and credentials:
            entry["credentials"] = credentials
        return entry

    # -- populating -------------------------------------------------------------------------

    def _add_host(self, host_name, account_name, server, variables, credentials):
        self.inventory.add_host(host_name)
        for name, value in variables.items():
            self.inventory.set_variable(host_name, name, wrap_var(value))
        address = connection_address(server, self.get_option("connect_with"))
        if address:
            self.inventory.set_variable(host_name, "ansible_host", wrap_var(address))
        self._set_credentials(host_name, account_name, credentials)
        if self.get_option("default_groups"):
            for field in DEFAULT_GROUP_FIELDS:
                value = variables.get("vps_" + field)
                if value not in (None, ""):
                    group = self.inventory.add_group(self._sanitize_group_name("vps_%s_%s" % (field, value)))
                    self.inventory.add_child(group, host_name)
        strict = self.get_option("strict")
        hostvars = self.inventory.get_host(host_name).get_vars()
        self._set_composite_vars(self.get_option("compose"), hostvars, host_name, strict=strict)
        self._add_host_to_composed_groups(self.get_option("groups"), hostvars, host_name, strict=strict)
        self._add_host_to_keyed_groups(self.get_option("keyed_groups"), hostvars, host_name, strict=strict)

    def _set_credentials(self, host_name, account_name, credentials):
        mode = self.get_option("credentials")
        if mode == "lazy":
            key_var = self._account_key_vars.get(account_name)
            extra = ", api_key_var='%s'" % key_var if key_var else ""
            for variable, field in (("ansible_user", "username"), ("ansible_password", "password")):
                self.inventory.set_variable(host_name, variable, trust_as_template(LAZY_TEMPLATE % (field, extra)))
        elif mode == "inline" and credentials:
            if credentials.get("username"):
                self.inventory.set_variable(host_name, "ansible_user", wrap_var(credentials["username"]))
            if credentials.get("password") is not None:
                self.inventory.set_variable(host_name, "ansible_password", wrap_var(credentials["password"]))


def _describe_server(account_name, server):
    return "%s (%s id %s)" % (server.get("name") or server["id"], account_name, server["id"])


def _first_few(items):
    shown = ", ".join(items[:LISTED_IN_A_WARNING])
    return shown if len(items) <= LISTED_IN_A_WARNING else "%s and %d more" % (shown, len(items) - LISTED_IN_A_WARNING)


def _refuse_repeated_accounts(accounts):
    """Each account once: unique names, and no two entries reading with the same key at the same URL."""
    names = [account.name for account in accounts]
    doubled = sorted(set(name for name in names if names.count(name) > 1))
    if doubled:
        raise AnsibleParserError("vpsfleet.cloud.vps: account names must be unique; repeated: %s" % ", ".join(doubled))
    by_login = {}
    for account in accounts:
        by_login.setdefault((account.provider, account.api_key, account.api_url.rstrip("/")), []).append(account.name)
    repeated = [names for names in by_login.values() if len(names) > 1]
    if repeated:
        raise AnsibleParserError("vpsfleet.cloud.vps: %s read the same account (same key, same URL); list it once"
                                 % "; ".join(" and ".join(repr(name) for name in names) for names in repeated))


def _cache_identities(accounts, salt):
    """What a cache entry was written for: each account's name, provider, URL and a salted hash of its key."""
    return sorted([account.name, account.provider, account.api_url, account.key_fingerprint(salt)] for account in accounts)
