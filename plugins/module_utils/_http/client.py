# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one HTTP client both providers are spoken to through.

It knows transport and nothing of either API: bearer auth, timeouts, JSON, the retry policy
and the rule for requests that are not safe to repeat (see docs/architecture.md).
"""

from __future__ import annotations

import email.utils
import json
import random
import re
import time
from urllib.parse import urlparse

try:
    import requests
    from requests.adapters import HTTPAdapter
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - exercised by ansible-test's import sanity test
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = exc

from .redact import redact_data, redact_text
from .._version import COLLECTION_VERSION

USER_AGENT = "vpsfleet.cloud/%s (Ansible collection; +https://github.com/vpsfleet/vpsfleet.cloud)" % COLLECTION_VERSION

# Answers that say the request was not processed: safe to send again, whatever the request.
# A 429 comes from a rate limiter, which refuses a request before any handler runs; that holds
# for one in front of the API as much as for the API's own, so the request had no effect.
NOT_PROCESSED_STATUSES = frozenset((429,))
# Answers that may hide a request the upstream completed: 502 comes from a gateway that forwarded
# the request and lost the upstream's answer. 503 belongs here too: an origin in maintenance sends
# it before doing anything, but proxies (Envoy, for one) also send it when the upstream connection
# resets after the request went through, and the two look alike.
LOST_ANSWER_STATUSES = frozenset((502, 503))
# A 504 says more: the gateway gave up waiting, so the upstream may still be carrying the request
# out, and a look-up right away can miss an effect that lands a moment later.
STILL_WORKING_STATUSES = frozenset((504,))
# A 500 to a request that changes state may come after the handler did its work (it failed while
# answering): for such a request it says no more than a lost answer. A GET answered 500 stays final.
FAILED_AFTER_WORK_STATUSES = frozenset((500,))
UNSAFE_METHODS = frozenset(("POST", "PUT", "PATCH", "DELETE"))
# How often an unsafe request's effect is looked for, with the backoff between, when the upstream
# may still be working on it; it is never sent again in that case.
STILL_WORKING_PROBES = 3

# What one failed attempt says about the request (see _Failure).
NEVER_SENT = "never_sent"          # connect failure: the request did not leave this machine
NOT_PROCESSED = "not_processed"    # 429: refused before anything ran
LOST_ANSWER = "lost_answer"        # dropped connection, 502, 503: may have taken effect
STILL_WORKING = "still_working"    # read timeout, 504: may have taken effect, or may yet
FINAL = "final"                    # any other error: retrying cannot help


class ApiError(Exception):
    """A failed API call: HTTP status, the API's error code and message, method and path.

    ``outcome_unknown`` is true when a state-changing request may or may not have taken effect
    (an answer was lost after it was sent and nothing could tell which).
    """

    def __init__(self, message, status=None, code=None, method=None, path=None, provider=None,
                 body=None, headers=None, outcome_unknown=False):
        super(ApiError, self).__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.method = method
        self.path = path
        self.provider = provider
        self.body = body
        self.headers = headers or {}
        self.outcome_unknown = outcome_unknown
        # How many times the request was sent before this error was final (set by ApiClient).
        self.attempts = 1

    def __str__(self):
        where = " ".join(part for part in (self.method, self.path) if part)
        status = "HTTP %s" % self.status if self.status else "no HTTP answer"
        code = " %s" % self.code if self.code else ""
        provider = "%s API " % self.provider if self.provider else "API "
        tried = "; tried %d times (api_retries=%d)" % (self.attempts, self.attempts - 1) if self.attempts > 1 else ""
        return "%s%s%s on %s: %s%s" % (provider, status, code, where, self.message, tried)

    def to_failure(self):
        """The structured ``failure`` a module returns next to ``msg``."""
        return {
            "status": self.status,
            "code": self.code,
            "message": self.message,
            "method": self.method,
            "path": self.path,
            "outcome_unknown": self.outcome_unknown,
        }


class Response(object):
    """A decoded answer. ``recovered`` is set when the answer came from an effect probe."""

    def __init__(self, status, headers, body, recovered=False):
        self.status = status
        self.headers = headers
        self.body = body
        self.recovered = recovered


class RetryPolicy(object):
    """Exponential backoff with equal jitter, capped; ``Retry-After`` honoured up to the cap."""

    def __init__(self, retries=5, base_delay=0.5, max_delay=30.0):
        self.retries = max(0, int(retries))
        self.base_delay = float(base_delay)
        self.max_delay = float(max_delay)

    def delay(self, attempt, retry_after=None):
        """Seconds to wait before retry number ``attempt`` (0-based)."""
        if retry_after is not None:
            return min(max(0.0, retry_after), self.max_delay)
        ceiling = min(self.max_delay, self.base_delay * (2 ** attempt))
        return ceiling / 2 + random.uniform(0, ceiling / 2)


def parse_retry_after(value, now=None):
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed is None:
        return None
    return max(0.0, parsed.timestamp() - (now if now is not None else time.time()))


# An error code is a short identifier (``insufficient_balance``). NestJS puts the status text
# ("Not Found") in ``error``, other APIs a sentence: those are messages, not codes.
_ERROR_CODE = re.compile(r"^[A-Za-z][A-Za-z0-9_.:-]{0,63}$")


def _message_text(value):
    """Text from a message that may be a string, a list of them (NestJS validation) or a dict."""
    if isinstance(value, (list, tuple)):
        return "; ".join(text for text in (_message_text(item) for item in value) if text)
    if isinstance(value, dict):
        return _message_text(value.get("message") or value.get("msg")) or json.dumps(value, sort_keys=True)
    return str(value).strip() if value is not None else ""


def error_from_body(body, text, status):
    """(code, message) from either provider's error shape.

    VPSCrypto answers ``{"error": code, "message": text}``; Otwa (NestJS) ``{"message": text or
    [text, ...], "statusCode": n}``, sometimes with ``"error": "Not Found"``. ``error`` is taken as
    the code only when it looks like one. A ``statusCode`` that differs from the HTTP status (a
    proxy relaying an upstream's error) is named in the message; an equal one adds nothing.
    """
    if isinstance(body, dict):
        error = body.get("error")
        code = error if isinstance(error, str) and _ERROR_CODE.match(error) else None
        if code is None and isinstance(body.get("code"), (str, int)) and not isinstance(body.get("code"), bool):
            code = str(body["code"])
        message = _message_text(body.get("message")) or _message_text(body.get("detail")) or _message_text(error)
        body_status = body.get("statusCode")
        if message and isinstance(body_status, int) and not isinstance(body_status, bool) and body_status != status:
            message += " (the error body says status %d)" % body_status
        if message:
            return code, message
    snippet = (text or "").strip()[:300]
    return None, snippet or "HTTP %s" % status


def _setup_errors():
    """requests' exceptions for a request that could not be built: a bad URL or header, no JSON body."""
    names = ("MissingSchema", "InvalidSchema", "InvalidURL", "InvalidHeader", "URLRequired", "InvalidJSONError")
    return tuple(getattr(requests.exceptions, name) for name in names if hasattr(requests.exceptions, name))


def _setup_error_message(exc, url):
    """What to fix, for an exception from :func:`_setup_errors` or a TLS failure (never quoting a header's value)."""
    if isinstance(exc, requests.exceptions.SSLError):
        return ("the request was not sent: the TLS handshake with %s failed (%s); check the server's certificate"
                " and the CA bundle, or set validate_certs=false only for a test endpoint you trust" % (url, exc))
    if isinstance(exc, requests.exceptions.InvalidHeader):
        return ("the request was not sent: a header value holds a character HTTP does not allow"
                " (an API key read from a file often keeps its trailing newline)")
    if type(exc).__name__ == "InvalidJSONError":
        return "the request was not sent: its body cannot be encoded as JSON (%s)" % exc
    return ("the request was not sent: the API URL %s is not usable (%s); api_url must be a full URL"
            " starting with https:// or http://" % (url, exc))


def _transport_failure_kind(exc):
    """What a transport error says about the request: one of the failure kinds above."""
    if isinstance(exc, _setup_errors()):
        return FINAL
    # A failed TLS handshake (most often an untrusted certificate) comes before any request byte is
    # sent, and trying again meets the same certificate.
    if isinstance(exc, requests.exceptions.SSLError):
        return FINAL
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return NEVER_SENT
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return STILL_WORKING
    if isinstance(exc, requests.exceptions.ConnectionError):
        reason = exc.args[0] if exc.args else None
        inner = type(getattr(reason, "reason", reason)).__name__
        if inner in ("NewConnectionError", "NameResolutionError"):
            return NEVER_SENT
        if inner == "ReadTimeoutError":
            return STILL_WORKING
    return LOST_ANSWER


def _transport_message(exc, url):
    """What a transport failure means, in words: the host tried and what went wrong, without the
    HTTP library's internals (pool objects, exception class chains)."""
    host = urlparse(url).netloc or url
    text = str(exc)
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return "could not connect to %s: no answer to the connection attempt in time" % host
    if isinstance(exc, requests.exceptions.ReadTimeout) or "ReadTimeoutError" in text:
        return "%s accepted the request but sent no answer in time (api_timeout)" % host
    if "NameResolutionError" in text or "Name or service not known" in text or "nodename nor servname" in text:
        return "could not resolve the host name of %s (check api_url)" % host
    if "Connection refused" in text:
        return "could not connect to %s: connection refused (check api_url, or whether the API is up)" % host
    if isinstance(exc, requests.exceptions.ConnectionError):
        return "the connection to %s failed or was dropped before an answer came" % host
    return "the request to %s failed before an answer came (%s)" % (host, type(exc).__name__)


def _mark_outcome_unknown(error, reason):
    """Flag ``error`` as of unknown outcome and say why in its message."""
    error.outcome_unknown = True
    error.message += " (the request may have taken effect: %s)" % reason


class _NoGate(object):
    """A context manager that does nothing: no shared limit on requests in flight."""

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        return False


_NO_GATE = _NoGate()


class _Failure(object):
    """One failed attempt: its ApiError, what it says about the request (``kind``), Retry-After."""

    def __init__(self, error, kind, retry_after=None):
        self.error = error
        self.kind = kind
        self.retry_after = retry_after

    @property
    def may_have_taken_effect(self):
        return self.kind in (LOST_ANSWER, STILL_WORKING)


class ApiClient(object):
    """JSON over HTTPS to one provider, with one API key.

    :param base_url: e.g. ``https://vpscrypto.io/api/v1``
    :param api_key: bearer credential; never logged, never part of an error
    :param provider: display name used in errors (``VPSCrypto``, ``Otwa Cloud``)
    :param timeout: read timeout in seconds; the connect timeout is the smaller of it and 10 s
    :param retries: how many times a retryable failure is retried
    :param retry_max_delay: cap in seconds for one backoff sleep and for ``Retry-After``
    :param pool_maxsize: connections kept per host; raise it for concurrent callers
    :param log: optional callable receiving one redacted line per request
    :param rate_limiter: a :class:`~._rate_limit.RateLimiter` every attempt waits for (None: no limit)
    :param concurrency: optional semaphore shared by several clients, held only while a request is
        in flight (after its rate limiter let it through), so one key's wait never holds another's slot
    """

    def __init__(self, base_url, api_key, provider="", timeout=30, retries=5, retry_max_delay=30.0,
                 validate_certs=True, pool_maxsize=10, log=None, sleep=time.sleep, session=None,
                 rate_limiter=None, concurrency=None):
        self.base_url = base_url.rstrip("/")
        self.provider = provider
        self.timeout = (min(10.0, float(timeout)), float(timeout))
        self.policy = RetryPolicy(retries=retries, max_delay=retry_max_delay)
        self.validate_certs = validate_certs
        self.log = log
        self.sleep = sleep
        self._api_key = api_key
        self.request_count = 0
        # The provider's clock as its last answer's Date header told it (runway arithmetic uses it).
        self.last_date_header = None
        self.rate_limiter = rate_limiter
        self.concurrency = concurrency
        if session is None:
            session = requests.Session()
            adapter = HTTPAdapter(pool_connections=4, pool_maxsize=max(10, int(pool_maxsize)), max_retries=0)
            session.mount("https://", adapter)
            session.mount("http://", adapter)
        self.session = session
        self.session.headers.update({"User-Agent": USER_AGENT, "Accept": "application/json"})

    # -- public verbs -------------------------------------------------------------------

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, **kwargs):
        return self.request("POST", path, **kwargs)

    def patch(self, path, **kwargs):
        return self.request("PATCH", path, **kwargs)

    def delete(self, path, **kwargs):
        return self.request("DELETE", path, **kwargs)

    def request(self, method, path, json_body=None, params=None, headers=None, replay_safe=False,
                idempotency_key=None, effect_probe=None, pass_statuses=(), secrets=(), authenticated=True):
        """Send one logical request, retrying what is safe to retry; return a :class:`Response`.

        :param replay_safe: the caller vouches that repeating this request cannot double an effect.
        :param idempotency_key: sent as ``Idempotency-Key`` and reused on every retry.
        :param effect_probe: for an unsafe request without a key: called after an answer was lost;
            returns the created resource if the request took effect (then that is the answer), or
            None. The request is never sent again (the API may still be carrying it out): the probe
            is asked a few times, a backoff delay apart, and if it finds nothing the outcome is unknown.
        :param pass_statuses: non-2xx statuses returned to the caller instead of raised (e.g. 402).
        :param secrets: further values (e.g. a root password from the body) to scrub from errors.

        A POST, PUT, PATCH or DELETE that fails after an attempt whose answer was lost raises an
        :class:`ApiError` with ``outcome_unknown`` set, keyed and replay-safe ones included.
        """
        method = method.upper()
        changes_state = method in UNSAFE_METHODS
        repeatable = bool(replay_safe or idempotency_key)
        request_headers = dict(headers or {})
        if authenticated and self._api_key:
            request_headers["Authorization"] = "Bearer %s" % self._api_key
        if idempotency_key:
            request_headers["Idempotency-Key"] = idempotency_key
        scrub = tuple(secrets) + (self._api_key,)
        attempt = 0
        answer_lost = False
        while True:
            outcome = self._send_once(method, path, json_body, params, request_headers, pass_statuses, scrub)
            if isinstance(outcome, Response):
                return outcome
            error = outcome.error
            answer_lost = answer_lost or outcome.may_have_taken_effect
            if outcome.kind == FINAL:
                if changes_state and answer_lost:
                    _mark_outcome_unknown(error, "an earlier attempt's answer was lost")
                raise error
            if changes_state and not repeatable and outcome.may_have_taken_effect:
                found = self._look_for_effect(method, path, outcome, effect_probe, attempt)
                return Response(None, {}, found, recovered=True)
            if attempt >= self.policy.retries:
                error.attempts = attempt + 1
                if changes_state and answer_lost:
                    _mark_outcome_unknown(error, "its answer was lost and %d retries brought none" % self.policy.retries
                                          if outcome.may_have_taken_effect else "an earlier attempt's answer was lost")
                raise error
            delay = self.policy.delay(attempt, outcome.retry_after)
            self._log("%s %s: %s; retry %d/%d in %.2fs" % (
                method, path, error.status or "transport error", attempt + 1, self.policy.retries, delay))
            self.sleep(delay)
            attempt += 1

    def _look_for_effect(self, method, path, failure, effect_probe, attempt):
        """After an unsafe request's answer was lost: the effect ``effect_probe`` found. Raises the
        error, outcome unknown, when the look-ups find none.

        The request is never sent again: whatever lost the answer (a dropped connection, a gateway
        error, a timeout), the provider may still be carrying it out, and an effect that lands after
        the look-ups gave up would be doubled by a second request. A later run resolves it from the
        intent journal instead.
        """
        error = failure.error
        if effect_probe is None:
            _mark_outcome_unknown(error, "it was not repeated because repeating it could apply it twice")
            raise error
        for probe_number in range(STILL_WORKING_PROBES):
            self.sleep(self.policy.delay(probe_number + 1))
            found = self._probe_effect(effect_probe, error)
            if found is not None:
                self._log("%s %s: answer lost, effect found by re-reading; not repeated" % (method, path))
                return found
        _mark_outcome_unknown(error, "the API may still be carrying it out, so it was not sent again,"
                                     " and %d look-ups found no effect yet" % STILL_WORKING_PROBES)
        raise error

    @staticmethod
    def _probe_effect(effect_probe, error):
        """Run ``effect_probe``; if it fails too, raise the original error as of unknown outcome.

        The probe's own failure (a GET) would otherwise read as the answer, hiding that the unsafe
        request may have taken effect.
        """
        try:
            return effect_probe()
        except ApiError as probe_error:
            _mark_outcome_unknown(error, "reading back whether it did failed too: %s; it was not repeated"
                                  % probe_error.message)
            raise error from None

    # -- one attempt ----------------------------------------------------------------------

    def _send_once(self, method, path, json_body, params, headers, pass_statuses, scrub):
        """Return a Response, or a :class:`_Failure` saying what the failed attempt means."""
        url = self.base_url + path
        let_through = self.rate_limiter.acquire() if self.rate_limiter is not None else None
        started = time.monotonic()
        self.request_count += 1
        try:
            with self.concurrency or _NO_GATE:
                answer = self.session.request(
                    method, url, json=json_body, params=params, headers=headers,
                    timeout=self.timeout, verify=self.validate_certs)
        except requests.exceptions.RequestException as exc:
            kind = _transport_failure_kind(exc)
            self._log("%s %s -> %s" % (method, path, type(exc).__name__))
            if kind == FINAL:
                message, code = _setup_error_message(exc, url), "setup_error"
            else:
                message, code = _transport_message(exc, url), "transport_error"
            error = ApiError(redact_text(message, scrub), method=method, path=path, provider=self.provider, code=code)
            return _Failure(error, kind)
        self._log("%s %s -> %s (%.3fs)" % (method, path, answer.status_code, time.monotonic() - started))
        if self.rate_limiter is not None:
            if answer.status_code == 429:
                self.rate_limiter.throttled(parse_retry_after(answer.headers.get("Retry-After")), let_through)
            else:
                self.rate_limiter.accepted()
        body = self._decode(answer)
        response_headers = dict(answer.headers)
        self.last_date_header = response_headers.get("Date") or self.last_date_header
        if 200 <= answer.status_code < 300 or answer.status_code in pass_statuses:
            return Response(answer.status_code, response_headers, body)
        code, message = error_from_body(body, answer.text, answer.status_code)
        error = ApiError(redact_text(message, scrub), status=answer.status_code, code=code, method=method,
                         path=path, provider=self.provider, body=redact_data(body, scrub), headers=response_headers)
        retry_after = parse_retry_after(answer.headers.get("Retry-After"))
        if answer.status_code in NOT_PROCESSED_STATUSES:
            return _Failure(error, NOT_PROCESSED, retry_after)
        if answer.status_code in STILL_WORKING_STATUSES:
            return _Failure(error, STILL_WORKING, retry_after)
        if answer.status_code in LOST_ANSWER_STATUSES:
            return _Failure(error, LOST_ANSWER, retry_after)
        if answer.status_code in FAILED_AFTER_WORK_STATUSES and method in UNSAFE_METHODS:
            return _Failure(error, LOST_ANSWER, retry_after)
        return _Failure(error, FINAL)

    @staticmethod
    def _decode(answer):
        if not answer.content:
            return None
        try:
            return answer.json()
        except (ValueError, json.JSONDecodeError):
            return None

    def _log(self, line):
        if self.log is not None:
            self.log(redact_text(line, (self._api_key,)))
