# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A clock for threaded code under test: time moves only when every thread sleeps.

``sleep(d)`` parks the calling thread until virtual time reaches now + d; when no thread is left
running, time jumps to the earliest wake-up. Runs are deterministic and take no real time.
"""

from __future__ import annotations

import heapq
import itertools
import threading


class VirtualClock(object):
    def __init__(self, start=1000.0):
        self.now = start
        self._condition = threading.Condition()
        self._running = 0
        self._wakeups = []
        self._released = set()
        self._order = itertools.count()

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        with self._condition:
            ticket = next(self._order)
            heapq.heappush(self._wakeups, (self.now + max(0.0, seconds), ticket))
            self._running -= 1
            self._advance_if_idle()
            while ticket not in self._released:
                self._condition.wait(1.0)
            self._released.discard(ticket)

    def run_threads(self, functions, timeout=20.0):
        """Run each function in a thread of its own; return their results (raise if one hangs or fails)."""
        results, errors = [None] * len(functions), []

        def run(index, function):
            try:
                results[index] = function()
            except Exception as exc:  # pylint: disable=broad-except  # re-raised on the main thread
                errors.append(exc)
            finally:
                with self._condition:
                    self._running -= 1
                    self._advance_if_idle()

        with self._condition:
            self._running += len(functions)
        threads = [threading.Thread(target=run, args=(index, function)) for index, function in enumerate(functions)]
        for thread in threads:
            thread.daemon = True
            thread.start()
        for thread in threads:
            thread.join(timeout)
            if thread.is_alive():
                raise AssertionError("a thread did not finish: something waits outside the virtual clock")
        if errors:
            raise errors[0]
        return results

    def _advance_if_idle(self):
        if self._running == 0 and self._wakeups:
            wake, ticket = heapq.heappop(self._wakeups)
            self.now = max(self.now, wake)
            self._released.add(ticket)
            self._running += 1
            self._condition.notify_all()
