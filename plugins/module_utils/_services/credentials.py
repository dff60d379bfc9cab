# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Server credentials as the modules return them."""

from __future__ import annotations

from .server_wait import map_concurrently


def with_ssh_command(credentials):
    """Credentials with an ``ssh_command`` even where the API does not give one."""
    if not credentials.get("ssh_command") and credentials.get("ip"):
        command = "ssh %s@%s" % (credentials.get("username") or "root", credentials["ip"])
        credentials = dict(credentials, ssh_command=command)
    return credentials


def with_credentials(adapter, servers):
    """``servers``, each with its ``credentials``, read a few at a time."""
    credentials = map_concurrently(lambda server: adapter.get_credentials(server["id"]), servers)
    return [dict(server, credentials=with_ssh_command(item)) for server, item in zip(servers, credentials)]
