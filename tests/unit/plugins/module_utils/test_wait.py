# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""wait_until against a fake clock: deadline, backoff, and what a timeout reports."""

from __future__ import annotations

import socket

import pytest

from ansible_collections.vpsfleet.cloud.plugins.module_utils._core.wait import WaitTimeout, port_open, wait_until


class FakeClock(object):
    """A monotonic clock that only moves when the code under test sleeps."""

    def __init__(self):
        self.now = 1000.0
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def statuses(*values):
    """A poll function returning ``values`` in turn, then the last one forever."""
    remaining = list(values)
    return lambda: remaining.pop(0) if len(remaining) > 1 else remaining[0]


def test_the_first_value_that_satisfies_the_condition_is_returned():
    clock = FakeClock()
    value = wait_until(statuses("provisioning", "provisioning", "running"), lambda status: status == "running",
                       timeout=60, clock=clock, sleep=clock.sleep)
    assert value == "running"
    assert len(clock.sleeps) == 2


def test_no_sleep_happens_when_the_condition_already_holds():
    clock = FakeClock()
    wait_until(lambda: "running", lambda status: status == "running", timeout=60, clock=clock, sleep=clock.sleep)
    assert clock.sleeps == []


def test_delays_grow_by_half_up_to_the_maximum():
    clock = FakeClock()
    with pytest.raises(WaitTimeout):
        wait_until(lambda: "provisioning", lambda status: False, timeout=30, first_delay=1, max_delay=3,
                   clock=clock, sleep=clock.sleep)
    assert clock.sleeps[:5] == [1, 1.5, 2.25, 3, 3]


def test_the_deadline_is_never_overslept():
    clock = FakeClock()
    with pytest.raises(WaitTimeout):
        wait_until(lambda: "provisioning", lambda status: False, timeout=10, first_delay=4, max_delay=8,
                   clock=clock, sleep=clock.sleep)
    assert clock.now == 1010.0
    assert clock.sleeps == [4, 6]


def test_a_timeout_names_what_was_awaited_and_the_last_value_seen():
    clock = FakeClock()
    with pytest.raises(WaitTimeout) as caught:
        wait_until(statuses("provisioning", "stopped"), lambda status: status == "running", timeout=5,
                   what="server web-1 to run", clock=clock, sleep=clock.sleep)
    assert str(caught.value) == "timed out after 5s waiting for server web-1 to run; last seen: 'stopped'"
    assert caught.value.last == "stopped"


def test_a_timeout_with_a_fraction_of_a_second_left_is_reported_rounded():
    clock = FakeClock()
    with pytest.raises(WaitTimeout) as caught:
        wait_until(lambda: "stopped", lambda status: False, timeout=0.9802267540001139, what="server web-1 to run",
                   clock=clock, sleep=clock.sleep)
    assert str(caught.value).startswith("timed out after 1s waiting for server web-1 to run")


def test_a_timeout_describes_the_last_value_with_the_given_describer():
    clock = FakeClock()
    with pytest.raises(WaitTimeout) as caught:
        wait_until(lambda: {"id": "1", "status": "provisioning"}, lambda server: False, timeout=1,
                   describe=lambda server: "status %s" % server["status"], clock=clock, sleep=clock.sleep)
    assert str(caught.value).endswith("last seen: status provisioning")
    assert caught.value.last == {"id": "1", "status": "provisioning"}


def test_an_open_port_is_reported_open():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    try:
        assert port_open("127.0.0.1", listener.getsockname()[1]) is True
    finally:
        listener.close()


def test_no_host_means_no_open_port():
    assert port_open(None) is False
