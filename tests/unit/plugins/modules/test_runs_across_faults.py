# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Money safety across runs against the sandbox: derived Idempotency-Keys, journaled intents, duplicates."""

from __future__ import annotations

import os
import threading

from ansible_collections.vpsfleet.cloud.plugins.module_utils._providers.vpscrypto import VpsCryptoAdapter
from ansible_collections.vpsfleet.cloud.plugins.modules import vps_api_key, vps_server, vps_topup
from ansible_collections.vpsfleet.cloud.tests.unit.plugins.modules._lifecycle_sandbox import (  # noqa: F401  pylint: disable=unused-import
    api_requests, connect, connect_args, order_directly, sandbox, sandbox_process, testing)
from ansible_collections.vpsfleet.cloud.tests.unit.plugins.modules._run import run_module

VPSCRYPTO_ORDER = dict(name="web-1", plan="hunter", location="nl", os="debian-13", wait=False)
OTWA_ORDER = dict(name="api-1", plan="Cloud S", location="de-fra-01", os="debian-13", wait=False)


def keys_sent(sandbox, method, path_start):
    return [entry.get("idempotency_key") for entry in sandbox.requests_log()
            if entry["method"] == method and entry["path"].startswith(path_start)]


def live(sandbox, account):
    return [server for server in sandbox.servers() if str(server["account"]) == str(account["account_id"])
            and server["status"] != "terminated"]


def test_a_rerun_that_cannot_see_the_first_order_yet_replays_it_with_the_same_key(sandbox):
    args, account = connect(sandbox, "otwa", api_retries=0, **OTWA_ORDER)
    sandbox.configure(list_lag=5, faults=[{"method": "POST", "path": "^/servers$", "kind": "drop_after_effect"}])

    first = run_module(vps_server.main, args)
    second = run_module(vps_server.main, args)

    assert first.failed and first.result["failure"]["outcome_unknown"] is True
    assert not second.failed, second.result
    keys = keys_sent(sandbox, "POST", "/servers")
    assert len(keys) == 2 and keys[0] == keys[1] and keys[0].startswith("vpsfleet-")
    assert len(live(sandbox, account)) == 1


def test_an_order_replayed_for_a_server_terminated_since_says_to_set_a_new_idempotency_key(sandbox):
    args, account = connect(sandbox, "otwa", **OTWA_ORDER)
    assert not run_module(vps_server.main, dict(args, wait=True)).failed
    assert not run_module(vps_server.main, dict(args, state="absent", wait=True)).failed

    again = run_module(vps_server.main, args)
    anew = run_module(vps_server.main, dict(args, idempotency_key="second"))

    assert again.failed and "set idempotency_key to a new value" in again.result["msg"]
    assert not anew.failed and anew.result["changed"] is True
    assert len(live(sandbox, account)) == 1


def test_an_order_replayed_for_a_live_server_takes_that_server_and_orders_nothing(sandbox):
    args, account = connect(sandbox, "otwa", **OTWA_ORDER)
    first = run_module(vps_server.main, dict(args, wait=True))
    server_id = first.result["server"]["id"]
    assert not run_module(vps_server.main, dict(args, id=server_id, name="renamed-by-hand")).failed

    again = run_module(vps_server.main, args)

    assert not again.failed, again.result
    assert again.result["server"]["id"] == server_id and again.result["server"]["name"] == "api-1"
    assert "root_password" not in again.result
    assert [server["id"] for server in live(sandbox, account)] == [server_id]


def test_a_second_reinstall_with_the_same_os_replays_the_first(sandbox):
    args, account = connect(sandbox, "otwa", **OTWA_ORDER)
    assert not run_module(vps_server.main, dict(args, wait=True)).failed
    rebuild = dict(args, state="rebuilt", os="debian-12", wait=True)

    assert not run_module(vps_server.main, rebuild).failed
    assert not run_module(vps_server.main, rebuild).failed

    keys = keys_sent(sandbox, "POST", "/servers/")
    assert len(keys) == 2 and keys[0] == keys[1]


def test_a_rerun_waits_for_an_order_of_unknown_outcome_and_then_fails_saying_what_is_pending(sandbox):
    args, account = connect(sandbox, "vpscrypto", api_retries=0, pending_grace=1, **VPSCRYPTO_ORDER)
    sandbox.configure(faults=[{"method": "POST", "path": "^/servers$", "kind": "504_late_effect",
                               "effect_delay": 60}])

    first = run_module(vps_server.main, args)
    second = run_module(vps_server.main, args)

    assert first.failed and "intent journal" in first.result["msg"]
    assert "safe" not in first.result["msg"]
    assert second.failed
    assert "an earlier run ordered 'web-1' but lost the answer" in second.result["msg"]
    assert "abandon_pending=true" in second.result["msg"] and "vps_server_info" in second.result["msg"]
    assert api_requests(sandbox, "POST") == ["POST /servers"]


def test_abandoning_a_pending_order_orders_again_and_warns_naming_it(sandbox, capsys):
    args, account = connect(sandbox, "vpscrypto", api_retries=0, pending_grace=0, **VPSCRYPTO_ORDER)
    sandbox.configure(faults=[{"method": "POST", "path": "^/servers$", "kind": "504"}])
    assert run_module(vps_server.main, args).failed

    run = run_module(vps_server.main, dict(args, abandon_pending=True))

    assert not run.failed and run.result["changed"] is True
    assert len(live(sandbox, account)) == 1
    assert "dropped the unresolved order of 'web-1'" in capsys.readouterr().err


