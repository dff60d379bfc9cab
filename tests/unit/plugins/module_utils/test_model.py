# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The common model: status normalisation, money, empty records."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ansible_collections.vpsfleet.cloud.plugins.module_utils._providers.model import (
    SERVER_FIELDS, STATUSES, as_list, new_server, normalise_status, public_view, to_decimal, usd)


@pytest.mark.parametrize("raw, common", [
    ("active", "running"), ("pending", "provisioning"), ("provisioning", "provisioning"), ("running", "running"),
    ("stopped", "stopped"), ("suspended", "suspended"), ("terminated", "terminated"), ("ACTIVE", "running"),
])
def test_provider_statuses_map_to_the_common_status(raw, common):
    assert normalise_status(raw) == common


@pytest.mark.parametrize("raw", ["Migrating", "rebooting", "resizing", "error", "42"])
def test_an_unknown_status_is_reported_as_provisioning(raw):
    assert normalise_status(raw) == "provisioning"


def test_an_unknown_status_keeps_its_raw_value_next_to_the_common_one():
    server = new_server("otwa", id="s1", raw_status="Migrating")
    assert (server["status"], server["raw_status"]) == ("provisioning", "Migrating")


@pytest.mark.parametrize("raw", ["active", "Migrating", "PENDING", "", None, "stopped"])
def test_the_common_status_is_always_one_of_the_documented_ones_or_none(raw):
    assert normalise_status(raw) in STATUSES + (None,)


@pytest.mark.parametrize("raw", [None, ""])
def test_no_status_stays_none(raw):
    assert normalise_status(raw) is None


def test_money_strings_and_numbers_become_floats_rounded_to_cents():
    assert usd("50.00") == 50.0
    assert usd(14) == 14.0
    assert usd("0.125") == 0.13


def test_missing_or_unreadable_money_is_none():
    assert usd(None) is None
    assert usd("") is None
    assert usd("n/a") is None


def test_money_arithmetic_uses_exact_decimals():
    assert to_decimal("0.10") + to_decimal("0.20") == Decimal("0.30")


def test_a_new_server_has_every_field_and_a_normalised_status():
    server = new_server("otwa", id="s1", raw_status="pending")
    assert set(server) == set(SERVER_FIELDS)
    assert (server["provider"], server["status"], server["additional_ips"]) == ("otwa", "provisioning", [])


def test_a_list_is_read_bare_or_from_its_key():
    assert as_list([1, 2], "servers") == [1, 2]
    assert as_list({"servers": [3]}, "servers") == [3]
    assert as_list({"servers": None}, "servers") == []
    assert as_list(None, "servers") == []


def test_the_public_view_drops_provider_data_only():
    server = new_server("vpscrypto", id="1", provider_data={"secret": "x"})
    view = public_view(server)
    assert "provider_data" not in view
    assert set(view) == set(SERVER_FIELDS) - {"provider_data"}
