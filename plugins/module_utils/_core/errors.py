# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The domain's own failure, free of Ansible: services and adapters raise it, the module base reports it."""

from __future__ import annotations


class ModuleFailure(Exception):
    """Raised from anywhere below the module base to fail the task with a message (and extra result keys)."""

    def __init__(self, msg, **result):
        super(ModuleFailure, self).__init__(msg)
        self.msg = msg
        self.result = result
