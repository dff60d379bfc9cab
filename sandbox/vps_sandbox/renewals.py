"""Renewals: at a server's `expires_at` its price for its cycle is charged from the balance.

The sandbox's model of what both specs imply for a prepaid account: a renewal the balance covers is
a ledger entry of kind ``renewal`` and moves ``expires_at`` on one cycle (a calendar month or year
for VPSCrypto, 30 days for Otwa, the cycle its add-on proration counts); one it cannot cover
suspends the server, and a later credit that covers it resumes the server, charged. Everything here
runs on billing time (``Store.billing_now()``), which ``POST /_sandbox/clock`` can move ahead.
"""

import heapq

from . import timefmt

OTWA_CYCLE_SECONDS = 30 * 86400


def cycle_end(provider, cycle, start):
    """When a cycle that starts at `start` (epoch seconds) ends."""
    if provider == "otwa":
        return start + OTWA_CYCLE_SECONDS
    return timefmt.add_months(start, 12 if cycle == "annual" else 1)


def _renewable(server):
    return server.expires_at is not None and server.status not in ("terminated", "suspended")


def run_due(store):
    """Charge every renewal due by billing time, oldest first; return what happened, one dict each.

    The caller holds the store lock.
    """
    moment = store.billing_now()
    if moment < store.next_renewal_at:
        return []
    queue = [(s.expires_at, s.key) for s in store.servers.values() if _renewable(s) and s.expires_at <= moment]
    heapq.heapify(queue)
    outcomes = []
    while queue:
        _due, key = heapq.heappop(queue)
        server = store.servers[key]
        outcomes.append(_renew(store, server))
        if _renewable(server) and server.expires_at <= moment:
            heapq.heappush(queue, (server.expires_at, key))
    store.next_renewal_at = min((s.expires_at for s in store.servers.values() if _renewable(s)),
                                default=float("inf"))
    return outcomes


def _renew(store, server):
    account = store.accounts[(server.provider, server.account_id)]
    due_at = server.expires_at
    if store.can_afford(account, server.price):
        store.charge_renewal(account, server, due_at)
        server.expires_at = cycle_end(server.provider, server.cycle, due_at)
        return {"server": server.id, "provider": server.provider, "due_at": timefmt.iso(due_at), "renewed": True}
    _suspend(store, server)
    return {"server": server.id, "provider": server.provider, "due_at": timefmt.iso(due_at), "renewed": False}


def _suspend(store, server):
    server.status_before_suspension = server.status
    server.status = "suspended"
    # A transition under way (a boot) must not bring a suspended server back.
    server.generation += 1
    store.jobs.pop(server.key, None)


def resume_covered(store, account):
    """After a credit: resume, charged, every server a renewal suspended that the balance now covers.

    It is charged one cycle, and its schedule keeps its dates: it is paid up to the first end of a
    cycle after the moment it is resumed (Otwa's cycles count from the server's creation).
    """
    suspended = sorted((s for s in store.servers_of(account.provider, account.id)
                        if s.status == "suspended" and s.status_before_suspension is not None),
                       key=lambda s: (s.expires_at or 0, str(s.key)))
    for server in suspended:
        if not store.can_afford(account, server.price):
            continue
        now = store.billing_now()
        store.charge_renewal(account, server, now)
        while server.expires_at <= now:
            server.expires_at = cycle_end(server.provider, server.cycle, server.expires_at)
        server.status, server.status_before_suspension = server.status_before_suspension, None
        if server.status in ("provisioning", "pending"):
            store.schedule(server, store.config["provision_delay"], "provision")
        store.next_renewal_at = min(store.next_renewal_at, server.expires_at)