def test_a_namesake_ordered_by_a_concurrent_run_fails_the_task_naming_both(sandbox, monkeypatch):
    args, account = connect(sandbox, "vpscrypto", **VPSCRYPTO_ORDER)
    original = VpsCryptoAdapter.order_server

    def order_with_a_concurrent_run(adapter, order, known_ids=()):
        order_directly(sandbox, args, {"plan": "hunter", "location": "nl", "os": "debian-13", "hostname": "web-1"})
        return original(adapter, order, known_ids=known_ids)

    monkeypatch.setattr(VpsCryptoAdapter, "order_server", order_with_a_concurrent_run)
    run = run_module(vps_server.main, args)

    servers = live(sandbox, account)
    assert run.failed and len(servers) == 2
    assert "duplicate servers" in run.result["msg"] and "concurrent run" in run.result["msg"]
    for server in servers:
        assert "id %s" % server["id"] in run.result["msg"]
    assert "$" in run.result["msg"] and "dashboard" in run.result["msg"]
    assert run.result["changed"] is True


def test_a_namesake_that_lands_just_after_the_first_read_back_still_fails_the_task(sandbox, monkeypatch):
    from ansible_collections.vpsfleet.cloud.plugins.module_utils._services import order_guard as _order_guard
    monkeypatch.setattr(_order_guard, "DUPLICATE_SETTLE_SECONDS", 1.5)
    args, account = connect(sandbox, "vpscrypto", **VPSCRYPTO_ORDER)
    original = VpsCryptoAdapter.order_server
    concurrent = []

    def order_then_a_concurrent_run_orders_too(adapter, order, known_ids=()):
        answer = original(adapter, order, known_ids=known_ids)
        body = {"plan": "hunter", "location": "nl", "os": "debian-13", "hostname": "web-1"}
        concurrent.append(threading.Timer(0.3, order_directly, (sandbox, args, body)))
        concurrent[0].start()
        return answer

    monkeypatch.setattr(VpsCryptoAdapter, "order_server", order_then_a_concurrent_run_orders_too)
    run = run_module(vps_server.main, args)
    concurrent[0].join(10)

    assert len(live(sandbox, account)) == 2
    assert run.failed and "duplicate servers" in run.result["msg"]


def test_a_mint_of_unknown_outcome_is_looked_for_before_minting_again(sandbox):
    args = connect_args(sandbox, "vpscrypto", api_retries=0, pending_grace=1, name="ci")
    sandbox.configure(faults=[{"method": "POST", "path": "^/keys$", "kind": "504_late_effect", "effect_delay": 60}])

    first = run_module(vps_api_key.main, args)
    second = run_module(vps_api_key.main, args)

    assert first.failed and "intent journal" in first.result["msg"]
    assert second.failed and "abandon_pending=true" in second.result["msg"]
    assert api_requests(sandbox, "POST") == ["POST /keys"]


def test_an_invoice_of_unknown_outcome_is_reported_and_a_new_one_made(sandbox, capsys):
    args = connect_args(sandbox, "vpscrypto", api_retries=0, amount=30, coin="BTC")
    sandbox.configure(faults=[{"method": "POST", "path": "^/topups$", "kind": "504"}])
    assert run_module(vps_topup.main, args).failed

    run = run_module(vps_topup.main, args)

    assert not run.failed and run.result["topup"]["status"] == "pending"
    warnings = run.result.get("warnings", []) + [capsys.readouterr().err]
    assert any("never shown" in warning for warning in warnings)


def test_abandoning_a_pending_mint_warns_naming_it(sandbox, capsys):
    args = connect_args(sandbox, "vpscrypto", api_retries=0, pending_grace=0, name="ci")
    sandbox.configure(faults=[{"method": "POST", "path": "^/keys$", "kind": "504"}])
    assert run_module(vps_api_key.main, args).failed

    run = run_module(vps_api_key.main, dict(args, abandon_pending=True))

    assert not run.failed
    assert "dropped the unresolved mint of API key 'ci'" in capsys.readouterr().err


def test_abandoning_a_pending_topup_warns_naming_it(sandbox, capsys):
    args = connect_args(sandbox, "vpscrypto", api_retries=0, amount=30, coin="BTC")
    sandbox.configure(faults=[{"method": "POST", "path": "^/topups$", "kind": "504"}])
    assert run_module(vps_topup.main, args).failed

    run = run_module(vps_topup.main, dict(args, abandon_pending=True))

    assert not run.failed
    assert "dropped the unresolved invoice top-up of 30 USD" in capsys.readouterr().err


def test_a_mint_waits_for_the_account_lock_and_mints_nothing_when_it_stays_held(sandbox):
    from ansible_collections.vpsfleet.cloud.plugins.module_utils._core.journal import Journal, account_ref
    args = connect_args(sandbox, "vpscrypto", name="ci", lock_timeout=0)
    journal = Journal(os.environ["VPSFLEET_JOURNAL_DIR"], account_ref("vpscrypto", args["api_key"]))

    with journal.order_lock(5):  # a concurrent run on this controller is minting
        run = run_module(vps_api_key.main, args)

    assert run.failed and "nothing was ordered, paid or minted" in run.result["msg"]
    assert api_requests(sandbox, "POST") == []
