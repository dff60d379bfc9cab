#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: vps_server_info
short_description: List VPSCrypto or Otwa Cloud servers, read their credentials, wait for many at once
version_added: 0.1.0
author:
  - vpsfleet maintainers (@vpsfleet)
description:
  - Lists the account's servers, or one by O(id) or O(name), in the common server model.
  - Filters by status, location and plan; reads root credentials and live statistics on request.
  - With O(wait_for) and O(wait_for_ssh), waits for every selected server together, so a play can
    order many servers with O(vpsfleet.cloud.vps_server#module:wait=false) and wait for all of them in one task.
extends_documentation_fragment:
  - vpsfleet.cloud.provider
  - vpsfleet.cloud.api_client
  - vpsfleet.cloud.attributes
  - vpsfleet.cloud.attributes.INFO_MODULE
options:
  id:
    description:
      - Select the server with this id (none when it does not exist).
    type: str
  name:
    description:
      - Select the servers with this name (VPSCrypto hostname, Otwa label).
    type: str
  status:
    description:
      - Select servers in one of these statuses.
    type: list
    elements: str
    choices: [provisioning, running, stopped, suspended, terminated]
  location:
    description:
      - Select servers in this location, by slug or display name from the catalog, or as the API reports it.
    type: str
  plan:
    description:
      - Select servers on this plan, by slug, id or display name.
    type: str
  include_terminated:
    description:
      - Also list terminated servers (they are left out unless O(status) names V(terminated)).
    type: bool
    default: false
  include_credentials:
    description:
      - Add each server's root credentials under C(credentials) (read concurrently for many servers;
        null for a terminated server).
      - Register the result with C(no_log) set to V(true).
    type: bool
    default: false
  include_stats:
    description:
      - Add each server's live CPU, memory and disk usage under C(stats) (Otwa Cloud only; null when not running).
    type: bool
    default: false
  wait_for:
    description:
      - Wait until every selected server has this status (V(running) also needs an IP; V(terminated) also
        counts a server that is gone). One list request per polling round, however many servers.
      - When O(id), O(name) or the filters (O(status), O(plan), O(location)) select no server the task
        fails, naming the filter that matched nothing and its valid values (for O(plan) and O(location),
        those of the catalog); except for V(terminated), where a server that is gone is what the task
        waits for. With no filter at all, an account without servers only warns.
    type: str
    choices: [running, stopped, terminated]
  wait_for_ssh:
    description:
      - Wait until every selected server accepts TCP connections on port 22 of its IP, probing them in parallel.
      - Implies O(wait_for=running) when O(wait_for) is not set.
    type: bool
    default: false
  wait_timeout:
    description:
      - How many seconds O(wait_for) and O(wait_for_ssh) may take together. On timeout the task fails,
        naming the servers still waiting and their last status.
    type: int
    default: 600
seealso:
  - module: vpsfleet.cloud.vps_server
"""

EXAMPLES = r"""
- name: List every running server
  vpsfleet.cloud.vps_server_info:
    provider: vpscrypto
    status: [running]
  register: running

- name: Read the root password of one server
  vpsfleet.cloud.vps_server_info:
    provider: otwa
    name: api-1
    include_credentials: true
  register: api1
  no_log: true

- name: Order three servers without waiting
  vpsfleet.cloud.vps_server:
    provider: otwa
    name: "worker-{{ item }}"
    plan: Cloud S
    os: debian-13
    wait: false
  loop: [1, 2, 3]

- name: Wait for all of them at once, until SSH answers
  vpsfleet.cloud.vps_server_info:
    provider: otwa
    plan: Cloud S
    wait_for: running
    wait_for_ssh: true
    wait_timeout: 900
