# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The vps inventory's cache: a cached run lists no servers; credentials stay out unless asked."""

from __future__ import annotations

from ansible_collections.vpsfleet.cloud.tests.unit.plugins.inventory._fake_fleet import FakeAccount, server


def cached_source(tmp_path, **extra):
    return dict({"provider": "vpscrypto", "api_key": "vpsk_one", "cache": True,
                 "cache_plugin": "ansible.builtin.jsonfile", "cache_connection": str(tmp_path / "cache")}, **extra)


def cache_text(tmp_path):
    return "".join(path.read_text() for path in (tmp_path / "cache").iterdir())


def test_a_cached_run_lists_no_servers_and_gives_the_same_hosts(inventory_run, fleet, tmp_path):
    fleet.add("vpsk_one", FakeAccount([server("vpscrypto", 1, "web1"), server("vpscrypto", 2, "web2")]))
    first = inventory_run.parse(cached_source(tmp_path, credentials="none"))
    fleet.calls.clear()

    second = inventory_run.parse(cached_source(tmp_path, credentials="none"), cache=True)

    assert fleet.calls == []
    assert sorted(second.hosts) == sorted(first.hosts) == ["web1", "web2"]
    assert second.get_host("web2").get_vars()["vps_id"] == "2"


def test_credentials_are_not_cached_by_default_and_are_read_again(inventory_run, fleet, tmp_path):
    fleet.add("vpsk_one", FakeAccount([server("vpscrypto", 1, "web1")], passwords={"1": "s3cret-root"}))
    inventory_run.parse(cached_source(tmp_path))
    fleet.calls.clear()

    second = inventory_run.parse(cached_source(tmp_path), cache=True)

    assert "s3cret-root" not in cache_text(tmp_path)
    assert fleet.calls == [("credentials", "vpscrypto", "1")]
    assert second.get_host("web1").get_vars()["ansible_password"] == "s3cret-root"


def test_cache_credentials_makes_a_cached_run_send_no_request(inventory_run, fleet, tmp_path):
    fleet.add("vpsk_one", FakeAccount([server("vpscrypto", 1, "web1")], passwords={"1": "s3cret-root"}))
    inventory_run.parse(cached_source(tmp_path, cache_credentials=True))
    fleet.calls.clear()

    second = inventory_run.parse(cached_source(tmp_path, cache_credentials=True), cache=True)

    assert fleet.calls == []
    assert second.get_host("web1").get_vars()["ansible_password"] == "s3cret-root"


def test_the_api_key_is_never_written_to_the_cache(inventory_run, fleet, tmp_path):
    fleet.add("vpsk_one", FakeAccount([server("vpscrypto", 1, "web1")]))

    inventory_run.parse(cached_source(tmp_path, cache_credentials=True))

    assert "web1" in cache_text(tmp_path) and "vpsk_one" not in cache_text(tmp_path)


def test_a_cache_refresh_reads_the_servers_again(inventory_run, fleet, tmp_path):
    fleet.add("vpsk_one", FakeAccount([server("vpscrypto", 1, "web1")]))
    inventory_run.parse(cached_source(tmp_path, credentials="none"))
    fleet.accounts["vpsk_one"].servers.append(server("vpscrypto", 2, "web2"))

    refreshed = inventory_run.parse(cached_source(tmp_path, credentials="none"), cache=False)

    assert sorted(refreshed.hosts) == ["web1", "web2"]
    assert sorted(inventory_run.parse(cached_source(tmp_path, credentials="none"), cache=True).hosts) == ["web1", "web2"]


def test_turning_cache_credentials_off_reads_them_again_and_purges_them_from_the_cache(inventory_run, fleet, tmp_path):
    fleet.add("vpsk_one", FakeAccount([server("vpscrypto", 1, "web1")], passwords={"1": "s3cret-root"}))
    inventory_run.parse(cached_source(tmp_path, cache_credentials=True))
    fleet.accounts["vpsk_one"].passwords["1"] = "rotated-root"
    fleet.calls.clear()

    second = inventory_run.parse(cached_source(tmp_path), cache=True)

    assert fleet.calls == [("credentials", "vpscrypto", "1")]
    assert second.get_host("web1").get_vars()["ansible_password"] == "rotated-root"
    assert "s3cret-root" not in cache_text(tmp_path) and "web1" in cache_text(tmp_path)


def test_a_changed_key_does_not_serve_the_hosts_cached_for_the_old_one(inventory_run, fleet, tmp_path):
    fleet.add("vpsk_one", FakeAccount([server("vpscrypto", 1, "web1")]))
    fleet.add("vpsk_two", FakeAccount([server("vpscrypto", 2, "web2")]))
    inventory_run.parse(cached_source(tmp_path, credentials="none"))

    second = inventory_run.parse(cached_source(tmp_path, credentials="none", api_key="vpsk_two"), cache=True)

    assert sorted(second.hosts) == ["web2"]
    assert "vpsk_one" not in cache_text(tmp_path) and "vpsk_two" not in cache_text(tmp_path)
