# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures: the ``vpsfleet.cloud.vps`` plugin parsing a source file over a fake fleet."""

from __future__ import annotations

import sys

import pytest
import yaml
from ansible.inventory.data import InventoryData
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import inventory_loader

from ansible_collections.vpsfleet.cloud.tests.unit.plugins.inventory._fake_fleet import install_fake_fleet


class InventoryRun(object):
    """Parses source files with the plugin, the way ``ansible-inventory`` does, over ``fleet``."""

    def __init__(self, tmp_path, fleet):
        self.tmp_path = tmp_path
        self.fleet = fleet
        self.plugin = None

    def parse(self, config, cache=False, name="fleet.vps.yml"):
        """Write ``config`` as a source file and parse it into a fresh InventoryData."""
        return self.parse_text(yaml.safe_dump(dict({"plugin": "vpsfleet.cloud.vps"}, **config)), cache, name,
                               cache_enabled=bool(config.get("cache")))

    def parse_text(self, text, cache=False, name="fleet.vps.yml", loader=None, cache_enabled=False):
        """Parse a source file given as text (e.g. holding Vault-encrypted values) with ``loader``."""
        path = self.tmp_path / name
        path.write_text(text)
        self.plugin = inventory_loader.get("vpsfleet.cloud.vps")
        inventory = InventoryData()
        self.plugin.parse(inventory, loader or DataLoader(), str(path), cache=cache)
        if cache_enabled:
            self.plugin.update_cache_if_changed()
        return inventory


@pytest.fixture
def fleet(monkeypatch):
    """The fake accounts every adapter the plugin builds talks to."""
    return install_fake_fleet(monkeypatch, inventory_loader.get("vpsfleet.cloud.vps"))


@pytest.fixture
def inventory_run(tmp_path, fleet):
    return InventoryRun(tmp_path, fleet)


@pytest.fixture
def warnings(monkeypatch):
    """Every warning the plugin shows, as text."""
    shown = []
    plugin_module = sys.modules[type(inventory_loader.get("vpsfleet.cloud.vps")).__module__]
    monkeypatch.setattr(plugin_module.display, "warning", lambda message, *args, **kwargs: shown.append(message))
    return shown
