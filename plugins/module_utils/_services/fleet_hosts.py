# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""From server records to inventory hosts: host names, connection addresses and host variables.

Plain data in, plain data out; the inventory plugin adds Ansible's unsafe marking and groups.
"""

from __future__ import annotations

import re

from .._http.redact import redact_data

HOSTNAME_SOURCES = ("name", "hostname", "ip", "id")
CONNECT_WITH = ("ip", "additional_ip", "hostname")
VAR_PREFIX = "vps_"


TEMPLATE_MARKERS = ("{{", "{%", "{#")
# The fields the inventory plugin's default_groups make groups of: vps_<field>_<value>.
DEFAULT_GROUP_FIELDS = ("provider", "account", "location", "plan", "os", "status")


def has_template_markers(value):
    """True when Ansible could evaluate ``value`` as a template (ansible-core 2.18 does so with host names)."""
    return any(marker in value for marker in TEMPLATE_MARKERS)


def preferred_name(server, preferences):
    """The first non-empty field named in ``preferences`` that holds no template marker; else the id.

    :returns: ``(name, [fields passed over for holding template markers])``; the name is None when
        the server has no id either
    """
    passed_over = []
    for field in list(preferences) + ["id"]:
        value = server.get(field)
        if value in (None, ""):
            continue
        if not has_template_markers(str(value)):
            return str(value), passed_over
        passed_over.append(field)
    if server.get("id") in (None, ""):
        return None, passed_over
    return str(server["id"]).replace("{", "_"), passed_over  # even the id: break the markers up


def name_hosts(entries, preferences):
    """Give every ``(account name, server)`` entry a unique inventory host name.

    Entries are expected in a stable order (accounts as configured, servers sorted by id). When
    several servers want the same name, the first keeps it and each other one becomes
    ``<name>_<account>_<id>``, so no server is dropped or overwritten and reruns name them alike.
    A field holding a template marker never names a host; the next preference (or the id) does.

    :returns: ``([host name of each entry, in order], [warning text, ...])``
    """
    preferred = [preferred_name(server, preferences) for dummy, server in entries]
    names = [name for name, dummy in preferred]
    claimants = {}
    for index, name in enumerate(names):
        claimants.setdefault(name, []).append(index)
    warnings, taken = [], set(names)
    for name, indexes in claimants.items():
        if len(indexes) == 1:
            continue
        for index in indexes[1:]:
            account_name, server = entries[index]
            alternative = "%s_%s_%s" % (name, account_name, server["id"])
            while alternative in taken:
                alternative += "_"
            taken.add(alternative)
            names[index] = alternative
        warnings.append("%d servers are named %r (%s); the first keeps the name, the others are listed as %s"
                        % (len(indexes), name, ", ".join(_describe(entries[index]) for index in indexes),
                           ", ".join(names[index] for index in indexes[1:])))
    marked = [index for index, (dummy, passed_over) in enumerate(preferred) if passed_over]
    if marked:
        warnings.append("template markers ({{, {%% or {#) in a server field never name a host; listed instead as %s"
                        % ", ".join("%s (%s; passed over: %s)" % (names[index], _describe(entries[index]),
                                                                  ", ".join(preferred[index][1]))
                                    for index in marked))
    return names, warnings


def _describe(entry):
    account_name, server = entry
    return "%s id %s" % (account_name, server["id"])


def server_key(account_name, server_id):
    """The one key of a server across accounts (``account/id``): credentials, the cache and messages use it."""
    return "%s/%s" % (account_name, server_id)


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


# The server fields a host added by the fleet role carries as vps_* variables, and those that name
# its groups, as the inventory plugin's default_groups name them (an account is the inventory's own).
FLEET_HOST_FIELDS = ("id", "name", "hostname", "provider", "status", "plan", "location", "os", "ip")
FLEET_GROUP_FIELDS = tuple(field for field in DEFAULT_GROUP_FIELDS if field != "account")


def group_name(field, value):
    """``vps_<field>_<value>`` with every character that is not a letter, digit or ``_`` made ``_``."""
    return re.sub(r"[^\w]", "_", "%s%s_%s" % (VAR_PREFIX, field, value))


def add_host_arguments(servers, entries=(), groups=()):
    """The ``add_host`` arguments of every server that exists (a planned one has no id): its name,
    groups (``groups``, the default groups, the entry's own ``groups``), address, login and vps_* variables."""
    entry_groups = dict(((entry.get("provider"), entry["name"]), entry.get("groups") or []) for entry in entries)
    hosts = []
    for server in servers:
        if not server.get("id"):
            continue
        credentials = server.get("credentials") or {}
        own = entry_groups.get((server.get("provider"), server["name"]), entry_groups.get((None, server["name"]), []))
        host = {
            "name": server["name"],
            "groups": list(groups) + [group_name(field, server[field]) for field in FLEET_GROUP_FIELDS
                                      if server.get(field) not in (None, "")] + list(own),
            "ansible_host": connection_address(server),
            "ansible_user": credentials.get("username") or "root",
        }
        if credentials.get("password"):
            host["ansible_password"] = credentials["password"]
        host.update((VAR_PREFIX + field, server.get(field)) for field in FLEET_HOST_FIELDS)
        hosts.append(host)
    return hosts
