# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What both provider adapters share."""

from __future__ import annotations

from ._capabilities import offers, require


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

    def find_servers_by_name(self, name, include_terminated=False):
        """Every server whose name is ``name`` (terminated ones only when asked)."""
        return [server for server in self.list_servers()
                if server["name"] == name and (include_terminated or server["status"] != "terminated")]
