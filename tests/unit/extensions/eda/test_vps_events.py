# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The vps_events source, driven through main(queue, args) against the sandbox: one event per change."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time

import pytest
import yaml

from ansible_collections.vpsfleet.cloud.extensions.eda.plugins.event_source import vps_events
from ansible_collections.vpsfleet.cloud.tests.unit.plugins.modules._lifecycle_sandbox import (  # noqa: F401  pylint: disable=unused-import
    connect, order_directly, sandbox, sandbox_process,
)
from vps_sandbox.testing import call_api

DAY = 86400
WAIT_SECONDS = 20
SOURCE = os.path.join("extensions", "eda", "plugins", "event_source", "vps_events.py")


class RunningSource(object):
    """main(queue, args) running as a task, with ways to wait for polls and events."""

    def __init__(self, sandbox, args):
        self.sandbox = sandbox
        self.args = dict(dict(interval=0.05, api_retries=0), **args)
        self.queue = asyncio.Queue()
        self.task = None

    async def __aenter__(self):
        self.task = asyncio.ensure_future(vps_events.main(self.queue, self.args))
        await self.polls(1)
        return self

    async def __aexit__(self, *exc_info):
        self.task.cancel()
        await asyncio.gather(self.task, return_exceptions=True)

    def _server_reads(self):
        return sum(1 for entry in self.sandbox.requests_log() if entry["method"] == "GET" and entry["path"] == "/servers")

    async def polls(self, count):
        """Wait until `count` more polls have read the servers (and their events are queued)."""
        target = self._server_reads() + count
        deadline = time.monotonic() + WAIT_SECONDS
        while self._server_reads() < target + 1:  # one more started: the awaited ones have finished
            assert time.monotonic() < deadline, "the source stopped polling"
            assert not self.task.done(), self.task
            await asyncio.sleep(0.02)

    async def event(self):
        return await asyncio.wait_for(self.queue.get(), WAIT_SECONDS)

    def pending(self):
        found = []
        while not self.queue.empty():
            found.append(self.queue.get_nowait())
        return found


def run(scenario):
    return asyncio.run(scenario())


def types(events):
    return [item["vps"]["type"] for item in events]


def test_servers_that_exist_at_start_are_the_baseline_and_give_no_event(sandbox):
    args, _account = connect(sandbox, "vpscrypto", balance_usd=100)
    sandbox.seed_servers(args["api_key"], 3)
    queue = asyncio.Queue()
    run(lambda: vps_events.main(queue, dict(provider="vpscrypto", api_key=args["api_key"], api_url=args["api_url"],
                                            interval=0.01, max_polls=3)))
    assert queue.empty()


def test_a_new_server_gives_one_server_created_event_and_no_repeat(sandbox):
    args, _account = connect(sandbox, "vpscrypto", balance_usd=100)
    sandbox.configure(provision_delay=3600)  # it stays provisioning

    async def scenario():
        async with RunningSource(sandbox, dict(provider="vpscrypto", api_key=args["api_key"],
                                               api_url=args["api_url"])) as source:
            created = order_directly(sandbox, args, {"plan": "scout", "location": "nl", "os": "debian-13",
                                                     "hostname": "web-1"})
            first = await source.event()
            await source.polls(3)
            return created, first, source.pending()
    created, first, later = run(scenario)
    assert first["vps"]["type"] == "server_created"
    assert (first["vps"]["server"]["id"], first["vps"]["server"]["name"]) == (str(created["id"]), "web-1")
    assert (first["vps"]["account"], first["vps"]["provider"], first["vps"]["runway"]) == ("vpscrypto", "vpscrypto", None)
    assert later == []


def events_after_a_call_on_a_running_otwa_server(sandbox, method, path):
    """The first event after ``method path`` (``{id}`` the server) on a running Otwa server, and the events of
    three more polls."""
    args, _account = connect(sandbox, "otwa", balance_usd=100)
    server_id = sandbox.seed_servers(args["api_key"], 1, status="running")["ids"][0]

    async def scenario():
        async with RunningSource(sandbox, dict(provider="otwa", api_key=args["api_key"],
                                               api_url=args["api_url"])) as source:
            call_api(method, args["api_url"] + path.format(id=server_id), key=args["api_key"])
            first = await source.event()
            await source.polls(3)
            return first, source.pending(), server_id
    return run(scenario)


