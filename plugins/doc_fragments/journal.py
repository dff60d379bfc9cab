# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment(object):
    """The intent journal's options, shared by the modules that move money without an idempotency key."""

    DOCUMENTATION = r"""
options:
  journal_dir:
    description:
      - The local directory of the intent journal (and of the per-account order lock).
      - Before a money-moving request the provider cannot deduplicate, the module records an intent there,
        and clears it once the outcome is known. A later run that finds an intent left by a run whose answer
        was lost resolves it before acting again (see O(pending_grace) and O(abandon_pending)).
      - When not set, the environment variable E(VPSFLEET_JOURNAL_DIR) is used, else C(~/.ansible/vpsfleet/journal).
      - The directory is created mode 0700, its files 0600. It holds no API key or password; an x402
        intent holds the already-signed payment, which can only pay the payee it names, once.
      - On ephemeral execution environments (AWX), point it at a persistent volume; without one each job
        starts with an empty journal and cannot resolve what an earlier job left pending (docs/awx.md).
      - Entries are kept per API key (a hash of it names the account's subdirectory), not per account. A run
        with another API key of the same account, or on another controller, does not see them and does not
        wait for what they name.
    type: path
  pending_grace:
    description:
      - How many seconds a run that finds an unresolved intent looks for its late effect (the server by name,
        the API key by label) before failing with what is pending and how to resolve it.
    type: int
    default: 60
  abandon_pending:
    description:
      - Drop the intents an earlier run left for this task and act as if there were none.
      - Only set this once you have checked that the earlier request did not take effect (the server or key
        is not listed, the top-up was not credited), since the task may then order or pay again.
    type: bool
    default: false
"""

    LOCK = r"""
options:
  lock_timeout:
    description:
      - Runs that order servers, pay top-ups or mint API keys take an advisory lock per account (per API key,
        like the journal) in O(journal_dir), so that concurrent runs on one controller queue instead of ordering
        or paying twice; the run that waited then finds the server, key or new balance and acts accordingly.
      - How many seconds to wait for the lock before failing (nothing is ordered or paid then).
    type: int
    default: 120
"""
