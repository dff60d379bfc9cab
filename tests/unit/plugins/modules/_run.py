# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run a module's ``main()`` in-process with given arguments and return what it printed."""

from __future__ import annotations

import contextlib
import io
import json

from ansible.module_utils.testing import patch_module_args


class ModuleRun(object):
    """The outcome of one module run: ``failed``, the result dict and the raw output text."""

    def __init__(self, exit_code, output):
        self.output = output
        self.result = json.loads(output)
        self.failed = exit_code != 0 or bool(self.result.get("failed"))

    def __repr__(self):
        return "ModuleRun(failed=%r, result=%r)" % (self.failed, self.result)


def run_module(main, args, check_mode=False, diff=False):
    """Call ``main()`` with ``args`` (plus check/diff mode flags); return a :class:`ModuleRun`."""
    arguments = dict(args, _ansible_check_mode=check_mode, _ansible_diff=diff)
    output = io.StringIO()
    exit_code = 0
    with patch_module_args(arguments), contextlib.redirect_stdout(output):
        try:
            main()
        except SystemExit as exc:
            exit_code = exc.code or 0
    return ModuleRun(exit_code, output.getvalue())
