# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The adaptive rate limiter per API key: ceiling, 429s, recovery, keys apart (virtual time)."""

from __future__ import annotations

import threading

import pytest

from ansible_collections.vpsfleet.cloud.plugins.module_utils._http import rate_limit as _rate_limit
from ansible_collections.vpsfleet.cloud.plugins.module_utils._http.client import ApiClient
from ansible_collections.vpsfleet.cloud.plugins.module_utils._http.rate_limit import (
    RateLimiter, limiter_for, rate_limit_from_env)
from ansible_collections.vpsfleet.cloud.tests.unit.plugins.module_utils._virtual_clock import VirtualClock
# fake_api is a pytest fixture: importing it is what makes it available here.
from ansible_collections.vpsfleet.cloud.tests.unit.plugins.module_utils._http import (  # noqa: F401  # pylint: disable=unused-import
    FakeApi, fake_api)


def most_in_one_second(times):
    """The largest number of ``times`` in any half-open window of one second."""
    times = sorted(times)
    return max(sum(1 for other in times if start <= other < start + 1.0 - 1e-9) for start in times)


def sender(limiter, sent, count):
    """A worker that sends ``count`` requests through ``limiter``, each accepted by the provider."""
    def send():
        for dummy in range(count):
            sent.append(limiter.acquire())
            limiter.accepted()
    return send


def throttled_after(count):
    """(clock, limiter, sent): one thread sent ``count`` requests, then the last one was answered 429."""
    clock = VirtualClock()
    limiter = RateLimiter(clock=clock, sleep=clock.sleep)
    sent = []
    clock.run_threads([sender(limiter, sent, count)])
    limiter.throttled(retry_after=1, sent_at=sent[-1])
    return clock, limiter, sent


def test_threads_sharing_a_key_stay_under_its_ceiling_in_every_second():
    clock = VirtualClock()
    limiter = RateLimiter(ceiling=10, clock=clock, sleep=clock.sleep)
    sent = []

    clock.run_threads([sender(limiter, sent, 25) for dummy in range(8)])

    assert len(sent) == 200
    assert most_in_one_second(sent) <= 10


def test_a_429_pauses_the_key_for_its_retry_after():
    clock = VirtualClock()
    limiter = RateLimiter(clock=clock, sleep=clock.sleep)
    sent = []
    clock.run_threads([sender(limiter, sent, 30)])
    throttled_at = clock()

    limiter.throttled(retry_after=3, sent_at=sent[-1])
    resumed = clock.run_threads([limiter.acquire])[0]

    assert resumed >= throttled_at + 3


def test_a_429_lowers_the_rate_below_what_the_provider_accepted():
    clock = VirtualClock()
    limiter = RateLimiter(clock=clock, sleep=clock.sleep)
    sent = []
    clock.run_threads([sender(limiter, sent, 60) for dummy in range(4)])
    accepted_last_second = sum(1 for at in sent if at > clock() - 1.0)

    limiter.throttled(retry_after=1, sent_at=sent[-1])

    assert limiter.rate < accepted_last_second


def test_429s_for_requests_sent_before_the_last_decrease_lower_the_rate_once():
    dummy, limiter, sent = throttled_after(40)
    lowered = limiter.rate
    for in_flight in sent[-5:]:
        limiter.throttled(retry_after=1, sent_at=in_flight)

    assert limiter.rate == lowered


def test_the_rate_recovers_after_429s_and_then_probes_above_the_throttled_rate():
    clock, limiter, sent = throttled_after(40)
    lowered, throttled_max = limiter.rate, limiter.throttled_max

    clock.run_threads([sender(limiter, sent, int(throttled_max * (_rate_limit.RECOVERY_SECONDS + 6)))])

    assert lowered < throttled_max < limiter.rate


def test_until_the_first_429_a_busy_key_doubles_its_rate_every_tenth_of_a_second():
    clock = VirtualClock()
    limiter = RateLimiter(clock=clock, sleep=clock.sleep)
    started = clock()

    def send_for_half_a_second():
        while clock() < started + 0.45:
            limiter.acquire()

    clock.run_threads([send_for_half_a_second])

    assert limiter.rate >= _rate_limit.START_RATE * 2 ** 3


def test_a_waiting_key_never_delays_another_key():
    clock = VirtualClock()
    waiting = RateLimiter(clock=clock, sleep=clock.sleep)
    other = RateLimiter(clock=clock, sleep=clock.sleep)
    waiting.throttled(retry_after=30)
    other_sent = []

    waited_until, dummy = clock.run_threads([waiting.acquire, sender(other, other_sent, 10)])

    assert max(other_sent) < waited_until


def test_a_ceiling_is_never_exceeded_however_long_no_429_comes():
    clock = VirtualClock()
    limiter = RateLimiter(ceiling=5, clock=clock, sleep=clock.sleep)
    sent = []

    clock.run_threads([sender(limiter, sent, 40) for dummy in range(4)])

    assert limiter.rate <= 5
    assert most_in_one_second(sent) <= 5


def test_one_key_at_one_url_shares_one_limiter_in_the_process():
    assert limiter_for("https://api.example/v1/", "key-1") is limiter_for("https://api.example/v1", "key-1")
    assert limiter_for("https://api.example/v1", "key-1") is not limiter_for("https://api.example/v1", "key-2")
    assert limiter_for("https://api.example/v1", "key-1") is not limiter_for("https://other.example/v1", "key-1")


def test_the_limiters_of_the_process_are_keyed_by_a_hash_of_the_key():
    limiter_for("https://api.example/v1", "secret-key-material")
    assert not any("secret-key-material" in repr(identity) for identity in _rate_limit._limiters)


