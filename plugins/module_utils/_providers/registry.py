# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The two providers: production URLs, environment variables, and adapter construction."""

from __future__ import annotations

import os

from .._http.client import ApiClient
from .otwa import OtwaAdapter
from .._http.rate_limit import limiter_for
from .vpscrypto import VpsCryptoAdapter

PROVIDERS = {
    "vpscrypto": {
        "label": "VPSCrypto",
        "url": "https://vpscrypto.io/api/v1",
        "key_env": "VPSCRYPTO_API_KEY",
        "url_env": "VPSCRYPTO_API_URL",
        "adapter": VpsCryptoAdapter,
    },
    "otwa": {
        "label": "Otwa Cloud",
        "url": "https://otwa.cloud/api/v1",
        "key_env": "OTWA_API_KEY",
        "url_env": "OTWA_API_URL",
        "adapter": OtwaAdapter,
    },
}


def provider_api_key(provider, api_key=None, environ=None):
    """The API key given, else the provider's environment variable, else None."""
    environ = os.environ if environ is None else environ
    return api_key or environ.get(PROVIDERS[provider]["key_env"]) or None


def provider_api_url(provider, api_url=None, environ=None):
    """The API URL given, else the provider's environment variable, else production."""
    environ = os.environ if environ is None else environ
    return api_url or environ.get(PROVIDERS[provider]["url_env"]) or PROVIDERS[provider]["url"]


def build_adapter(provider, api_key=None, api_url=None, timeout=30, retries=5, retry_max_delay=30.0,
                  validate_certs=True, pool_maxsize=10, log=None, rate_limit=None, concurrency=None):
    """A provider adapter over a fresh :class:`ApiClient`, with env fallbacks applied.

    Its requests wait for the process's rate limiter of that key at that URL (``rate_limit``: a fixed
    ceiling in requests/s, see ``_rate_limit``); ``concurrency`` is passed on to the client.
    """
    if provider not in PROVIDERS:
        raise ValueError("unknown provider %r; valid choices: %s" % (provider, ", ".join(sorted(PROVIDERS))))
    spec = PROVIDERS[provider]
    api_url, api_key = provider_api_url(provider, api_url), provider_api_key(provider, api_key)
    client = ApiClient(
        api_url, api_key, provider=spec["label"],
        timeout=timeout, retries=retries, retry_max_delay=retry_max_delay, validate_certs=validate_certs,
        pool_maxsize=pool_maxsize, log=log, rate_limiter=limiter_for(api_url, api_key, rate_limit),
        concurrency=concurrency)
    return spec["adapter"](client)