"""

RETURN = r"""
servers:
  description: The selected servers in the common model, as last seen.
  returned: always
  type: list
  elements: dict
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
    credentials:
      description: Root credentials. Register the task with C(no_log) set to V(true).
      returned: when O(include_credentials=true)
      type: dict
      contains:
        username: {description: The login user., type: str, sample: root}
        password: {description: The root password., type: str}
        ip: {description: The IP to connect to., type: str, sample: 198.51.100.10}
        ssh_command: {description: A ready SSH command line., type: str, sample: ssh root@198.51.100.10}
    stats:
      description: Live usage (C(cpu) percent, C(memoryUsed)/C(memoryTotal) MB, C(diskUsed)/C(diskTotal) GB), or null.
      returned: when O(include_stats=true)
      type: dict
"""

import time

from ansible_collections.vpsfleet.cloud.plugins.module_utils._module.base import ModuleFailure, VpsModule
from ansible_collections.vpsfleet.cloud.plugins.module_utils._services.credentials import with_credentials
from ansible_collections.vpsfleet.cloud.plugins.module_utils._core.resolve import InvalidChoice, resolve_choice
from ansible_collections.vpsfleet.cloud.plugins.module_utils._services.server_lookup import get_server_or_none
from ansible_collections.vpsfleet.cloud.plugins.module_utils._services.server_order import LOCATION_KEYS, PLAN_KEYS
from ansible_collections.vpsfleet.cloud.plugins.module_utils._services.server_wait import map_concurrently, wait_for_servers
from ansible_collections.vpsfleet.cloud.plugins.module_utils._core.wait import WaitTimeout


def accepted_values(value, items, keys):
    """``value`` and, when it names a catalog item, all of that item's identifiers, lower-cased."""
    accepted = set([str(value).strip().lower()])
    try:
        item = resolve_choice("value", value, items, keys)
    except InvalidChoice:
        return accepted
    accepted.update(str(item[key]).lower() for key in keys if item.get(key) is not None)
    return accepted


LIVE_STATUSES = ("provisioning", "running", "stopped", "suspended")


