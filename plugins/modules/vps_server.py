#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: vps_server
short_description: Order, rebuild or terminate a VPS at VPSCrypto or Otwa Cloud
version_added: 0.1.0
author:
  - vpsfleet maintainers (@vpsfleet)
description:
  - Declares one server by O(name) (or O(id)) and makes it so.
  - V(present) orders the server from the account's prepaid balance if no server has that name,
    and otherwise converges what the API can change in place (the Otwa label) and warns about what it cannot.
  - V(rebuilt) reinstalls the server with O(os), wiping its disk (Otwa Cloud only; needs an API key with the
    C(servers:destroy) scope, which Otwa's default scope set lacks. The API does not tell a key's scopes, so
    check mode previews the rebuild and warns that a real run needs that scope).
  - V(absent) terminates the server (Otwa Cloud only; needs an API key with the C(servers:destroy) scope).
  - An order is never sent twice. Otwa orders carry one C(Idempotency-Key) per order; a VPSCrypto
    order whose answer was lost is looked up by name before any retry.
extends_documentation_fragment:
  - vpsfleet.cloud.provider
  - vpsfleet.cloud.api_client
  - vpsfleet.cloud.attributes
  - vpsfleet.cloud.attributes.CHANGES_WITH_DIFF
  - vpsfleet.cloud.journal
  - vpsfleet.cloud.journal.lock
options:
  name:
    description:
      - The server's name, which identifies it across runs.
      - The hostname on VPSCrypto, the label on Otwa Cloud.
      - Two live servers with this name make the task fail, listing their ids.
      - Required to order a server.
    type: str
  id:
    description:
      - Address one existing server directly. With O(name), the server is renamed to O(name) (Otwa Cloud;
        on VPSCrypto, which cannot rename servers, O(id) with O(name) fails before any request).
    type: str
  state:
    description:
      - V(present) orders the server if it is missing.
      - V(rebuilt) reinstalls it with O(os) (always a change; the disk is wiped). On Otwa a second run with the
        same O(os) within 24 h replays the first reinstall (see O(idempotency_key)).
      - V(absent) terminates it.
    type: str
    choices: [present, rebuilt, absent]
    default: present
  plan:
    description:
      - The plan, by slug, id or display name (VPSCrypto V(hunter) or V(Hunter); Otwa product id or V(Cloud M)).
      - Required to order. Unknown values fail with the valid choices from the live catalog, before ordering.
    type: str
  location:
    description:
      - Where the server runs, by slug or display name (VPSCrypto V(nl) or V(Netherlands); Otwa region V(de-fra-01)).
      - Required to order on VPSCrypto; Otwa picks its default region when omitted.
    type: str
    aliases: [region]
  os:
    description:
      - The operating system image, by slug or display name (V(debian-13), V(Ubuntu 24.04 LTS)).
      - Required to order and for O(state=rebuilt).
    type: str
  cycle:
    description:
      - The billing cycle of a new server. Otwa Cloud only bills monthly.
      - Defaults to V(monthly).
    type: str
    choices: [monthly, annual]
  hostname:
    description:
      - The server's hostname on Otwa Cloud (it cannot be changed after the order).
      - On VPSCrypto the hostname is O(name); leave this unset or equal to O(name).
    type: str
  root_password:
    description:
      - The root password of a new VPSCrypto server (at least 10 characters). When omitted, the
        provider generates one and it is returned once as RV(root_password).
      - Otwa Cloud always generates the password; setting this for Otwa fails.
    type: str
  addons:
    description:
      - Otwa Cloud add-on ids to order with the server (one per type), for example V(vpk8qnr2)
        (8 additional IPs of a Cloud M server).
      - Otwa lists add-ons and their prices only for an existing server (M(vpsfleet.cloud.vps_addon_info)),
        so the ids are checked by the provider when the order is placed, and their price is not part of
        RV(price_usd).
    type: list
    elements: str
  wait:
    description:
      - Wait until the server is running and has its IP address (for V(absent), until it is terminated).
    type: bool
    default: true
  wait_timeout:
    description:
      - How many seconds to wait. On timeout the task fails with the last status seen.
    type: int
    default: 600
  wait_for_ssh:
    description:
      - Also wait until the server accepts TCP connections on port 22 of its IP ("running" is not "reachable").
    type: bool
    default: false
  idempotency_key:
    description:
      - Part of the C(Idempotency-Key) of an Otwa order or reinstall (ignored for VPSCrypto, whose API has none).
      - The key is derived from the account (a hash of the API key), the request (name, plan, region, OS,
        hostname, add-ons; for a reinstall the server and the OS) and this value, so a re-run or a concurrent run
        of the same task within Otwa's 24 h window replays the first order or reinstall instead of making another.
      - Changing the request changes the key. Set a new value to order the same request again within 24 h (after
        terminating its server) or to reinstall the same OS again.
    type: str
