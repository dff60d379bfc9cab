"""Request and route objects shared by the HTTP plumbing and the API handlers."""

import json
import re
from dataclasses import dataclass, field

from .errors import fail


@dataclass
class Request:
    """One parsed HTTP request; `path` is relative to the API's prefix (e.g. /servers/12)."""

    method: str
    path: str
    query: dict
    headers: dict
    body: bytes
    origin: str
    prefix: str = ""
    params: dict = field(default_factory=dict)
    api_key: object = None
    fault: dict = None

    @property
    def url(self):
        """The full URL the client asked for (without the query string)."""
        return self.origin + self.prefix + self.path

    def header(self, name, default=None):
        """A request header, matched case-insensitively."""
        return self.headers.get(name.lower(), default)

    def bearer_token(self):
        """The token of an `Authorization: Bearer ...` header, else None."""
        value = self.header("authorization", "")
        scheme, _separator, token = value.partition(" ")
        return token.strip() if scheme.lower() == "bearer" and token.strip() else None

    def json(self, required=False):
        """The body parsed as a JSON object ({} when empty and not required); 400 otherwise."""
        if not self.body.strip():
            if required:
                fail(400, "Request body is required (a JSON object)")
            return {}
        try:
            value = json.loads(self.body)
        except ValueError:
            fail(400, "Request body is not valid JSON")
        if not isinstance(value, dict):
            fail(400, "Request body must be a JSON object")
        return value


@dataclass
class Response:
    """What a handler answers: status, JSON-serialisable body, extra headers."""

    status: int
    body: object
    headers: dict = field(default_factory=dict)


class Router:
    """Maps (method, path regex) to handlers; paths are matched whole."""

    def __init__(self):
        self._routes = []

    def add(self, method, pattern, handler):
        """Register handler(app, request) for method on paths matching pattern (named groups -> params)."""
        self._routes.append((method, re.compile("^" + pattern + "$"), handler))

    def route(self, method, path):
        """(handler, params) for the request; raises 404 for unknown paths, 405 for a wrong method."""
        path_known = False
        for route_method, pattern, handler in self._routes:
            match = pattern.match(path)
            if match:
                path_known = True
                if route_method == method:
                    return handler, match.groupdict()
        if path_known:
            fail(405, f"Method {method} is not allowed on {path}")
        fail(404, f"No such endpoint: {method} {path}")
