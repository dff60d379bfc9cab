"""The one exception API handlers raise, and each provider's error body shape."""


class ApiFailure(Exception):
    """An HTTP error answer. `body` overrides the provider-shaped body (x402 answers carry their own)."""

    def __init__(self, status, code, message, headers=None, body=None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}
        self.body = body


def error_body(provider, status, code, message):
    """VPSCrypto: {"error", "message"}; Otwa: {"message", "statusCode"}; control API: {"error", "message"}."""
    if provider == "otwa":
        return {"message": message, "statusCode": status}
    return {"error": code, "message": message}


STATUS_CODES = {
    400: "invalid_request", 401: "unauthorized", 402: "insufficient_balance", 403: "forbidden",
    404: "not_found", 405: "method_not_allowed", 409: "conflict", 429: "rate_limited",
    500: "internal_error", 502: "bad_gateway", 503: "service_unavailable", 504: "gateway_timeout",
}


def fail(status, message, code=None, **kwargs):
    """Raise ApiFailure with the conventional code for the status unless one is given."""
    raise ApiFailure(status, code or STATUS_CODES.get(status, "error"), message, **kwargs)
