# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""vpsfleet.cloud.vps_events: an Event-Driven Ansible source that watches VPSCrypto and Otwa Cloud accounts."""

from __future__ import annotations

import asyncio
import os
import sys

DOCUMENTATION = r"""
---
short_description: Watch VPSCrypto and Otwa Cloud accounts for server changes and a short prepaid runway
description:
  - Polls each account every O(interval) seconds (its servers and its balance) and puts one event on the queue
    per change; an unchanged state never gives an event again.
  - The state at start-up is the baseline - the servers that already exist give no events. A runway that is
    already short at start-up gives one C(runway_short), since it needs acting on.
  - "Event types: C(server_created), C(server_status_changed) (with C(previous), the former status),
    C(server_ip_changed) (with C(previous), the former IP), C(server_terminated) (the server reached C(terminated)
    or is no longer listed), C(runway_short) (fewer than O(min_runway_days) days until the runway's
    C(covered_until)), C(runway_restored), and C(api_outage) / C(api_restored) when an account could not be
    read for O(outage_after) polls in a row and when it can again."
  - 'Each event is C({"vps": {"type", "account", "provider", "server", "previous", "runway"}}): C(server) is the
    collection''s common server model (as M(vpsfleet.cloud.vps_server_info) returns it, without C(provider_data))
    or null, C(runway) the runway figures (as M(vpsfleet.cloud.vps_account_info) returns them) or null. C(api_outage)
    adds C(error). Events never carry an API key or a credential.'
  - Each poll reads the account afresh, catalogs included (Otwa Cloud prices its servers from C(/products)), so a
    source that runs for months sees price changes.
  - API errors are retried with the client's backoff (O(api_retries)); a poll that still fails waits longer before
    the next one (doubling, up to 10 times O(interval)) and the source keeps running.
  - Needs the Python library C(requests) where ansible-rulebook runs (in Event-Driven Ansible controller, in the
    decision environment).
options:
  accounts:
    description:
      - The accounts to watch, the same entries as the C(vpsfleet.cloud.vps) inventory plugin's C(accounts)
        (C(provider), C(api_key), C(api_url), C(name)).
      - Without it, the short form (O(provider), O(api_key), O(api_url)) names one account; without that, one
        account is watched for each provider whose E(VPSCRYPTO_API_KEY) or E(OTWA_API_KEY) is set.
      - C(name) defaults to the provider, suffixed with the entry's position when a provider is listed twice.
      - An entry with any other key stops the source at start-up, naming it.
    type: list
    elements: dict
  provider:
    description: The provider of the one account of the short form, V(vpscrypto) or V(otwa).
    type: str
  api_key:
    description: That account's API key; default E(VPSCRYPTO_API_KEY) or E(OTWA_API_KEY), by provider.
    type: str
  api_url:
    description: That account's API base URL; default E(VPSCRYPTO_API_URL) or E(OTWA_API_URL), else production.
    type: str
  interval:
    description: Seconds between polls of an account.
    type: float
    default: 60
  runway_days:
    description: How many days ahead the runway looks for renewals.
    type: int
    default: 30
  min_runway_days:
    description:
      - C(runway_short) fires when the balance covers the renewals for fewer days than this; at most O(runway_days).
    type: int
    default: 7
  outage_after:
    description: How many polls in a row must fail before C(api_outage) is sent.
    type: int
    default: 3
  api_timeout:
    description: Seconds one API request may take.
    type: float
    default: 30
  api_retries:
    description: How many times a failed request is retried (with backoff) within one poll.
    type: int
    default: 3
  max_polls:
    description: Stop after this many polls of every account (one-shot checks and tests); default is to run forever.
    type: int
"""

EXAMPLES = r"""
- name: Keep the fleet funded
  hosts: localhost
  sources:
    - vpsfleet.cloud.vps_events:
        accounts:
          - provider: vpscrypto
            name: main
        interval: 300
        runway_days: 30
        min_runway_days: 7
  rules:
    - name: Top up when the runway is short
      condition: event.vps.type == "runway_short"
      action:
        run_playbook:
          name: vpsfleet.cloud.eda_keep_funded
"""


def _import_collection():
    """Make ``ansible_collections.vpsfleet.cloud`` importable.

    ansible-rulebook runs a source file with ``runpy.run_path``, outside any package and often without
    ansible-core's collection loader. When the collection is installed, this file sits in
    ``<path>/ansible_collections/vpsfleet/cloud/extensions/eda/plugins/event_source/``, and ``<path>``
    on ``sys.path`` makes its ``module_utils`` importable like any Python package.
    """
    try:
        import ansible_collections.vpsfleet.cloud.plugins.module_utils._providers.registry  # noqa: F401 pylint: disable=unused-import
        return
    except ImportError:
        pass
    collection = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
    parts = collection.split(os.sep)
    if parts[-3:] != ["ansible_collections", "vpsfleet", "cloud"]:
        raise ImportError("vpsfleet.cloud.vps_events must run from an installed collection (ansible-galaxy collection"
                          " install vpsfleet.cloud); it needs the collection's module_utils, and %s is not inside"
                          " ansible_collections/vpsfleet/cloud" % collection)
    sys.path.insert(0, os.sep.join(parts[:-3]) or os.sep)


