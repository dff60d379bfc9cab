# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment(object):
    """The attributes of every module: this fragment plus exactly one of its check/diff variants.

    ``vpsfleet.cloud.attributes`` gives what the attributes mean, where the module runs and its action
    group; the variant (``INFO_MODULE``, ``CHANGES_WITH_DIFF``, ``CHANGES_WITHOUT_DIFF`` or
    ``NO_STATE``) says how far the module supports check mode and diff mode. Modules declare no
    attributes of their own, so every module page reads the same way.
    """

    DOCUMENTATION = r"""
attributes:
  check_mode:
    description: Can run in check mode and report whether it would change anything, without changing it.
  diff_mode:
    description: Returns the state before and after (or what would change in check mode) when run in diff mode.
  platform:
    description: Where the module runs.
    support: full
    platforms: posix
    details:
      - "Runs where the task runs (usually the controller, with C(hosts: localhost) or C(delegate_to: localhost))
        and acts on the provider's API, not on the managed host."
  action_group:
    description: Use C(group/vpsfleet.cloud.vps) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - vpsfleet.cloud.vps
"""

    # Modules that only read.
    INFO_MODULE = r"""
attributes:
  check_mode:
    support: full
    details: This module only reads, so it runs the same in check mode.
  diff_mode:
    support: N/A
    details: This module only reads; there is nothing to diff.
"""

    # Modules that change account or server state and return its before and after.
    CHANGES_WITH_DIFF = r"""
attributes:
  check_mode:
    support: full
    details: Sends no request that changes anything; reports what would change (see the notes).
  diff_mode:
    support: full
    details: Returns the state before and after (see the notes for what it holds).
"""

    # Modules that change account or server state and return no diff.
    CHANGES_WITHOUT_DIFF = r"""
attributes:
  check_mode:
    support: full
    details: Sends no request that changes anything; reports what would change (see the notes).
  diff_mode:
    support: none
    details: No diff is returned.
"""

    # Modules whose action is not state (a short-lived link): check mode validates and reads only.
    NO_STATE = r"""
attributes:
  check_mode:
    support: partial
    details: Validates the input and reads what it needs, but performs no action (see the notes for what is returned).
  diff_mode:
    support: N/A
    details: What the module produces is not account state; there is nothing to diff.
"""
