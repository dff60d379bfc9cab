# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""API key listings (VPSCrypto): look-ups by name or id among the key records an adapter lists."""

from __future__ import annotations


def keys_matching(keys, key_id=None, name=None):
    """The keys with this id, or else with this name (names are labels, not unique in the API)."""
    if key_id is not None:
        return [key for key in keys if key["id"] == str(key_id)]
    return [key for key in keys if key["name"] == name]


def is_key_in_use(key, api_key):
    """True when ``key`` (a listed record) is the key these requests are made with."""
    prefix = key.get("prefix")
    return bool(prefix and api_key and str(api_key).startswith(prefix))
