# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The vps_credentials lookup: where its key comes from, what it returns, what its errors hide."""

from __future__ import annotations

import sys

import pytest
from ansible.errors import AnsibleLookupError
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import lookup_loader
from ansible.template import Templar

try:
    from ansible.template import trust_as_template
except ImportError:  # ansible-core < 2.19: every plain string is a template
    def trust_as_template(value):
        return value

from ansible_collections.vpsfleet.cloud.tests.unit.plugins.inventory._fake_fleet import FakeAccount, install_fake_fleet, server
from ansible_collections.vpsfleet.cloud.tests.unit.plugins.inventory._vault_values import vault_loader, vault_yaml


def lookup_module():
    return sys.modules[type(lookup_loader.get("vpsfleet.cloud.vps_credentials")).__module__]


@pytest.fixture
def fleet(monkeypatch):
    fake = install_fake_fleet(monkeypatch, lookup_loader.get("vpsfleet.cloud.vps_credentials"))
    fake.add("otwa_envkey", FakeAccount([server("otwa", "a1", "db1")], passwords={"a1": "a{{b}}c", "a2": "second"}))
    monkeypatch.setattr(lookup_module(), "_recent_reads", {})
    return fake


def credential_reads(fleet):
    return [call for call in fleet.calls if call[0] == "credentials"]


def run_lookup(terms, variables=None, **options):
    lookup = lookup_loader.get("vpsfleet.cloud.vps_credentials", loader=DataLoader(),
                               templar=Templar(loader=DataLoader(), variables=variables or {}))
    return lookup.run(terms, variables=variables or {}, **options)


def test_the_key_comes_from_the_providers_environment_variable(fleet, monkeypatch):
    monkeypatch.setenv("OTWA_API_KEY", "otwa_envkey")

    assert run_lookup(["otwa", "a1"], field="password") == ["a{{b}}c"]


def test_without_field_each_server_gives_its_whole_credentials(fleet, monkeypatch):
    monkeypatch.setenv("OTWA_API_KEY", "otwa_envkey")

    results = run_lookup(["otwa", "a1", "a2"])

    assert [(item["username"], item["password"]) for item in results] == [("root", "a{{b}}c"), ("root", "second")]


def test_the_key_can_come_from_a_variable_the_user_names(fleet):
    assert run_lookup(["otwa", "a1"], variables={"vault_lab_key": "otwa_envkey"}, api_key_var="vault_lab_key",
                      field="username") == ["root"]


def test_the_named_key_variable_is_templated_first(fleet):
    # Variables from group_vars or extra vars are trusted templates; so is this one.
    variables = {"vault_lab_key": trust_as_template("{{ real_key }}"), "real_key": "otwa_envkey"}

    assert run_lookup(["otwa", "a1"], variables=variables, api_key_var="vault_lab_key", field="password") == ["a{{b}}c"]


def test_the_api_url_option_reaches_the_client(fleet, monkeypatch):
    monkeypatch.setenv("OTWA_API_KEY", "otwa_envkey")

    run_lookup(["otwa", "a1"], api_url="http://127.0.0.1:9/otwa/api/v1")

    assert fleet.built_with[0]["api_url"] == "http://127.0.0.1:9/otwa/api/v1"


def test_no_key_fails_naming_the_environment_variable(fleet):
    with pytest.raises(AnsibleLookupError, match="OTWA_API_KEY"):
        run_lookup(["otwa", "a1"])


def test_no_key_fails_naming_the_lookups_own_api_key_options(fleet, monkeypatch):
    monkeypatch.delenv("OTWA_API_KEY", raising=False)

    with pytest.raises(AnsibleLookupError) as failure:
        run_lookup(["otwa", "a1"])

    assert "the api_key option, api_key_var, the otwa_api_key option and the environment variable OTWA_API_KEY" \
        in str(failure.value)


def test_an_undefined_key_variable_fails_with_its_name(fleet):
    with pytest.raises(AnsibleLookupError, match="'vault_lab_key', which is not defined"):
        run_lookup(["otwa", "a1"], api_key_var="vault_lab_key")


def test_an_unknown_provider_fails_listing_the_valid_ones(fleet):
    with pytest.raises(AnsibleLookupError, match="valid choices: otwa, vpscrypto"):
        run_lookup(["hetzner", "1"], api_key="k")


def test_a_failed_read_names_the_server_and_never_shows_the_key(fleet):
    with pytest.raises(AnsibleLookupError) as failure:
        run_lookup(["otwa", "a1"], api_key="otwa_notakey")

    assert "Otwa Cloud server a1" in str(failure.value) and "invalid API key" in str(failure.value)
    assert "otwa_notakey" not in str(failure.value)


def test_a_password_from_the_lookup_is_never_templated(fleet, monkeypatch):
    monkeypatch.setenv("OTWA_API_KEY", "otwa_envkey")
    templar = Templar(loader=DataLoader(), variables={"b": "LEAK"})

    password = run_lookup(["otwa", "a1"], field="password")[0]

    assert templar.template(password) == "a{{b}}c"


def test_the_key_variable_can_be_vault_encrypted(fleet, monkeypatch):
    group_vars = vault_loader(monkeypatch).load("vault_lab_key: " + vault_yaml("otwa_envkey", 2))

    assert run_lookup(["otwa", "a1"], variables=group_vars, api_key_var="vault_lab_key", field="password") == ["a{{b}}c"]


def test_user_and_password_templated_together_cost_one_read(fleet, monkeypatch):
    monkeypatch.setenv("OTWA_API_KEY", "otwa_envkey")

    user = run_lookup(["otwa", "a1"], field="username")
    password = run_lookup(["otwa", "a1"], field="password")

    assert (user, password) == (["root"], ["a{{b}}c"])
    assert credential_reads(fleet) == [("credentials", "otwa", "a1")]


def test_a_read_is_remembered_only_briefly(fleet, monkeypatch):
    monkeypatch.setenv("OTWA_API_KEY", "otwa_envkey")
    now = [1000.0]
    monkeypatch.setattr(lookup_module(), "_clock", lambda: now[0])
    run_lookup(["otwa", "a1"], field="password")
    fleet.accounts["otwa_envkey"].passwords["a1"] = "rotated"

    now[0] += lookup_module().REMEMBER_SECONDS

    assert run_lookup(["otwa", "a1"], field="password") == ["rotated"]
    assert len(credential_reads(fleet)) == 2


def test_a_read_with_one_key_is_never_served_to_another(fleet, monkeypatch):
    fleet.add("otwa_otherkey", FakeAccount([server("otwa", "a1", "db1")], passwords={"a1": "other-account"}))
    monkeypatch.setenv("OTWA_API_KEY", "otwa_envkey")
    run_lookup(["otwa", "a1"], field="password")

    assert run_lookup(["otwa", "a1"], api_key="otwa_otherkey", field="password") == ["other-account"]
