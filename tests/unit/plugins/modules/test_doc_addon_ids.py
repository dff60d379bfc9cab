# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The add-on ids the module docs show are add-ons the sandbox offers, under the names shown next to them."""

from __future__ import annotations

import re

import pytest
import yaml

from ansible_collections.vpsfleet.cloud.plugins.modules import vps_addon, vps_addon_info, vps_server

catalog = pytest.importorskip("vps_sandbox.catalog", reason="the sandbox package is not importable")

ADDONS = dict((addon["id"], addon) for product in catalog.OTWA_PRODUCTS for addon in product["addons"])
ADDON_NAMES = set(addon["name"] for addon in ADDONS.values())
ADDON_ID = re.compile(r"V\((v[a-z][a-z0-9]{6})\)")


@pytest.mark.parametrize("module", [vps_addon, vps_addon_info, vps_server])
def test_every_add_on_id_a_module_doc_names_is_offered_by_the_sandbox(module):
    named = ADDON_ID.findall(module.DOCUMENTATION) + [
        task["vpsfleet.cloud.vps_addon"]["addon"] for task in yaml.safe_load(module.EXAMPLES)
        if "vpsfleet.cloud.vps_addon" in task]
    unknown = [value for value in named if value not in ADDONS and value not in ADDON_NAMES]
    assert not unknown, "add-on ids in the docs that the sandbox does not offer: %s" % unknown


def test_the_add_on_listing_sample_shows_one_add_on_with_its_own_name():
    contains = yaml.safe_load(vps_addon_info.RETURN)["addons"]["contains"]
    sample_id, sample_name = contains["id"]["sample"], contains["name"]["sample"]
    assert sample_id in ADDONS and ADDONS[sample_id]["name"] == sample_name
