# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet_hosts filter: add_host arguments with the inventory plugin's groups and vps_* variables."""

from __future__ import annotations

from ansible_collections.vpsfleet.cloud.plugins.filter.fleet_hosts import FilterModule
from ansible_collections.vpsfleet.cloud.tests.unit.plugins.inventory.test_vps_inventory_credentials import is_unsafe

fleet_hosts = FilterModule().filters()["fleet_hosts"]

DB = {"id": "42", "name": "db-1", "hostname": "db-1.example", "provider": "otwa", "status": "running",
      "plan": "Cloud S", "location": "de-fra-01", "os": "debian-13", "ip": "203.0.113.7", "price_usd": 5.0,
      "credentials": {"username": "admin", "password": "s3cret", "ip": "203.0.113.7"}}
PLANNED = {"id": None, "name": "web-2", "provider": "vpscrypto", "status": "planned", "plan": "hunter"}


def test_a_server_becomes_the_add_host_arguments_of_its_host():
    entries = [{"name": "db-1", "provider": "otwa", "groups": ["db"]}, {"name": "db-1", "provider": "vpscrypto"}]

    [host] = fleet_hosts([DB], entries=entries, groups=["vps_fleet"])

    assert host == {
        "name": "db-1", "ansible_host": "203.0.113.7", "ansible_user": "admin", "ansible_password": "s3cret",
        # the run's groups, then the inventory plugin's default groups, then the entry's own
        "groups": ["vps_fleet", "vps_provider_otwa", "vps_location_de_fra_01", "vps_plan_Cloud_S",
                   "vps_os_debian_13", "vps_status_running", "db"],
        "vps_id": "42", "vps_name": "db-1", "vps_hostname": "db-1.example", "vps_provider": "otwa",
        "vps_status": "running", "vps_plan": "Cloud S", "vps_location": "de-fra-01", "vps_os": "debian-13",
        "vps_ip": "203.0.113.7"}


def test_planned_servers_are_left_out_and_unread_credentials_leave_no_password():
    server = dict(DB, credentials=None, location="")

    hosts = fleet_hosts([PLANNED, server])

    assert [host["name"] for host in hosts] == ["db-1"]
    assert "ansible_password" not in hosts[0] and hosts[0]["ansible_user"] == "root"
    assert not any(group.startswith("vps_location_") for group in hosts[0]["groups"])


def test_values_from_the_api_are_never_templated():
    [host] = fleet_hosts([dict(DB, name="{{ lookup('env', 'HOME') }}")], groups=["vps_fleet"])

    assert is_unsafe(host["name"]) and is_unsafe(host["ansible_password"]) and is_unsafe(host["groups"][0])
