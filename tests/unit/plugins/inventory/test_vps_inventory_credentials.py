# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The vps inventory's credentials: inline, lazy and none; unsafe values; failures."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleParserError
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar
from ansible.utils.unsafe_proxy import AnsibleUnsafe

from ansible_collections.vpsfleet.cloud.tests.unit.plugins.inventory._fake_fleet import FakeAccount, server

SHOP = {"provider": "vpscrypto", "api_key": "vpsk_one"}


def is_unsafe(value):
    """True when Ansible will never template ``value`` (2.18: AnsibleUnsafe; 2.19+: untrusted)."""
    if isinstance(value, AnsibleUnsafe):
        return True
    try:
        from ansible.template import is_trusted_as_template
    except ImportError:
        return False
    return not is_trusted_as_template(value)


def credential_reads(fleet):
    return [call for call in fleet.calls if call[0] == "credentials"]


def test_inline_credentials_become_ansible_user_and_ansible_password(inventory_run, fleet):
    fleet.add("vpsk_one", FakeAccount([server("vpscrypto", 1, "web1")], passwords={"1": "s3cret-root"}))

    variables = inventory_run.parse(SHOP).get_host("web1").get_vars()

    assert (variables["ansible_user"], variables["ansible_password"]) == ("root", "s3cret-root")


def test_a_password_with_template_markers_is_unsafe_and_reaches_the_connection_unchanged(inventory_run, fleet):
    fleet.add("vpsk_one", FakeAccount([server("vpscrypto", 1, "{{ name }}")], passwords={"1": "a{{b}}c"}))

    variables = inventory_run.parse(SHOP).get_host("1").get_vars()
    templar = Templar(loader=DataLoader(), variables=dict(variables, b="LEAK", name="LEAK"))

    assert is_unsafe(variables["ansible_password"]) and is_unsafe(variables["vps_name"])
    assert templar.template(variables["ansible_password"]) == "a{{b}}c"
    assert templar.template(variables["vps_name"]) == "{{ name }}"


def test_credentials_are_read_concurrently_up_to_max_workers(inventory_run, fleet):
    fleet.add("vpsk_one", FakeAccount([server("vpscrypto", n, "web%d" % n) for n in range(1, 13)], delay=0.05))

    inventory_run.parse(dict(SHOP, max_workers=4))

    assert len(credential_reads(fleet)) == 12
    assert fleet.most_in_flight == 4


def test_max_workers_1_reads_credentials_one_after_the_other(inventory_run, fleet):
    fleet.add("vpsk_one", FakeAccount([server("vpscrypto", n, "web%d" % n) for n in range(1, 5)], delay=0.01))

    inventory_run.parse(dict(SHOP, max_workers=1))

    assert fleet.most_in_flight == 1


def test_max_workers_below_1_is_refused_before_any_request(inventory_run, fleet):
    with pytest.raises(AnsibleParserError, match="max_workers must be 1 or more"):
        inventory_run.parse(dict(SHOP, max_workers=0))

    assert fleet.calls == []


def test_a_server_whose_credentials_fail_is_listed_without_them_and_named_in_a_warning(inventory_run, fleet, warnings):
    fleet.add("vpsk_one", FakeAccount([server("vpscrypto", 1, "web1"), server("vpscrypto", 2, "web2")],
                                      credential_errors={"2"}))

    inventory = inventory_run.parse(SHOP)

    assert sorted(inventory.hosts) == ["web1", "web2"]
    assert "ansible_password" not in inventory.get_host("web2").get_vars()
    assert inventory.get_host("web1").get_vars()["ansible_password"] == "pw-1"
    assert len(warnings) == 1 and "web2 (vpscrypto id 2)" in warnings[0] and "still provisioning" in warnings[0]


def test_strict_credentials_fails_the_inventory_when_one_read_fails(inventory_run, fleet):
    fleet.add("vpsk_one", FakeAccount([server("vpscrypto", 1, "web1"), server("vpscrypto", 2, "web2")],
                                      credential_errors={"2"}))

    with pytest.raises(AnsibleParserError, match=r"credentials of 1 server\(s\): web2"):
        inventory_run.parse(dict(SHOP, strict_credentials=True))


