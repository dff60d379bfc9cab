#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: vps_power
short_description: Start, stop or reboot an Otwa Cloud server
version_added: 0.1.0
author:
  - vpsfleet maintainers (@vpsfleet)
description:
  - Brings a server to a power state, compared with its live status.
  - V(started) and V(stopped) change nothing when the server is already there; V(restarted) always reboots.
  - Otwa Cloud only; VPSCrypto's API has no power actions, and the task fails before any request.
extends_documentation_fragment:
  - vpsfleet.cloud.provider
  - vpsfleet.cloud.api_client
  - vpsfleet.cloud.attributes
  - vpsfleet.cloud.attributes.CHANGES_WITH_DIFF
options:
  name:
    description:
      - The server's name (Otwa label). Two live servers with this name make the task fail, listing their ids.
    type: str
  id:
    description:
      - The server's id.
    type: str
  state:
    description:
      - The power state to reach.
    type: str
    required: true
    choices: [started, stopped, restarted]
  wait:
    description:
      - Wait until the server reports the target status (V(running) for V(started) and V(restarted)).
      - For V(restarted), first wait (up to 30 seconds) for the reboot to show, as a status other than
        V(running) or a new update time, so that a server still running from before the reboot is not
        taken for a rebooted one; a warning says so when the provider showed no sign of it.
      - A server still provisioning is waited for until it runs before V(stopped) or V(restarted) acts on it;
        with O(wait=false) such a task fails instead, as the provider refuses power actions then.
    type: bool
    default: true
  wait_timeout:
    description:
      - How many seconds to wait. On timeout the task fails with the last status seen.
    type: int
    default: 300
notes:
  - In check mode, reports whether the power state would change; sends no power action. The diff holds the
    server's status before and after.
  - A power action whose answer is lost is not repeated (a second reboot would be real); re-run the task.
seealso:
  - module: vpsfleet.cloud.vps_server
"""

EXAMPLES = r"""
- name: Stop a server
  vpsfleet.cloud.vps_power:
    provider: otwa
    name: api-1
    state: stopped

- name: Start it again and wait until it runs
  vpsfleet.cloud.vps_power:
    provider: otwa
    name: api-1
    state: started

- name: Reboot without waiting
  vpsfleet.cloud.vps_power:
    provider: otwa
    id: 5f0c2a9e-1b7d-4c3e-9a8f-2d6b7e1f0a11
    state: restarted
    wait: false
"""

RETURN = r"""
server:
  description:
    - The server in the common model, as last seen (see the return values of M(vpsfleet.cloud.vps_server)).
  returned: always
  type: dict
  sample: {id: 5f0c2a9e-1b7d-4c3e-9a8f-2d6b7e1f0a11, name: api-1, status: stopped, ip: 198.51.100.10}
action:
  description: The power action sent (V(start), V(stop) or V(reboot)), or null when none was needed.
  returned: always
  type: str
  sample: stop
"""

import time

from ansible_collections.vpsfleet.cloud.plugins.module_utils._module.base import ModuleFailure, VpsModule
from ansible_collections.vpsfleet.cloud.plugins.module_utils._services.server_lookup import require_server
from ansible_collections.vpsfleet.cloud.plugins.module_utils._services.server_wait import wait_for_server
from ansible_collections.vpsfleet.cloud.plugins.module_utils._core.wait import WaitTimeout

# state -> (API action, status it leads to)
POWER_STATES = {
    "started": ("start", "running"),
    "stopped": ("stop", "stopped"),
    "restarted": ("reboot", "running"),
}
# How long a reboot may take to show in the API (the action is only queued) before waiting for
# "running" goes on without that sign.
REBOOT_VISIBLE_WITHIN = 30.0


def power_action_needed(state, status):
    """The action that takes a server in ``status`` to ``state``, or None if it is already there."""
    action, target = POWER_STATES[state]
    if state == "restarted":
        return action
    if status == target or (state == "started" and status == "provisioning"):
        # A provisioning server starts by itself; starting it would be refused.
        return None
    return action


class PowerModule(VpsModule):
    operations = ("list_servers", "power")
    represent = "server"

    def execute(self):
        state = self.params["state"]
        deadline = time.monotonic() + self.params["wait_timeout"]
        server = require_server(self.adapter, server_id=self.params["id"], name=self.params["name"])
        if server["status"] == "suspended":
            raise ModuleFailure("server %s is suspended by the provider; power actions are refused" % server["id"],
                                server=server)
        action = power_action_needed(state, server["status"])
        target = POWER_STATES[state][1]
        self.result.update(action=action, server=server)
        if action is None:
            if self.params["wait"] and not self.check_mode:
                self.result["server"] = wait_for_server(self.adapter, server["id"], target, remaining(deadline))
            return
        self.mark_changed()
        self.set_diff(server, dict(server, status=target))
        if self.check_mode:
            return
        if server["status"] == "provisioning":
            server = self.wait_until_provisioned(server, action, deadline)
        self.adapter.power(server["id"], action)
        self.record_effect()
        if not self.params["wait"]:
            return
        if action == "reboot":
            self.wait_until_reboot_shows(server, deadline)
        self.result["server"] = wait_for_server(self.adapter, server["id"], target, remaining(deadline))
        self.set_diff(server, self.result["server"])

    def wait_until_provisioned(self, server, action, deadline):
        """The provider refuses power actions while a server is provisioning: wait for it to run."""
        if not self.params["wait"]:
            raise ModuleFailure("server %s is still provisioning; the provider refuses %s until it runs "
                                "(set wait=true to wait for it)" % (server["id"], action), server=server)
        return wait_for_server(self.adapter, server["id"], "running", remaining(deadline))

    def wait_until_reboot_shows(self, server, deadline):
        """Wait for a sign that the queued reboot happened: a status change or a new update time."""
        before = (server.get("provider_data") or {}).get("updatedAt")

        def rebooting(seen):
            return seen is None or seen["status"] != "running" or (
                (seen.get("provider_data") or {}).get("updatedAt") != before)

        try:
            wait_for_server(self.adapter, server["id"], "rebooting", min(REBOOT_VISIBLE_WITHIN, remaining(deadline)),
                            done=rebooting)
        except WaitTimeout:
            self.module.warn("server %s showed no sign of the reboot within %ds (the provider queues it); "
                             "it is running, but may not have rebooted yet" % (server["id"], REBOOT_VISIBLE_WITHIN))


def remaining(deadline):
    return max(0.0, deadline - time.monotonic())


def main():
    module = VpsModule.build_module(
        argument_spec=dict(
            name=dict(type="str"),
            id=dict(type="str"),
            state=dict(type="str", required=True, choices=["started", "stopped", "restarted"]),
            wait=dict(type="bool", default=True),
            wait_timeout=dict(type="int", default=300),
        ),
        required_one_of=[("id", "name")],
        mutually_exclusive=[("id", "name")],
    )
    PowerModule(module).run()


if __name__ == "__main__":
    main()
