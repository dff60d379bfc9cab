# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A stdout callback that prints one JSON document with every task result, for the tests.

ansible-core ships no JSON stdout callback (it lives in ansible.posix, which is not a dependency),
and the integration tests need machine-readable results.
"""

from __future__ import annotations

import json

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = """
    name: json_results
    type: stdout
    short_description: Print all task results as one JSON document (integration tests only)
    description:
      - Collects plays, tasks and per-host results and prints them as JSON when the run ends.
"""


class CallbackModule(CallbackBase):
    """Collect results as {"plays": [{"play", "tasks": [{"task", "hosts"}]}], "stats"}."""

    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "stdout"
    CALLBACK_NAME = "json_results"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.plays = []

    def v2_playbook_on_play_start(self, play):
        self.plays.append({"play": {"name": play.get_name()}, "tasks": []})

    def v2_playbook_on_task_start(self, task, is_conditional):
        self.plays[-1]["tasks"].append({"task": {"name": task.get_name()}, "hosts": {}})

    def _record(self, result, **status):
        host_result = json.loads(self._dump_results(result.result))
        host_result.update(status)
        self.plays[-1]["tasks"][-1]["hosts"][result.host.get_name()] = host_result

    def v2_runner_on_ok(self, result):
        self._record(result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, failed=True, ignore_errors=ignore_errors)

    def v2_runner_on_skipped(self, result):
        self._record(result, skipped=True)

    def v2_runner_on_unreachable(self, result):
        self._record(result, unreachable=True)

    def v2_playbook_on_stats(self, stats):
        summary = {host: stats.summarize(host) for host in sorted(stats.processed)}
        self._display.display(json.dumps({"plays": self.plays, "stats": summary}, indent=2, sort_keys=True))
