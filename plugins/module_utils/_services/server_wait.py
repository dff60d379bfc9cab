# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Waiting for servers: one or many at once, for a status, for their IP, for their SSH port."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from .poll_schedule import ProvisioningSchedule
from .server_lookup import get_server_or_none
from .._core.wait import Deadline, WaitTimeout, format_seconds, port_open, wait_until

SSH_PORT = 22
# Threads for concurrent per-server work (SSH probes, credential reads): enough for a fleet,
# few enough to stay polite to the API.
MAX_WORKERS = 8


def reached(server, status):
    """True when ``server`` is in ``status``; ``running`` also needs an IP, ``terminated`` counts a gone server."""
    if status == "terminated":
        return server is None or server["status"] == "terminated"
    if server is None or server["status"] != status:
        return False
    return status != "running" or bool(server.get("ip"))


def describe_server(server):
    """What a timeout message says about the last state seen."""
    if server is None:
        return "no such server"
    return "status %s%s" % (server.get("raw_status") or server.get("status"),
                            ", IP %s" % server["ip"] if server.get("ip") else ", no IP yet")


def wait_for_server(adapter, server_id, status, timeout, done=None):
    """Poll one server until it reaches ``status`` (or ``done(server)``); return the last server seen."""
    condition = done or (lambda server: reached(server, status))
    return wait_until(lambda: get_server_or_none(adapter, server_id), condition, timeout,
                      what="server %s to be %s" % (server_id, status), describe=describe_server)


def wait_for_fleet(adapter, server_ids, status, timeout, schedule=None):
    """Wait until every server in ``server_ids`` reaches ``status``, one list request per round.

    Rounds follow a :class:`~._poll_schedule.ProvisioningSchedule` (``schedule``, else one over
    the adapter's rate limiter): soon when a server is due, seldom otherwise.

    Returns the servers (in ``server_ids`` order, None for gone ones). On timeout, ``WaitTimeout.last``
    is that list and the message names the servers still waiting.
    """
    wanted = [str(server_id) for server_id in server_ids]
    if schedule is None:
        schedule = ProvisioningSchedule(getattr(adapter, "rate_limiter", None))

    def poll():
        by_id = dict((str(server["id"]), server) for server in adapter.list_servers())
        servers = [by_id.get(server_id) for server_id in wanted]
        schedule.observe(zip(wanted, servers), lambda server: reached(server, status))
        return servers

    def describe(servers):
        pending = ["%s (%s)" % (server_id, describe_server(server))
                   for server_id, server in zip(wanted, servers) if not reached(server, status)]
        return "; ".join(pending)

    if not wanted:
        return []
    return wait_until(poll, lambda servers: all(reached(server, status) for server in servers), timeout,
                      what="%d server(s) to be %s" % (len(wanted), status), describe=describe,
                      next_delay=schedule.next_delay)


def wait_for_servers(adapter, servers, status, timeout, ssh=False):
    """``servers`` once every one of them is ``status`` (a gone one comes back ``terminated``) and,
    with ``ssh``, the running ones accept SSH. One shared deadline; :class:`WaitTimeout` on expiry."""
    deadline = Deadline(timeout)
    waited = wait_for_fleet(adapter, [server["id"] for server in servers], status, timeout)
    waited = [fresh or dict(server, status="terminated") for server, fresh in zip(servers, waited)]
    if ssh:
        wait_for_ssh([server for server in waited if server["status"] == "running"],
                     deadline.remaining())
    return waited


def wait_for_ssh(servers, timeout, port=SSH_PORT, probe=port_open):
    """Wait, concurrently, until each server's ``ip`` accepts TCP connections on ``port``.

    All servers share one deadline. Raises :class:`WaitTimeout` listing the unreachable ones.
    """
    deadline = Deadline(timeout)

    def wait_one(server):
        remaining = deadline.remaining()
        try:
            wait_until(lambda: probe(server.get("ip"), port), bool, remaining, what="SSH", first_delay=0.5, max_delay=5)
            return None
        except WaitTimeout:
            return "%s (%s:%s)" % (server.get("name") or server.get("id"), server.get("ip"), port)

    if not servers:
        return
    with ThreadPoolExecutor(max_workers=min(MAX_WORKERS, len(servers))) as pool:
        unreachable = [failure for failure in pool.map(wait_one, servers) if failure]
    if unreachable:
        raise WaitTimeout("timed out after %s waiting for SSH on: %s" % (format_seconds(timeout), ", ".join(unreachable)),
                          servers)


def map_concurrently(function, items):
    """``[function(item) for item in items]``, run in a small thread pool; the first error is re-raised."""
    items = list(items)
    if len(items) <= 1:
        return [function(item) for item in items]
    with ThreadPoolExecutor(max_workers=min(MAX_WORKERS, len(items))) as pool:
        return list(pool.map(function, items))
