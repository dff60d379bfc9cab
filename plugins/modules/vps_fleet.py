#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: vps_fleet
short_description: Declare many servers at one or several providers, ordered together and waited for together
version_added: 0.1.0
author:
  - vpsfleet maintainers (@vpsfleet)
description:
  - Makes sure every server in O(servers) exists at the provider, by name. The missing ones are
    checked against the live catalog and the balance first - all of them, before any order - then
    ordered together, so they provision in parallel; with O(wait) the task waits for the whole fleet
    at once. One task does for a fleet what a loop of M(vpsfleet.cloud.vps_server) tasks does one
    server at a time.
  - Existing servers are left as they are; where their plan, location or OS differ from the entry,
    a warning says so (as M(vpsfleet.cloud.vps_server) does).
  - The balance must cover all missing servers, or nothing is ordered and the task fails with the
    cost, the balance and a pointer to M(vpsfleet.cloud.vps_topup).
  - With O(accounts), one task covers the fleet at several providers; every account is planned and its
    balance checked before any account orders, the orders of all accounts go out together, and each
    account's servers are waited for at the same time as the others'.
extends_documentation_fragment:
  - vpsfleet.cloud.provider
  - vpsfleet.cloud.api_client
  - vpsfleet.cloud.attributes
  - vpsfleet.cloud.attributes.CHANGES_WITH_DIFF
  - vpsfleet.cloud.journal
  - vpsfleet.cloud.journal.lock