_import_collection()

# pylint: disable=wrong-import-position
from ansible_collections.vpsfleet.cloud.plugins.module_utils._providers.model import public_view  # noqa: E402
from ansible_collections.vpsfleet.cloud.plugins.module_utils._providers.registry import (  # noqa: E402
    PROVIDERS, build_adapter, provider_api_key,
)
from ansible_collections.vpsfleet.cloud.plugins.module_utils._payments.runway import (  # noqa: E402
    DEFAULT_RUNWAY_DAYS, account_runway, days_covered,
)

DEFAULT_INTERVAL = 60.0
DEFAULT_MIN_RUNWAY_DAYS = 7
DEFAULT_OUTAGE_AFTER = 3
MAX_BACKOFF_INTERVALS = 10
ACCOUNT_KEYS = ("provider", "api_key", "api_url", "name")
# Every argument the source takes, as DOCUMENTATION lists them.
ARGUMENTS = ("accounts", "provider", "api_key", "api_url", "interval", "runway_days", "min_runway_days",
             "outage_after", "api_timeout", "api_retries", "max_polls")


class SourceError(ValueError):
    """The source's arguments are wrong: raised at start-up, with what is accepted."""


def account_entries(args, environ=None):
    """The accounts to watch as (name, provider, api_key, api_url), from ``accounts``, the short form or the
    environment, named as the inventory plugin names them."""
    environ = os.environ if environ is None else environ
    short_form = dict((option, args.get(option)) for option in ("provider", "api_key", "api_url"))
    if args.get("accounts"):
        given = sorted(option for option, value in short_form.items() if value is not None)
        if given:
            raise SourceError("give either accounts or the short form (provider, api_key, api_url), not both;"
                              " move %s into an accounts entry" % ", ".join(given))
        entries = args["accounts"]
        if not isinstance(entries, list) or not all(isinstance(entry, dict) for entry in entries):
            raise SourceError("accounts must be a list of entries with provider, api_key, api_url and name")
    elif short_form["provider"]:
        entries = [short_form]
    else:
        entries = [{"provider": provider} for provider in sorted(PROVIDERS)
                   if provider_api_key(provider, environ=environ)]
        if not entries:
            raise SourceError("no account to watch: give accounts, or provider and api_key, or set"
                              " VPSCRYPTO_API_KEY / OTWA_API_KEY")
    per_provider = dict((provider, sum(1 for entry in entries if entry.get("provider") == provider))
                        for provider in PROVIDERS)
    accounts = []
    for position, entry in enumerate(entries):
        unknown = sorted(set(entry) - set(ACCOUNT_KEYS))
        if unknown:
            raise SourceError("accounts[%d]: unknown key(s) %s; an entry takes: %s"
                              % (position, ", ".join(unknown), ", ".join(ACCOUNT_KEYS)))
        provider = entry.get("provider")
        if provider not in PROVIDERS:
            raise SourceError("accounts[%d].provider must be one of: %s" % (position, ", ".join(sorted(PROVIDERS))))
        name = entry.get("name")
        if name in (None, ""):
            name = provider if per_provider[provider] == 1 else "%s_%d" % (provider, position + 1)
        api_key = provider_api_key(provider, entry.get("api_key"), environ=environ)
        if not api_key:
            raise SourceError("account %r has no API key; give api_key or set %s"
                              % (str(name), PROVIDERS[provider]["key_env"]))
        accounts.append((str(name), provider, api_key, entry.get("api_url")))
    names = [account[0] for account in accounts]
    repeated = sorted(set(name for name in names if names.count(name) > 1))
    if repeated:
        raise SourceError("account names must be unique; repeated: %s" % ", ".join(repeated))
    return accounts


def _number(args, option, default, kind, minimum):
    value = args.get(option, default)
    if value is None:
        value = default
    try:
        number = kind(value)
    except (TypeError, ValueError):
        number = None
    if number is None or isinstance(value, bool) or number < minimum:
        raise SourceError("%s must be a number, %s or more, got %r" % (option, minimum, value))
    return number


def event(kind, account, server=None, previous=None, runway=None, **extra):
    """One event as the source puts it on the queue."""
    body = {"type": kind, "account": account.name, "provider": account.provider,
            "server": public_view(server) if server is not None else None, "previous": previous, "runway": runway}
    body.update(extra)
    return {"vps": body}


