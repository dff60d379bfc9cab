# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""How often vps_server lists the servers before it orders: once to find the name, once more under the
order lock (a run that waited for the lock finds what the other one ordered); that second listing also
gives the ids known before the order, so none is read a third time."""

from __future__ import annotations

import pytest

from ansible_collections.vpsfleet.cloud.plugins.modules import vps_server
from ansible_collections.vpsfleet.cloud.tests.unit.plugins.modules._lifecycle_sandbox import (  # noqa: F401  pylint: disable=unused-import
    api_requests, connect_args, sandbox, sandbox_process)
from ansible_collections.vpsfleet.cloud.tests.unit.plugins.modules._run import run_module

ORDERS = {
    "vpscrypto": dict(name="web-1", plan="hunter", location="nl", os="debian-13"),
    "otwa": dict(name="api-1", plan="Cloud S", location="de-fra-01", os="debian-13"),
}


@pytest.mark.parametrize("provider", sorted(ORDERS))
def test_an_order_lists_the_servers_twice_before_it_is_sent(sandbox, provider):
    args = connect_args(sandbox, provider, wait=False, **ORDERS[provider])

    run = run_module(vps_server.main, args)

    assert not run.failed, run.result
    requests = api_requests(sandbox)
    before_order = requests[:requests.index("POST /servers")]
    assert before_order.count("GET /servers") == 2
