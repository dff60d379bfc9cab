# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: fleet_hosts
short_description: The add_host arguments of a fleet's servers
version_added: 1.1.0
author:
  - vpsfleet maintainers (@vpsfleet)
description:
  - Turns the servers that M(vpsfleet.cloud.vps_fleet) returns into one dictionary of
    C(ansible.builtin.add_host) arguments per server, so that a loop adds each with the loop item as the
    task's arguments - one template per host rather than one per variable (see the example).
  - Each host gets the groups and the C(vps_*) variables the P(vpsfleet.cloud.vps#inventory) inventory
    plugin gives it with O(vpsfleet.cloud.vps#inventory:default_groups) (C(vps_provider_<provider>),
    C(vps_location_<location>), C(vps_plan_<plan>), C(vps_os_<os>), C(vps_status_<status>)), so a play targets
    these in-memory hosts and a synced inventory alike; account groups belong to an inventory source and are left out.
  - A server that is only planned (check mode; it has no id) is left out.
  - Values from the API are marked unsafe, so they are never templated.
options:
  _input:
    description: The servers, as RV(vpsfleet.cloud.vps_fleet#module:servers) returns them (with credentials, if read).
    type: list
    elements: dict
    required: true
  entries:
    description:
      - The fleet's entries (O(vpsfleet.cloud.vps_fleet#module:servers)); each one's C(groups) are added to its host.
    type: list
    elements: dict
    default: []
  groups:
    description: Groups every host joins.
    type: list
    elements: str
    default: []
"""

EXAMPLES = r"""
- name: Add the fleet to the in-memory inventory
  ansible.builtin.add_host: "{{ item }}"
  loop: "{{ fleet.servers | vpsfleet.cloud.fleet_hosts(entries=servers, groups=['vps_fleet']) }}"
  no_log: true  # the hosts carry their root passwords
  changed_when: false
"""

RETURN = r"""
_value:
  description:
    - One dictionary per server - C(name), C(groups), C(ansible_host), C(ansible_user), C(ansible_password) (when
      the server's credentials were read) and C(vps_id), C(vps_name), C(vps_hostname), C(vps_provider), C(vps_status),
      C(vps_plan), C(vps_location), C(vps_os), C(vps_ip).
  type: list
  elements: dict
"""

from ansible.utils.unsafe_proxy import wrap_var

from ansible_collections.vpsfleet.cloud.plugins.module_utils._services.fleet_hosts import add_host_arguments


def fleet_hosts(servers, entries=None, groups=None):
    """The add_host arguments of the servers that exist, marked unsafe."""
    return wrap_var(add_host_arguments(servers or [], entries or [], groups or []))


class FilterModule(object):
    def filters(self):
        return {"fleet_hosts": fleet_hosts}
