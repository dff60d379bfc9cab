# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The vps inventory: which servers become hosts, their names, variables and groups."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleError, AnsibleParserError
from ansible.plugins.loader import inventory_loader

from ansible_collections.vpsfleet.cloud.tests.unit.plugins.inventory._fake_fleet import FakeAccount, server
from ansible_collections.vpsfleet.cloud.tests.unit.plugins.inventory._vault_values import vault_loader, vault_yaml

TWO_ACCOUNTS = {"accounts": [{"provider": "vpscrypto", "api_key": "vpsk_one", "name": "shop"},
                             {"provider": "otwa", "api_key": "otwa_two", "name": "lab"}]}


def hostvars(inventory, name):
    return inventory.get_host(name).get_vars()


def group_hosts(inventory, group):
    return sorted(host.name for host in inventory.groups[group].get_hosts())


@pytest.mark.parametrize("name, accepted", [
    ("fleet.vps.yml", True), ("vps.yaml", True), ("fleet.yml", False), ("fleet.vps.json", False)])
def test_verify_file_accepts_only_vps_yml_and_vps_yaml_sources(tmp_path, name, accepted):
    path = tmp_path / name
    path.write_text("plugin: vpsfleet.cloud.vps\n")

    assert bool(inventory_loader.get("vpsfleet.cloud.vps").verify_file(str(path))) is accepted


def test_running_servers_of_both_accounts_become_hosts_with_vps_variables(inventory_run, fleet):
    fleet.add("vpsk_one", FakeAccount([server("vpscrypto", 1, "web1"), server("vpscrypto", 2, "old", status="stopped")]))
    fleet.add("otwa_two", FakeAccount([server("otwa", "a1", "db1", status="running", additional_ips=["198.51.100.7"])]))

    inventory = inventory_run.parse(TWO_ACCOUNTS)

    assert sorted(inventory.hosts) == ["db1", "web1"]
    web = hostvars(inventory, "web1")
    assert (web["ansible_host"], web["vps_id"], web["vps_provider"], web["vps_account"]) == ("192.0.2.1", "1", "vpscrypto", "shop")
    assert (web["vps_status"], web["vps_plan"], web["vps_location"], web["vps_os"]) == ("running", "Hunter", "nl", "debian-13")
    assert hostvars(inventory, "db1")["vps_additional_ips"] == ["198.51.100.7"]


def test_statuses_option_chooses_which_servers_are_listed(inventory_run, fleet):
    fleet.add("vpsk_one", FakeAccount([server("vpscrypto", 1, "web1"), server("vpscrypto", 2, "old", status="stopped")]))

    inventory = inventory_run.parse({"provider": "vpscrypto", "api_key": "vpsk_one", "statuses": ["stopped"]})

    assert sorted(inventory.hosts) == ["old"]


def test_default_groups_by_provider_account_location_plan_os_and_status(inventory_run, fleet):
    fleet.add("vpsk_one", FakeAccount([server("vpscrypto", 1, "web1")]))
    fleet.add("otwa_two", FakeAccount([server("otwa", "a1", "db1", status="running", location="OTWA-IST", plan="Cloud S")]))

    inventory = inventory_run.parse(TWO_ACCOUNTS)

    assert group_hosts(inventory, "vps_provider_otwa") == ["db1"]
    assert group_hosts(inventory, "vps_account_shop") == ["web1"]
    assert group_hosts(inventory, "vps_location_OTWA_IST") == ["db1"]
    assert group_hosts(inventory, "vps_plan_Cloud_S") == ["db1"]
    assert group_hosts(inventory, "vps_os_debian_13") == ["db1", "web1"]
    assert group_hosts(inventory, "vps_status_running") == ["db1", "web1"]


def test_default_groups_can_be_turned_off(inventory_run, fleet):
    fleet.add("vpsk_one", FakeAccount([server("vpscrypto", 1, "web1")]))

    inventory = inventory_run.parse({"provider": "vpscrypto", "api_key": "vpsk_one", "default_groups": False})

    assert not [group for group in inventory.groups if group.startswith("vps_")]