def test_a_stopped_server_gives_server_status_changed_with_previous(sandbox):
    changed, later, _server_id = events_after_a_call_on_a_running_otwa_server(sandbox, "POST", "/servers/{id}/power/stop")
    assert (changed["vps"]["type"], changed["vps"]["previous"], changed["vps"]["server"]["status"]) == (
        "server_status_changed", "running", "stopped")
    assert later == []


def test_a_new_server_reaching_running_gives_its_ip_once(sandbox):
    args, _account = connect(sandbox, "vpscrypto", balance_usd=100)
    sandbox.configure(provision_delay=0.5)

    async def scenario():
        async with RunningSource(sandbox, dict(provider="vpscrypto", api_key=args["api_key"],
                                               api_url=args["api_url"])) as source:
            order_directly(sandbox, args, {"plan": "scout", "location": "nl", "os": "debian-13"})
            found = [await source.event(), await source.event(), await source.event()]
            await source.polls(3)
            return found, source.pending()
    found, later = run(scenario)
    assert types(found) == ["server_created", "server_status_changed", "server_ip_changed"]
    assert found[1]["vps"]["previous"] == "provisioning" and found[1]["vps"]["server"]["status"] == "running"
    assert found[2]["vps"]["previous"] is None and found[2]["vps"]["server"]["ip"]
    assert later == []


def test_a_terminated_server_gives_server_terminated_once(sandbox):
    gone, later, server_id = events_after_a_call_on_a_running_otwa_server(sandbox, "DELETE", "/servers/{id}")
    assert (gone["vps"]["type"], gone["vps"]["previous"], gone["vps"]["server"]["id"]) == (
        "server_terminated", "running", server_id)
    assert later == []


def test_a_short_runway_gives_runway_short_once_and_a_covering_top_up_runway_restored(sandbox):
    args, _account = connect(sandbox, "vpscrypto", balance_usd=5)
    sandbox.seed_servers(args["api_key"], 1, plan="scout")  # 7 USD a month, renewing in a month

    async def scenario():
        async with RunningSource(sandbox, dict(provider="vpscrypto", api_key=args["api_key"], api_url=args["api_url"],
                                               runway_days=30, min_runway_days=7)) as source:
            sandbox.advance_clock(20 * DAY)  # the renewal is 11 days away: not covered, but not soon
            await source.polls(2)
            quiet = source.pending()
            sandbox.advance_clock(7 * DAY)  # 4 days away
            short = await source.event()
            await source.polls(3)
            repeated = source.pending()
            invoice = call_api("POST", args["api_url"] + "/topups", key=args["api_key"], body={"amount": 25, "coin": "BTC"})
            sandbox.control("POST", "/topups/%s/settle" % invoice.body["ref"])
            restored = await source.event()
            return quiet, short, repeated, restored
    quiet, short, repeated, restored = run(scenario)
    assert quiet == []
    assert short["vps"]["type"] == "runway_short" and short["vps"]["server"] is None
    figures = short["vps"]["runway"]
    assert (figures["balance_usd"], figures["due_usd"], figures["covered"], figures["short_usd"]) == (5.0, 7.0, False, 2.0)
    assert repeated == []
    assert restored["vps"]["type"] == "runway_restored" and restored["vps"]["runway"]["covered"] is True


def test_a_sustained_outage_gives_one_api_outage_event_and_the_source_keeps_polling(sandbox):
    args, _account = connect(sandbox, "vpscrypto", balance_usd=100)

    async def scenario():
        async with RunningSource(sandbox, dict(provider="vpscrypto", api_key=args["api_key"], api_url=args["api_url"],
                                               outage_after=2)) as source:
            sandbox.configure(faults=[{"method": "GET", "path": "^/servers$", "kind": "503", "times": 6}])
            outage = await source.event()
            restored = await source.event()
            return outage, restored, source.task.done()
    outage, restored, stopped = run(scenario)
    assert outage["vps"]["type"] == "api_outage" and "503" in outage["vps"]["error"]
    assert restored["vps"]["type"] == "api_restored"
    assert not stopped


