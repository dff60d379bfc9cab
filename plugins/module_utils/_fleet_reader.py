# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Concurrent reads of servers and their credentials across several provider accounts.

The inventory plugin uses it; nothing here knows about Ansible. Every read goes through the
provider adapters, so the client's retry rule (429 with Retry-After, backoff) applies unchanged.
"""

from __future__ import annotations

import concurrent.futures

from ._providers import PROVIDERS, build_adapter, provider_api_url
from ._redact import redact_text

SERVER_STATUSES = ("provisioning", "running", "stopped", "suspended", "terminated")


class Account(object):
    """One provider account to read: a display name, the provider, its key and API URL.

    The key is kept out of ``repr`` so that an account never leaks it into a message.
    """

    def __init__(self, name, provider, api_key, api_url=None, api_key_var=None):
        if provider not in PROVIDERS:
            raise ValueError("account %r: unknown provider %r; valid choices: %s"
                             % (name, provider, ", ".join(sorted(PROVIDERS))))
        self.name = name
        self.provider = provider
        self.api_key = api_key
        self.api_url = provider_api_url(provider, api_url)
        self.api_key_var = api_key_var

    def __repr__(self):
        return "Account(name=%r, provider=%r, api_url=%r)" % (self.name, self.provider, self.api_url)

    def describe(self):
        """What the account is called in messages: its name and provider, never its key."""
        return "account %r (%s)" % (self.name, PROVIDERS[self.provider]["label"])


class AccountReadError(Exception):
    """Listing an account's servers failed; ``account`` names it, ``cause`` is the scrubbed error."""

    def __init__(self, account, cause):
        super(AccountReadError, self).__init__("%s: %s" % (account.describe(), cause))
        self.account = account
        self.cause = cause


class FleetReader(object):
    """Reads servers and credentials of many accounts with one bounded pool of worker threads.

    :param accounts: the :class:`Account` objects to read, in the order given by the user
    :param max_workers: how many requests may be in flight at once (1 reads sequentially)
    :param adapter_factory: ``build_adapter``-compatible callable (tests pass a fake)
    :param client_options: passed to the factory (timeout, retries, validate_certs, log)
    """

    def __init__(self, accounts, max_workers=16, adapter_factory=build_adapter, **client_options):
        self.accounts = list(accounts)
        self.max_workers = max(1, int(max_workers))
        self._factory = adapter_factory
        self._client_options = client_options
        self._adapters = {}

    def adapter(self, account):
        """The account's adapter, built once; its connection pool is sized to ``max_workers``."""
        if account.name not in self._adapters:
            self._adapters[account.name] = self._factory(
                account.provider, api_key=account.api_key, api_url=account.api_url,
                pool_maxsize=self.max_workers, **self._client_options)
        return self._adapters[account.name]

    def request_count(self):
        """How many HTTP requests the accounts' clients have sent so far."""
        return sum(getattr(getattr(adapter, "client", None), "request_count", 0) for adapter in self._adapters.values())

    def list_servers(self):
        """``({account name: [server, ...]}, [AccountReadError, ...])``, every account read concurrently."""
        for account in self.accounts:  # built here, on one thread, so workers never race on the dict
            self.adapter(account)
        results, failures = {}, []
        outcomes = self._run_all([(self._list_one, account) for account in self.accounts])
        for account, (servers, error) in zip(self.accounts, outcomes):
            if error is not None:
                failures.append(AccountReadError(account, redact_text(error, (account.api_key,))))
            else:
                results[account.name] = servers
        return results, failures

    def read_credentials(self, targets):
        """Credentials of each ``(account, server_id)``, concurrently.

        Returns ``({(account name, server id): credentials}, {(account name, server id): error text})``.
        One failed read never stops the others.
        """
        targets = list(targets)
        outcomes = self._run_all([(self._credentials_one, target) for target in targets])
        found, failed = {}, {}
        for (account, server_id), (credentials, error) in zip(targets, outcomes):
            if error is not None:
                failed[(account.name, server_id)] = redact_text(error, (account.api_key,))
            else:
                found[(account.name, server_id)] = credentials
        return found, failed

    # -- workers --------------------------------------------------------------------------

    def _list_one(self, account):
        return self.adapter(account).list_servers()

    def _credentials_one(self, target):
        account, server_id = target
        return self.adapter(account).get_credentials(server_id)

    def _run_all(self, calls):
        """Run ``(function, argument)`` calls on the pool; ``(result, error text)`` per call, in order.

        Errors are caught per call and turned into text (ApiError's text is already scrubbed of
        the key), so one failure is reported on the main thread without losing the rest.
        """
        if not calls:
            return []
        if self.max_workers == 1:
            return [_outcome(function, argument) for function, argument in calls]
        with concurrent.futures.ThreadPoolExecutor(max_workers=min(self.max_workers, len(calls))) as pool:
            futures = [pool.submit(_outcome, function, argument) for function, argument in calls]
            return [future.result() for future in futures]


def _outcome(function, argument):
    try:
        return function(argument), None
    except Exception as exc:  # pylint: disable=broad-except  # reported per call, never swallowed
        return None, str(exc) or type(exc).__name__
