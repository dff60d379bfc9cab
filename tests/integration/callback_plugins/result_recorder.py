# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Record every task result as callback plugins (AWX job events) receive it, for the secret sweep.

Each result is appended as one JSON line to the file named by VPSFLEET_RESULT_RECORD, so that the
tests can check that no secret they know reached any callback, whatever the stdout callback printed.
"""

from __future__ import annotations

import json
import os

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = """
    name: result_recorder
    type: aggregate
    short_description: Record every task result given to callbacks (tests only)
    description:
      - Appends each result (ok, failed, skipped, unreachable, loop items, retries, diffs) as a JSON
        line to the file named by the environment variable VPSFLEET_RESULT_RECORD.
    requirements:
      - enabled in callbacks_enabled
"""

RECORD_ENV = "VPSFLEET_RESULT_RECORD"


def plain(value):
    """``value`` as plain JSON types (ansible's tagged and unsafe strings, dicts and lists included)."""
    if isinstance(value, dict):
        return dict((str(key), plain(item)) for key, item in value.items())
    if isinstance(value, (list, tuple, set)):
        return [plain(item) for item in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)):
        return float(value) if isinstance(value, float) else int(value)
    return str(value)


class CallbackModule(CallbackBase):
    """Append ``{"event", "task", "host", "result"}`` per callback event."""

    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "result_recorder"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.path = os.environ.get(RECORD_ENV)

    def _write(self, event, result, data=None):
        if not self.path:
            return
        # ansible-core 2.19 hands callbacks a CallbackTaskResult (.result); older versions a TaskResult (._result).
        raw = getattr(result, "result", None)
        if raw is None:
            raw = getattr(result, "_result", {})
        task = getattr(result, "task", None) or getattr(result, "_task", None)
        host = getattr(result, "host", None) or getattr(result, "_host", None)
        line = {"event": event, "task": task.get_name() if task else None,
                "host": host.get_name() if host else None, "result": raw if data is None else data}
        with open(self.path, "a", encoding="utf-8") as record:
            record.write(json.dumps(plain(line)) + "\n")

    def v2_runner_on_ok(self, result):
        self._write("runner_on_ok", result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._write("runner_on_failed", result)

    def v2_runner_on_skipped(self, result):
        self._write("runner_on_skipped", result)

    def v2_runner_on_unreachable(self, result):
        self._write("runner_on_unreachable", result)

    def v2_runner_item_on_ok(self, result):
        self._write("runner_item_on_ok", result)

    def v2_runner_item_on_failed(self, result):
        self._write("runner_item_on_failed", result)

    def v2_runner_item_on_skipped(self, result):
        self._write("runner_item_on_skipped", result)

    def v2_runner_retry(self, result):
        self._write("runner_retry", result)

    def v2_runner_on_async_ok(self, result):
        self._write("runner_on_async_ok", result)

    def v2_runner_on_async_failed(self, result):
        self._write("runner_on_async_failed", result)

    def v2_on_file_diff(self, result):
        self._write("on_file_diff", result)
