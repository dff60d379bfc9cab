# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a task asks of an existing server that the API cannot change in place.

Such differences are reported as warnings and never acted on: a different plan or location
would mean a new server, a different OS means ``state: rebuilt``.
"""

from __future__ import annotations

from .._core.resolve import resolve_choice
from .server_order import LOCATION_KEYS, OS_KEYS, PLAN_KEYS


def matches(value, item, keys):
    """True when ``value`` equals one of ``item``'s identifiers, case-insensitively."""
    if value is None:
        return False
    text = str(value).strip().lower()
    return any(item.get(key) is not None and str(item[key]).lower() == text for key in keys)


def _comparable(value, items, keys):
    # A server field that names nothing in the catalog (e.g. a region code) cannot be compared.
    return any(matches(value, item, keys) for item in items)


def unchangeable_differences(server, params, catalog, can_rebuild):
    """Warnings for plan, location, OS and hostname differences between ``params`` and ``server``."""
    warnings = []
    fields = (("plan", "plans", PLAN_KEYS), ("location", "locations", LOCATION_KEYS), ("os", "os", OS_KEYS))
    for option, section, keys in fields:
        if not params.get(option) or catalog is None:
            continue
        wanted = resolve_choice(option, params[option], catalog[section], keys)
        current = server.get(option)
        if matches(current, wanted, keys) or not _comparable(current, catalog[section], keys):
            continue
        text = "server %s has %s %r, not %r; the API cannot change that in place" % (
            server["id"], option, current, params[option])
        if option == "os":
            text += (", use state: rebuilt to reinstall it (this wipes the disk)" if can_rebuild
                     else " and this provider offers no reinstall")
        warnings.append(text)
    hostname = params.get("hostname")
    if hostname and server.get("hostname") and hostname != server["hostname"]:
        warnings.append("server %s has hostname %r, not %r; the API cannot change the hostname" % (
            server["id"], server["hostname"], hostname))
    return warnings


def needs_catalog(params):
    """True when comparing ``params`` with a server needs the catalog."""
    return any(params.get(option) for option in ("plan", "location", "os"))
