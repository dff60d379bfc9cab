# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The provider contract is complete: a third provider, in memory and in this file alone, implements
it, is registered for the test, and vps_server (present, absent), vps_server_info and the inventory
plugin run through it unchanged."""

from __future__ import annotations

import itertools
import threading

import pytest
from ansible.inventory.data import InventoryData
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import inventory_loader

from ansible_collections.vpsfleet.cloud.plugins.module_utils._http.client import ApiError
from ansible_collections.vpsfleet.cloud.plugins.module_utils._providers.contract import (
    OperationNotOffered, ProviderAdapter)
from ansible_collections.vpsfleet.cloud.plugins.module_utils._providers.idempotency import (
    deploy_key_fields, derived_idempotency_key)
from ansible_collections.vpsfleet.cloud.plugins.module_utils._providers.model import new_server, usd
from ansible_collections.vpsfleet.cloud.plugins.module_utils._providers.registry import (
    register_provider, unregister_provider)
from ansible_collections.vpsfleet.cloud.plugins.modules import vps_server, vps_server_info
from ansible_collections.vpsfleet.cloud.tests.unit.plugins.modules._run import run_module

PLAN = {"id": "m1", "slug": "m1", "name": "Memory One", "price_monthly_usd": 5.0, "price_annual_usd": None,
        "vcpu": 1, "ram_mb": 1024, "disk_gb": 10, "bandwidth_gb": 100, "region": None}
BALANCE_USD = 50
# Each API key opens one account; every adapter built for a key sees that account's servers.
ACCOUNTS = {}


class MemoryAccount(object):
    def __init__(self):
        self.lock = threading.Lock()
        self.servers = {}  # id -> server record
        self.passwords = {}  # id -> root password
        self.orders = {}  # Idempotency-Key -> server id
        self.ids = itertools.count(1)


class MemoryAdapter(ProviderAdapter):
    """A provider that keeps its servers in this process: orders are keyed, servers run at once."""

    provider = "memory"
    label = "Memory Cloud"
    not_offered = frozenset((
        "create_account", "health", "reseller", "list_api_keys", "create_api_key", "revoke_api_key", "topup",
        "stats", "rename_server", "power", "reinstall_server", "reset_password", "sso_link", "addons",
    ))
    billing_cycles = {"monthly": (1, 0)}
    keyed_orders = True
    replay_advice = "the next run sends the same key for the same request, so the order is answered again, not repeated"

    def __init__(self, client):
        super(MemoryAdapter, self).__init__(client)
        self.memory = ACCOUNTS.setdefault(client.api_key, MemoryAccount())
        self.calls = 0

    def _call(self):
        self.calls += 1

    def requests_sent(self):
        return self.calls

    def get_account(self):
        self._call()
        return {"provider": self.provider, "id": "memory-account", "balance_usd": usd(BALANCE_USD), "currency": "USD",
                "servers": len(self.memory.servers), "totp_enabled": None, "created_at": None, "tier": None,
                "provider_data": None}

    def get_catalog(self):
        self._call()
        return {"provider": self.provider, "plans": [dict(PLAN)], "locations": [{"slug": "ram-1", "name": "RAM One"}],
                "os": [{"slug": "debian-13", "name": "Debian 13", "family": "debian"}], "cycles": ["monthly"],
                "coins": [], "topup": None, "provider_data": None}

    def list_servers(self):
        self._call()
        with self.memory.lock:
            return [dict(server) for server in self.memory.servers.values()]

    def get_server(self, server_id):
        self._call()
        with self.memory.lock:
            if str(server_id) not in self.memory.servers:
                raise ApiError("no such server", status=404, method="GET", path="/servers/%s" % server_id,
                               provider=self.label)
            return dict(self.memory.servers[str(server_id)])

    def get_credentials(self, server_id):
        server = self.get_server(server_id)
        return {"username": "root", "password": self.memory.passwords[server["id"]], "ip": server["ip"],
                "ssh_command": None}

    def order_server(self, order, known_ids=(), user_key=None):
        self._call()
        key = derived_idempotency_key(self.account, "deploy", deploy_key_fields(order), user_key)
        with self.memory.lock:
            if key not in self.memory.orders:
                number = next(self.memory.ids)
                server = new_server(
                    self.provider, id=str(number), name=order["name"], hostname=order["name"], raw_status="running",
                    ip="192.0.2.%d" % number, plan=PLAN["name"], location=order["location"], os=order["os"],
                    price_usd=PLAN["price_monthly_usd"], cycle="monthly", created_at="2026-12-05T10:00:00Z",
                    vcpu=PLAN["vcpu"], ram_mb=PLAN["ram_mb"], disk_gb=PLAN["disk_gb"], bandwidth_gb=PLAN["bandwidth_gb"],
                    provider_data={"key": key, "number": number})
                self.memory.servers[server["id"]] = server
                self.memory.passwords[server["id"]] = "memory-password-%d" % number
                self.memory.orders[key] = server["id"]
            return dict(self.memory.servers[self.memory.orders[key]]), None

    def terminate_server(self, server_id):
        self._call()
        with self.memory.lock:
            if str(server_id) in self.memory.servers:
                self.memory.servers[str(server_id)] = dict(self.memory.servers[str(server_id)], status="terminated",
                                                           raw_status="terminated")
        return {}


@pytest.fixture
def memory(tmp_path):
    """The memory provider, registered for one test; module arguments for a fresh account of it."""
    register_provider(MemoryAdapter, "memory://cloud", "MEMORY_API_KEY", "MEMORY_API_URL")
    ACCOUNTS.clear()
    try:
        yield dict(provider="memory", api_key="memory-key-1", journal_dir=str(tmp_path / "journal"))
    finally:
        unregister_provider("memory")
        ACCOUNTS.clear()


ORDER = dict(name="web-1", plan="Memory One", location="ram-1", os="debian-13")


def test_vps_server_orders_a_server_of_the_third_provider(memory):
    run = run_module(vps_server.main, dict(memory, **ORDER))

    assert not run.failed, run.result
    assert run.result["changed"] is True
    assert (run.result["server"]["provider"], run.result["server"]["status"]) == ("memory", "running")
    assert run.result["root_password"] == "memory-password-1"


def test_a_second_present_run_finds_the_server_and_orders_nothing(memory):
    first = run_module(vps_server.main, dict(memory, **ORDER))
    second = run_module(vps_server.main, dict(memory, **ORDER))

    assert second.result["changed"] is False
    assert second.result["server"]["id"] == first.result["server"]["id"]
    assert len(ACCOUNTS["memory-key-1"].servers) == 1


def test_vps_server_absent_terminates_the_server(memory):
    ordered = run_module(vps_server.main, dict(memory, **ORDER)).result["server"]

    run = run_module(vps_server.main, dict(memory, name="web-1", state="absent"))

    assert not run.failed, run.result
    assert run.result["changed"] is True and run.result["server"]["status"] == "terminated"
    assert ACCOUNTS["memory-key-1"].servers[ordered["id"]]["status"] == "terminated"


def test_vps_server_info_lists_the_servers_with_their_credentials(memory):
    run_module(vps_server.main, dict(memory, **ORDER))

    connection = dict((key, value) for key, value in memory.items() if key != "journal_dir")
    run = run_module(vps_server_info.main, dict(connection, include_credentials=True))

    assert not run.failed, run.result
    assert [(server["name"], server["credentials"]["password"]) for server in run.result["servers"]] == [
        ("web-1", "memory-password-1")]


def test_an_operation_the_third_provider_does_not_offer_is_refused_before_any_call(memory):
    run = run_module(vps_server.main, dict(memory, name="web-1", state="rebuilt", os="debian-13"))

    assert run.failed and run.result["failure"] == {"operation": "reinstall_server", "provider": "memory"}
    assert "Memory Cloud does not offer reinstalling servers" in run.result["msg"]
    assert ACCOUNTS == {}


def test_the_declaration_alone_makes_the_refusal(memory):
    adapter = MemoryAdapter(type("Client", (), {"api_key": "memory-key-1"})())
    with pytest.raises(OperationNotOffered):
        adapter.power("1", "reboot")
    assert adapter.offers("terminate_server") and not adapter.offers("power")


def test_the_inventory_plugin_lists_the_servers_of_the_third_provider(memory, tmp_path):
    run_module(vps_server.main, dict(memory, **ORDER))
    source = tmp_path / "memory.vps.yml"
    source.write_text("plugin: vpsfleet.cloud.vps\naccounts:\n  - provider: memory\n    api_key: memory-key-1\n")
    inventory = InventoryData()

    inventory_loader.get("vpsfleet.cloud.vps").parse(inventory, DataLoader(), str(source), cache=False)

    host = inventory.get_host("web-1")
    assert host is not None
    assert (host.vars["vps_provider"], host.vars["ansible_host"]) == ("memory", "192.0.2.1")
    assert "vps_provider_memory" in inventory.groups
