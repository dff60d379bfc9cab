# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Finding the one server a task means: by ``id``, or by ``name`` (which must be unique)."""

from __future__ import annotations

from .._module.base import ModuleFailure
from .._http.client import ApiError


def get_server_or_none(adapter, server_id):
    """The server with this id, or None when the API answers 404."""
    try:
        return adapter.get_server(server_id)
    except ApiError as exc:
        if exc.status == 404:
            return None
        raise


def find_server(adapter, server_id=None, name=None):
    """The server addressed by ``server_id`` or, without one, by ``name``; None when there is none.

    Terminated servers are ignored when looking up by name, so a name can be reused. Two live
    servers with the same name make the name ambiguous: that fails, listing their ids.
    """
    if server_id:
        return get_server_or_none(adapter, server_id)
    matches = adapter.find_servers_by_name(name)
    if len(matches) > 1:
        ids = ", ".join(str(server["id"]) for server in matches)
        raise ModuleFailure(
            "%d servers are named %r (ids: %s); address one with the id option" % (len(matches), name, ids),
            server_ids=[server["id"] for server in matches])
    return matches[0] if matches else None


def describe_target(params):
    """``id 42`` or ``name 'web-1'``: how messages name the server a task addresses."""
    return "id %s" % params["id"] if params.get("id") else "name %r" % params.get("name")


def require_server(adapter, server_id=None, name=None):
    """Like :func:`find_server`, but fails clearly when there is no live server."""
    server = find_server(adapter, server_id=server_id, name=name)
    if server is None or server["status"] == "terminated":
        raise ModuleFailure("no server with %s" % describe_target({"id": server_id, "name": name}))
    return server
