# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment(object):
    """How the collection reaches the providers' APIs: shared by every module and plugin.

    ``DOCUMENTATION`` holds the transport options of the one HTTP client; ``PLUGIN_KEYS`` the
    per-provider key options of the inventory and lookup plugins (the modules take O(api_key) and
    O(provider) from ``vpsfleet.cloud.provider`` instead).
    """

    DOCUMENTATION = r"""
options:
  api_timeout:
    description:
      - Read timeout in seconds for one HTTP request. The connect timeout is the smaller of this and 10 seconds.
    type: float
    default: 30
  api_retries:
    description:
      - How many times a request that failed with a connection error, HTTP 429, 502, 503 or 504 is
        retried, with exponential backoff and jitter. C(Retry-After) is honoured.
      - A request that orders, charges or pays is only retried where repeating it cannot apply it twice.
    type: int
    default: 5
  validate_certs:
    description:
      - Whether to validate the API's TLS certificate.
    type: bool
    default: true
requirements:
  - requests
"""

    # The env: entries let an AWX credential type inject the keys as environment variables. The plugins'
    # rate limit is here too: its env: entry is one the modules' docs cannot declare.
    PLUGIN_KEYS = r"""
options:
  vpscrypto_api_key:
    description:
      - The API key for VPSCrypto accounts that are given no key of their own.
      - Never shown in warnings, errors or C(-vvvv) output.
    type: str
    env:
      - name: VPSCRYPTO_API_KEY
  otwa_api_key:
    description:
      - The API key for Otwa Cloud accounts that are given no key of their own.
      - Never shown in warnings, errors or C(-vvvv) output.
    type: str
    env:
      - name: OTWA_API_KEY
  api_rate_limit:
    description:
      - Most requests per second sent with one key, a fixed ceiling for the client-side rate limiter.
      - Without it the limiter still adapts to the provider's limit (from HTTP 429 and C(Retry-After)),
        starting at 20 requests per second per key; V(0) means no fixed ceiling.
    type: float
    env:
      - name: VPSFLEET_API_RATE_LIMIT
"""
