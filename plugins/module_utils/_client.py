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
import time

try:
    import requests
    from requests.adapters import HTTPAdapter
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - exercised by ansible-test's import sanity test
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = exc

from ._redact import redact_data, redact_text
from ._version import COLLECTION_VERSION

USER_AGENT = "vpsfleet.cloud/%s (Ansible collection; +https://github.com/vpsfleet/vpsfleet.cloud)" % COLLECTION_VERSION

# Answers that say the request was not processed: safe to send again, whatever the request.
# A 429 comes from a rate limiter, which refuses a request before any handler runs; that holds
# for one in front of the API as much as for the API's own, so the request had no effect.
NOT_PROCESSED_STATUSES = frozenset((429,))
# Answers that may hide a request the upstream completed: 502 and 504 come from a gateway that
# forwarded the request and lost the upstream's answer. 503 belongs here too: an origin in
# maintenance sends it before doing anything, but proxies (Envoy, for one) also send it when the
# upstream connection resets after the request went through, and the two look alike. Requests
# that are safe to repeat are still retried on all three; unsafe ones are not (see request()).
AMBIGUOUS_STATUSES = frozenset((502, 503, 504))
UNSAFE_METHODS = frozenset(("POST", "PUT", "PATCH", "DELETE"))


class ApiError(Exception):
    """A failed API call: HTTP status, the API's error code and message, method and path.

    ``outcome_unknown`` is true when an unsafe request may or may not have taken effect
    (the connection dropped after it was sent and nothing could tell which).
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

    def __str__(self):
        where = " ".join(part for part in (self.method, self.path) if part)
        status = "HTTP %s" % self.status if self.status else "no HTTP answer"
        code = " %s" % self.code if self.code else ""
        provider = "%s API " % self.provider if self.provider else "API "
        return "%s%s%s on %s: %s" % (provider, status, code, where, self.message)

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


def error_from_body(body, text, status):
    """(code, message) from either provider's error shape.

    VPSCrypto answers ``{"error": code, "message": text}``; Otwa ``{"message": text, "statusCode": n}``.
    """
    if isinstance(body, dict):
        code = body.get("error") if isinstance(body.get("error"), str) else None
        if code is None and body.get("code") is not None:
            code = str(body.get("code"))
        message = body.get("message") or body.get("error") or body.get("detail")
        if message:
            return code, str(message)
    snippet = (text or "").strip()[:300]
    return None, snippet or "HTTP %s" % status


def _never_sent(exc):
    """True when a transport error happened before the request left this machine."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    if isinstance(exc, requests.exceptions.ConnectionError):
        reason = exc.args[0] if exc.args else None
        inner = getattr(reason, "reason", reason)
        return type(inner).__name__ in ("NewConnectionError", "NameResolutionError")
    return False


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
    """

    def __init__(self, base_url, api_key, provider="", timeout=30, retries=5, retry_max_delay=30.0,
                 validate_certs=True, pool_maxsize=10, log=None, sleep=time.sleep, session=None):
        self.base_url = base_url.rstrip("/")
        self.provider = provider
        self.timeout = (min(10.0, float(timeout)), float(timeout))
        self.policy = RetryPolicy(retries=retries, max_delay=retry_max_delay)
        self.validate_certs = validate_certs
        self.log = log
        self.sleep = sleep
        self._api_key = api_key
        self.request_count = 0
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
        :param effect_probe: for an unsafe request without a key: called after an ambiguous failure;
            returns the created resource if the first attempt took effect (then that is the answer),
            or None (then the request is sent again).
        :param pass_statuses: non-2xx statuses returned to the caller instead of raised (e.g. 402).
        :param secrets: further values (e.g. a root password from the body) to scrub from errors.
        """
        method = method.upper()
        unsafe = method in UNSAFE_METHODS and not replay_safe and not idempotency_key
        request_headers = dict(headers or {})
        if authenticated and self._api_key:
            request_headers["Authorization"] = "Bearer %s" % self._api_key
        if idempotency_key:
            request_headers["Idempotency-Key"] = idempotency_key
        scrub = tuple(secrets) + (self._api_key,)
        attempt = 0
        while True:
            outcome = self._send_once(method, path, json_body, params, request_headers, pass_statuses, scrub)
            if isinstance(outcome, Response):
                return outcome
            error, retry_after, ambiguous = outcome
            # Unsafe: neither replay-safe nor keyed. After an answer that may hide an effect it is
            # only sent again when its probe shows no effect; a 429 or a connect failure retries it.
            if ambiguous and unsafe:
                if effect_probe is None:
                    error.outcome_unknown = True
                    error.message += (" (the request may have taken effect; it was not repeated because"
                                      " repeating it could apply it twice)")
                    raise error
                found = self._probe_effect(effect_probe, error)
                if found is not None:
                    self._log("%s %s: answer lost, effect found by re-reading; not repeated" % (method, path))
                    return Response(None, {}, found, recovered=True)
            if attempt >= self.policy.retries:
                raise error
            delay = self.policy.delay(attempt, retry_after)
            self._log("%s %s: %s; retry %d/%d in %.2fs" % (
                method, path, error.status or "transport error", attempt + 1, self.policy.retries, delay))
            self.sleep(delay)
            attempt += 1

    @staticmethod
    def _probe_effect(effect_probe, error):
        """Run ``effect_probe``; if it fails too, raise the original error as of unknown outcome.

        The probe's own failure (a GET) would otherwise read as the answer, hiding that the unsafe
        request may have taken effect.
        """
        try:
            return effect_probe()
        except ApiError as probe_error:
            error.outcome_unknown = True
            error.message += (" (the request may have taken effect; reading back whether it did failed"
                              " too: %s; it was not repeated)" % probe_error.message)
            raise error from None

    # -- one attempt ----------------------------------------------------------------------

    def _send_once(self, method, path, json_body, params, headers, pass_statuses, scrub):
        """Return a Response, or (ApiError, retry_after, ambiguous) for a retryable failure."""
        url = self.base_url + path
        started = time.monotonic()
        self.request_count += 1
        try:
            answer = self.session.request(
                method, url, json=json_body, params=params, headers=headers,
                timeout=self.timeout, verify=self.validate_certs)
        except requests.exceptions.RequestException as exc:
            message = redact_text("%s: %s" % (type(exc).__name__, exc), scrub)
            error = ApiError(message, method=method, path=path, provider=self.provider, code="transport_error")
            self._log("%s %s -> %s" % (method, path, type(exc).__name__))
            return error, None, not _never_sent(exc)
        self._log("%s %s -> %s (%.3fs)" % (method, path, answer.status_code, time.monotonic() - started))
        body = self._decode(answer)
        response_headers = dict(answer.headers)
        if 200 <= answer.status_code < 300 or answer.status_code in pass_statuses:
            return Response(answer.status_code, response_headers, body)
        code, message = error_from_body(body, answer.text, answer.status_code)
        error = ApiError(redact_text(message, scrub), status=answer.status_code, code=code, method=method,
                         path=path, provider=self.provider, body=redact_data(body, scrub), headers=response_headers)
        if answer.status_code in NOT_PROCESSED_STATUSES:
            return error, parse_retry_after(answer.headers.get("Retry-After")), False
        if answer.status_code in AMBIGUOUS_STATUSES:
            return error, parse_retry_after(answer.headers.get("Retry-After")), True
        raise error

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
