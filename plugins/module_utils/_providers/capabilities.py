# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which provider offers which operation, so a missing one fails before any request."""

from __future__ import annotations

# Operation name -> how it reads in an error message.
OPERATIONS = {
    "create_account": "creating an account",
    "account": "reading the account",
    "health": "reading the service health",
    "reseller": "reading the reseller state",
    "list_api_keys": "listing API keys",
    "create_api_key": "minting API keys",
    "revoke_api_key": "revoking API keys",
    "catalog": "reading the catalog",
    "topup": "topping up the balance",
    "list_servers": "listing servers",
    "order_server": "ordering servers",
    "credentials": "reading server credentials",
    "rename_server": "renaming servers",
    "terminate_server": "terminating servers",
    "power": "power actions (start, stop, reboot)",
    "reinstall_server": "reinstalling servers",
    "reset_password": "rotating the root password",
    "stats": "live server statistics",
    "sso_link": "dashboard SSO links",
    "addons": "server add-ons",
}

CAPABILITIES = {
    "vpscrypto": frozenset((
        "create_account", "account", "health", "list_api_keys", "create_api_key", "revoke_api_key",
        "catalog", "topup", "list_servers", "order_server", "credentials",
    )),
    "otwa": frozenset((
        "account", "reseller", "catalog", "list_servers", "order_server", "credentials", "rename_server",
        "terminate_server", "power", "reinstall_server", "reset_password", "stats", "sso_link", "addons",
    )),
}

PROVIDER_NAMES = {"vpscrypto": "VPSCrypto", "otwa": "Otwa Cloud"}


class OperationNotOffered(Exception):
    """Raised before any request when the provider's API has no such operation."""

    def __init__(self, provider, operation):
        self.provider = provider
        self.operation = operation
        offered_by = sorted(PROVIDER_NAMES[name] for name, ops in CAPABILITIES.items() if operation in ops)
        hint = " (offered by: %s)" % ", ".join(offered_by) if offered_by else ""
        super(OperationNotOffered, self).__init__(
            "%s does not offer %s through its API%s" % (
                PROVIDER_NAMES.get(provider, provider), OPERATIONS.get(operation, operation), hint))


def offers(provider, operation):
    """True when ``provider`` offers ``operation``."""
    return operation in CAPABILITIES.get(provider, ())


def require(provider, operation):
    """Raise :class:`OperationNotOffered` unless ``provider`` offers ``operation``."""
    if not offers(provider, operation):
        raise OperationNotOffered(provider, operation)
