# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The common model both adapters map to: status normalisation, money, empty records."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation, ROUND_HALF_UP

from .._http.redact import without_secrets

STATUSES = ("provisioning", "running", "stopped", "suspended", "terminated")
# What a status the collection does not know becomes: a server in some transition (migrating,
# rebooting, resizing...) is not ready yet and not gone, which is what "provisioning" tells callers:
# waits keep waiting, power actions hold off, listings keep it. ``raw_status`` keeps the original.
UNKNOWN_STATUS_FALLBACK = "provisioning"

# Provider status (lower-cased) -> common status.
_STATUS_MAP = {
    "pending": "provisioning",
    "provisioning": "provisioning",
    "installing": "provisioning",
    "active": "running",
    "running": "running",
    "stopped": "stopped",
    "suspended": "suspended",
    "terminated": "terminated",
}

SERVER_FIELDS = (
    "id", "name", "hostname", "provider", "status", "raw_status", "ip", "additional_ips", "plan",
    "location", "os", "price_usd", "cycle", "created_at", "expires_at", "vcpu", "ram_mb", "disk_gb",
    "bandwidth_gb", "provider_data",
)


def normalise_status(raw_status):
    """The common status (one of STATUSES) for a provider's status string; None when there is none.

    A status the collection does not know becomes UNKNOWN_STATUS_FALLBACK, never itself.
    """
    if raw_status is None or str(raw_status).strip() == "":
        return None
    return _STATUS_MAP.get(str(raw_status).strip().lower(), UNKNOWN_STATUS_FALLBACK)


def to_decimal(value):
    """A Decimal from a number or a numeric string (Otwa sends money as strings), or None."""
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def usd(value):
    """Money as a float rounded to cents for results, from a number or string; None stays None.

    Arithmetic on money happens on Decimals; floats appear only in returned data.
    """
    amount = to_decimal(value)
    if amount is None:
        return None
    return float(amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def provider_data(raw):
    """The provider's raw object as results carry it: every secret (password, token, key) left out.

    The one place raw API objects enter a record; a secret the API sends along (VPSCrypto's one-time
    ``root_password`` in an order's answer) is returned only under its documented key, when asked for.
    """
    return without_secrets(raw) if raw is not None else None


def new_server(provider, **fields):
    """A server record with every model field present (None where the provider has no value)."""
    record = dict((field, None) for field in SERVER_FIELDS)
    record["additional_ips"] = []
    record["provider"] = provider
    record.update(fields)
    record["status"] = normalise_status(record.get("raw_status"))
    record["provider_data"] = provider_data(record["provider_data"])
    return record


def as_list(body, key):
    """Items from a body that is either a bare list or ``{key: [...]}``."""
    if isinstance(body, list):
        return body
    if isinstance(body, dict) and isinstance(body.get(key), list):
        return body[key]
    return []


def public_view(server):
    """A server without ``provider_data``: what diffs compare."""
    return dict((key, value) for key, value in server.items() if key != "provider_data")
