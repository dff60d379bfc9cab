# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Three ansible-playbook runs of one vps_fleet at once, with an offshore API's latency.

On one controller (one journal directory) they queue on the account's order lock, so each server is
ordered once at both providers. On separate machines (a journal directory each) Otwa still orders
once per name (the Idempotency-Key is derived from the request); VPSCrypto has no key, so a
duplicate can happen there, and then every run that ordered one of its servers fails naming them all.
"""

from __future__ import annotations

import concurrent.futures
import json
import re

LATENCY_MS = 400
FLEET = [
    {"name": "web-1", "provider": "vpscrypto", "plan": "hunter", "location": "nl", "os": "debian-13"},
    {"name": "web-2", "provider": "vpscrypto", "plan": "hunter", "location": "nl", "os": "debian-13"},
    {"name": "api-1", "provider": "otwa", "plan": "Cloud S", "location": "de-fra-01", "os": "debian-13"},
    {"name": "api-2", "provider": "otwa", "plan": "Cloud S", "location": "de-fra-01", "os": "debian-13"},
]
PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Order the fleet
      vpsfleet.cloud.vps_fleet:
        provider: "{{ item }}"
        servers: "{{ fleet }}"
        wait: false
      loop: [vpscrypto, otwa]
"""


def start_three_runs(sandbox, ansible, tmp_path, journal_dirs):
    vpscrypto = sandbox.create_account("vpscrypto", balance_usd=500)
    otwa = sandbox.create_account("otwa", balance_usd=500, scopes=["account:read", "servers:read", "servers:write"])
    sandbox.configure(latency_ms=LATENCY_MS)
    playbook = ansible.write("concurrent.yml", PLAYBOOK)
    env = {"VPSCRYPTO_API_KEY": vpscrypto["api_key"], "VPSCRYPTO_API_URL": sandbox.vpscrypto_url,
           "OTWA_API_KEY": otwa["api_key"], "OTWA_API_URL": sandbox.otwa_url}
    with concurrent.futures.ThreadPoolExecutor(3) as pool:
        futures = [pool.submit(ansible.playbook, playbook, extra_vars={"fleet": FLEET},
                               env=dict(env, VPSFLEET_JOURNAL_DIR=str(journal_dir)))
                   for journal_dir in journal_dirs]
        runs = [future.result() for future in futures]
    sandbox.configure(latency_ms=0)
    return runs, servers_per_name(sandbox, vpscrypto, otwa)


def servers_per_name(sandbox, vpscrypto, otwa):
    """{(provider, name): [server, ...]} of the live servers of the two accounts."""
    accounts = {("vpscrypto", str(vpscrypto["account_id"])), ("otwa", str(otwa["account_id"]))}
    found = {}
    for server in sandbox.servers():
        if (server["provider"], str(server["account"])) in accounts and server["status"] != "terminated":
            name = server["label"] if server["provider"] == "otwa" else server["hostname"]
            found.setdefault((server["provider"], name), []).append(server)
    return found


def item_results(run):
    """Every task result of a json_results run (loop items included)."""
    items = []
    for play in (run.json or {}).get("plays", []):
        for task in play["tasks"]:
            result = task["hosts"].get("localhost", {})
            items.extend(result.get("results", [result]))
    return items


def failure_messages(run):
    """Every failure message of a json_results run (loop items included)."""
    return [item.get("msg", "") for item in item_results(run) if item.get("failed")]


def print_counts(title, found):
    counts = dict(("%s/%s" % key, len(group)) for key, group in sorted(found.items()))
    print("%s: servers per name %s" % (title, json.dumps(counts)))


def test_three_runs_on_one_controller_order_each_server_once(clean_sandbox, ansible, tmp_path):
    shared = tmp_path / "journal"
    runs, found = start_three_runs(clean_sandbox, ansible, tmp_path, [shared, shared, shared])

    print_counts("one controller", found)
    assert [run.rc for run in runs] == [0, 0, 0], [failure_messages(run) or run.stderr[-2000:] for run in runs]
    assert sorted("%s/%s" % key for key in found) == ["otwa/api-1", "otwa/api-2", "vpscrypto/web-1",
                                                      "vpscrypto/web-2"]
    assert all(len(group) == 1 for group in found.values()), found


def test_three_runs_on_separate_machines_order_each_otwa_server_once_and_never_succeed_over_a_duplicate(
        clean_sandbox, ansible, tmp_path):
    runs, found = start_three_runs(clean_sandbox, ansible, tmp_path,
                                   [tmp_path / "machine-1", tmp_path / "machine-2", tmp_path / "machine-3"])

    print_counts("three machines", found)
    assert len(found[("otwa", "api-1")]) == 1 and len(found[("otwa", "api-2")]) == 1
    duplicated = dict((name, group) for (provider, name), group in found.items() if len(group) > 1)
    messages = [message for run in runs for message in failure_messages(run)]
    for name, group in duplicated.items():
        for server in group:
            # The run that ordered it read the servers back after the other orders showed, and failed.
            own = re.compile(r"id %s \([^)]*this run\)" % re.escape(str(server["id"])))
            assert any("duplicate servers" in message and own.search(message) for message in messages), (
                name, server["id"], messages)
    for run in runs:
        for item in item_results(run):
            if not item.get("failed"):
                assert not set(item.get("ordered") or []) & set(duplicated), (item.get("ordered"), duplicated)


ROLE_PLAYBOOK = """
- hosts: localhost
  connection: local
  gather_facts: false
  roles:
    - vpsfleet.cloud.fleet
"""


def test_three_runs_of_the_fleet_role_on_one_controller_order_each_server_once(clean_sandbox, ansible, tmp_path):
    vpscrypto = clean_sandbox.create_account("vpscrypto", balance_usd=500)
    otwa = clean_sandbox.create_account("otwa", balance_usd=500,
                                        scopes=["account:read", "servers:read", "servers:write"])
    clean_sandbox.configure(latency_ms=LATENCY_MS)
    playbook = ansible.write("role.yml", ROLE_PLAYBOOK)
    env = {"VPSCRYPTO_API_KEY": vpscrypto["api_key"], "OTWA_API_KEY": otwa["api_key"],
           "VPSFLEET_JOURNAL_DIR": str(tmp_path / "journal")}
    extra_vars = {"vps_fleet": FLEET, "fleet_wait_for_ssh": False,
                  "fleet_api_urls": {"vpscrypto": clean_sandbox.vpscrypto_url, "otwa": clean_sandbox.otwa_url}}
    with concurrent.futures.ThreadPoolExecutor(3) as pool:
        runs = list(pool.map(lambda dummy: ansible.playbook(playbook, extra_vars=extra_vars, env=env), range(3)))
    clean_sandbox.configure(latency_ms=0)

    found = servers_per_name(clean_sandbox, vpscrypto, otwa)
    print_counts("fleet role, one controller", found)
    assert [run.rc for run in runs] == [0, 0, 0], [failure_messages(run) or run.stderr[-2000:] for run in runs]
    assert len(found) == 4 and all(len(group) == 1 for group in found.values()), found
