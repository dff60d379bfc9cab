#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: vps_root_password
short_description: Rotate the root password of an Otwa Cloud server
version_added: 0.1.0
author:
  - vpsfleet maintainers (@vpsfleet)
description:
  - Asks Otwa Cloud to generate a new root (Windows Administrator) password and set it live through
    the guest agent, without a reboot, and returns it.
  - Always a change. Fails with the agent's message when the agent reports that it could not set the password
    (for example when the server is not running).
  - Otwa Cloud only; the task fails before any request for VPSCrypto.
extends_documentation_fragment:
  - vpsfleet.cloud.provider
  - vpsfleet.cloud.api_client
  - vpsfleet.cloud.attributes
  - vpsfleet.cloud.attributes.CHANGES_WITHOUT_DIFF
options:
  name:
    description:
      - The server's name (Otwa label). Two live servers with this name make the task fail, listing their ids.
    type: str
  id:
    description:
      - The server's id.
    type: str
notes:
  - In check mode, no rotation is sent; the task reports a change.
  - Register the result with C(no_log) set to V(true); it holds the new password.
  - A rotation whose answer is lost is not repeated; read the current password with
    M(vpsfleet.cloud.vps_server_info) and O(vpsfleet.cloud.vps_server_info#module:include_credentials=true).
seealso:
  - module: vpsfleet.cloud.vps_server_info
"""

EXAMPLES = r"""
- name: Rotate the root password
  vpsfleet.cloud.vps_root_password:
    provider: otwa
    name: api-1
  register: rotated
  no_log: true
"""

RETURN = r"""
root_password:
  description: The new root password. Register the task with C(no_log) set to V(true).
  returned: changed and not in check mode
  type: str
server:
  description: The server in the common model (see the return values of M(vpsfleet.cloud.vps_server)).
  returned: always
  type: dict
  sample: {id: 5f0c2a9e-1b7d-4c3e-9a8f-2d6b7e1f0a11, name: api-1, status: running, ip: 198.51.100.10}
"""

from ansible_collections.vpsfleet.cloud.plugins.module_utils._module.base import ModuleFailure, VpsModule
from ansible_collections.vpsfleet.cloud.plugins.module_utils._services.server_lookup import require_server


class RootPasswordModule(VpsModule):
    operations = ("list_servers", "reset_password")
    represent = "server"

    def execute(self):
        server = require_server(self.adapter, server_id=self.params["id"], name=self.params["name"])
        self.result["server"] = server
        self.mark_changed()
        if self.check_mode:
            return
        answer = self.adapter.reset_password(server["id"])
        if not answer.get("success"):
            raise ModuleFailure("the guest agent did not rotate the root password of server %s: %s" % (
                server["id"], answer.get("message") or "no reason given"), server=server)
        self.record_effect()
        if not answer.get("password"):
            # Rotated, but the answer lost the new password: it can still be read back.
            raise ModuleFailure("the root password of server %s was rotated, but the answer did not carry the new "
                                "password; read it with vpsfleet.cloud.vps_server_info and include_credentials=true"
                                % server["id"], server=server)
        self.result["root_password"] = answer["password"]


def main():
    module = VpsModule.build_module(
        argument_spec=dict(name=dict(type="str"), id=dict(type="str")),
        required_one_of=[("id", "name")],
        mutually_exclusive=[("id", "name")],
    )
    RootPasswordModule(module).run()


if __name__ == "__main__":
    main()
