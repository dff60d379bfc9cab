# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One place that keeps secrets out of messages, failures and logs."""

from __future__ import annotations

import re

# Keys whose values are never shown, wherever they appear in a dict.
SECRET_KEYS = frozenset((
    "api_key", "apikey", "authorization", "password", "root_password", "login_token",
    "private_key", "wallet_private_key", "x-payment", "payment-signature", "signature",
    "token", "secret",
))

REDACTED = "********"

# Bearer tokens and the two providers' key formats, should they turn up inside free text.
_TOKEN_PATTERNS = (
    re.compile(r"(?i)bearer\s+[A-Za-z0-9._~+/=-]+"),
    re.compile(r"\bvpsk_[A-Za-z0-9]+"),
    re.compile(r"\botwa_[A-Za-z0-9]+"),
)


def redact_text(text, secrets=()):
    """Return ``text`` with every known secret value and token-shaped word replaced."""
    if text is None:
        return text
    text = str(text)
    for secret in secrets:
        if secret and len(str(secret)) >= 4:
            text = text.replace(str(secret), REDACTED)
    for pattern in _TOKEN_PATTERNS:
        text = pattern.sub(REDACTED, text)
    return text


def redact_data(data, secrets=()):
    """Return a copy of ``data`` (dicts, lists, scalars) with secret keys and values hidden."""
    if isinstance(data, dict):
        return dict(
            (key, REDACTED if str(key).lower() in SECRET_KEYS and value not in (None, "") else redact_data(value, secrets))
            for key, value in data.items()
        )
    if isinstance(data, (list, tuple)):
        return [redact_data(item, secrets) for item in data]
    if isinstance(data, str):
        return redact_text(data, secrets)
    return data