def test_a_lower_ceiling_given_later_applies_to_the_shared_limiter_and_a_higher_one_does_not():
    limiter = limiter_for("https://ceiling.example/v1", "k", ceiling=8)
    limiter_for("https://ceiling.example/v1", "k", ceiling=4)
    limiter_for("https://ceiling.example/v1", "k", ceiling=50)
    assert limiter.ceiling == 4 and limiter.rate <= 4


@pytest.mark.parametrize("value, environ, expected", [
    (None, {}, None),
    (None, {"VPSFLEET_API_RATE_LIMIT": "7.5"}, 7.5),
    (3, {"VPSFLEET_API_RATE_LIMIT": "7.5"}, 3.0),
    (0, {}, None),
])
def test_the_ceiling_comes_from_the_option_else_the_environment(value, environ, expected):
    assert rate_limit_from_env(value, environ=environ) == expected


@pytest.mark.parametrize("value", [-1, "fast", float("nan")])
def test_a_ceiling_that_is_not_a_number_of_at_least_zero_is_refused_naming_what_is_accepted(value):
    with pytest.raises(ValueError, match="requests per second"):
        rate_limit_from_env(value, environ={})


class RecordingLimiter(object):
    def __init__(self):
        self.calls = []

    def acquire(self):
        self.calls.append("acquire")
        return 1.0

    def accepted(self):
        self.calls.append("accepted")

    def throttled(self, retry_after=None, sent_at=None):
        self.calls.append(("throttled", retry_after, sent_at))


def test_the_client_waits_for_its_limiter_before_each_attempt_and_reports_429s_with_retry_after(fake_api):
    fake_api.answer(429, {"message": "slow down"}, headers={"Retry-After": "2"}).answer(200, {"ok": True})
    limiter = RecordingLimiter()
    client = ApiClient(fake_api.url, "k", retries=1, sleep=lambda seconds: None, rate_limiter=limiter)

    client.get("/servers")

    assert limiter.calls == ["acquire", ("throttled", 2.0, 1.0), "acquire", "accepted"]


def test_threads_that_waited_out_a_pause_leave_one_by_one_at_the_keys_rate():
    clock = VirtualClock()
    limiter = RateLimiter(clock=clock, sleep=clock.sleep)
    sent = []
    clock.run_threads([sender(limiter, sent, 40)])
    limiter.throttled(retry_after=1, sent_at=sent[-1])
    pause_ends = clock() + 1

    resumed = sorted(clock.run_threads([limiter.acquire for dummy in range(8)]))

    assert resumed[0] >= pause_ends
    assert min(later - earlier for earlier, later in zip(resumed, resumed[1:])) >= 0.9 / limiter.rate


class HeldLimiter(RecordingLimiter):
    """A limiter that lets nothing through until ``release`` is set (or 5 s pass, which the test counts)."""

    def __init__(self):
        super(HeldLimiter, self).__init__()
        self.release = threading.Event()
        self.timed_out = False

    def acquire(self):
        self.timed_out = not self.release.wait(5)
        return 1.0


def test_a_client_waiting_for_its_limiter_holds_no_shared_slot(fake_api):
    fake_api.answer(200, {"waited": True}).answer(200, {"free": True})
    one_slot = threading.BoundedSemaphore(1)
    held = HeldLimiter()
    waiting = ApiClient(fake_api.url, "k-waits", rate_limiter=held, concurrency=one_slot)
    free = ApiClient(fake_api.url, "k-free", rate_limiter=RecordingLimiter(), concurrency=one_slot)
    thread = threading.Thread(target=waiting.get, args=("/waits",))
    thread.start()

    free.get("/free")
    held.release.set()
    thread.join(10)

    assert not held.timed_out


def test_a_limit_found_again_is_held_longer_before_the_next_probe():
    clock, limiter, sent = throttled_after(40)
    first_max = limiter.throttled_max
    # Back at that rate after the recovery, and throttled there again: the limit is confirmed.
    clock.run_threads([sender(limiter, sent, int(first_max * (_rate_limit.RECOVERY_SECONDS + 1)))])
    limiter.throttled(retry_after=1, sent_at=sent[-1])
    confirmed_at, confirmed_max = clock(), limiter.throttled_max

    # Where the first recovery would already probe above the limit, this one still holds at it.
    clock.run_threads([sender(limiter, sent, int(confirmed_max * (_rate_limit.RECOVERY_SECONDS + 5)))])
    held_rate, held_for = limiter.rate, clock() - confirmed_at

    assert abs(confirmed_max - first_max) <= _rate_limit.SAME_LIMIT * first_max
    assert _rate_limit.RECOVERY_SECONDS + 2 < held_for < _rate_limit.RECOVERY_SECONDS + _rate_limit.HOLD_SECONDS
    assert held_rate == pytest.approx(confirmed_max)
    assert _rate_limit.cubic_rate(held_for, confirmed_max) > confirmed_max  # without the hold it would probe


@pytest.mark.parametrize("hold, previous_max, throttled_max, expected", [
    (0.0, None, 20.0, 0.0),                                             # the first limit found
    (0.0, 20.0, 19.0, _rate_limit.HOLD_SECONDS),                        # found again
    (_rate_limit.HOLD_SECONDS, 20.0, 20.0, 2 * _rate_limit.HOLD_SECONDS),
    (_rate_limit.MAX_HOLD_SECONDS, 20.0, 20.0, _rate_limit.MAX_HOLD_SECONDS),
    (32.0, 20.0, 10.0, 0.0),                                            # the limit moved: probe soon again
])
def test_the_hold_doubles_while_the_limit_stays_and_ends_when_it_moves(hold, previous_max, throttled_max, expected):
    assert _rate_limit.next_hold(hold, previous_max, throttled_max) == expected