class WatchedAccount(object):
    """One account's last known state, and the events that a new reading of it gives."""

    def __init__(self, name, provider, new_adapter, settings):
        self.name = name
        self.provider = provider
        # A fresh adapter per poll: adapters keep catalogs (Otwa's prices) for their lifetime, and a
        # source runs for months.
        self.new_adapter = new_adapter
        self.settings = settings
        self.servers = None  # id -> server model; None until the baseline is read
        self.runway_short = None
        self.failures = 0
        self.outage_reported = False

    def read(self):
        """The account's servers and runway figures now (blocking: run it in a thread)."""
        adapter = self.new_adapter()
        servers = adapter.list_servers()
        figures = account_runway(adapter, self.settings["runway_days"], servers=servers)
        return servers, figures

    def changes(self, servers, figures):
        """The events between the last reading and this one; the first reading is the baseline."""
        found = [event("api_restored", self)] if self.outage_reported else []
        self.failures, self.outage_reported = 0, False
        current = dict((server["id"], server) for server in servers)
        if self.servers is not None:
            found.extend(self._server_changes(current))
        self.servers = current
        short = days_covered(figures) < self.settings["min_runway_days"]
        if short and not self.runway_short:
            found.append(event("runway_short", self, runway=figures))
        elif self.runway_short and not short:
            found.append(event("runway_restored", self, runway=figures))
        self.runway_short = short
        return found

    def _server_changes(self, current):
        found = []
        for server_id, server in current.items():
            before = self.servers.get(server_id)
            if before is None:
                if server["status"] != "terminated":
                    found.append(event("server_created", self, server))
                continue
            if server["status"] != before["status"]:
                kind = "server_terminated" if server["status"] == "terminated" else "server_status_changed"
                found.append(event(kind, self, server, previous=before["status"]))
            if server["ip"] != before["ip"] and server["status"] != "terminated":
                found.append(event("server_ip_changed", self, server, previous=before["ip"]))
        for server_id, before in self.servers.items():
            if server_id not in current and before["status"] != "terminated":
                gone = dict(before, status="terminated")
                found.append(event("server_terminated", self, gone, previous=before["status"]))
        return found

    def failed(self, error):
        """The events a failed poll gives: ``api_outage`` once, after ``outage_after`` failures in a row."""
        self.failures += 1
        if self.failures >= self.settings["outage_after"] and not self.outage_reported:
            self.outage_reported = True
            # ApiError messages are already scrubbed of the key; other errors name no secret either.
            return [event("api_outage", self, error=str(error), failed_polls=self.failures)]
        return []

    def next_delay(self):
        """Seconds until the next poll: the interval, doubled per failed poll in a row, up to 10 intervals."""
        interval = self.settings["interval"]
        return min(interval * (2 ** self.failures), interval * MAX_BACKOFF_INTERVALS) if self.failures else interval


def settings_from(args):
    """The polling settings, checked (SourceError says what is accepted)."""
    unknown = sorted(set(args) - set(ARGUMENTS))
    if unknown:
        raise SourceError("unknown argument(s) %s; vpsfleet.cloud.vps_events takes: %s"
                          % (", ".join(unknown), ", ".join(ARGUMENTS)))
    settings = {
        "interval": _number(args, "interval", DEFAULT_INTERVAL, float, 0.01),
        "runway_days": _number(args, "runway_days", DEFAULT_RUNWAY_DAYS, int, 1),
        "min_runway_days": _number(args, "min_runway_days", DEFAULT_MIN_RUNWAY_DAYS, int, 0),
        "outage_after": _number(args, "outage_after", DEFAULT_OUTAGE_AFTER, int, 1),
        "api_timeout": _number(args, "api_timeout", 30, float, 0.01),
        "api_retries": _number(args, "api_retries", 3, int, 0),
        "max_polls": None if args.get("max_polls") is None else _number(args, "max_polls", None, int, 1),
    }
    if settings["min_runway_days"] > settings["runway_days"]:
        raise SourceError("min_runway_days (%d) must not exceed runway_days (%d): the runway looks no further"
                          % (settings["min_runway_days"], settings["runway_days"]))
    return settings


async def watch(queue, account, settings):
    """Poll one account forever (or max_polls times), putting each change on the queue."""
    polls = 0
    while settings["max_polls"] is None or polls < settings["max_polls"]:
        if polls:
            await asyncio.sleep(account.next_delay())
        polls += 1
        # An outage must never end the source: every failure is counted and reported instead.
        try:
            servers, figures = await asyncio.to_thread(account.read)
        except Exception as error:  # pylint: disable=broad-except
            found = account.failed(error)
        else:
            found = account.changes(servers, figures)
        for item in found:
            await queue.put(item)


async def main(queue, args):
    """The source's entry point, as ansible-rulebook calls it."""
    settings = settings_from(args)
    accounts = []
    for name, provider, api_key, api_url in account_entries(args):
        def new_adapter(provider=provider, api_key=api_key, api_url=api_url):
            return build_adapter(provider, api_key=api_key, api_url=api_url, timeout=settings["api_timeout"],
                                 retries=settings["api_retries"])
        accounts.append(WatchedAccount(name, provider, new_adapter, settings))
    await asyncio.gather(*(watch(queue, account, settings) for account in accounts))


if __name__ == "__main__":
    # Print the events of one account to stdout: python vps_events.py (with VPSCRYPTO_API_KEY set).

    class _PrintQueue(object):
        async def put(self, item):
            print(item, flush=True)

    asyncio.run(main(_PrintQueue(), {}))
