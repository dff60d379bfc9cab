# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Idempotency keys derived from what the user asked, so a re-run or a concurrent run replays.

Otwa caches the answer to a deploy or reinstall by ``Idempotency-Key`` for 24 hours. A random key
per run protects retries within the run only; a key derived from the account (a hash of the API
key, never the key), the operation and the request makes every run that asks the same thing send
the same key, so the provider replays the first answer instead of ordering again. Changing the
request (another plan, region, OS, name, hostname or add-ons), the API key, or the user-given
``idempotency_key`` changes the key. See docs/architecture.md, "Across runs".
"""

from __future__ import annotations

import hashlib
import json

KEY_PREFIX = "vpsfleet-"
# The reinstall endpoint accepts keys up to 128 characters; this stays well below.
KEY_HEX_DIGITS = 48


def derived_idempotency_key(account, operation, request, user_key=None):
    """The ``Idempotency-Key`` for ``operation`` (``deploy``, ``reinstall``) of ``request`` (a dict).

    ``account`` is a non-secret account reference (``_journal.account_ref``); ``request`` must not
    hold secrets (none of Otwa's deploy or reinstall fields is one). ``user_key`` lets a user ask
    for a new order of the very same request within the provider's 24 h window.
    """
    material = json.dumps({"account": account, "operation": operation, "request": request,
                           "user_key": user_key}, sort_keys=True, separators=(",", ":"), default=str)
    return KEY_PREFIX + hashlib.sha256(material.encode("utf-8")).hexdigest()[:KEY_HEX_DIGITS]


def deploy_key_fields(request):
    """The fields of an Otwa order that make it what it is (everything it sends; no secrets)."""
    fields = ("plan", "location", "os", "name", "hostname", "addons")
    return dict((field, request.get(field)) for field in fields)
