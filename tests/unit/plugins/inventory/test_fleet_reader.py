# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""FleetReader and the host naming helpers, without Ansible's inventory around them."""

from __future__ import annotations

import pytest

from ansible_collections.vpsfleet.cloud.plugins.module_utils._fleet_hosts import name_hosts, server_variables
from ansible_collections.vpsfleet.cloud.plugins.module_utils._fleet_reader import Account, FleetReader
from ansible_collections.vpsfleet.cloud.tests.unit.plugins.inventory._fake_fleet import FakeAccount, FakeFleet, server


def test_accounts_are_listed_concurrently_and_one_failure_does_not_hide_the_others():
    fleet = FakeFleet()
    fleet.add("k1", FakeAccount([server("vpscrypto", 1, "web1")]))
    fleet.add("k3", FakeAccount([server("otwa", "a", "db1")]))
    accounts = [Account("one", "vpscrypto", "k1"), Account("two", "otwa", "k_bad"), Account("three", "otwa", "k3")]

    servers, failures = FleetReader(accounts, adapter_factory=fleet).list_servers()

    assert sorted(servers) == ["one", "three"]
    assert [failure.account.name for failure in failures] == ["two"]


def test_an_accounts_repr_and_errors_never_show_its_key():
    fleet = FakeFleet()
    account = Account("lab", "otwa", "otwa_supersecretkey")

    dummy, failures = FleetReader([account], adapter_factory=fleet).list_servers()

    assert "otwa_supersecretkey" not in repr(account) + str(failures[0])


def test_an_unknown_provider_is_refused_with_the_valid_ones():
    with pytest.raises(ValueError, match="valid choices: otwa, vpscrypto"):
        Account("x", "hetzner", "k")


def test_name_hosts_keeps_every_server_and_renames_all_but_the_first():
    entries = [("shop", server("vpscrypto", 1, "web")), ("lab", server("otwa", "a", "web")), ("lab", server("otwa", "b", "web"))]

    named, warnings = name_hosts(entries, ["name"])

    assert [name for name, dummy, dummy2 in named] == ["web", "web_lab_a", "web_lab_b"]
    assert len(warnings) == 1


def test_a_renamed_host_never_takes_the_name_of_another_server():
    entries = [("lab", server("otwa", "a", "web")), ("lab", server("otwa", "b", "web")), ("lab", server("otwa", "c", "web_lab_b"))]

    named, dummy = name_hosts(entries, ["name"])

    assert len(set(name for name, dummy2, dummy3 in named)) == 3


def test_server_variables_redact_secret_keys_of_the_raw_api_object():
    record = server("vpscrypto", 1, "web", provider_data={"id": 1, "root_password": "hunter2hunter2"})

    variables = server_variables(record, "shop")

    assert variables["vps_provider_data"]["root_password"] != "hunter2hunter2"
    assert variables["vps_account"] == "shop" and "vps_provider_data" in variables
