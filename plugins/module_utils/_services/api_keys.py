# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""VPSCrypto API key listings: the public record of a key, and look-ups by name or id."""

from __future__ import annotations

KEY_FIELDS = ("id", "name", "prefix", "created_at", "last_used_at")


def key_record(data):
    """The public record of a key: never the full key, only its prefix; ``id`` as a string."""
    record = dict((field, data.get(field)) for field in KEY_FIELDS)
    if record["id"] is not None:
        record["id"] = str(record["id"])
    return record


def list_key_records(adapter):
    """Every active key of the account, as public records."""
    return [key_record(item) for item in adapter.list_api_keys()]


def keys_matching(keys, key_id=None, name=None):
    """The keys with this id, or else with this name (names are labels, not unique in the API)."""
    if key_id is not None:
        return [key for key in keys if key["id"] == str(key_id)]
    return [key for key in keys if key["name"] == name]


def is_key_in_use(key, api_key):
    """True when ``key`` (a listed record) is the key these requests are made with."""
    prefix = key.get("prefix")
    return bool(prefix and api_key and str(api_key).startswith(prefix))