options:
  provider:
    description:
      - The hosting provider whose API is used, for a fleet at one provider.
      - C(vpscrypto) is VPSCrypto (prepaid balance, crypto top-ups); C(otwa) is Otwa Cloud.
      - One of O(provider) and O(accounts) is required.
    required: false
  accounts:
    description:
      - The provider accounts of a fleet at several providers, one per provider. When set, O(provider),
        O(api_key) and O(api_url) are not used (a play's C(module_defaults) may set them for other modules).
      - Every server then names its O(servers[].provider), and that provider must be listed here; a
        server that names none or another fails the task before any request.
      - A failure at one account names it; the other accounts' orders stand, and a re-run orders only
        what is still missing.
    type: list
    elements: dict
    version_added: 1.1.0
    suboptions:
      provider:
        description:
          - The hosting provider of this account.
        type: str
        required: true
        choices: [vpscrypto, otwa]
      api_key:
        description:
          - The account's API key; if not set, the provider's environment variable (E(VPSCRYPTO_API_KEY) or
            E(OTWA_API_KEY)). Never logged.
        type: str
      api_url:
        description:
          - Base URL of the provider's API; if not set, the provider's environment variable (E(VPSCRYPTO_API_URL)
            or E(OTWA_API_URL)), else the production URL.
        type: str
  servers:
    description:
      - The fleet. With O(provider), entries whose O(servers[].provider) names another provider are left
        out, so one list can be handed to one task per provider.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description:
          - The server's name (VPSCrypto hostname, Otwa label), which identifies it across runs.
          - Names are compared as the provider compares them (a VPSCrypto hostname ignores case and a trailing
            dot); entries that name one server that way fail the task before any order, naming them.
        type: str
        required: true
      provider:
        description:
          - The provider of this server. Unset means O(provider); required with O(accounts).
        type: str
        choices: [vpscrypto, otwa]
      plan:
        description:
          - Plan slug, id or name, as M(vpsfleet.cloud.vps_server) accepts it.
        type: str
        required: true
      location:
        description:
          - Location (VPSCrypto, required there) or region (Otwa) slug or name.
        type: str
      os:
        description:
          - OS image slug or name.
        type: str
        required: true
      cycle:
        description:
          - Billing cycle; the catalog lists the valid ones.
        type: str
      hostname:
        description:
          - The hostname (Otwa only), when the provider is not to derive it.
        type: str
      root_password:
        description:
          - The root password to set (VPSCrypto only; Otwa generates its own).
        type: str
      addons:
        description:
          - Add-on ids to order with the server (Otwa only).
        type: list
        elements: str
      idempotency_key:
        description:
          - Part of the C(Idempotency-Key) of this server's Otwa order (ignored for VPSCrypto), as
            O(vpsfleet.cloud.vps_server#module:idempotency_key) describes. The key is derived from the account
            and the request, so a re-run or a concurrent run within Otwa's 24 h window replays the order.
            Set a new value to order the same request again within 24 h.
        type: str
      groups:
        description:
          - Not used by this module. Lets a caller keep inventory groups in the same entry (the
            C(vpsfleet.cloud.fleet) role does).
        type: list
        elements: str
  wait:
    description:
      - Wait until every server of the fleet is running and has its IP, polling one server list per
        round rather than each server in turn.
    type: bool
    default: true
  wait_for_ssh:
    description:
      - Also wait until every server's SSH port accepts connections (implies O(wait)).
    type: bool
    default: false
  wait_timeout:
    description:
      - How many seconds the waits may take together. On timeout the task fails, naming the servers
        still waiting and their last status.
    type: int
    default: 600
  include_credentials:
    description:
      - Return each server's root credentials under RV(servers[].credentials). Register the result with
        C(no_log) set to V(true).
    type: bool
    default: false
notes:
  - In check mode, lists the servers that would be ordered, their total price and whether the balance covers
    it; orders nothing.
  - The shared options other than O(provider), O(api_key) and O(api_url) (timeouts, retries, the rate limit)
    apply to every account of O(accounts).
  - The diff holds the names of the fleet's servers before and after.
  - Orders are sent a few at a time. Each keeps its own protection against a retry ordering twice (an
    Otwa Idempotency-Key derived from the request, a VPSCrypto look-up by name and an intent in the journal).
  - Ordering runs of one account on one controller take a lock (O(journal_dir)), so concurrent runs queue and
    the later ones find the servers; with O(accounts) a run takes every account's lock, always in the same order
    and within one O(lock_timeout) for them all, and a lock held at any account holds back every order.
    After ordering the servers are read again (VPSCrypto also once the orders
    are 3 seconds old and after the wait); a name that now has a live server this run did not expect (ordered by a
    concurrent run elsewhere) fails the task, naming the duplicates, their ids and prices. If some orders fail, the others stand; the task
    fails naming each failed server and its error, and a re-run orders only what is still missing.
  - Root passwords are not part of the result unless O(include_credentials=true); they can be read at any
    time with M(vpsfleet.cloud.vps_server_info).
seealso:
  - module: vpsfleet.cloud.vps_server
  - module: vpsfleet.cloud.vps_server_info
  - module: vpsfleet.cloud.vps_topup
"""

EXAMPLES = r"""
- name: Plan the fleet (check mode) - what is missing and what it costs
  vpsfleet.cloud.vps_fleet:
    provider: vpscrypto
    servers: "{{ fleet }}"
  check_mode: true
  register: plan

- name: Order what is missing, without waiting
  vpsfleet.cloud.vps_fleet:
    provider: "{{ item }}"
    servers: "{{ fleet }}"
    wait: false
  loop: [vpscrypto, otwa]

- name: Wait for the whole fleet and read its credentials
  vpsfleet.cloud.vps_fleet:
    provider: "{{ item }}"
    servers: "{{ fleet }}"
    wait_for_ssh: true
    include_credentials: true
  loop: [vpscrypto, otwa]
  register: ready
  no_log: true

- name: Or all of it in one task - both providers ordered at once, waited for at once
  vpsfleet.cloud.vps_fleet:
    accounts:
      - provider: vpscrypto
        api_key: "{{ vault_vpscrypto_api_key }}"
      - provider: otwa  # the key from OTWA_API_KEY
    servers: "{{ fleet }}"
    include_credentials: true
  register: ready
  no_log: true
  vars:
    fleet:
      - {name: web-1, provider: vpscrypto, plan: hunter, location: nl, os: debian-13}
      - {name: db-1, provider: otwa, plan: Cloud S, location: de-fra-01, os: debian-13}
"""

RETURN = r"""
servers:
  description:
    - The fleet's servers of this provider, in the order of O(servers), in the common server model.
    - With O(accounts), the servers of every account, account by account, each in the order of O(servers).
    - In check mode, a server that would be ordered is the planned one (no id, no IP).
  returned: always
  type: list
  elements: dict
  contains:
    credentials:
      description: C(username), C(password), C(ip) and C(ssh_command).
      returned: when O(include_credentials=true) and not in check mode
      type: dict
ordered:
  description:
    - The names of the servers ordered by this task (in check mode, that would be ordered).
    - With O(accounts), of every account.
  returned: always
  type: list
  elements: str
  sample: [web-2, web-3]
cost_usd:
  description:
    - What the ordered servers cost together, in USD (null when the catalog leaves a price unknown).
    - With O(accounts), at every account together.
    - Otwa add-ons are charged on top; the API lists their prices only for existing servers.
  returned: always
  type: float
  sample: 28.0
balance_usd:
  description: The account balance in USD before ordering.
  returned: when a server is to be ordered, with O(provider)
  type: float
  sample: 50.0
balance_covers:
  description:
    - Whether the balance covers the orders; null when a price or the balance is unknown, and when
      Otwa add-ons are ordered and the balance covers RV(cost_usd).
  returned: when a server is to be ordered, with O(provider)
  type: bool
  sample: true
accounts:
  description:
    - What each account's part of the fleet costs, in the order of O(accounts) (with O(provider), one entry).
  returned: always
  type: list
  elements: dict
  version_added: 1.1.0
  contains:
    provider:
      description: The account's provider.
      type: str
      returned: always
      sample: otwa
    ordered:
      description: The names of this account's servers ordered by this task (in check mode, that would be ordered).
      type: list
      elements: str
      returned: always
    cost_usd:
      description: What they cost together, in USD (null when the catalog leaves a price unknown).
      type: float
      returned: always
    balance_usd:
      description: The account's balance in USD before ordering.
      type: float
      returned: when a server of this account is to be ordered
    balance_covers:
      description: Whether the balance covers this account's orders (null when unknown), as RV(balance_covers).
      type: bool
      returned: when a server of this account is to be ordered
"""

import contextlib
import time

from ansible_collections.vpsfleet.cloud.plugins.module_utils._module.base import ModuleFailure, VpsModule
from ansible_collections.vpsfleet.cloud.plugins.module_utils._providers.registry import PROVIDERS
from ansible_collections.vpsfleet.cloud.plugins.module_utils._services.credentials import with_credentials
from ansible_collections.vpsfleet.cloud.plugins.module_utils._services.fleet import (
    account_parameters, check_entries, entries_for, live_servers_by_name, per_account,
    resolve_orders, send_orders, total_price)
from ansible_collections.vpsfleet.cloud.plugins.module_utils._core.journal import journal_argument_spec
from ansible_collections.vpsfleet.cloud.plugins.module_utils._providers.model import usd
from ansible_collections.vpsfleet.cloud.plugins.module_utils._services.order_guard import (
    UsesJournal, clear_order_intent, order_lock, refuse_duplicates, refuse_late_duplicates, resolve_pending_orders,
    unknown_order_advice)
from ansible_collections.vpsfleet.cloud.plugins.module_utils._services.server_drift import unchangeable_differences
from ansible_collections.vpsfleet.cloud.plugins.module_utils._services.server_order import (
    TOPUP_HINT, balance_covers, planned_server)
from ansible_collections.vpsfleet.cloud.plugins.module_utils._services.server_wait import wait_for_servers
from ansible_collections.vpsfleet.cloud.plugins.module_utils._core.wait import Deadline, WaitTimeout

# What each account reports under ``accounts`` (and, with one account, at the top of the result).
ACCOUNT_RESULT_KEYS = ("ordered", "cost_usd", "balance_usd", "balance_covers")


class FleetModule(VpsModule):
    """The fleet across one or several provider accounts: each step runs for every account at once,
    and no account orders before every account's plan, prices and balance have passed."""

    accounts = ()

    def check_requirements(self):
        self.accounts = [AccountFleet(self.module, params) for params in account_parameters(self.params)]
        for account in self.accounts:
            account.check_requirements()

    def execute(self):
        deadline = Deadline(self.params["wait_timeout"])
        try:
            per_account(self.accounts, lambda account: account.select(self.params["servers"]))
            working = [account for account in self.accounts if account.entries]
            with contextlib.ExitStack() as locks:
                if not self.check_mode:
                    # Concurrent runs on this controller queue here; one that waited then finds the servers.
                    # Taken in one order, so that two runs over the same accounts cannot hold one each,
                    # and within one lock_timeout for them all.
                    locks_deadline = Deadline(self.params["lock_timeout"])
                    for account in sorted(working, key=lambda account: account.journal.account_dir):
                        locks.enter_context(order_lock(account, account.journal, timeout=locks_deadline.remaining()))
                self.plan(working)
                if self.check_mode:
                    return
                failed_orders = self.place(working)
            if failed_orders is not None:
                raise self.with_late_duplicates(working, failed_orders)
            # Each account reads its servers' credentials as soon as they are ready, while others still wait.
            per_account(working, lambda account: account.settle(deadline))
        finally:
            self.collect()

    def plan(self, working):
        """Every account's plan and balance check; when one fails, nothing is ordered anywhere."""
        try:
            per_account(working, lambda account: account.plan())
        except ModuleFailure:
            for account in working:
                account.result["ordered"] = []
            raise

    @staticmethod
    def place(working):
        """Every account's orders: the failure of some, returned so that the locks are left before the
        accounts whose orders went through read their servers again; None when all went through."""
        try:
            per_account(working, lambda account: account.place())
        except ModuleFailure as failure:
            return failure
        return None

    @staticmethod
    def with_late_duplicates(working, failure):
        """``failure``, after the accounts whose orders went through looked for a concurrent run's
        duplicates once their orders were 3 seconds old (what settling does when every order goes through)."""
        try:
            per_account([account for account in working if account.created],
                        lambda account: account.check_late_duplicates())
        except ModuleFailure as duplicates:
            return ModuleFailure("%s; %s" % (failure.msg, duplicates.msg), **dict(failure.result, **duplicates.result))
        return failure

    def collect(self):
        """The accounts' results as the module's: one account's at the top, several under ``accounts``."""
        self.effected = any(account.effected for account in self.accounts)
        if any(account.result["changed"] for account in self.accounts):
            self.mark_changed()
        reports = [dict(provider=account.provider, **dict((key, account.result[key]) for key in ACCOUNT_RESULT_KEYS
                                                          if key in account.result))
                   for account in self.accounts]
        self.result["accounts"] = reports
        if len(self.accounts) == 1:
            self.result.update(reports[0])
            del self.result["provider"]
        else:
            self.result["ordered"] = [name for report in reports for name in report.get("ordered", [])]
            costs = [report.get("cost_usd", 0) for report in reports]
            self.result["cost_usd"] = None if None in costs else usd(sum(costs))
        self.result["servers"] = [server for account in self.accounts for server in account.result.get("servers") or []]
        befores = [account.before for account in self.accounts if account.before is not None]
        if befores:
            self.before = {"servers": sorted(name for before in befores for name in before["servers"])}
            self.after = {"servers": sorted(name for account in self.accounts if account.after
                                            for name in account.after["servers"])}

    def withhold_secrets(self, result):
        """One account may have read its servers' credentials before another failed."""
        servers = result.get("servers") or []
        if not any(server.get("credentials") for server in servers):
            return []
        result["servers"] = [dict((key, value) for key, value in server.items() if key != "credentials")
                             for server in servers]
        return ["credentials"]


class AccountFleet(UsesJournal, VpsModule):
    """One provider account's share of the fleet: its plan, its orders, its wait."""

    entries = ()
    plan_of = None  # what plan() found, for place()
    created = None  # {name: server} ordered by this run
    ordered_at = 0.0

    def required_operations(self):
        operations = ["list_servers", "catalog", "account", "order_server"]
        if self.params["include_credentials"]:
            operations.append("credentials")
        return operations

    def select(self, servers):
        """Take this account's entries and check them, before any request."""
        self.entries = entries_for(self.provider, servers)
        check_entries(self.adapter, self.entries)
        if not self.entries:
            self.result.update(ordered=[], cost_usd=usd(0), servers=[])
            self.before = self.after = {"servers": []}

    def plan(self):
        """Find the fleet's servers and price the missing ones; refuse when the balance falls short.
        In check mode the planned servers are the result."""
        names = set(entry["name"] for entry in self.entries)
        listed = self.adapter.list_servers()
        existing = live_servers_by_name(self.adapter, listed, names)
        if not self.adapter.keyed_orders and not self.check_mode:
            for name in existing:
                clear_order_intent(self.journal, name)  # listed: no intent needed any more
            missing_names = sorted(name for name in names if name not in existing)
            existing.update(resolve_pending_orders(self.adapter, self.journal, self.params, missing_names,
                                                   self.live_named, warn=self.module.warn))
        catalog = self.adapter.catalog()
        self.warn_about_drift(existing, catalog)
        missing = [entry for entry in self.entries if entry["name"] not in existing]
        orders = resolve_orders(self.adapter, catalog, missing)
        for order, entry in zip(orders, missing):
            order["idempotency_key"] = entry.get("idempotency_key")
        self.result.update(ordered=[entry["name"] for entry in missing], cost_usd=usd(total_price(orders)))
        if orders:
            self.mark_changed()
            self.check_balance(orders)
        self.plan_of = (existing, orders, listed)
        if self.check_mode:
            self.finish(existing, dict((order["request"]["name"], planned_server(self.adapter, order))
                                       for order in orders))

    def place(self):
        """Send the planned orders and read the servers back."""
        existing, orders, listed = self.plan_of
        created = self.order(orders, listed)
        self.finish(existing, created)
        if created:
            refuse_duplicates(self.adapter, *self.created_by_name())

    def settle(self, deadline):
        """Wait for the servers (with ``wait``), check for late duplicates, read credentials."""
        servers = self.result["servers"]
        if self.params["wait"] or self.params["wait_for_ssh"]:
            try:
                servers = wait_for_servers(self.adapter, servers, "running", deadline.remaining(),
                                           ssh=self.params["wait_for_ssh"])
            except WaitTimeout as exc:
                last = exc.last if isinstance(exc.last, list) else servers
                raise ModuleFailure(str(exc), servers=[server for server in last if server],
                                    ordered=self.result["ordered"])
        self.check_late_duplicates()
        if self.params["include_credentials"]:
            servers = with_credentials(self.adapter, servers)
        self.result["servers"] = self.adapter.fill_plan_specs(servers)

    def check_late_duplicates(self):
        """Across machines: a concurrent run's order that was not listed yet at the first read-back."""
        if self.created:
            refuse_late_duplicates(self.adapter, *self.created_by_name(), ordered_at=self.ordered_at)

    def created_by_name(self):
        """What the duplicate checks expect of this run's orders: ``{name: {id}}`` and ``{name: [server]}``."""
        return (dict((name, set([str(server["id"])])) for name, server in self.created.items()),
                dict((name, [server]) for name, server in self.created.items()))

    def live_named(self, names):
        """``{name: server}`` of the live servers bearing one of ``names`` (read afresh)."""
        return live_servers_by_name(self.adapter, self.adapter.list_servers(), set(names))

    def warn_about_drift(self, existing, catalog):
        can_rebuild = self.adapter.offers("reinstall_server")
        for entry in self.entries:
            if entry["name"] in existing:
                for warning in unchangeable_differences(existing[entry["name"]], entry, catalog, can_rebuild):
                    self.module.warn(warning)

    def check_balance(self, orders):
        """Record the balance; refuse (before any order) when it cannot pay for every missing server."""
        cost = total_price(orders)
        addons = any(order["request"].get("addons") for order in orders)
        balance = self.adapter.get_account()["balance_usd"]
        covers = balance_covers(cost, balance, with_addons=addons)
        self.result.update(balance_usd=balance, balance_covers=covers)
        if covers is False:
            message = "insufficient balance: the %d missing server(s) cost $%.2f together%s, the balance is $%.2f; %s" % (
                len(orders), usd(cost), " plus their add-ons" if addons else "", usd(balance), TOPUP_HINT)
            if not self.check_mode:
                raise ModuleFailure(message + "; nothing was ordered", ordered=[], cost_usd=usd(cost),
                                    balance_usd=balance)
            self.module.warn(message)

    def order(self, orders, listed):
        """Send every order; ``{name: server}`` of the new servers, or a failure naming each failed one.

        Every server listed before (terminated ones too) is known, so that a look-up after a lost
        answer never takes an old namesake for the new order.
        """
        known_ids = [server["id"] for server in listed]
        outcomes = send_orders(self.adapter, orders, known_ids, self.journal)
        created = dict((order["request"]["name"], server) for order, server, error in outcomes if error is None)
        self.created, self.ordered_at = created, time.monotonic()
        if created:
            self.record_effect()
        failed = ["%s: %s" % (order["request"]["name"], error) for order, server, error in outcomes if error]
        if failed:
            self.result["ordered"] = sorted(created)
            unknown = any(getattr(error, "outcome_unknown", False) for order, server, error in outcomes if error)
            rerun = (unknown_order_advice(self.journal, self.adapter) if unknown
                     else "a re-run orders only what is still missing")
            raise ModuleFailure("%d of %d order(s) failed (%s); the other servers were ordered, and %s"
                                % (len(failed), len(orders), "; ".join(failed), rerun),
                                ordered=sorted(created), servers=list(created.values()))
        return created

    def finish(self, existing, new):
        """The fleet's servers in entry order, with the diff of their names."""
        servers = [existing.get(entry["name"]) or new[entry["name"]] for entry in self.entries]
        self.before = {"servers": sorted(existing)}
        self.after = {"servers": sorted(server["name"] for server in servers)}
        self.result["servers"] = servers


def main():
    entry = dict(
        name=dict(type="str", required=True),
        provider=dict(type="str", choices=["vpscrypto", "otwa"]),
        plan=dict(type="str", required=True),
        location=dict(type="str"),
        os=dict(type="str", required=True),
        cycle=dict(type="str"),
        hostname=dict(type="str"),
        root_password=dict(type="str", no_log=True),
        addons=dict(type="list", elements="str"),
        groups=dict(type="list", elements="str"),
        idempotency_key=dict(type="str", no_log=False),
    )
    account = dict(
        provider=dict(type="str", required=True, choices=sorted(PROVIDERS)),
        api_key=dict(type="str", no_log=True),
        api_url=dict(type="str"),
    )
    module = VpsModule.build_module(
        argument_spec=dict(
            # Either one provider (the shared options) or several accounts, each with its own key.
            provider=dict(type="str", choices=sorted(PROVIDERS)),
            accounts=dict(type="list", elements="dict", options=account),
            servers=dict(type="list", elements="dict", required=True, options=entry),
            wait=dict(type="bool", default=True),
            wait_for_ssh=dict(type="bool", default=False),
            wait_timeout=dict(type="int", default=600),
            include_credentials=dict(type="bool", default=False),
            **journal_argument_spec(lock=True)
        ),
        # No mutual exclusion: a play's module_defaults for the action group may set provider, api_key
        # and api_url for every module, and accounts then takes their place here.
        required_one_of=[("provider", "accounts")],
    )
    FleetModule(module).run()


if __name__ == "__main__":
    main()