def test_events_never_carry_the_api_key(sandbox):
    args, _account = connect(sandbox, "vpscrypto", balance_usd=10)
    sandbox.configure(provision_delay=0.1)
    sandbox.seed_servers(args["api_key"], 1, plan="scout")

    async def scenario():
        async with RunningSource(sandbox, dict(provider="vpscrypto", api_key=args["api_key"], api_url=args["api_url"],
                                               outage_after=1)) as source:
            order_directly(sandbox, args, {"plan": "scout", "location": "nl", "os": "debian-13"})
            sandbox.advance_clock(31 * DAY)
            sandbox.configure(faults=[{"method": "GET", "path": "^/servers$", "kind": "503", "times": 2}])
            return [await source.event() for _index in range(4)]
    events = run(scenario)
    assert "api_outage" in types(events)
    text = json.dumps(events)
    assert args["api_key"] not in text and "password" not in text


@pytest.mark.parametrize("args, message", [
    (dict(provider="vpscrypto", api_key="k", runway_days=10, min_runway_days=11), "must not exceed runway_days"),
    (dict(provider="vpscrypto", api_key="k", accounts=[{"provider": "otwa", "api_key": "k"}]), "not both"),
    (dict(accounts=[{"provider": "aws", "api_key": "k"}]), "accounts[0].provider must be one of"),
    (dict(provider="otwa", api_key="k", interval=0), "interval must be a number"),
    (dict(provider="otwa", api_key="k", intervall=5), "unknown argument.s. intervall"),
    (dict(accounts=[{"provider": "otwa", "apikey": "k"}]), "accounts.0.: unknown key.s. apikey"),
])
def test_wrong_arguments_stop_the_source_at_start_saying_what_is_accepted(args, message):
    with pytest.raises(vps_events.SourceError, match=message.replace("[", r"\[").replace("]", r"\]")):
        asyncio.run(vps_events.main(asyncio.Queue(), args))


def test_each_poll_reads_the_catalog_afresh_so_a_long_running_source_sees_new_prices(sandbox):
    args, _account = connect(sandbox, "otwa", balance_usd=100)
    sandbox.configure(otwa_convenience_fields=False)  # as the real API: prices come from /products
    sandbox.seed_servers(args["api_key"], 1)
    sandbox.control("DELETE", "/requests")
    run(lambda: vps_events.main(asyncio.Queue(), dict(provider="otwa", api_key=args["api_key"],
                                                      api_url=args["api_url"], interval=0.01, max_polls=3)))
    assert [entry["path"] for entry in sandbox.requests_log()].count("/products") == 3


def test_the_documented_options_are_the_arguments_the_source_takes():
    documented = yaml.safe_load(vps_events.DOCUMENTATION)["options"]
    assert sorted(documented) == sorted(vps_events.ARGUMENTS)


def test_run_as_ansible_rulebook_runs_it_the_source_imports_the_collection_it_is_installed_in(tmp_path):
    # runpy.run_path, with nothing but the standard path: the file finds its collection above itself.
    tree = os.environ["ANSIBLE_COLLECTIONS_PATH"].split(os.pathsep)[0]
    path = os.path.join(tree, "ansible_collections", "vpsfleet", "cloud", SOURCE)
    code = "import runpy, sys; module = runpy.run_path(sys.argv[1]); print(callable(module['main']))"
    env = dict(os.environ, PYTHONPATH="")
    done = subprocess.run([sys.executable, "-c", code, path], capture_output=True, text=True, env=env, cwd=str(tmp_path),
                          check=False)
    assert (done.returncode, done.stdout.strip()) == (0, "True"), done.stderr


def test_outside_an_installed_collection_the_source_says_it_must_be_installed(tmp_path):
    lone = tmp_path / "vps_events.py"
    with open(os.path.join(os.path.dirname(os.path.abspath(vps_events.__file__)), "vps_events.py")) as source:
        lone.write_text(source.read())
    code = "import runpy, sys; runpy.run_path(sys.argv[1])"
    done = subprocess.run([sys.executable, "-c", code, str(lone)], capture_output=True, text=True,
                          env=dict(os.environ, PYTHONPATH=""), cwd=str(tmp_path), check=False)
    assert done.returncode != 0 and "must run from an installed collection" in done.stderr


def test_each_failed_poll_in_a_row_doubles_the_wait_up_to_ten_intervals():
    account = vps_events.WatchedAccount("main", "vpscrypto", None, vps_events.settings_from({"interval": 2}))
    delays = [account.next_delay()]
    for _failure in range(6):
        account.failed(RuntimeError("down"))
        delays.append(account.next_delay())
    assert delays == [2, 4, 8, 16, 20, 20, 20]
