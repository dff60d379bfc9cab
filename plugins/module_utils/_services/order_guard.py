# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What vps_server and vps_fleet do around an order so that no run doubles a server.

- Keyed orders (Otwa) carry an ``Idempotency-Key`` the adapter derives from the request
  (``_providers/idempotency.py``), so a re-run or a concurrent run replays the first order.
- Unkeyed orders (VPSCrypto) have none: an intent is journaled before each one (``_core/journal.py``),
  and a run that finds an unresolved one looks for the late server and, if it has not appeared,
  fails without ordering.
- Runs on one controller take the account's order lock; across machines, the servers are read
  again after ordering, and (unkeyed orders) again once the order is DUPLICATE_SETTLE_SECONDS old and
  after any wait: a name that now has a server this run did not expect fails the task.
"""

from __future__ import annotations

import time

from .._core.errors import ModuleFailure
from .._core.journal import (Journal, JournalError, LockTimeout, account_ref, describe_age, journal_directory,
                             wait_for_effect)
from .._providers.model import usd
from .._providers.registry import provider_api_key
from .server_lookup import get_server_or_none

ORDER_INTENT = "order"
# A concurrent run that listed the servers just before ours landed sends its own order within a few
# requests; the last read-back comes this long after our order, so that such a duplicate shows in it.
DUPLICATE_SETTLE_SECONDS = 3.0
# How long an order known to have landed vouches for its server while the list may not show it yet.
LANDED_TTL_SECONDS = 3600


def module_journal(vps_module):
    """The intent journal of the account a module's API key opens."""
    api_key = provider_api_key(vps_module.provider, vps_module.params.get("api_key"))
    return Journal(journal_directory(vps_module.params.get("journal_dir")), account_ref(vps_module.provider, api_key))


class UsesJournal(object):
    """Mixin for a module (a ``VpsModule``) that keeps intents: ``self.journal``, built on first use."""

    _journal = None

    @property
    def journal(self):
        if self._journal is None:
            self._journal = module_journal(self)
        return self._journal


def replayed_order(adapter, name, server, known_ids):
    """The live server of an earlier order Otwa replayed (its server was listed before ordering), or None.

    The key is the same because the request is. A replayed order is read again by id (a replay
    repeats the first answer): a server still live is the one asked for, and the caller takes it,
    ordering nothing. One terminated or gone fails the task, saying how to order anew (a new
    ``idempotency_key``). None when the answer is a new order.
    """
    if not server or str(server.get("id")) not in set(str(item) for item in known_ids):
        return None
    current = get_server_or_none(adapter, server["id"])
    if current is None or current.get("status") == "terminated":
        raise ModuleFailure(
            "Otwa answered the order for %r with the earlier order it made for the same request within its 24 h"
            " idempotency window (server %s, now %s), so no new server was ordered; to order another one now, set"
            " idempotency_key to a new value" % (name, server["id"], "terminated" if current else "gone"),
            server=current or server)
    return current


def unknown_order_advice(journal, adapter):
    """What the next run does about an order of unknown outcome, and what to do without the journal."""
    if adapter.keyed_orders:
        return adapter.replay_advice
    return ("the order is kept in the intent journal (%s): the next run with that journal looks for its server for"
            " pending_grace seconds, takes it if it appears, and otherwise fails without ordering (abandon_pending=true"
            " orders anew once you know it did not go through). Without that journal (another controller, a new AWX"
            " container without a persistent journal_dir) look for the server with vps_server_info before running"
            " again" % journal.account_dir)


def order_lock(vps_module, journal, timeout=None):
    """The account's order lock for this run, failing the task clearly when it cannot be had within
    ``timeout`` seconds (default: the module's ``lock_timeout``)."""
    if timeout is None:
        timeout = vps_module.params.get("lock_timeout")
    return _guarded_lock(journal, timeout)


class _guarded_lock(object):
    """Context manager turning journal errors and lock timeouts into module failures."""

    def __init__(self, journal, timeout):
        self.journal = journal
        self.timeout = timeout
        self._inner = None

    def __enter__(self):
        try:
            self._inner = self.journal.order_lock(self.timeout)
            return self._inner.__enter__()
        except (JournalError, LockTimeout) as exc:
            raise ModuleFailure(str(exc))

    def __exit__(self, *exc_info):
        return self._inner.__exit__(*exc_info)


def record_order_intent(journal, name, request):
    """Journal a VPSCrypto order before it is sent (no password: only what finds its server)."""
    try:
        return journal.record(ORDER_INTENT, name.lower(), name=name, plan=request.get("plan"),
                              location=request.get("location"), os=request.get("os"))
    except (JournalError, OSError) as exc:
        raise ModuleFailure("nothing was ordered: the intent could not be journaled (%s)" % exc)


def record_landed_order(journal, name, server):
    """The order made ``server``: kept until a listing shows it, since a list can lag behind an order
    and a run that read it meanwhile would order the name again."""
    try:
        journal.record(ORDER_INTENT, name.lower(), replace=True, name=name, server_id=str(server["id"]))
    except (JournalError, OSError):
        pass  # the order stands; only the lag protection is lost


def pending_order(journal, name):
    """The unresolved order intent for ``name``, or None; an unreadable one fails the task."""
    try:
        return journal.find(ORDER_INTENT, name.lower())
    except JournalError as exc:
        raise ModuleFailure("nothing was ordered: %s" % exc)


def clear_order_intent(journal, name):
    journal.clear(ORDER_INTENT, name.lower())


