# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Waiting for a fleet: looks come when servers are due, seldom otherwise, within the key's rate."""

from __future__ import annotations

import datetime
import functools

from ansible_collections.vpsfleet.cloud.plugins.module_utils._services import server_wait as _server_wait
from ansible_collections.vpsfleet.cloud.plugins.module_utils._services.poll_schedule import ProvisioningSchedule, epoch_of
from ansible_collections.vpsfleet.cloud.plugins.module_utils._http.rate_limit import RateLimiter

T0 = 1790000000.0  # an epoch second; created_at below is written from it


class WallClock(object):
    def __init__(self, now=T0):
        self.now = now
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def created(at):
    return datetime.datetime.fromtimestamp(at, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def server(server_id, status, created_at=T0):
    return {"id": server_id, "status": status, "ip": "192.0.2.1" if status == "running" else None,
            "created_at": created(created_at)}


def is_running(server):
    return server is not None and server["status"] == "running"


def look(*servers):
    """One look at ``servers``, as the fleet wait gives it: (id, server) pairs."""
    return [(server["id"], server) for server in servers]


def test_api_timestamps_with_or_without_fractions_are_read_as_epoch_seconds():
    assert epoch_of("2026-01-31T12:00:00Z") == epoch_of("2026-01-31T12:00:00.000Z") == epoch_of("2026-01-31T12:00:00+00:00")
    assert epoch_of("yesterday") is None and epoch_of(None) is None


def test_before_any_server_is_ready_looks_come_more_seldom_as_the_servers_age():
    clock = WallClock(T0 + 2)
    schedule = ProvisioningSchedule(clock=clock)
    schedule.observe(look(server(1, "provisioning")), is_running)
    young = schedule.next_delay()
    clock.now = T0 + 120
    old = schedule.next_delay()

    assert young < old


def test_once_a_server_was_seen_ready_the_next_look_is_when_the_next_one_is_due():
    clock = WallClock(T0 + 1)
    schedule = ProvisioningSchedule(clock=clock)
    schedule.observe(look(server(1, "provisioning", T0), server(2, "provisioning", T0 + 5)), is_running)
    clock.now = T0 + 10
    schedule.observe(look(server(1, "running", T0), server(2, "provisioning", T0 + 5)), is_running)

    assert schedule.provisioning_seconds == 10
    assert schedule.next_delay() == 5  # server 2 was ordered 5 s later


def test_a_server_that_is_overdue_is_looked_for_often():
    clock = WallClock(T0 + 1)
    schedule = ProvisioningSchedule(clock=clock)
    schedule.observe(look(server(1, "provisioning", T0), server(2, "provisioning", T0)), is_running)
    clock.now = T0 + 10
    schedule.observe(look(server(1, "running", T0), server(2, "provisioning", T0)), is_running)
    clock.now = T0 + 11

    assert schedule.next_delay() <= 1


def test_a_server_gone_while_waiting_for_termination_no_longer_counts_as_pending():
    clock = WallClock(T0 + 1)
    schedule = ProvisioningSchedule(clock=clock)
    schedule.observe(look(server(1, "running"), server(2, "running", T0 + 5)), lambda server: server is None)
    clock.now = T0 + 20
    schedule.observe([(1, None), (2, server(2, "running", T0 + 5))], lambda server: server is None)

    assert schedule.provisioning_seconds == 20  # server 1 was gone 20 s after its creation
    assert schedule.next_delay() == 5  # server 2, created 5 s later, is due then


def test_the_fleet_wait_polls_no_faster_than_the_keys_rate_limiter_allows(monkeypatch):
    clock = WallClock()
    limiter = RateLimiter(ceiling=1)
    polls = []

    class Adapter(object):
        client = type("Client", (), {"rate_limiter": limiter})()

        def list_servers(self):
            polls.append(clock())
            return [server(1, "running" if len(polls) > 6 else "provisioning")]

    monkeypatch.setattr(_server_wait, "wait_until",
                        functools.partial(_server_wait.wait_until, clock=clock, sleep=clock.sleep))
    _server_wait.wait_for_fleet(Adapter(), [1], "running", timeout=600)

    assert len(polls) == 7
    assert min(clock.sleeps) >= 1.0 / limiter.rate
