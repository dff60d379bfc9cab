# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Resolving a plan, location or OS the user typed against the catalog."""

from __future__ import annotations

import pytest

from ansible_collections.vpsfleet.cloud.plugins.module_utils._core.resolve import InvalidChoice, resolve_choice

PLANS = [
    {"id": "p-1", "slug": "scout", "name": "Scout"},
    {"id": "p-2", "slug": "hunter", "name": "Hunter"},
    {"id": "p-3", "slug": "titan", "name": "Big"},
    {"id": "p-4", "slug": "big", "name": "Titan XL"},
]


def test_a_slug_resolves_to_its_item():
    assert resolve_choice("plan", "hunter", PLANS)["id"] == "p-2"


def test_an_id_resolves_to_its_item():
    assert resolve_choice("plan", "p-1", PLANS)["slug"] == "scout"


def test_a_display_name_resolves_case_insensitively():
    assert resolve_choice("plan", "HUNTER", PLANS)["id"] == "p-2"
    assert resolve_choice("plan", " scout ", PLANS)["id"] == "p-1"


def test_an_exact_slug_wins_over_another_items_display_name():
    assert resolve_choice("plan", "big", PLANS)["id"] == "p-4"


def test_a_value_matching_two_items_case_insensitively_is_refused_as_ambiguous():
    with pytest.raises(InvalidChoice) as caught:
        resolve_choice("plan", "BIG", PLANS)
    assert str(caught.value).startswith("ambiguous plan 'BIG': it matches titan (Big) and big (Titan XL); valid choices: ")
    assert "scout (Scout)" in caught.value.choices


def test_an_unknown_value_lists_the_valid_choices():
    with pytest.raises(InvalidChoice) as caught:
        resolve_choice("location", "mars", [{"slug": "nl", "name": "Netherlands"}, {"slug": "is", "name": "Iceland"}])
    assert str(caught.value) == "unknown location 'mars'; valid choices: nl (Netherlands), is (Iceland)"
    assert caught.value.choices == ["nl (Netherlands)", "is (Iceland)"]


def test_an_empty_catalog_says_nothing_is_offered():
    with pytest.raises(InvalidChoice) as caught:
        resolve_choice("os", "debian-13", [])
    assert "(none offered)" in str(caught.value)


def test_no_value_resolves_to_nothing():
    assert resolve_choice("plan", None, PLANS) is None


def test_a_numeric_value_matches_a_numeric_id():
    assert resolve_choice("plan", 7, [{"id": 7, "slug": "seven"}])["slug"] == "seven"
