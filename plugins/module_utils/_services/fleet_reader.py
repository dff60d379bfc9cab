# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Concurrent reads of servers and their credentials across several provider accounts.

The inventory plugin uses it; nothing here knows about Ansible. Every read goes through the
provider adapters, so the client's retry rule (429 with Retry-After, backoff) applies unchanged.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import hmac
import threading
import traceback

from .._providers.registry import PROVIDERS, build_adapter, provider_api_url
from .._http.redact import redact_text

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

    def key_fingerprint(self, salt):
        """A salted hash of the key: tells a changed key apart (e.g. in a cache) without storing it."""
        return hmac.new(salt.encode("utf-8"), self.api_key.encode("utf-8"), hashlib.sha256).hexdigest()


class AccountReadError(Exception):
    """Listing an account's servers failed; ``account`` names it, ``cause`` is the scrubbed error."""

    def __init__(self, account, cause):
        super(AccountReadError, self).__init__("%s: %s" % (account.describe(), cause))
        self.account = account
        self.cause = cause


class FleetReader(object):
    """Reads servers and credentials of many accounts, at most ``max_workers`` requests in flight.

    Each account has workers of its own, and a request takes one of the ``max_workers`` shared
    slots only once its key's rate limiter lets it through: an account that waits (for a
    ``Retry-After``, for its rate) never holds up another's reads.

    :param accounts: the :class:`Account` objects to read, in the order given by the user
    :param max_workers: how many requests may be in flight at once (1 reads sequentially)
    :param adapter_factory: ``build_adapter``-compatible callable (tests pass a fake)
    :param trace: optional callable receiving the (key-scrubbed) traceback of each failed call
    :param client_options: passed to the factory (timeout, retries, validate_certs, log)
    """

    def __init__(self, accounts, max_workers=16, adapter_factory=build_adapter, trace=None, **client_options):
        self.accounts = list(accounts)
        self.max_workers = max(1, int(max_workers))
        self._factory = adapter_factory
        self._trace = trace
        self._client_options = client_options
        self._adapters = {}
        self._adapters_lock = threading.Lock()
        self._in_flight = threading.BoundedSemaphore(self.max_workers)

    def adapter(self, account):
        """The account's adapter, built once; its connection pool is sized to ``max_workers``.

        Built under a lock: a second adapter for one account would leak its session and its
        requests would be missing from :meth:`request_count`.
        """
        with self._adapters_lock:
            if account.name not in self._adapters:
                self._adapters[account.name] = self._factory(
                    account.provider, api_key=account.api_key, api_url=account.api_url,
                    pool_maxsize=self.max_workers, concurrency=self._in_flight, **self._client_options)
            return self._adapters[account.name]

    def request_count(self):
        """How many HTTP requests the accounts' clients have sent so far."""
        return sum(getattr(getattr(adapter, "client", None), "request_count", 0) for adapter in self._adapters.values())

    def list_servers(self):
        """``({account name: [server, ...]}, [AccountReadError, ...])``, every account read concurrently."""
        self._build_adapters(self.accounts)
        results, failures = {}, []
        outcomes = self._run_all([(self._list_one, account, account.name) for account in self.accounts])
        for account, (servers, error, details) in zip(self.accounts, outcomes):
            if error is not None:
                failures.append(AccountReadError(account, self._failure_text(account, error, details)))
            else:
                results[account.name] = servers
        return results, failures

    def read_credentials(self, targets):
        """Credentials of each ``(account, server_id)``, concurrently.

        Returns ``({(account name, server id): credentials}, {(account name, server id): error text})``.
        One failed read never stops the others.
        """
        targets = list(targets)
        self._build_adapters(account for account, dummy in targets)
        outcomes = self._run_all([(self._credentials_one, target, target[0].name) for target in targets])
        found, failed = {}, {}
        for (account, server_id), (credentials, error, details) in zip(targets, outcomes):
            if error is not None:
                failed[(account.name, server_id)] = self._failure_text(account, error, details)
            else:
                found[(account.name, server_id)] = credentials
        return found, failed

    # -- workers --------------------------------------------------------------------------

    def _build_adapters(self, accounts):
        # On the calling thread, before any worker starts: a cached run reads credentials without
        # listing first, and building an adapter (TLS context, session) is slow enough to race.
        for account in accounts:
            self.adapter(account)

    def _failure_text(self, account, error, details):
        """The error text for a message, scrubbed of the account's key; the traceback goes to ``trace``."""
        if self._trace:
            self._trace(redact_text(details, (account.api_key,)))
        return redact_text(error, (account.api_key,))

    def _list_one(self, account):
        adapter = self.adapter(account)
        # One catalog read per account gives VPSCrypto servers the specs of their plan.
        return adapter.fill_plan_specs(adapter.list_servers())

    def _credentials_one(self, target):
        account, server_id = target
        return self.adapter(account).get_credentials(server_id)

    def _run_all(self, calls):
        """Run ``(function, argument, account name)`` calls; ``(result, error, traceback)`` per call, in order.

        Every account's calls run on its own pool, so the workers of an account whose key waits
        are its own. Errors are caught per call and turned into text (ApiError's text is already
        scrubbed of the key), so one failure is reported on the main thread without losing the
        rest; the full traceback goes to ``trace``. Anything that escapes (Ctrl-C while waiting)
        cancels the calls still queued instead of waiting for all of them.
        """
        if not calls:
            return []
        if self.max_workers == 1:
            return [_outcome(function, argument) for function, argument, dummy in calls]
        by_account = {}
        for index, (dummy, dummy_argument, account_name) in enumerate(calls):
            by_account.setdefault(account_name, []).append(index)
        pools = dict((name, concurrent.futures.ThreadPoolExecutor(max_workers=min(self.max_workers, len(indexes))))
                     for name, indexes in by_account.items())
        try:
            futures = [pools[account_name].submit(_outcome, function, argument)
                       for function, argument, account_name in calls]
            outcomes = [future.result() for future in futures]
        except BaseException:
            for pool in pools.values():
                pool.shutdown(wait=False, cancel_futures=True)
            raise
        for pool in pools.values():
            pool.shutdown(wait=True)
        return outcomes


def _outcome(function, argument):
    """``(result, None, None)``, or ``(None, error text, traceback text)`` when the call raised."""
    try:
        return function(argument), None, None
    except Exception as exc:  # pylint: disable=broad-except  # reported per call, never swallowed
        return None, str(exc) or type(exc).__name__, traceback.format_exc()
