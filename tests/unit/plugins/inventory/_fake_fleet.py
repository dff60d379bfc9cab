# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fake provider accounts for inventory tests: a ``build_adapter`` stand-in that counts calls."""

from __future__ import annotations

import sys
import threading
import time

from ansible_collections.vpsfleet.cloud.plugins.module_utils._http.client import ApiError
from ansible_collections.vpsfleet.cloud.plugins.module_utils._providers.model import new_server


def server(provider, server_id, name, status="active", ip=None, **fields):
    """A common-model server record as an adapter returns it."""
    fields.setdefault("hostname", name)
    fields.setdefault("location", "nl")
    fields.setdefault("plan", "Hunter")
    fields.setdefault("os", "debian-13")
    fields.setdefault("provider_data", {"id": server_id, "name": name})
    return new_server(provider, id=str(server_id), name=name, raw_status=status, ip=ip or "192.0.2.%s" % server_id, **fields)


class FakeAccount(object):
    """One account's servers and credentials, keyed by API key."""

    def __init__(self, servers, passwords=None, list_error=None, credential_errors=(), delay=0.0):
        self.servers = servers
        self.passwords = passwords or {}
        self.list_error = list_error
        self.credential_errors = set(credential_errors)
        self.delay = delay


class FakeFleet(object):
    """Stands in for ``build_adapter``: ``fleet(provider, api_key=..., ...)`` returns an adapter."""

    def __init__(self):
        self.accounts = {}
        self.calls = []
        self.built_with = []
        self._lock = threading.Lock()
        self.in_flight = 0
        self.most_in_flight = 0

    def add(self, api_key, account):
        self.accounts[api_key] = account
        return account

    def __call__(self, provider, api_key=None, api_url=None, **options):
        self.built_with.append(dict(options, provider=provider, api_url=api_url))
        return FakeAdapter(self, provider, api_key)

    def record(self, call):
        with self._lock:
            self.calls.append(call)
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)

    def done(self):
        with self._lock:
            self.in_flight -= 1


class FakeAdapter(object):
    def __init__(self, fleet, provider, api_key):
        self.fleet = fleet
        self.provider = provider
        self.api_key = api_key

    def _account(self):
        account = self.fleet.accounts.get(self.api_key)
        if account is None:
            raise ApiError("invalid API key", status=401, code="unauthorized", method="GET", path="/servers")
        return account

    def list_servers(self):
        self.fleet.record(("list", self.provider))
        try:
            account = self._account()
            if account.list_error:
                raise account.list_error
            return [dict(item) for item in account.servers]
        finally:
            self.fleet.done()

    @staticmethod
    def fill_plan_specs(servers):
        """The fake servers carry their specs already."""
        return servers

    def get_credentials(self, server_id):
        self.fleet.record(("credentials", self.provider, server_id))
        try:
            account = self._account()
            time.sleep(account.delay)
            if server_id in account.credential_errors:
                raise ApiError("server is still provisioning", status=409, code="conflict", method="GET",
                               path="/servers/%s/credentials" % server_id)
            return {"username": "root", "password": account.passwords.get(server_id, "pw-%s" % server_id),
                    "ip": None, "ssh_command": None}
        finally:
            self.fleet.done()


PROVIDER_ENVIRONMENT = ("VPSCRYPTO_API_KEY", "OTWA_API_KEY", "VPSCRYPTO_API_URL", "OTWA_API_URL")


def install_fake_fleet(monkeypatch, plugin):
    """Make ``plugin``'s module build its adapters from a new FakeFleet; clear the providers' env vars."""
    fake = FakeFleet()
    monkeypatch.setattr(sys.modules[type(plugin).__module__], "build_adapter", fake)
    for variable in PROVIDER_ENVIRONMENT:
        monkeypatch.delenv(variable, raising=False)
    return fake