def test_hostnames_take_the_first_field_with_a_value_and_fall_back_to_the_id(inventory_run, fleet):
    fleet.add("vpsk_one", FakeAccount([server("vpscrypto", 1, "web1", hostname="web1.example.net"),
                                       server("vpscrypto", 2, "", hostname=None)]))

    inventory = inventory_run.parse({"provider": "vpscrypto", "api_key": "vpsk_one", "hostnames": ["hostname", "name"]})

    assert sorted(inventory.hosts) == ["2", "web1.example.net"]


def test_same_name_in_two_accounts_keeps_both_hosts_with_a_warning(inventory_run, fleet, warnings):
    fleet.add("vpsk_one", FakeAccount([server("vpscrypto", 7, "web")]))
    fleet.add("otwa_two", FakeAccount([server("otwa", "b2", "web", status="running"), server("otwa", "a1", "web", status="running")]))

    inventory = inventory_run.parse(TWO_ACCOUNTS)

    assert sorted(inventory.hosts) == ["web", "web_lab_a1", "web_lab_b2"]
    assert hostvars(inventory, "web")["vps_account"] == "shop"
    assert hostvars(inventory, "web_lab_a1")["vps_id"] == "a1"
    assert len(warnings) == 1 and "3 servers are named 'web'" in warnings[0]


def test_duplicate_names_get_the_same_host_names_on_every_run(inventory_run, fleet):
    fleet.add("vpsk_one", FakeAccount([server("vpscrypto", 7, "web")]))
    fleet.add("otwa_two", FakeAccount([server("otwa", "b2", "web", status="running")]))
    first = sorted(inventory_run.parse(TWO_ACCOUNTS).hosts)
    fleet.accounts["otwa_two"].servers.reverse()

    assert sorted(inventory_run.parse(TWO_ACCOUNTS).hosts) == first


@pytest.mark.parametrize("connect_with, address", [
    ("ip", "192.0.2.1"), ("additional_ip", "198.51.100.9"), ("hostname", "web1.example.net")])
def test_connect_with_chooses_the_ansible_host_address(inventory_run, fleet, connect_with, address):
    fleet.add("vpsk_one", FakeAccount([server("vpscrypto", 1, "web1", hostname="web1.example.net",
                                              additional_ips=["198.51.100.9"])]))

    inventory = inventory_run.parse({"provider": "vpscrypto", "api_key": "vpsk_one", "connect_with": connect_with})

    assert hostvars(inventory, "web1")["ansible_host"] == address


def test_compose_groups_and_keyed_groups_work_on_vps_variables(inventory_run, fleet):
    fleet.add("vpsk_one", FakeAccount([server("vpscrypto", 1, "web1", ram_mb=1024), server("vpscrypto", 2, "big", ram_mb=8192)]))

    inventory = inventory_run.parse({
        "provider": "vpscrypto", "api_key": "vpsk_one",
        "compose": {"ssh_port": "2222", "size": "'large' if vps_ram_mb > 4096 else 'small'"},
        "groups": {"small": "vps_ram_mb <= 2048"},
        "keyed_groups": [{"key": "vps_location", "prefix": "region"}],
    })

    assert hostvars(inventory, "big")["size"] == "large"
    assert hostvars(inventory, "web1")["ssh_port"] == 2222
    assert group_hosts(inventory, "small") == ["web1"]
    assert group_hosts(inventory, "region_nl") == ["big", "web1"]


def test_filters_drop_servers_before_their_credentials_are_read(inventory_run, fleet):
    fleet.add("vpsk_one", FakeAccount([server("vpscrypto", 1, "web1"), server("vpscrypto", 2, "db1", os="ubuntu-24.04")]))

    inventory = inventory_run.parse({"provider": "vpscrypto", "api_key": "vpsk_one", "filters": ["'debian' in vps_os"]})

    assert sorted(inventory.hosts) == ["web1"]
    assert [call for call in fleet.calls if call[0] == "credentials"] == [("credentials", "vpscrypto", "1")]


