# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment(object):
    """The options every vpsfleet.cloud module shares, besides the transport options of vpsfleet.cloud.api_client."""

    DOCUMENTATION = r"""
options:
  provider:
    description:
      - The hosting provider whose API is used.
      - C(vpscrypto) is VPSCrypto (prepaid balance, crypto top-ups); C(otwa) is Otwa Cloud.
    type: str
    required: true
    choices: [vpscrypto, otwa]
  api_key:
    description:
      - The API key (bearer token) of the account.
      - If not set, the environment variable E(VPSCRYPTO_API_KEY) or E(OTWA_API_KEY) is used,
        according to O(provider).
      - Never logged and never part of an error message.
      - Keep the key itself out of playbook text; give it through the environment variable or a (Vault)
        variable such as V({{ vault_vpscrypto_api_key }}). Since ansible-core 2.19 an error quotes the source
        line of the failing task, so a key written literally into a task would appear in the output.
    type: str
  api_url:
    description:
      - Base URL of the provider's API.
      - If not set, the environment variable E(VPSCRYPTO_API_URL) or E(OTWA_API_URL) is used, and
        otherwise the production URL (V(https://vpscrypto.io/api/v1) or V(https://otwa.cloud/api/v1)).
      - Point it at the local sandbox to try things without spending money.
    type: str
  api_retry_max_delay:
    description:
      - Upper bound in seconds for one backoff sleep and for an honoured C(Retry-After).
    type: float
    default: 30
  api_rate_limit:
    description:
      - Most requests per second sent with one API key, a fixed ceiling for the client-side rate limiter.
      - Without it the limiter still adapts to the provider's limit (from HTTP 429 and C(Retry-After)),
        starting at 20 requests per second; V(0) means no fixed ceiling.
      - If not set, the environment variable E(VPSFLEET_API_RATE_LIMIT) is used.
    type: float
notes:
  - Set the shared options once for a whole play with
    C(module_defaults) and the action group C(group/vpsfleet.cloud.vps).
"""
