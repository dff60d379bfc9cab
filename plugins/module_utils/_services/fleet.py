# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Many servers of one provider at once: which exist, what the missing ones cost, ordering them together.

Everything up to :func:`send_orders` only reads, so a bad entry fails the whole fleet before any
server is ordered or paid for.
"""

from __future__ import annotations

import traceback

from .._core.errors import ModuleFailure
from .._http.client import ApiError
from .order_guard import clear_order_intent, record_landed_order, record_order_intent, replayed_order
from .._core.resolve import InvalidChoice
from .server_order import resolve_order
from .server_wait import map_concurrently


def account_parameters(params):
    """The parameters of each provider account the fleet covers: ``params`` itself for one provider;
    with ``accounts``, ``params`` with each account's provider, key and URL.

    Fails (before any request) on an account listed twice and on a server that names no provider or
    one without an account.
    """
    accounts = params.get("accounts")
    if accounts is None:
        return [params]
    providers = [account["provider"] for account in accounts]
    twice = sorted(set(provider for provider in providers if providers.count(provider) > 1))
    if twice:
        raise ModuleFailure("accounts lists %s more than once; one account per provider" % ", ".join(twice))
    unnamed = [entry["name"] for entry in params["servers"] if not entry.get("provider")]
    if unnamed:
        raise ModuleFailure("with accounts, every server names its provider; these do not: %s" % ", ".join(unnamed))
    orphans = [entry["name"] for entry in params["servers"] if entry["provider"] not in providers]
    if orphans:
        raise ModuleFailure("these servers name a provider that accounts does not list (it lists %s): %s; nothing "
                            "was ordered" % (", ".join(providers), ", ".join(orphans)))
    return [dict(params, provider=account["provider"], api_key=account.get("api_key"), api_url=account.get("api_url"))
            for account in accounts]


# What a failed account keeps in its own result (the module's ``servers`` and ``ordered`` are made
# from the accounts' results); every other key of its failure goes into the module's failure.
ACCOUNT_FAILURE_KEYS = ("servers", "ordered")


def per_account(accounts, step):
    """Run ``step(account)`` for every account at once, and fail once all have ended if any failed.

    Every failure becomes a :class:`ModuleFailure`: an API error with its account's hint (the
    environment variable of its key), and with several accounts each message names its account.
    The servers and names a failed account reports stay in its result; the failures' other keys
    (``failure``, ``choices``, ``duplicates``...) are merged, lists of several accounts joined.
    """
    accounts = list(accounts)

    def run(account):
        try:
            step(account)
            return None
        except ApiError as exc:
            return ModuleFailure(account.api_error_text(exc), failure=exc.to_failure(), exception=traceback.format_exc())
        except InvalidChoice as exc:
            return ModuleFailure(str(exc), choices=exc.choices)
        except ModuleFailure as exc:
            return exc

    errors = map_concurrently(run, accounts)
    failed = [(account, error) for account, error in zip(accounts, errors) if error is not None]
    if not failed:
        return
    messages, extra = [], {}
    for account, error in failed:
        account.result.update((key, value) for key, value in error.result.items() if key in ACCOUNT_FAILURE_KEYS)
        for key, value in error.result.items():
            if key in ACCOUNT_FAILURE_KEYS:
                continue
            if isinstance(value, list) and isinstance(extra.get(key), list):
                extra[key] = extra[key] + value
            else:
                extra.setdefault(key, value)
        messages.append(error.msg if len(accounts) == 1 else "%s: %s" % (account.provider_label, error.msg))
    raise ModuleFailure("; ".join(messages), **extra)


def entries_for(provider, entries):
    """The fleet entries ``provider`` serves: those naming it and those naming no provider."""
    return [entry for entry in entries if entry.get("provider") in (None, provider)]


def same_named_entries(entries, same_name):
    """Groups (lists of names, in entry order) of entries the provider would take for one name."""
    groups = []
    for entry in entries:
        for group in groups:
            if same_name(group[0], entry["name"]):
                group.append(entry["name"])
                break
        else:
            groups.append([entry["name"]])
    return [group for group in groups if len(group) > 1]


def check_entries(adapter, entries):
    """Fail on names the provider takes for one (its ``same_name``, e.g. VPSCrypto hostnames ignore
    case) and on options the provider's order API cannot honour."""
    repeated = same_named_entries(entries, adapter.same_name)
    if repeated:
        raise ModuleFailure("each server of the fleet needs its own name, and the provider takes these for one "
                            "name: %s (%s); nothing was ordered" % (
                                "; ".join(" and ".join(group) for group in repeated), adapter.name_rule))
    for entry in entries:
        try:
            adapter.check_order_options(entry)
        except ModuleFailure as exc:
            raise ModuleFailure("server %s: %s" % (entry["name"], exc.msg), **exc.result)


def live_servers_by_name(adapter, servers, names):
    """``{name: server}`` of the live ``servers`` bearing one of ``names`` (compared the way the
    provider compares names, e.g. VPSCrypto hostnames as DNS names).

    Fails when two live servers share a wanted name: the fleet could not tell which one is meant.
    """
    found = {}
    for server in servers:
        if server["status"] == "terminated":
            continue
        for name in names:
            if adapter.same_name(server["name"], name):
                found.setdefault(name, []).append(server)
    shared = ["%s (ids %s)" % (name, ", ".join(str(server["id"]) for server in group))
              for name, group in sorted(found.items()) if len(group) > 1]
    if shared:
        raise ModuleFailure("several servers share a name, so the fleet cannot tell which is meant: %s; "
                            "rename or terminate the extra ones" % "; ".join(shared))
    return dict((name, group[0]) for name, group in found.items())


def resolve_orders(adapter, catalog, entries):
    """The order of every entry, resolved against the live catalog; an unknown value names its server."""
    orders = []
    for entry in entries:
        try:
            orders.append(resolve_order(adapter, catalog, entry))
        except InvalidChoice as exc:
            raise ModuleFailure("server %s: %s" % (entry["name"], exc), choices=exc.choices)
        except ModuleFailure as exc:
            raise ModuleFailure("server %s: %s" % (entry["name"], exc.msg), **exc.result)
    return orders


def total_price(orders):
    """The sum of the orders' prices (a Decimal), or None when the catalog leaves one unknown."""
    prices = [order["price"] for order in orders]
    if any(price is None for price in prices):
        return None
    return sum(prices)


def send_orders(adapter, orders, known_ids, journal):
    """Send every order, a few at a time; returns ``[(order, server or None, ApiError or None)]``.

    Each order keeps its own protection against doubling: a keyed order (Otwa) an Idempotency-Key
    derived from the request (a re-run or a concurrent run replays it), an unkeyed one (VPSCrypto) a
    look-up by hostname among servers not in ``known_ids`` and an intent in ``journal``, cleared once
    its outcome is known. One failing order does not stop the others; the caller reports every outcome.
    """
    def send(order):
        request = order["request"]
        try:
            if adapter.keyed_orders:
                server = adapter.order_server(request, user_key=order.get("idempotency_key"))[0]
                server = replayed_order(adapter, request["name"], server, known_ids) or server
                return order, server, None
            record_order_intent(journal, request["name"], request)
            server = adapter.order_server(request, known_ids=known_ids)[0]
        except ApiError as exc:
            if not adapter.keyed_orders and not exc.outcome_unknown:
                clear_order_intent(journal, request["name"])
            return order, None, exc
        except ModuleFailure as exc:
            return order, None, exc
        record_landed_order(journal, request["name"], server)
        return order, server, None

    return map_concurrently(send, orders)