def test_an_account_that_fails_fails_the_inventory_naming_the_account_not_the_key(inventory_run, fleet):
    fleet.add("vpsk_one", FakeAccount([server("vpscrypto", 1, "web1")]))

    with pytest.raises(AnsibleParserError) as failure:
        inventory_run.parse({"accounts": [{"provider": "vpscrypto", "api_key": "vpsk_one", "name": "shop"},
                                          {"provider": "otwa", "api_key": "otwa_wrongkey", "name": "lab"}]})

    assert "account 'lab' (Otwa Cloud)" in str(failure.value)
    assert "invalid API key" in str(failure.value)
    assert "otwa_wrongkey" not in str(failure.value)


def test_skip_unreachable_accounts_lists_the_others_with_a_warning(inventory_run, fleet, warnings):
    fleet.add("vpsk_one", FakeAccount([server("vpscrypto", 1, "web1")]))

    inventory = inventory_run.parse({"skip_unreachable_accounts": True,
                                     "accounts": [{"provider": "vpscrypto", "api_key": "vpsk_one", "name": "shop"},
                                                  {"provider": "otwa", "api_key": "otwa_wrongkey", "name": "lab"}]})

    assert sorted(inventory.hosts) == ["web1"]
    assert any("skipped account 'lab'" in warning for warning in warnings)
    assert not any("otwa_wrongkey" in warning for warning in warnings)


def test_without_accounts_each_provider_with_a_key_in_the_environment_is_read(inventory_run, fleet, monkeypatch):
    fleet.add("vpsk_env", FakeAccount([server("vpscrypto", 1, "web1")]))
    fleet.add("otwa_env", FakeAccount([server("otwa", "a1", "db1", status="running")]))
    monkeypatch.setenv("VPSCRYPTO_API_KEY", "vpsk_env")
    monkeypatch.setenv("OTWA_API_KEY", "otwa_env")

    inventory = inventory_run.parse({})

    assert sorted(inventory.hosts) == ["db1", "web1"]
    assert hostvars(inventory, "db1")["vps_account"] == "otwa"


def test_an_account_key_can_be_a_template(inventory_run, fleet, monkeypatch):
    fleet.add("vpsk_templated", FakeAccount([server("vpscrypto", 1, "web1")]))
    monkeypatch.setenv("SHOP_KEY", "vpsk_templated")

    inventory = inventory_run.parse({"accounts": [
        {"provider": "vpscrypto", "name": "shop", "api_key": "{{ lookup('ansible.builtin.env', 'SHOP_KEY') }}"}]})

    assert sorted(inventory.hosts) == ["web1"]


def test_an_account_key_can_be_vault_encrypted(inventory_run, fleet, monkeypatch):
    fleet.add("vpsk_vaulted", FakeAccount([server("vpscrypto", 1, "web1")]))
    source = "plugin: vpsfleet.cloud.vps\naccounts:\n  - provider: vpscrypto\n    api_key: " + vault_yaml("vpsk_vaulted", 6)

    inventory = inventory_run.parse_text(source, loader=vault_loader(monkeypatch))

    assert sorted(inventory.hosts) == ["web1"]


def test_no_key_at_all_fails_saying_where_a_key_can_come_from(inventory_run, fleet):
    with pytest.raises(AnsibleParserError, match="VPSCRYPTO_API_KEY"):
        inventory_run.parse({"provider": "vpscrypto"})


def test_each_accounts_connection_pool_is_sized_to_max_workers(inventory_run, fleet):
    fleet.add("vpsk_one", FakeAccount([server("vpscrypto", 1, "web1")]))

    inventory_run.parse({"provider": "vpscrypto", "api_key": "vpsk_one", "max_workers": 24})

    assert [options["pool_maxsize"] for options in fleet.built_with] == [24]


