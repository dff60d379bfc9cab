"""Random secrets and identifiers: API keys, passwords, references, deposit addresses."""

import base64
import secrets
import string
import threading

_ALPHANUMERIC = string.ascii_letters + string.digits
_BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"

# A 1x1 transparent PNG: the sandbox only needs a valid image for qr_data_uri.
_PNG_1X1 = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


# Every secret this process has handed out or received (keys, passwords, login tokens, signed payment
# headers), so that tests can check none of them leaks into what a client prints or logs.
_ISSUED = set()
_ISSUED_LOCK = threading.Lock()


def remember(secret):
    """Add ``secret`` to the secrets :func:`issued` lists; returns it."""
    if secret:
        with _ISSUED_LOCK:
            _ISSUED.add(secret)
    return secret


def issued():
    """Every secret remembered so far in this process."""
    with _ISSUED_LOCK:
        return sorted(_ISSUED)


def _pick(alphabet, length):
    return "".join(secrets.choice(alphabet) for _position in range(length))


def api_key(prefix):
    """A fresh API key such as vpsk_<40 chars>."""
    return remember(prefix + _pick(_ALPHANUMERIC, 40))


def password():
    """A strong generated root password (20 letters and digits)."""
    return remember(_pick(_ALPHANUMERIC, 20))


def login_token():
    """A one-time login token (secret)."""
    return remember(secrets.token_hex(24))


def hex_token(nbytes):
    """nbytes random bytes as lowercase hex."""
    return secrets.token_hex(nbytes)


def deposit_address(coin):
    """A plausible-looking deposit address for the coin (never a real one)."""
    if coin == "BTC":
        return "bc1q" + _pick(_BECH32, 38)
    if coin == "LTC":
        return "ltc1q" + _pick(_BECH32, 38)
    if coin == "XMR":
        return "4" + _pick(_BASE58, 94)
    if coin == "USDTTRC":
        return "T" + _pick(_BASE58, 33)
    return "0x" + secrets.token_hex(20)


def qr_data_uri():
    """A data: URI carrying a small valid PNG."""
    return "data:image/png;base64," + base64.b64encode(_PNG_1X1).decode("ascii")
