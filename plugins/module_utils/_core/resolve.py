# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Resolving what a user typed (a slug, an id or a display name) against the live catalog."""

from __future__ import annotations


class InvalidChoice(ValueError):
    """The value matches nothing in the catalog; the message lists what is accepted."""

    def __init__(self, what, value, items, keys, matches=()):
        self.what = what
        self.value = value
        self.choices = [describe_choice(item, keys) for item in items]
        if matches:
            problem = "ambiguous %s %r: it matches %s" % (
                what, value, " and ".join(describe_choice(item, keys) for item in matches))
        else:
            problem = "unknown %s %r" % (what, value)
        super(InvalidChoice, self).__init__(
            "%s; valid choices: %s" % (problem, ", ".join(self.choices) or "(none offered)"))


def describe_choice(item, keys):
    """``slug (Display Name)`` for a catalog item."""
    primary = next((str(item[key]) for key in keys if item.get(key) not in (None, "")), "?")
    name = item.get("name")
    if name and str(name) != primary:
        return "%s (%s)" % (primary, name)
    return primary


def resolve_choice(what, value, items, keys=("slug", "id", "name")):
    """The catalog item whose ``keys`` match ``value`` exactly, else case-insensitively.

    Exact matches win so that a slug and another item's display name cannot collide silently.
    """
    if value is None:
        return None
    text = str(value)
    for key in keys:
        for item in items:
            if item.get(key) is not None and str(item[key]) == text:
                return item
    lowered = text.strip().lower()
    matches = [item for item in items
               if any(item.get(key) is not None and str(item[key]).lower() == lowered for key in keys)]
    if len(matches) == 1:
        return matches[0]
    raise InvalidChoice(what, value, items, keys, matches=matches)
