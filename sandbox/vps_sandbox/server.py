"""HTTP plumbing: prefixes to APIs, fault injection, latency, rate limits, the request log."""

import email.utils
import json
import random
import re
import sys
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from . import timefmt
from .errors import ApiFailure, STATUS_CODES, error_body
from .routing import Request, Response

PROVIDER_PREFIXES = {"vpscrypto": "/vpscrypto/api/v1", "otwa": "/otwa/api/v1"}
CONTROL_PREFIX = "/_sandbox"
FAULT_MESSAGES = {
    "429": "Too many requests, slow down", "503": "Service temporarily unavailable",
    "502": "Bad gateway", "504": "Gateway timeout", "500": "Internal server error",
}
# Faults that carry the request out in full and then answer with an error instead of its answer.
AFTER_EFFECT_STATUSES = {"500_after_effect": 500, "503_after_effect": 503}
# Faults that answer at once and carry the request out effect_delay seconds later (None: no answer).
LATE_EFFECT_STATUSES = {"504_late_effect": 504, "503_late_effect": 503, "drop_late_effect": None}
UNSAFE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
# How long a request waits for another with the same Idempotency-Key to finish before a 409.
KEY_WAIT_SECONDS = 30


class _Drop(Exception):
    """Close the connection without answering."""


class SandboxHTTPServer(ThreadingHTTPServer):
    """A threading server sized for many concurrent clients."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def __init__(self, address, app):
        self.app = app
        super().__init__(address, SandboxRequestHandler)


def _split_prefix(path):
    """(api name, prefix, rest of path) for a request path; api name None when nothing serves it."""
    for name, prefix in list(PROVIDER_PREFIXES.items()) + [("control", CONTROL_PREFIX)]:
        if path == prefix or path.startswith(prefix + "/"):
            return name, prefix, path[len(prefix):] or "/"
    return None, "", path


def _carries_x402_payment(request):
    return any(request.header(name) for name in ("x-payment", "payment-signature"))


def _take_fault(store, provider, method, path, paid=False):
    """Consume and return the first configured fault matching this request, else None.

    ``paid`` says whether the request carries an x402 payment, for faults aimed at the payment
    (``x402: payment``) or at the unpaid request that asks for the offer (``x402: offer``)."""
    faults = store.config["faults"]
    for index, fault in enumerate(faults):
        if fault["provider"] not in (None, provider):
            continue
        if fault.get("x402") is not None and (fault["x402"] == "payment") != paid:
            continue
        if fault["method"] not in (None, method) or not re.search(fault["path"], path):
            continue
        fault["times"] -= 1
        if fault["times"] <= 0:
            del faults[index]
        return fault
    return None


def _rate_limited(store, request, client):
    """Retry-After seconds when this key exceeded the configured per-second budget, else None."""
    limit = store.config["rate_limit"]
    if not limit:
        return None
    who = request.bearer_token() or "anonymous:" + client
    second = int(time.time())
    window_start, count = store.rate_windows.get(who, (second, 0))
    if window_start != second:
        window_start, count = second, 0
    store.rate_windows[who] = (window_start, count + 1)
    return limit["retry_after"] if count >= limit["per_second"] else None


_BUSY = object()


def _claim_key(store, provider, request):
    """Mark a keyed unsafe request in flight, first waiting for one with the same key; its slot,
    None for a request without a key, or _BUSY when the other one did not finish in time."""
    key = request.header("idempotency-key")
    if not key or request.method not in UNSAFE_METHODS:
        return None
    slot = (provider, request.header("authorization") or "", key)
    deadline = time.monotonic() + KEY_WAIT_SECONDS
    done = store.keys_done
    with done:
        while slot in store.keys_in_flight:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return _BUSY
            done.wait(remaining)
        store.keys_in_flight.add(slot)
    return slot


def _release_key(store, slot):
    if slot is None or slot is _BUSY:
        return
    with store.keys_done:
        store.keys_in_flight.discard(slot)
        store.keys_done.notify_all()


def _failure_response(provider, failure):
    body = failure.body if failure.body is not None else error_body(
        provider, failure.status, failure.code, failure.message)
    return Response(failure.status, body, dict(failure.headers))


def _retry_after_header(seconds):
    return {"Retry-After": str(int(seconds)) if float(seconds).is_integer() else str(seconds)}


class SandboxRequestHandler(BaseHTTPRequestHandler):
    """Reads a request, hands it to the app, writes the JSON answer (or drops the connection)."""

    protocol_version = "HTTP/1.1"
    server_version = "vps-sandbox"
    # Headers and body go out in separate writes; with Nagle's algorithm on, a keep-alive client
    # waits for its delayed ACK (~40 ms) on every answer, which would swamp injected latency.
    disable_nagle_algorithm = True

    def log_message(self, format, *args):  # noqa: A002 - silence per-request stderr lines
        pass

    def date_time_string(self, timestamp=None):
        """The Date header shows the sandbox's billing time, as a provider's answers show its clock."""
        if timestamp is None:
            timestamp = self.server.app.store.billing_now()
        return email.utils.formatdate(timestamp, usegmt=True)

    def do_GET(self):  # noqa: N802 - http.server naming
        self._handle()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    def _read_request(self):
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        api, prefix, rest = _split_prefix(parts.path)
        host = self.headers.get("Host") or "%s:%s" % self.server.server_address[:2]
        request = Request(
            method=self.command, path=rest, prefix=prefix, body=body, origin="http://" + host,
            query={key: values[0] for key, values in parse_qs(parts.query).items()},
            headers={key.lower(): value for key, value in self.headers.items()},
        )
        return api, request

    def _handle(self):
        app = self.server.app
        api, request = self._read_request()
        try:
            if api == "control":
                response = self._run_handler(app, app.control_router, "control", request)
            elif api is None:
                response = self._special_page(app, request)
            else:
                response = self._provider_request(app, api, request)
        except _Drop:
            self.close_connection = True
            return
        self._send(response)

    def _special_page(self, app, request):
        if request.method == "GET" and request.path == "/otwa/sso":
            return Response(200, {"message": "Signed in to the sandbox dashboard"})
        return Response(404, error_body(None, 404, "not_found", f"No such endpoint: {request.path}"))

    def _provider_request(self, app, provider, request):
        store = app.store
        latency = store.config["latency_ms"]
        if latency:
            time.sleep(latency / 1000.0)
        log_entry = {"method": request.method, "path": request.path, "status": None, "provider": provider,
                     "at": timefmt.iso(timefmt.now())}
        if request.header("idempotency-key"):
            log_entry["idempotency_key"] = request.header("idempotency-key")
        # As a real API does: a second request with a key in flight waits for the first, then replays it.
        slot = _claim_key(store, provider, request)
        if slot is _BUSY:
            log_entry["status"] = 409
            self._log(store, log_entry)
            return Response(409, error_body(provider, 409, "conflict",
                                            "A request with this Idempotency-Key is still being processed"))
        handed_over = False
        try:
            with store.lock:
                fault = _take_fault(store, provider, request.method, request.path, _carries_x402_payment(request))
                retry_after = _rate_limited(store, request, self.client_address[0])
                random_outage = fault is None and random.random() < store.config["error_rate"]
            if fault:
                log_entry["fault"] = fault["kind"]
                request.fault = fault  # x402 settlement faults are applied by the handler that settles
            if fault and fault["kind"] == "drop_before":
                self._log(store, log_entry)
                raise _Drop()
            if fault and fault["kind"] in FAULT_MESSAGES:
                response = self._canned(provider, int(fault["kind"]), fault["retry_after"])
            elif fault and fault["kind"] in LATE_EFFECT_STATUSES:
                self._carry_out_later(app, provider, request, fault["effect_delay"], slot)
                handed_over = True
                if LATE_EFFECT_STATUSES[fault["kind"]] is None:
                    self._log(store, log_entry)
                    raise _Drop()
                response = self._canned(provider, LATE_EFFECT_STATUSES[fault["kind"]], fault["retry_after"])
            elif retry_after is not None:
                log_entry["fault"] = "rate_limit"
                response = self._canned(provider, 429, retry_after)
            elif random_outage:
                log_entry["fault"] = "error_rate"
                response = self._canned(provider, 503, 1)
            else:
                response = self._run_handler(app, app.provider_routers[provider], provider, request)
            if fault and fault["kind"] in AFTER_EFFECT_STATUSES:
                # The provider's own error shape: the answer failed after the work was done.
                response = self._canned(provider, AFTER_EFFECT_STATUSES[fault["kind"]], fault["retry_after"])
            if fault and fault["kind"] == "drop_after_effect":
                self._log(store, log_entry)
                raise _Drop()
            log_entry["status"] = response.status
            self._log(store, log_entry)
            return response
        finally:
            if not handed_over:
                _release_key(store, slot)

    @staticmethod
    def _log(store, entry):
        """Append a finished entry; entries are never changed once logged."""
        with store.lock:
            store.request_log.append(entry)

    @classmethod
    def _carry_out_later(cls, app, provider, request, delay, slot=None):
        """Run the request's handler after delay seconds and drop its answer: a gateway that timed
        out (or a connection lost) while the upstream was still working, which finishes the request
        afterwards. A keyed request stays in flight until then."""
        def carry_out():
            try:
                cls._run_handler(app, app.provider_routers[provider], provider, request)
            finally:
                _release_key(app.store, slot)
        timer = threading.Timer(delay, carry_out)
        timer.daemon = True
        timer.start()

    @staticmethod
    def _canned(provider, status, retry_after):
        headers = _retry_after_header(retry_after) if status in (429, 503) else {}
        body = error_body(provider, status, STATUS_CODES[status], FAULT_MESSAGES[str(status)])
        return Response(status, body, headers)

    @staticmethod
    def _run_handler(app, router, provider, request):
        try:
            with app.store.lock:
                handler, request.params = router.route(request.method, request.path)
                return handler(app, request)
        except ApiFailure as failure:
            return _failure_response(provider, failure)
        except Exception:  # an unexpected bug answers 500 instead of killing the connection
            traceback.print_exc(file=sys.stderr)
            return Response(500, error_body(provider, 500, "internal_error", "Internal sandbox error"))

    def _send(self, response):
        payload = json.dumps(response.body).encode("utf-8")
        self.send_response(response.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)
