# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment(object):
    """What check mode and diff mode mean for a module; each module states its own support."""

    DOCUMENTATION = r"""
attributes:
  check_mode:
    description: Can run in check mode and report whether it would change anything, without changing it.
  diff_mode:
    description: Returns the state before and after (or what would change in check mode) when run in diff mode.
"""

    # For modules that only read: full check mode support, nothing to diff.
    INFO_MODULE = r"""
attributes:
  check_mode:
    support: full
    details: This module only reads, so it runs the same in check mode.
  diff_mode:
    support: N/A
    details: This module only reads; there is nothing to diff.
"""
