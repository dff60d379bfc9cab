# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""From server records to inventory hosts: host names, connection addresses and host variables.

Plain data in, plain data out; the inventory plugin adds Ansible's unsafe marking and groups.
"""

from __future__ import annotations

from ._redact import redact_data

HOSTNAME_SOURCES = ("name", "hostname", "ip", "id")
CONNECT_WITH = ("ip", "additional_ip", "hostname")
VAR_PREFIX = "vps_"


def preferred_name(server, preferences):
    """The first non-empty server field named in ``preferences``; the id when none has a value."""
    for field in list(preferences) + ["id"]:
        value = server.get(field)
        if value not in (None, ""):
            return str(value)
    return None


def name_hosts(entries, preferences):
    """Give every ``(account name, server)`` entry a unique inventory host name.

    Entries are expected in a stable order (accounts as configured, servers sorted by id). When
    several servers want the same name, the first keeps it and each other one becomes
    ``<name>_<account>_<id>``, so no server is dropped or overwritten and reruns name them alike.

    :returns: ``([(host name, account name, server), ...], [warning text, ...])``
    """
    wanted = {}
    for account_name, server in entries:
        wanted.setdefault(preferred_name(server, preferences), []).append((account_name, server))
    named, warnings, taken = [], [], set(wanted)
    for name, claimants in wanted.items():
        named.append((name, claimants[0][0], claimants[0][1]))
        if len(claimants) == 1:
            continue
        renamed = []
        for account_name, server in claimants[1:]:
            alternative = "%s_%s_%s" % (name, account_name, server["id"])
            while alternative in taken:
                alternative += "_"
            taken.add(alternative)
            named.append((alternative, account_name, server))
            renamed.append(alternative)
        warnings.append("%d servers are named %r (%s); the first keeps the name, the others are listed as %s"
                        % (len(claimants), name,
                           ", ".join("%s id %s" % (account, server["id"]) for account, server in claimants),
                           ", ".join(renamed)))
    return named, warnings


def connection_address(server, connect_with="ip"):
    """The address Ansible connects to: the chosen field, else the primary IP, else None."""
    if connect_with == "additional_ip" and server.get("additional_ips"):
        return server["additional_ips"][0]
    if connect_with == "hostname" and server.get("hostname"):
        return server["hostname"]
    return server.get("ip")


def server_variables(server, account_name):
    """The server model as ``vps_*`` host variables, plus ``vps_account``.

    ``provider_data`` (the raw API object) is included with secret-looking keys redacted.
    """
    variables = dict((VAR_PREFIX + field, value) for field, value in server.items() if field != "provider_data")
    variables[VAR_PREFIX + "provider_data"] = redact_data(server.get("provider_data") or {})
    variables[VAR_PREFIX + "account"] = account_name
    return variables