def test_a_server_left_out_by_a_filter_claims_no_host_name(inventory_run, fleet, warnings):
    fleet.add("vpsk_one", FakeAccount([server("vpscrypto", 1, "web", os="ubuntu-24.04")]))
    fleet.add("otwa_two", FakeAccount([server("otwa", "a1", "web", status="running")]))

    inventory = inventory_run.parse(dict(TWO_ACCOUNTS, filters=["'debian' in vps_os"]))

    assert sorted(inventory.hosts) == ["web"]
    assert hostvars(inventory, "web")["vps_account"] == "lab"
    assert warnings == []


def test_a_server_named_with_template_markers_is_named_by_the_next_preference(inventory_run, fleet, warnings):
    fleet.add("vpsk_one", FakeAccount([server("vpscrypto", 1, "{{ lookup('pipe', 'id') }}", ip="192.0.2.77")]))

    inventory = inventory_run.parse({"provider": "vpscrypto", "api_key": "vpsk_one", "hostnames": ["name", "ip"]})

    assert sorted(inventory.hosts) == ["192.0.2.77"]
    assert hostvars(inventory, "192.0.2.77")["vps_name"] == "{{ lookup('pipe', 'id') }}"
    assert len(warnings) == 1 and "passed over: name" in warnings[0]


def test_a_filter_that_cannot_be_evaluated_leaves_the_server_out_with_a_warning_naming_both(inventory_run, fleet, warnings):
    fleet.add("vpsk_one", FakeAccount([server("vpscrypto", 1, "web1", provider_data={"tags": {"env": "prod"}}),
                                       server("vpscrypto", 2, "web2", provider_data={})]))

    inventory = inventory_run.parse({"provider": "vpscrypto", "api_key": "vpsk_one", "credentials": "none",
                                     "filters": ["vps_provider_data.tags.env == 'prod'"]})

    assert sorted(inventory.hosts) == ["web1"]
    assert len(warnings) == 1
    assert "filter \"vps_provider_data.tags.env == 'prod'\"" in warnings[0] and "web2 (vpscrypto id 2)" in warnings[0]


def test_strict_fails_on_a_filter_that_cannot_be_evaluated(inventory_run, fleet):
    fleet.add("vpsk_one", FakeAccount([server("vpscrypto", 2, "web2", provider_data={})]))

    with pytest.raises(AnsibleParserError, match=r"filter .* failed for web2 \(vpscrypto id 2\)"):
        inventory_run.parse({"provider": "vpscrypto", "api_key": "vpsk_one", "strict": True,
                             "filters": ["vps_provider_data.tags.env == 'prod'"]})


def test_strict_fails_on_a_compose_expression_that_cannot_be_evaluated(inventory_run, fleet):
    fleet.add("vpsk_one", FakeAccount([server("vpscrypto", 1, "web1")]))
    source = {"provider": "vpscrypto", "api_key": "vpsk_one", "credentials": "none",
              "compose": {"environment": "vps_provider_data.tags.env"}}

    lenient = inventory_run.parse(source)
    with pytest.raises(AnsibleError, match="Could not set environment for host web1"):
        inventory_run.parse(dict(source, strict=True))

    assert "environment" not in hostvars(lenient, "web1")


@pytest.mark.parametrize("leading_separator, group", [(True, "_nl"), (False, "nl")])
def test_leading_separator_decides_the_name_of_keyed_groups_without_prefix(inventory_run, fleet, leading_separator, group):
    fleet.add("vpsk_one", FakeAccount([server("vpscrypto", 1, "web1")]))

    inventory = inventory_run.parse({"provider": "vpscrypto", "api_key": "vpsk_one", "credentials": "none",
                                     "leading_separator": leading_separator, "keyed_groups": [{"key": "vps_location"}]})

    assert group_hosts(inventory, group) == ["web1"]


