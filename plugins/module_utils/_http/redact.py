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
# The same keys with "_", "-" and spaces left out, so camelCase and header spellings match too.
_SECRET_KEYS_FOLDED = frozenset(re.sub(r"[-_\s]", "", key) for key in SECRET_KEYS) | frozenset((
    "newpassword", "rootpass", "privatekey", "accesstoken", "refreshtoken", "apitoken", "secretkey",
))

# Bearer tokens and the two providers' key formats, should they turn up inside free text.
_TOKEN_PATTERNS = (
    re.compile(r"(?i)bearer\s+[A-Za-z0-9._~+/=-]+"),
    re.compile(r"\bvpsk_[A-Za-z0-9]+"),
    re.compile(r"\botwa_[A-Za-z0-9]+"),
)


def is_secret_key(key):
    """True for a key that names a secret in any spelling: ``root_password``, ``rootPassword``, ``X-Payment``."""
    return re.sub(r"[-_\s]", "", str(key)).lower() in _SECRET_KEYS_FOLDED


def without_secrets(data):
    """A copy of ``data`` with every key that names a secret removed, at any depth.

    What a provider's raw object keeps in ``provider_data``: a secret appears in a result only under
    its documented key, and only when the task asks for it.
    """
    if isinstance(data, dict):
        return dict((key, without_secrets(value)) for key, value in data.items() if not is_secret_key(key))
    if isinstance(data, (list, tuple)):
        return [without_secrets(item) for item in data]
    return data


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
            (key, REDACTED if is_secret_key(key) and value not in (None, "") else redact_data(value, secrets))
            for key, value in data.items()
        )
    if isinstance(data, (list, tuple)):
        return [redact_data(item, secrets) for item in data]
    if isinstance(data, str):
        return redact_text(data, secrets)
    return data
