"""Runtime configuration of the sandbox: defaults and validated partial updates (PUT /_sandbox/config)."""

import copy
import re

DEFAULT_PAY_TO = "0x5A9D1e8BA4f1c2d3E4f5A6b7C8d9E0F1a2b3c4D5"

DEFAULTS = {
    "provision_delay": 3.0,
    "power_delay": 1.0,
    "reinstall_delay": 2.0,
    "terminate_delay": 1.0,
    "latency_ms": 0,
    "rate_limit": None,
    "error_rate": 0.0,
    "faults": [],
    "x402_network": "base",
    "x402_version": 1,
    "x402_pay_to": DEFAULT_PAY_TO,
    "x402_payment_identifier": None,
    "guest_agent_down": False,
    "otwa_convenience_fields": True,
    "list_lag": 0.0,
}

FAULT_KINDS = ("429", "502", "503", "504", "drop_before", "drop_after_effect", "504_late_effect",
               "500_after_effect", "503_after_effect", "503_late_effect", "drop_late_effect",
               "x402_settlement_pending", "x402_facilitator_error")
# Settlement failures of an x402 payment: they only ever match a request that carries one.
X402_FAULT_KINDS = ("x402_settlement_pending", "x402_facilitator_error")
# Which x402 request a fault hits: the one carrying a payment, or the unpaid one asking for the offer.
X402_TARGETS = ("payment", "offer")
_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")


class ConfigError(ValueError):
    """A config update that names an unknown key or carries a bad value."""


def default_config(**overrides):
    """A fresh config dict: the defaults, then overrides (validated)."""
    config = copy.deepcopy(DEFAULTS)
    return apply_update(config, overrides) if overrides else config


def _number(key, value, minimum=0.0, maximum=None):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < minimum:
        raise ConfigError(f"{key} must be a number >= {minimum}")
    if maximum is not None and value > maximum:
        raise ConfigError(f"{key} must be a number between {minimum} and {maximum}")
    return float(value)


def _rate_limit(value):
    if value is None:
        return None
    if not isinstance(value, dict) or "per_second" not in value:
        raise ConfigError('rate_limit must be null or {"per_second": N, "retry_after": S}')
    per_second = _number("rate_limit.per_second", value["per_second"], minimum=1)
    retry_after = _number("rate_limit.retry_after", value.get("retry_after", 1))
    return {"per_second": per_second, "retry_after": retry_after}


def _fault(value):
    if not isinstance(value, dict):
        raise ConfigError("each fault must be an object")
    kind = str(value.get("kind", ""))
    if kind not in FAULT_KINDS:
        raise ConfigError(f"fault kind must be one of: {', '.join(FAULT_KINDS)}")
    path = value.get("path", ".*")
    try:
        re.compile(path)
    except (re.error, TypeError) as error:
        raise ConfigError(f"fault path is not a valid regex: {error}") from None
    provider = value.get("provider")
    if provider not in (None, "vpscrypto", "otwa"):
        raise ConfigError("fault provider must be vpscrypto, otwa or absent")
    times = value.get("times", 1)
    if isinstance(times, bool) or not isinstance(times, int) or times < 1:
        raise ConfigError("fault times must be an integer >= 1")
    x402_target = value.get("x402", "payment" if kind in X402_FAULT_KINDS else None)
    if x402_target not in (None,) + X402_TARGETS or (kind in X402_FAULT_KINDS and x402_target != "payment"):
        raise ConfigError("fault x402 must be payment, offer or absent (x402_* kinds: payment)")
    return {
        "method": str(value["method"]).upper() if value.get("method") else None,
        "path": path,
        "provider": provider,
        "kind": kind,
        "retry_after": _number("fault retry_after", value.get("retry_after", 1)),
        "effect_delay": _number("fault effect_delay", value.get("effect_delay", 1)),
        "times": times,
        "x402": x402_target,
    }


def _validate(key, value):
    if key in ("provision_delay", "power_delay", "reinstall_delay", "terminate_delay", "latency_ms", "list_lag"):
        return _number(key, value)
    if key == "error_rate":
        return _number(key, value, maximum=1.0)
    if key == "rate_limit":
        return _rate_limit(value)
    if key == "faults":
        if not isinstance(value, list):
            raise ConfigError("faults must be a list")
        return [_fault(fault) for fault in value]
    if key == "x402_network":
        if value not in ("base", "base-sepolia"):
            raise ConfigError("x402_network must be one of: base, base-sepolia")
        return value
    if key == "x402_version":
        if value not in (1, 2) or isinstance(value, bool):
            raise ConfigError("x402_version must be one of: 1, 2")
        return value
    if key == "x402_pay_to":
        if not isinstance(value, str) or not _ADDRESS.match(value):
            raise ConfigError("x402_pay_to must be a 0x-prefixed 20-byte hex address")
        return value
    if key == "x402_payment_identifier":
        if value not in (None, "optional", "required"):
            raise ConfigError("x402_payment_identifier must be null, optional or required")
        return value
    if key in ("guest_agent_down", "otwa_convenience_fields"):
        if not isinstance(value, bool):
            raise ConfigError(f"{key} must be true or false")
        return value
    raise ConfigError(f"unknown config key {key!r}; known keys: {', '.join(DEFAULTS)}")


def apply_update(config, update):
    """Validate every key of update and apply them all to config (or none on error); returns config."""
    if not isinstance(update, dict):
        raise ConfigError("the config update must be a JSON object")
    validated = {key: _validate(key, value) for key, value in update.items()}
    config.update(validated)
    return config