def resolve_pending_orders(adapter, journal, params, names, find_live, sleep=time.sleep, warn=None):
    """Before ordering ``names``: settle the intents earlier runs left for them.

    ``find_live(names)`` returns ``{name: server}`` of the live servers bearing those names. A
    name whose server has appeared is resolved (its intent cleared, the server returned); an order
    an earlier run saw land vouches for its server (read by id) until the list shows it; with
    ``abandon_pending`` the intents are dropped, each named in a ``warn(text)``. Otherwise the late servers are looked for during
    ``pending_grace`` seconds; names still missing then fail the task with what is pending and how
    to resolve it. Returns ``{name: server}`` of the late servers found.
    """
    pending = dict((name, pending_order(journal, name)) for name in names)
    pending = dict((name, intent) for name, intent in pending.items() if intent)
    landed = {}
    for name, intent in list(pending.items()):
        if not intent.get("server_id"):
            continue
        del pending[name]
        server = None
        if time.time() - float(intent.get("recorded_at") or 0) < LANDED_TTL_SECONDS:
            server = get_server_or_none(adapter, intent["server_id"])
        if server is not None and server["status"] != "terminated":
            landed[name] = server  # ordered by an earlier run, not listed yet
        else:
            clear_order_intent(journal, name)
    if not pending:
        return landed
    if params.get("abandon_pending"):
        now = time.time()
        for name, intent in sorted(pending.items()):
            clear_order_intent(journal, name)
            if warn is not None:
                warn("abandon_pending: dropped the unresolved order of %r an earlier run left (%s, journal entry %s);"
                     " a server of that name may still appear" % (name, describe_age(intent, now), intent["path"]))
        return landed
    found = wait_for_effect(lambda: _all_found(find_live, sorted(pending)), params["pending_grace"], sleep=sleep)
    listed = dict(found or find_live(sorted(pending)))
    for name in listed:
        clear_order_intent(journal, name)
    found = dict(listed, **landed)
    missing = sorted(name for name in pending if name not in found)
    if missing:
        now = time.time()
        raise ModuleFailure(
            "an earlier run ordered %s but lost the answer, and %s not appeared within %d s (pending_grace);"
            " nothing was ordered, so no server is doubled. Look for %s in vps_server_info or the provider's"
            " dashboard: once it appears, run again; if you are sure the order did not go through, run again with"
            " abandon_pending=true (the journal entries: %s)" % (
                ", ".join(repr(name) for name in missing), "it has" if len(missing) == 1 else "they have",
                params["pending_grace"], "it" if len(missing) == 1 else "them",
                "; ".join("%s, %s" % (pending[name]["path"], describe_age(pending[name], now)) for name in missing)),
            pending=missing)
    return found


def _all_found(find_live, names):
    found = find_live(names)
    return found if len(found) == len(names) else None


def unexpected_namesakes(adapter, servers, expected):
    """``{name: [server, ...]}`` for each name of ``expected`` (``{name: set of ids}``) that has a
    live server in ``servers`` whose id this run did not expect."""
    extra = {}
    for server in servers:
        if server.get("status") == "terminated":
            continue
        for name, ids in expected.items():
            if adapter.same_name(server.get("name") or "", name) and str(server.get("id")) not in ids:
                extra.setdefault(name, []).append(server)
    return extra


def removal_hint(adapter):
    """How to remove a duplicate server at this provider."""
    if adapter.offers("terminate_server"):
        return "remove the extra ones with vpsfleet.cloud.vps_server state=absent id=<id>"
    return "%s's API cannot terminate servers: remove the extra ones in the provider's dashboard" % adapter.label


def refuse_duplicates(adapter, expected, ordered_by_us):
    """Read the servers again after ordering; fail naming any name that now has more than one live
    server, the unexpected ones being a concurrent run's (never report success over a duplicate)."""
    servers = adapter.list_servers()
    extra = unexpected_namesakes(adapter, servers, expected)
    if not extra:
        return
    lines = []
    for name in sorted(extra):
        ours = [server for server in servers if str(server.get("id")) in expected[name]
                and server.get("status") != "terminated"] or ordered_by_us.get(name, [])
        lines.append("%s: %s" % (name, ", ".join(_describe(server, "this run") for server in ours)
                                 + "; " + ", ".join(_describe(server, "another run") for server in extra[name])))
    raise ModuleFailure(
        "duplicate servers: %s. The servers marked 'another run' were ordered by a concurrent run (another"
        " playbook run, AWX job or operator using this account) while this one ordered; each name now has more"
        " than one live server and every one is charged. Keep one per name and remove the others (%s), then"
        " run again. To prevent this, do not run provisioning concurrently (docs/awx.md)" % (
            "; ".join(lines), removal_hint(adapter)),
        duplicates=dict((name, [_public(server) for server in group]) for name, group in extra.items()))


def refuse_late_duplicates(adapter, expected, ordered_by_us, ordered_at, sleep=time.sleep):
    """Read the servers again once the orders are DUPLICATE_SETTLE_SECONDS old (unkeyed orders, such as
    VPSCrypto's): a concurrent run's order sent just after our first read-back shows by then."""
    if adapter.keyed_orders or not expected:
        return
    remaining = DUPLICATE_SETTLE_SECONDS - (time.monotonic() - ordered_at)
    if remaining > 0:
        sleep(remaining)
    refuse_duplicates(adapter, expected, ordered_by_us)


def _describe(server, whose):
    price = usd(server.get("price_usd"))
    return "id %s (%s, %s)" % (server.get("id"), "$%.2f" % price if price is not None else "price unknown", whose)


def _public(server):
    return dict((key, server.get(key)) for key in ("id", "name", "status", "price_usd", "created_at"))
