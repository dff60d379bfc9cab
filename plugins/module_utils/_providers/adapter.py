# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What both provider adapters share."""

from __future__ import annotations

from .capabilities import offers, require


def _offered_elsewhere(operation, name):
    """A method for an operation only the other provider offers: it fails before any request."""

    def method(self, *args, **kwargs):
        self.require(operation)
        raise NotImplementedError("%s.%s is declared as offered but not implemented" % (type(self).__name__, name))

    method.__name__ = name
    method.__doc__ = "Fails with OperationNotOffered unless the provider offers %s." % operation
    return method


# Every operation's method name on an adapter, so that calling one on the provider that lacks it
# raises OperationNotOffered (naming provider and operation) rather than AttributeError.
_OPERATION_METHODS = (
    ("create_account", "create_account"), ("health", "health"), ("list_api_keys", "list_api_keys"),
    ("create_api_key", "create_api_key"), ("revoke_api_key", "revoke_api_key"),
    ("topup", "create_topup"), ("topup", "request_payment_requirements"), ("topup", "resend_payment"),
    ("topup", "get_topup"),
    ("reseller", "get_reseller"), ("sso_link", "sso_link"), ("stats", "get_stats"),
    ("rename_server", "rename_server"), ("terminate_server", "terminate_server"), ("power", "power"),
    ("reinstall_server", "reinstall_server"), ("reset_password", "reset_password"),
    ("addons", "list_addons"), ("addons", "purchase_addon"),
)


class ProviderAdapter(object):
    """Base of the per-provider adapters: capability checks and name look-ups.

    Subclasses set ``provider`` and implement the operations their API offers.
    """

    provider = None

    def __init__(self, client):
        self.client = client
        self._catalog = None

    def offers(self, operation):
        return offers(self.provider, operation)

    def require(self, operation):
        """Fail with OperationNotOffered, before any request, if this provider lacks ``operation``."""
        require(self.provider, operation)

    def catalog(self):
        """The normalised catalog, read once per adapter."""
        if self._catalog is None:
            self._catalog = self.get_catalog()
        return self._catalog

    def fill_plan_specs(self, servers):
        """``servers`` with vcpu, ram_mb, disk_gb and bandwidth_gb from their catalog plan where
        the API leaves them out. Call it only where specs are wanted: it may read the catalog
        (once per adapter). The servers of a provider whose API gives specs come back as they are."""
        return servers

    @staticmethod
    def same_name(listed, wanted):
        """True when a listed server's name is the name asked for (exact, unless a provider says otherwise)."""
        return listed == wanted

    def find_servers_by_name(self, name, include_terminated=False):
        """Every server whose name is ``name`` (terminated ones only when asked)."""
        return [server for server in self.list_servers()
                if self.same_name(server["name"], name) and (include_terminated or server["status"] != "terminated")]


for _operation, _name in _OPERATION_METHODS:
    setattr(ProviderAdapter, _name, _offered_elsewhere(_operation, _name))
