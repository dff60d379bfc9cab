# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""FleetReader and the host naming helpers, without Ansible's inventory around them."""

from __future__ import annotations

import threading
import time

import pytest

from ansible_collections.vpsfleet.cloud.plugins.module_utils._services.fleet_hosts import name_hosts, server_variables
from ansible_collections.vpsfleet.cloud.plugins.module_utils._services.fleet_reader import Account, FleetReader
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


class CountingClient(object):
    """The part of ApiClient the reader looks at: how many requests were sent."""

    def __init__(self):
        self.request_count = 0
        self.lock = threading.Lock()

    def count(self):
        with self.lock:
            self.request_count += 1


class SlowToBuildAdapters(object):
    """An adapter factory that takes a while per adapter, like building a TLS session does."""

    def __init__(self, interrupt_on=None):
        self.built = 0
        self.reads = []
        self.interrupt_on = interrupt_on

    def __call__(self, provider, **options):
        time.sleep(0.05)
        self.built += 1
        factory, client = self, CountingClient()

        class Adapter(object):
            def __init__(self):
                self.client = client

            def get_credentials(self, server_id):
                client.count()
                factory.reads.append(server_id)
                time.sleep(0.01)
                if server_id == factory.interrupt_on:
                    raise KeyboardInterrupt()
                return {"username": "root", "password": "pw"}

        return Adapter()


def test_reading_credentials_without_listing_first_builds_one_adapter_per_account():
    # A cached run goes straight to the credentials; its workers must not each build an adapter.
    factory = SlowToBuildAdapters()
    account = Account("shop", "vpscrypto", "k1")
    reader = FleetReader([account], max_workers=8, adapter_factory=factory)

    found, dummy = reader.read_credentials([(account, str(n)) for n in range(20)])

    assert factory.built == 1
    assert len(found) == 20 and reader.request_count() == 20


def test_an_interrupt_while_waiting_cancels_the_reads_still_queued():
    factory = SlowToBuildAdapters(interrupt_on="0")
    account = Account("shop", "vpscrypto", "k1")
    reader = FleetReader([account], max_workers=2, adapter_factory=factory)

    with pytest.raises(KeyboardInterrupt):
        reader.read_credentials([(account, str(n)) for n in range(100)])

    assert len(factory.reads) < 10


def test_a_failed_read_gives_its_traceback_to_trace_without_the_key():
    traces = []
    account = Account("lab", "otwa", "otwa_supersecretkey")

    dummy, failures = FleetReader([account], adapter_factory=FakeFleet(), trace=traces.append).list_servers()

    assert len(failures) == 1 and len(traces) == 1
    assert "Traceback" in traces[0] and "invalid API key" in traces[0]
    assert "otwa_supersecretkey" not in traces[0] + str(failures[0])


def test_name_hosts_keeps_every_server_and_renames_all_but_the_first():
    entries = [("shop", server("vpscrypto", 1, "web")), ("lab", server("otwa", "a", "web")), ("lab", server("otwa", "b", "web"))]

    names, warnings = name_hosts(entries, ["name"])

    assert names == ["web", "web_lab_a", "web_lab_b"]
    assert len(warnings) == 1


def test_a_renamed_host_never_takes_the_name_of_another_server():
    entries = [("lab", server("otwa", "a", "web")), ("lab", server("otwa", "b", "web")), ("lab", server("otwa", "c", "web_lab_b"))]

    names, dummy = name_hosts(entries, ["name"])

    assert len(set(names)) == 3


@pytest.mark.parametrize("marker", ["{{", "{%", "{#"])
def test_a_name_with_template_markers_gives_way_to_the_next_preference_with_a_warning(marker):
    entries = [("lab", server("otwa", "a", "x%s lookup('pipe', 'id') }}" % marker, ip="192.0.2.9"))]

    names, warnings = name_hosts(entries, ["name", "ip"])

    assert names == ["192.0.2.9"]
    assert len(warnings) == 1 and "lab id a; passed over: name" in warnings[0]


def test_a_server_whose_every_field_holds_template_markers_is_named_by_its_id_without_them():
    entries = [("lab", server("otwa", "{{a}}", "{{ x }}", hostname="{{ y }}"))]

    names, dummy = name_hosts(entries, ["name", "hostname"])

    assert names == ["__a}}"]


def test_server_variables_redact_secret_keys_of_the_raw_api_object():
    record = server("vpscrypto", 1, "web", provider_data={"id": 1, "root_password": "hunter2hunter2"})

    variables = server_variables(record, "shop")

    assert "hunter2hunter2" not in repr(variables)
    assert variables["vps_account"] == "shop" and "vps_provider_data" in variables


class OneAccountWaits(object):
    """Adapters whose ``held`` account cannot read until every read of the other accounts is done."""

    def __init__(self, held, others_reads):
        self.held = held
        self.others_left = others_reads
        self.others_done = threading.Event()
        self.lock = threading.Lock()
        self.held_waits_timed_out = 0

    def __call__(self, provider, api_key=None, **options):
        factory = self

        class Adapter(object):
            def get_credentials(self, server_id):
                if api_key == factory.held:
                    # Like a key paused for its Retry-After: its worker sleeps until the others are through.
                    if not factory.others_done.wait(5):
                        factory.held_waits_timed_out += 1
                else:
                    with factory.lock:
                        factory.others_left -= 1
                        if factory.others_left == 0:
                            factory.others_done.set()
                return {"username": "root", "password": "pw"}

        return Adapter()


def test_an_account_whose_key_waits_does_not_hold_up_another_accounts_reads():
    waiting, other = Account("shop", "vpscrypto", "k-waits"), Account("lab", "otwa", "k-free")
    factory = OneAccountWaits("k-waits", others_reads=6)
    reader = FleetReader([waiting, other], max_workers=2, adapter_factory=factory)

    found, failed = reader.read_credentials([(waiting, str(n)) for n in range(6)] + [(other, str(n)) for n in range(6)])

    assert len(found) == 12 and not failed
    assert factory.held_waits_timed_out == 0
