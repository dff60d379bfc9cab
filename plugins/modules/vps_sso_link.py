#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: vps_sso_link
short_description: Mint a single-use Otwa Cloud dashboard login link
version_added: 0.1.0
author:
  - vpsfleet maintainers (@vpsfleet)
description:
  - Returns a login URL, valid for a few minutes and once, that signs the account's user into the
    Otwa Cloud dashboard, optionally straight onto one server's page or onto the path O(next).
  - Otwa Cloud only; the task fails before any request for VPSCrypto.
extends_documentation_fragment:
  - vpsfleet.cloud.provider
  - vpsfleet.cloud.api_client
  - vpsfleet.cloud.attributes
  - vpsfleet.cloud.attributes.NO_STATE
options:
  name:
    description:
      - Link to the page of the server with this name (Otwa label).
    type: str
  id:
    description:
      - Link to the page of the server with this id.
    type: str
  next:
    description:
      - The dashboard path to land on after login, starting with C(/) (for example V(/dashboard/billing)).
      - The path is percent-decoded and its dot segments resolved first, and the result is what is sent.
        Anything that could land on another host (C(//host), C(/\\host), C(/..//host), C(/%2F%2Fhost)),
        blanks and control characters are refused before any request.
    type: str
notes:
  - In check mode, O(next) is checked and the server found, but no link is minted; RV(url) and RV(expires_in)
    are null.
  - A link is a short-lived login, not account state, so the task never reports a change.
  - The URL logs in whoever opens it first; register the result with C(no_log) set to V(true) where logs are shared.
"""

EXAMPLES = r"""
- name: A link to the billing page
  vpsfleet.cloud.vps_sso_link:
    provider: otwa
    next: /dashboard/billing
  register: billing_link
  no_log: true

- name: A link to one server's page
  vpsfleet.cloud.vps_sso_link:
    provider: otwa
    name: api-1
  register: server_link
  no_log: true
"""

RETURN = r"""
url:
  description: The single-use login URL (null in check mode).
  returned: success
  type: str
  sample: https://otwa.cloud/sso?t=eyJhbGc...&next=%2Fdashboard
expires_in:
  description: Seconds until the link expires (null in check mode).
  returned: success
  type: int
  sample: 300
server_id:
  description: The id of the server the link leads to, or null for an account link.
  returned: success
  type: str
"""

from urllib.parse import unquote

from ansible_collections.vpsfleet.cloud.plugins.module_utils._module.base import ModuleFailure, VpsModule
from ansible_collections.vpsfleet.cloud.plugins.module_utils._services.server_lookup import require_server


ACCEPTED_NEXT = ("a dashboard path on the provider's site: one '/' then the path (for example /dashboard/billing), "
                 "with no other host, no '..' that climbs above '/', no backslash, blank or control character, "
                 "percent-encoded or not")
# Decoding more often than this without reaching a stable text is itself refused.
MAX_DECODE_ROUNDS = 3


def remove_dot_segments(path):
    """RFC 3986 section 5.2.4: ``/a/./b/../c`` -> ``/a/c``; ``/..`` stays at ``/``."""
    output = []
    for segment in path.split("/")[1:]:
        if segment == "..":
            if len(output) > 1 or (output and output[0] != ""):
                output.pop()
        elif segment != ".":
            output.append(segment)
    if path.split("/")[-1] in (".", ".."):
        output.append("")
    return "/" + "/".join(output)


def normalise_next_path(next_path):
    """The path the browser would land on for ``next_path``: percent-decoded and its dot segments
    resolved, query and fragment kept. Fails, with the accepted form, on anything that could leave
    the provider's site (``//host``, ``/..//host``, ``/%2F%2Fhost``, ``/\\host``)."""
    if next_path is None:
        return None
    decoded = next_path
    for _round in range(MAX_DECODE_ROUNDS + 1):
        once = unquote(decoded)
        if once == decoded:
            break
        decoded = once
    else:
        raise ModuleFailure("next must be %s; got %r, which is encoded more than %d times over" % (
            ACCEPTED_NEXT, next_path, MAX_DECODE_ROUNDS))
    # Browsers read "/\\host" as "//host"; control characters and blanks can smuggle the same.
    unsafe = "\\" in decoded or any(ord(char) < 33 or ord(char) == 127 for char in decoded)
    path, separator, rest = decoded.partition("?") if "?" in decoded else decoded.partition("#")
    if not path.startswith("/") or unsafe:
        raise ModuleFailure("next must be %s; got %r" % (ACCEPTED_NEXT, next_path))
    resolved = remove_dot_segments(path)
    if resolved.startswith("//") or path.startswith("//"):
        raise ModuleFailure("next must be %s; got %r, which resolves to %r: another host" % (
            ACCEPTED_NEXT, next_path, resolved + separator + rest))
    return resolved + separator + rest


class SsoLinkModule(VpsModule):
    operations = ("sso_link",)

    def execute(self):
        next_path = normalise_next_path(self.params["next"])
        server_id = None
        if self.params["id"] or self.params["name"]:
            server_id = require_server(self.adapter, server_id=self.params["id"], name=self.params["name"])["id"]
        if self.check_mode:
            # Minting is a POST that creates a live login token: not something check mode may do.
            self.result.update(url=None, expires_in=None, server_id=server_id)
            return
        answer = self.adapter.sso_link(next_path=next_path, server_id=server_id)
        self.result.update(url=answer.get("url"), expires_in=answer.get("expiresIn"), server_id=server_id)


def main():
    module = VpsModule.build_module(
        argument_spec=dict(name=dict(type="str"), id=dict(type="str"), next=dict(type="str")),
        mutually_exclusive=[("id", "name")],
    )
    SsoLinkModule(module).run()


if __name__ == "__main__":
    main()