def test_a_short_form_key_can_be_a_template_with_its_own_api_url(inventory_run, fleet, monkeypatch):
    fleet.add("otwa_templated", FakeAccount([server("otwa", "a1", "db1", status="running")]))
    monkeypatch.setenv("LAB_KEY", "otwa_templated")

    inventory = inventory_run.parse({"provider": "otwa", "api_key": "{{ lookup('ansible.builtin.env', 'LAB_KEY') }}",
                                     "api_url": "http://127.0.0.1:9/otwa/api/v1"})

    assert sorted(inventory.hosts) == ["db1"]
    assert [options["api_url"] for options in fleet.built_with] == ["http://127.0.0.1:9/otwa/api/v1"]
    assert hostvars(inventory, "db1")["vps_api_url"] == "http://127.0.0.1:9/otwa/api/v1"


def test_a_key_template_that_renders_empty_fails_naming_the_account_and_never_uses_the_providers_key(
        inventory_run, fleet, monkeypatch):
    fleet.add("vpsk_other_account", FakeAccount([server("vpscrypto", 1, "not-mine")]))
    monkeypatch.setenv("VPSCRYPTO_API_KEY", "vpsk_other_account")
    monkeypatch.delenv("SHOP_KEY", raising=False)

    with pytest.raises(AnsibleParserError) as failure:
        inventory_run.parse({"accounts": [{"provider": "vpscrypto", "name": "shop",
                                           "api_key": "{{ lookup('ansible.builtin.env', 'SHOP_KEY') }}"}]})

    assert "account 'shop': api_key is empty after templating" in str(failure.value)
    assert "vpsk_other_account" not in str(failure.value)
    assert fleet.calls == []


def test_a_top_level_api_key_without_provider_is_refused(inventory_run, fleet, monkeypatch):
    monkeypatch.setenv("VPSCRYPTO_API_KEY", "vpsk_env")

    with pytest.raises(AnsibleParserError, match="api_key and api_url need provider") as failure:
        inventory_run.parse({"api_key": "vpsk_forgotten"})

    assert "vpsk_forgotten" not in str(failure.value)


def test_the_short_form_and_accounts_together_are_refused(inventory_run, fleet):
    with pytest.raises(AnsibleParserError, match="either accounts or the short form .* move provider, api_key into"):
        inventory_run.parse(dict(TWO_ACCOUNTS, provider="otwa", api_key="otwa_ignored"))


def test_two_accounts_reading_with_the_same_key_and_url_are_refused_naming_both(inventory_run, fleet):
    with pytest.raises(AnsibleParserError) as failure:
        inventory_run.parse({"accounts": [{"provider": "otwa", "api_key": "otwa_same", "name": "lab"},
                                          {"provider": "otwa", "api_key": "otwa_same", "name": "staging"}]})

    assert "'lab' and 'staging' read the same account" in str(failure.value)
    assert "otwa_same" not in str(failure.value)
    assert fleet.calls == []


def test_one_key_at_two_urls_is_two_accounts(inventory_run, fleet):
    fleet.add("otwa_same", FakeAccount([server("otwa", "a1", "db1", status="running")]))

    inventory = inventory_run.parse({"accounts": [
        {"provider": "otwa", "api_key": "otwa_same", "name": "lab", "api_url": "http://127.0.0.1:9/one"},
        {"provider": "otwa", "api_key": "otwa_same", "name": "staging", "api_url": "http://127.0.0.1:9/two"}]})

    assert sorted(inventory.hosts) == ["db1", "db1_staging_a1"]


def test_an_account_name_with_a_slash_is_refused(inventory_run, fleet):
    with pytest.raises(AnsibleParserError, match="account name 'shop/eu' must not contain '/'"):
        inventory_run.parse({"accounts": [{"provider": "vpscrypto", "api_key": "vpsk_one", "name": "shop/eu"}]})
