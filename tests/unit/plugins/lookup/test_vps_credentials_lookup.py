# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The vps_credentials lookup: where its key comes from, what it returns, what its errors hide."""

from __future__ import annotations

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


@pytest.fixture
def fleet(monkeypatch):
    fake = install_fake_fleet(monkeypatch, lookup_loader.get("vpsfleet.cloud.vps_credentials"))
    fake.add("otwa_envkey", FakeAccount([server("otwa", "a1", "db1")], passwords={"a1": "a{{b}}c", "a2": "second"}))
    return fake


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
