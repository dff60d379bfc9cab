# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A scripted fake HTTP server for unit tests: real sockets, no patched libraries.

Each request takes the next scripted action from a queue: an answer ``(status, headers, body)``,
a dropped connection (the request is read, then the socket is closed without an answer), or a
slow answer. Every request is recorded with its method, path, query, headers and JSON body.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

DROP = "drop"


class RecordedRequest(object):
    """One request as the server saw it (header names lower-cased)."""

    def __init__(self, method, path, query, headers, body):
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body

    def __repr__(self):
        return "<%s %s>" % (self.method, self.path)


class FakeApi(object):
    """A ThreadingHTTPServer on 127.0.0.1 that answers from a script and records requests."""

    def __init__(self, port=0):
        self.requests = []
        self._script = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", port), _handler_for(self))
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self.url = "http://127.0.0.1:%d" % self.port
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.01})
        self._thread.daemon = True
        self._thread.start()

    # -- scripting --------------------------------------------------------------------

    def answer(self, status=200, body=None, headers=None, raw=None, delay=0.0):
        """Queue one answer: ``body`` is sent as JSON, or ``raw`` (bytes or str) as it is."""
        with self._lock:
            self._script.append(("answer", status, dict(headers or {}), body, raw, delay))
        return self

    def drop(self):
        """Queue a dropped connection: the request is read in full, then the socket is closed."""
        with self._lock:
            self._script.append((DROP,))
        return self

    def _next_action(self):
        with self._lock:
            if self._script:
                return self._script.pop(0)
        return ("answer", 599, {}, {"error": "unscripted", "message": "no answer was scripted"}, None, 0.0)

    # -- inspection -------------------------------------------------------------------

    def paths(self):
        """``METHOD /path`` for every request seen, in order."""
        return ["%s %s" % (request.method, request.path) for request in self.requests]

    def close(self):
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def _handler_for(fake):
    class ScriptedHandler(BaseHTTPRequestHandler):
        # HTTP/1.0: one request per connection, so a dropped socket never poisons a pooled one.
        protocol_version = "HTTP/1.0"

        def log_message(self, *args):  # keep test output quiet
            pass

        def _handle(self):
            length = int(self.headers.get("Content-Length") or 0)
            raw_body = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw_body) if raw_body else None
            except ValueError:
                body = raw_body.decode("utf-8", "replace")
            url = urlsplit(self.path)
            headers = dict((name.lower(), value) for name, value in self.headers.items())
            fake.requests.append(RecordedRequest(self.command, url.path, parse_qs(url.query), headers, body))
            action = fake._next_action()
            if action[0] == DROP:
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            dummy, status, extra_headers, payload, raw, delay = action
            if delay:
                time.sleep(delay)
            if raw is not None:
                data = raw.encode("utf-8") if isinstance(raw, str) else raw
                content_type = "text/plain"
            elif payload is not None:
                data = json.dumps(payload).encode("utf-8")
                content_type = "application/json"
            else:
                data = b""
                content_type = "application/json"
            try:
                self.send_response(status)
                self.send_header("Content-Type", extra_headers.pop("Content-Type", content_type))
                self.send_header("Content-Length", str(len(data)))
                for name, value in extra_headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up (read timeout)
                pass

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _handle

    return ScriptedHandler


def closed_port():
    """A local port nothing listens on (connections to it are refused)."""
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return port


@pytest.fixture
def fake_api():
    """A fresh FakeApi per test, shut down afterwards."""
    server = FakeApi()
    yield server
    server.close()


API_KEY = "key-Zq81x7TtPwMv"


def client_for(fake, delays=None, log_lines=None, **kwargs):
    """An ApiClient on ``fake`` whose backoff sleeps are recorded in ``delays`` instead of slept."""
    from ansible_collections.vpsfleet.cloud.plugins.module_utils._http.client import ApiClient

    recorded = delays if delays is not None else []
    kwargs.setdefault("retries", 3)
    return ApiClient(fake.url if hasattr(fake, "url") else fake, kwargs.pop("api_key", API_KEY),
                     provider=kwargs.pop("provider", "VPSCrypto"), sleep=recorded.append,
                     log=log_lines.append if log_lines is not None else None, **kwargs)