def test_lazy_credentials_store_no_secret_and_read_nothing_at_inventory_time(inventory_run, fleet):
    fleet.add("vpsk_one", FakeAccount([server("vpscrypto", 1, "web1")], passwords={"1": "s3cret-root"}))

    variables = inventory_run.parse(dict(SHOP, credentials="lazy")).get_host("web1").get_vars()

    assert credential_reads(fleet) == []
    assert "s3cret-root" not in repr(variables) and "vpsk_one" not in repr(variables)
    assert variables["ansible_password"].startswith("{{ lookup('vpsfleet.cloud.vps_credentials', vps_provider, vps_id,")
    assert "field='password'" in variables["ansible_password"]
    assert not is_unsafe(variables["ansible_password"])


def test_lazy_credentials_pass_the_accounts_key_variable_name_to_the_lookup(inventory_run, fleet):
    fleet.add("vpsk_one", FakeAccount([server("vpscrypto", 1, "web1")]))

    inventory = inventory_run.parse({"credentials": "lazy", "accounts": [
        {"provider": "vpscrypto", "api_key": "vpsk_one", "api_key_var": "vault_shop_key"}]})

    assert "api_key_var='vault_shop_key'" in inventory.get_host("web1").get_vars()["ansible_password"]


def test_an_api_key_var_that_is_not_a_variable_name_is_refused(inventory_run, fleet):
    with pytest.raises(AnsibleParserError, match="api_key_var must be a variable name"):
        inventory_run.parse({"credentials": "lazy", "accounts": [
            {"provider": "vpscrypto", "api_key": "vpsk_one", "api_key_var": "x') }}{{ lookup('pipe', 'id"}]})


def test_credentials_none_sets_no_login_variables(inventory_run, fleet):
    fleet.add("vpsk_one", FakeAccount([server("vpscrypto", 1, "web1")]))

    variables = inventory_run.parse(dict(SHOP, credentials="none")).get_host("web1").get_vars()

    assert credential_reads(fleet) == []
    assert "ansible_password" not in variables and "ansible_user" not in variables


def test_lazy_warns_about_accounts_whose_key_the_lookup_will_not_have(inventory_run, fleet, warnings, monkeypatch):
    fleet.add("vpsk_shop", FakeAccount([server("vpscrypto", 1, "web1")]))
    fleet.add("vpsk_blog", FakeAccount([server("vpscrypto", 2, "blog1")]))
    fleet.add("vpsk_env", FakeAccount([server("vpscrypto", 3, "env1")]))
    fleet.add("vpsk_lab", FakeAccount([server("vpscrypto", 4, "lab1")]))
    monkeypatch.setenv("VPSCRYPTO_API_KEY", "vpsk_env")

    inventory_run.parse({"credentials": "lazy", "accounts": [
        {"provider": "vpscrypto", "name": "shop", "api_key": "vpsk_shop"},
        {"provider": "vpscrypto", "name": "blog", "api_key": "vpsk_blog"},
        {"provider": "vpscrypto", "name": "env"},
        {"provider": "vpscrypto", "name": "lab", "api_key": "vpsk_lab", "api_key_var": "vault_lab_key"}]})

    assert len(warnings) == 1
    assert "VPSCRYPTO_API_KEY, which is not the key of account(s) 'shop', 'blog'; give them api_key_var" in warnings[0]
    assert "vpsk_" not in warnings[0]


def test_lazy_with_the_providers_own_key_warns_about_nothing(inventory_run, fleet, warnings, monkeypatch):
    fleet.add("vpsk_env", FakeAccount([server("vpscrypto", 1, "web1")]))
    monkeypatch.setenv("VPSCRYPTO_API_KEY", "vpsk_env")

    inventory_run.parse({"credentials": "lazy"})

    assert warnings == []
