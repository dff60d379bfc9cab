"""Random secrets and identifiers: API keys, passwords, references, deposit addresses."""

import base64
import secrets
import string

_ALPHANUMERIC = string.ascii_letters + string.digits
_BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"

# A 1x1 transparent PNG: the sandbox only needs a valid image for qr_data_uri.
_PNG_1X1 = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


def _pick(alphabet, length):
    return "".join(secrets.choice(alphabet) for _position in range(length))


def api_key(prefix):
    """A fresh API key such as vpsk_<40 chars>."""
    return prefix + _pick(_ALPHANUMERIC, 40)


def password():
    """A strong generated root password (20 letters and digits)."""
    return _pick(_ALPHANUMERIC, 20)


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