notes:
  - In check mode, sends no request that changes anything and reports what would happen,
    including RV(price_usd), RV(balance_usd) and RV(balance_covers) for an order.
  - The diff holds the server before and after.
  - The generated root password is returned once. Register the result of a task that orders or
    rebuilds a server with C(no_log) set to V(true); the password can be read again later with
    M(vpsfleet.cloud.vps_server_info) and O(vpsfleet.cloud.vps_server_info#module:include_credentials=true).
  - An order the balance does not cover fails with the price and the balance; top up with M(vpsfleet.cloud.vps_topup).
seealso:
  - module: vpsfleet.cloud.vps_server_info
  - module: vpsfleet.cloud.vps_power
  - module: vpsfleet.cloud.vps_catalog_info
"""

EXAMPLES = r"""
- name: Order a VPSCrypto server (or keep the one named web-1)
  vpsfleet.cloud.vps_server:
    provider: vpscrypto
    name: web-1
    plan: hunter
    location: nl
    os: debian-13
    cycle: monthly
  register: web1
  no_log: true

- name: Order an Otwa Cloud server by display names, without waiting
  vpsfleet.cloud.vps_server:
    provider: otwa
    name: api-1
    hostname: api-1.example.com
    plan: Cloud M
    region: de-fra-01
    os: Ubuntu 24.04 LTS
    wait: false

- name: Order and wait until SSH answers
  vpsfleet.cloud.vps_server:
    provider: otwa
    name: db-1
    plan: Cloud L
    os: debian-13
    wait_for_ssh: true
  register: db1
  no_log: true

- name: Rename an Otwa server
  vpsfleet.cloud.vps_server:
    provider: otwa
    id: "{{ db1.server.id }}"
    name: db-primary

- name: Reinstall it with another OS (wipes the disk)
  vpsfleet.cloud.vps_server:
    provider: otwa
    name: db-primary
    os: ubuntu-24.04
    state: rebuilt

- name: Terminate it
  vpsfleet.cloud.vps_server:
    provider: otwa
    name: db-primary
    state: absent
"""

RETURN = r"""
server:
  description:
    - The server in the common model. In check mode, for an order, the server the order would make
      (without id, status or IP). After O(state=absent), the terminated server (with O(wait=false), as
      last seen before termination was requested), or null if there was none.
    - When the task fails after it ordered, renamed, reinstalled or terminated the server (for example the
      wait timed out), the failed result still carries RV(server) and C(changed=true); a failure before
      anything changed reports C(changed=false).
  returned: always
  type: dict
  contains:
    id: {description: The provider's server id (a string)., type: str, sample: "4242"}
    name: {description: The name (the VPSCrypto hostname or the Otwa label)., type: str, sample: web-1}
    hostname: {description: The hostname., type: str, sample: web-1.example.com}
    provider: {description: V(vpscrypto) or V(otwa)., type: str, sample: otwa}
    status:
      description:
        - One of V(provisioning), V(running), V(stopped), V(suspended), V(terminated).
        - A provider status the collection does not know reads as V(provisioning) (not ready, not gone);
          C(raw_status) keeps the provider's own word.
      type: str
      sample: running
    raw_status: {description: The status as the provider reports it., type: str, sample: active}
    ip: {description: The primary IPv4 address (null until assigned)., type: str, sample: 198.51.100.10}
    additional_ips: {description: Further IP addresses., type: list, elements: str, sample: []}
    plan: {description: The plan., type: str, sample: Hunter}
    location: {description: The location or region., type: str, sample: nl}
    os: {description: The OS image., type: str, sample: debian-13}
    price_usd: {description: The price per billing cycle in USD., type: float, sample: 14.0}
    cycle: {description: The billing cycle., type: str, sample: monthly}
    created_at: {description: When the server was created., type: str, sample: "2026-01-02T03:04:05Z"}
    expires_at: {description: When the paid period ends., type: str, sample: "2026-02-02T03:04:05Z"}
    vcpu: {description: Virtual CPUs (null where the provider does not say)., type: int, sample: 2}
    ram_mb: {description: Memory in MB., type: int, sample: 4096}
    disk_gb: {description: Disk in GB., type: int, sample: 50}
    bandwidth_gb: {description: Monthly traffic in GB., type: int, sample: 1000}
    provider_data: {description: The provider's own server object as the API returned it., type: dict, sample: {}}
root_password:
  description:
    - The root password of a server this task ordered or rebuilt, when the provider generated it
      (VPSCrypto returns it with the order; for Otwa it is read once the server is running).
    - Register the task with C(no_log) set to V(true).
    - A failed task prints its result, so a failure carries it only when the task is C(no_log); otherwise
      read it with M(vpsfleet.cloud.vps_server_info) and O(vpsfleet.cloud.vps_server_info#module:include_credentials=true).
  returned: when a server was ordered or rebuilt and the password is known
  type: str
price_usd:
  description: The price of the order in USD (for Otwa, add-ons are charged on top of it).
  returned: when a server is ordered, also in check mode
  type: float
  sample: 14.0
balance_usd:
  description: The account balance in USD before the order.
  returned: in check mode, when a server would be ordered
  type: float
  sample: 50.0
balance_covers:
  description:
    - Whether the balance covers the order; null when the price or the balance is unknown, and when
      Otwa add-ons are ordered and the balance covers RV(price_usd) (their prices are not known before).
  returned: in check mode, when a server would be ordered
  type: bool
  sample: true
"""

import time

from ansible_collections.vpsfleet.cloud.plugins.module_utils._module.base import ModuleFailure, VpsModule
from ansible_collections.vpsfleet.cloud.plugins.module_utils._http.client import ApiError
from ansible_collections.vpsfleet.cloud.plugins.module_utils._providers.model import usd
from ansible_collections.vpsfleet.cloud.plugins.module_utils._core.journal import journal_argument_spec
from ansible_collections.vpsfleet.cloud.plugins.module_utils._services.order_guard import (
    UsesJournal, clear_order_intent, order_lock, otwa_order_key, otwa_reinstall_key, pending_order,
    record_landed_order, record_order_intent, refuse_duplicates, refuse_late_duplicates, replayed_order,
    resolve_pending_orders, unknown_order_advice)
from ansible_collections.vpsfleet.cloud.plugins.module_utils._core.resolve import resolve_choice
from ansible_collections.vpsfleet.cloud.plugins.module_utils._services.server_drift import needs_catalog, unchangeable_differences
from ansible_collections.vpsfleet.cloud.plugins.module_utils._services.server_lookup import describe_target, find_server
from ansible_collections.vpsfleet.cloud.plugins.module_utils._services.server_order import (
    OS_KEYS, balance_covers, check_order_options, insufficient_balance_message, planned_server, resolve_order)
from ansible_collections.vpsfleet.cloud.plugins.module_utils._services.server_wait import reached, wait_for_server, wait_for_ssh

OPERATIONS_BY_STATE = {
    "present": ("list_servers", "order_server"),
    "rebuilt": ("list_servers", "reinstall_server"),
    "absent": ("list_servers", "terminate_server"),
}
DESTROY_SCOPE_HINT = "this needs an API key with the servers:destroy scope"


class ServerModule(UsesJournal, VpsModule):
    replayed = None  # the live server of an earlier order Otwa replayed, when it did
    represent = "server"
    secrets_shown_again = ("root_password",)

    def __init__(self, module):
        super(ServerModule, self).__init__(module)
        self.deadline = time.monotonic() + self.params["wait_timeout"]

    def required_operations(self):
        operations = OPERATIONS_BY_STATE[self.params["state"]]
        if self.params["state"] == "present" and self.params["id"] and self.params["name"]:
            # With id, name renames the server: refused before any request where that is not offered.
            operations = operations + ("rename_server",)
        return operations

    def execute(self):
        state = self.params["state"]
        if state == "present":
            check_order_options(self.provider, self.params)
        server = find_server(self.adapter, server_id=self.params["id"], name=self.params["name"])
        if state == "present":
            self.ensure_present(server)
        elif state == "rebuilt":
            self.rebuild(server)
        else:
            self.ensure_absent(server)
        if self.result.get("server") and self.result["server"].get("id"):
            self.result["server"] = self.adapter.fill_plan_specs([self.result["server"]])[0]
        # The diff describes the same server the result returns: with its plan's specs.
        self.before, self.after = [self.adapter.fill_plan_specs([state])[0] if state else state
                                   for state in (self.before, self.after)]

    # -- present ----------------------------------------------------------------------------

    def ensure_present(self, server):
        if server is not None and server["status"] == "terminated":
            raise ModuleFailure("server %s is terminated; omit id to order a new one" % server["id"], server=server)
        if server is None and self.params["id"]:
            raise ModuleFailure("no server with id %s; omit id and give name to order one" % self.params["id"])
        if server is None:
            self.order_server()
        else:
            if self.provider == "vpscrypto" and not self.check_mode and self.params["name"] \
                    and pending_order(self.journal, self.params["name"]):
                clear_order_intent(self.journal, self.params["name"])  # the late order has landed
            self.converge(server)

    def order_server(self):
        order = resolve_order(self.provider, self.adapter.catalog(), self.params)
        planned = planned_server(self.provider, order)
        self.mark_changed()
        self.set_diff({}, planned)
        self.result["price_usd"] = usd(order["price"])
        if self.check_mode:
            balance = self.adapter.get_account()["balance_usd"]
            addons = bool(order["request"].get("addons"))
            covers = balance_covers(order["price"], balance, with_addons=addons)
            self.result.update(server=planned, balance_usd=balance, balance_covers=covers)
            if covers is False:
                self.module.warn(insufficient_balance_message(order["price"], balance, with_addons=addons))
            return
        # Concurrent runs on this controller queue here; the one that waited then finds the server.
        with order_lock(self, self.journal):
            name = self.params["name"]
            late = resolve_pending_orders(self.adapter, self.journal, self.params, [name], self.live_named,
                                          warn=self.module.warn) \
                if self.provider == "vpscrypto" else {}
            found = late.get(name) or find_server(self.adapter, name=name)
            if found is None:
                server, password = self.place_order(order)
                # Otwa replayed an earlier order whose server is live: that is the server asked for.
                found = self.replayed
            if found is None:
                # Recorded before waiting: should the wait fail, the task still reports the paid order.
                self.record_effect()
                self.record_order(server, password)
                ordered_at = time.monotonic()
                refuse_duplicates(self.adapter, self.provider, {name: set([str(server["id"])])}, {name: [server]})
        if found is not None:
            # Another run (or an earlier one's late order) made it meanwhile: nothing to order.
            self.result["changed"] = False
            self.result.pop("price_usd", None)
            self.converge(found)
            return
        server = self.wait_until_ready(server)
        # Across machines: a concurrent run's order that was not listed yet at the first read-back.
        refuse_late_duplicates(self.adapter, self.provider, {name: set([str(server["id"])])}, {name: [server]},
                               ordered_at)
        self.record_order(server, password or self.generated_password(server))

    def place_order(self, order):
        """Send the order; a refusal for want of money says the price, the balance and what to do."""
        try:
            return self.send_order(order["request"])
        except ApiError as exc:
            if exc.status != 402:
                raise
            balance = self.balance_or_none()
            message = insufficient_balance_message(order["price"], balance,
                                                   with_addons=bool(order["request"].get("addons")))
            raise ModuleFailure(message, failure=exc.to_failure(),
                                price_usd=usd(order["price"]), balance_usd=balance)

    def record_order(self, server, password):
        if password:
            self.result["root_password"] = password
        self.set_diff({}, server)
        self.result["server"] = server

    def live_named(self, names):
        """``{name: server}`` of the live servers bearing one of ``names``."""
        found = {}
        for name in names:
            server = find_server(self.adapter, name=name)
            if server is not None and server["status"] != "terminated":
                found[name] = server
        return found

    def send_order(self, request):
        """One order: Otwa with an Idempotency-Key derived from the request (a re-run replays it),
        VPSCrypto journaled first and with the ids that existed before it."""
        known_ids = [server["id"] for server in self.adapter.list_servers()]
        if self.provider == "otwa":
            key = otwa_order_key(self.journal, request, self.params["idempotency_key"])
            server, password = self.adapter.order_server(request, idempotency_key=key)
            self.replayed = replayed_order(self.adapter, request["name"], server, known_ids)
            return server, password
        record_order_intent(self.journal, request["name"], request)
        try:
            answer = self.adapter.order_server(request, known_ids=known_ids)
        except ApiError as exc:
            if not exc.outcome_unknown:
                clear_order_intent(self.journal, request["name"])
                raise
            exc.message += "; " + unknown_order_advice(self.journal, self.provider)
            raise
        record_landed_order(self.journal, request["name"], answer[0])
        return answer

    def balance_or_none(self):
        try:
            return self.adapter.get_account()["balance_usd"]
        except ApiError:
            return None

    def converge(self, server):
        catalog = self.adapter.catalog() if needs_catalog(self.params) else None
        for warning in unchangeable_differences(server, self.params, catalog, self.adapter.offers("reinstall_server")):
            self.module.warn(warning)
        before, name = server, self.params["name"]
        if name and not self.adapter.same_name(server["name"], name):
            if not self.adapter.offers("rename_server"):
                self.module.warn("%s cannot rename servers; server %s keeps the name %r" % (
                    self.provider_label, server["id"], server["name"]))
            else:
                self.refuse_taken_name(server, name)
                self.mark_changed()
                if self.check_mode:
                    server = dict(server, name=name)
                else:
                    server = self.adapter.rename_server(server["id"], name)
                    self.record_effect()
        if server["status"] == "provisioning" and not self.check_mode:
            server = self.wait_until_ready(server)
        elif self.params["wait_for_ssh"] and not self.check_mode:
            wait_for_ssh([server], self.remaining())
        self.set_diff(before, server)
        self.result["server"] = server

    def refuse_taken_name(self, server, name):
        """Renaming onto another live server's name would make both unaddressable by name."""
        taken = find_server(self.adapter, name=name)
        if taken is not None and taken["id"] != server["id"]:
            raise ModuleFailure("cannot rename server %s to %r: server %s already has that name" % (
                server["id"], name, taken["id"]), server=server)

    # -- rebuilt ----------------------------------------------------------------------------

    def rebuild(self, server):
        if server is None or server["status"] == "terminated":
            raise ModuleFailure("no server to rebuild: %s" % describe_target(self.params))
        if server["status"] == "suspended":
            raise ModuleFailure("server %s is suspended by the provider; it cannot be reinstalled" % server["id"],
                                server=server)
        os_item = resolve_choice("os", self.params["os"], self.adapter.catalog()["os"], OS_KEYS)
        self.mark_changed()
        after = dict(server, os=os_item["slug"], status="provisioning")
        self.set_diff(server, after)
        if self.check_mode:
            # A 403 is the only way the API tells; a key made with the default scopes would meet it.
            self.module.warn("a real rebuild of server %s %s (not in Otwa's default scope set); check mode "
                             "cannot tell whether this key has it" % (server["id"], DESTROY_SCOPE_HINT))
            self.result["server"] = after
            return
        family = (os_item.get("family") or "").lower() or None
        try:
            self.adapter.reinstall_server(server["id"], os_item["slug"], os_family=family,
                                          idempotency_key=otwa_reinstall_key(self.journal, server["id"], os_item["slug"],
                                                                             self.params["idempotency_key"]))
        except ApiError as exc:
            self.fail_forbidden(exc, "reinstalling server %s" % server["id"])
        self.record_effect()
        self.result["server"] = after
        rebuilt = self.wait_until_ready(after, lambda seen: reached(seen, "running") and seen["os"] in (None, os_item["slug"]))
        password = self.generated_password(rebuilt)
        if password:
            self.result["root_password"] = password
        self.set_diff(server, rebuilt)
        self.result["server"] = rebuilt

    # -- absent -----------------------------------------------------------------------------

    def ensure_absent(self, server):
        self.result["server"] = server
        if server is None or server["status"] == "terminated":
            return
        self.mark_changed()
        self.set_diff(server, {})
        if self.check_mode:
            return
        try:
            self.adapter.terminate_server(server["id"])
        except ApiError as exc:
            self.fail_forbidden(exc, "terminating server %s" % server["id"])
        self.record_effect()
        if self.params["wait"]:
            gone = wait_for_server(self.adapter, server["id"], "terminated", self.remaining())
            self.result["server"] = gone or dict(server, status="terminated")

    # -- shared steps -----------------------------------------------------------------------

    def remaining(self):
        return max(0.0, self.deadline - time.monotonic())

    def wait_until_ready(self, server, done=None):
        """Wait (as the options ask) for running with an IP, then for SSH; return the server."""
        if not (self.params["wait"] or self.params["wait_for_ssh"]):
            return server
        server = wait_for_server(self.adapter, server["id"], "running", self.remaining(), done=done)
        if self.params["wait_for_ssh"]:
            wait_for_ssh([server], self.remaining())
        return server

    def generated_password(self, server):
        """The provider-generated password when the order answer did not carry it.

        Otwa never returns it with the order: it is read from /credentials once the server runs.
        VPSCrypto returns it with the order, except when that answer was lost and the order was
        recovered from the server list; then /credentials has it (unless the user chose it).
        """
        if self.provider == "vpscrypto" and self.params["root_password"]:
            return None
        if self.provider == "otwa" and server.get("status") != "running":
            return None
        return self.adapter.get_credentials(server["id"]).get("password")

    def fail_forbidden(self, error, doing):
        if error.status == 403:
            raise ModuleFailure("%s was refused (HTTP 403: %s); %s" % (doing, error.message, DESTROY_SCOPE_HINT),
                                failure=error.to_failure())
        raise error


def main():
    module = VpsModule.build_module(
        argument_spec=dict(
            name=dict(type="str"),
            id=dict(type="str"),
            state=dict(type="str", default="present", choices=["present", "rebuilt", "absent"]),
            plan=dict(type="str"),
            location=dict(type="str", aliases=["region"]),
            os=dict(type="str"),
            cycle=dict(type="str", choices=["monthly", "annual"]),
            hostname=dict(type="str"),
            root_password=dict(type="str", no_log=True),
            addons=dict(type="list", elements="str"),
            wait=dict(type="bool", default=True),
            wait_timeout=dict(type="int", default=600),
            wait_for_ssh=dict(type="bool", default=False),
            idempotency_key=dict(type="str", no_log=False),
            **journal_argument_spec(lock=True)
        ),
        required_one_of=[("id", "name")],
        required_if=[("state", "rebuilt", ("os",))],
    )
    ServerModule(module).run()


if __name__ == "__main__":
    main()