class ServerInfoModule(VpsModule):
    def __init__(self, module):
        super(ServerInfoModule, self).__init__(module)
        self._accepted = {}
        # What the API listed before the filters applied (for saying which filter matched nothing).
        self.candidates = []

    def required_operations(self):
        operations = ["list_servers"]
        if self.params["include_credentials"]:
            operations.append("credentials")
        if self.params["include_stats"]:
            operations.append("stats")
        return operations

    def execute(self):
        deadline = time.monotonic() + self.params["wait_timeout"]
        servers = self.select_servers()
        wait_for = self.params["wait_for"] or ("running" if self.params["wait_for_ssh"] else None)
        if wait_for:
            servers = self.wait_for_all(servers, wait_for, deadline)
        if self.params["include_credentials"]:
            servers = self.with_live_credentials(servers)
        if self.params["include_stats"]:
            # The API serves stats only for running servers; the others get null without a request.
            stats = map_concurrently(
                lambda server: self.adapter.get_stats(server["id"]) if server["status"] == "running" else None,
                servers)
            servers = [dict(server, stats=item) for server, item in zip(servers, stats)]
        self.result["servers"] = servers

    def with_live_credentials(self, servers):
        """Credentials for every live server; a terminated one has none to read (null)."""
        live = with_credentials(self.adapter, [server for server in servers if server["status"] != "terminated"])
        by_id = dict((server["id"], server) for server in live)
        return [by_id.get(server["id"], dict(server, credentials=None)) for server in servers]

    def select_servers(self):
        if self.params["id"]:
            found = get_server_or_none(self.adapter, self.params["id"])
            candidates = [found] if found else []
        else:
            candidates = self.adapter.list_servers()
        self.candidates = candidates
        return self.adapter.fill_plan_specs([server for server in candidates if self.selected(server)])

    def selected(self, server):
        params = self.params
        statuses = params["status"] or list(LIVE_STATUSES) + (["terminated"] if params["include_terminated"] else [])
        if server["status"] not in statuses or (params["name"] and not self.adapter.same_name(server["name"], params["name"])):
            return False
        for option, section, keys in (("plan", "plans", PLAN_KEYS), ("location", "locations", LOCATION_KEYS)):
            if params[option] and str(server.get(option) or "").lower() not in self.accepted(option, section, keys):
                return False
        return True

    def nothing_to_wait_for(self, status):
        """A wait that selects no server would pass at once; that hides a typo or a missing order.

        Waiting for termination is the exception: a server that is gone is what it waits for.
        """
        if status == "terminated":
            return
        if self.params["id"] or self.params["name"]:
            raise ModuleFailure("no server to wait for: %s matches no live server" % (
                "id %s" % self.params["id"] if self.params["id"] else "name %r" % self.params["name"]), servers=[])
        unmatched = self.unmatched_filters()
        if unmatched:
            raise ModuleFailure("wait_for=%s: nothing to wait for, %s" % (status, "; ".join(unmatched)), servers=[])
        self.module.warn("wait_for=%s: the account has no server, so there was nothing to wait for" % status)

    def unmatched_filters(self):
        """Why the filters select no server: each filter that matches nothing, with its valid values."""
        params = self.params
        reasons = []
        for option, section, keys in (("plan", "plans", PLAN_KEYS), ("location", "locations", LOCATION_KEYS)):
            if not params[option]:
                continue
            items = self.adapter.catalog()[section]
            try:
                resolve_choice(option, params[option], items, keys)
            except InvalidChoice as exc:
                reasons.append("%s %r is not in the catalog (valid values: %s)" % (
                    option, params[option], ", ".join(exc.choices) or "none offered"))
                continue
            if not [server for server in self.candidates
                    if str(server.get(option) or "").lower() in self.accepted(option, section, keys)]:
                reasons.append("no server has %s %r (the servers' %ss: %s)" % (
                    option, params[option], option, self.values_of(option)))
        if params["status"] and not [server for server in self.candidates if server["status"] in params["status"]]:
            reasons.append("no server has status %s (the servers' statuses: %s)" % (
                ", ".join(params["status"]), self.values_of("status")))
        if not reasons and (params["plan"] or params["location"] or params["status"]):
            given = ["%s %s" % (option, params[option]) for option in ("status", "plan", "location") if params[option]]
            reasons.append("the filters %s match servers one by one but no server together" % ", ".join(given))
        return reasons

    def values_of(self, field):
        values = sorted(set(str(server.get(field)) for server in self.candidates if server.get(field) is not None))
        return ", ".join(values) or "the account has no server"

    def accepted(self, option, section, keys):
        # The catalog is read once, and only when a plan or location filter is given.
        if option not in self._accepted:
            self._accepted[option] = accepted_values(self.params[option], self.adapter.catalog()[section], keys)
        return self._accepted[option]

    def wait_for_all(self, servers, status, deadline):
        if not servers:
            self.nothing_to_wait_for(status)
        try:
            return wait_for_servers(self.adapter, servers, status, max(0.0, deadline - time.monotonic()),
                                    ssh=self.params["wait_for_ssh"])
        except WaitTimeout as exc:
            last = exc.last if isinstance(exc.last, list) else servers
            raise ModuleFailure(str(exc), servers=[server for server in last if server])


def main():
    module = VpsModule.build_module(
        argument_spec=dict(
            id=dict(type="str"),
            name=dict(type="str"),
            status=dict(type="list", elements="str",
                        choices=["provisioning", "running", "stopped", "suspended", "terminated"]),
            location=dict(type="str"),
            plan=dict(type="str"),
            include_terminated=dict(type="bool", default=False),
            include_credentials=dict(type="bool", default=False),
            include_stats=dict(type="bool", default=False),
            wait_for=dict(type="str", choices=["running", "stopped", "terminated"]),
            wait_for_ssh=dict(type="bool", default=False),
            wait_timeout=dict(type="int", default=600),
        ),
        mutually_exclusive=[("id", "name")],
    )
    ServerInfoModule(module).run()


if __name__ == "__main__":
    main()
