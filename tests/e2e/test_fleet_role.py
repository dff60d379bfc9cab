"""The fleet role against the API-only sandbox (no SSH machines, no root needed).

It pays or orders nothing while a balance it will not top up falls short, orders VPSCrypto last, and
the hosts it adds in memory get the groups and vps_* variables the dynamic inventory gives the same
servers.
"""

from __future__ import annotations

import json

import pytest
from eth_account import Account

from vps_sandbox.main_job import MainJob
from vps_sandbox.testing import SandboxProcess

WEB = {"name": "web-1", "provider": "vpscrypto", "plan": "hunter", "location": "nl", "os": "debian-13"}
DB = {"name": "db-1", "provider": "otwa", "plan": "Cloud S", "location": "de-fra-01", "os": "debian-13",
      "groups": ["db"]}
# Writes each in-memory host's groups and vps_* variables to a file on the controller.
GROUPS_PLAYBOOK = """\
- name: Order the fleet
  hosts: localhost
  connection: local
  gather_facts: false
  vars:
    fleet_wait_for_ssh: false
  roles:
    - role: vpsfleet.cloud.fleet

- name: Record what the in-memory hosts look like
  hosts: vps_fleet
  gather_facts: false
  tasks:
    - name: Write the host's groups and vps_* variables
      ansible.builtin.copy:
        content: "{{ {'groups': group_names, 'vars': hostvars[inventory_hostname] | dict2items
                     | selectattr('key', 'match', 'vps_') | rejectattr('key', 'equalto', 'vps_fleet')
                     | items2dict} | to_json }}"
        dest: "{{ playbook_dir }}/in-memory-{{ inventory_hostname }}.json"
        mode: "0600"
      delegate_to: localhost
"""


@pytest.fixture(scope="module")
def sandbox():
    with SandboxProcess(machines="none", provision_delay=0.2) as process:
        yield process


@pytest.fixture
def clean_sandbox(sandbox):
    sandbox.reset()
    return sandbox


def x402_topup_vars(sandbox):
    """Extra variables and environment of a role run that may top VPSCrypto up from a funded wallet."""
    wallet = Account.create()
    sandbox.fund_wallet(wallet.address, 100)
    extra_vars = {"fleet_topup_enabled": True, "fleet_topup_coin": "USDCBASE", "fleet_topup_amount": 25,
                  "fleet_topup_max_usd": 100, "fleet_topup_expected_pay_to": sandbox.configure()["x402_pay_to"]}
    return extra_vars, {"VPSFLEET_WALLET_KEY": "0x" + bytes(wallet.key).hex()}


def test_a_short_balance_that_is_not_topped_up_stops_the_role_before_any_payment_or_order(
        clean_sandbox, collections_dir, tmp_path):
    # VPSCrypto would be topped up and ordered before the Otwa order failed.
    extra_vars, extra_env = x402_topup_vars(clean_sandbox)
    job = MainJob(clean_sandbox, tmp_path, collections_dir, fleet=[WEB, DB], balances={"vpscrypto": 5, "otwa": 1},
                  extra_vars=extra_vars, extra_env=extra_env)

    run = job.order()

    assert run.returncode != 0
    assert "otwa: the 1 missing server(s)" in run.stdout, run.stdout[-3000:]
    assert "so nothing was paid or ordered" in run.stdout
    assert job.credits() == [] and job.charges() == [] and job.servers() == []


@pytest.mark.parametrize("short, label", [("vpscrypto", "VPSCrypto"), ("otwa", "Otwa Cloud")])
def test_a_short_balance_at_either_provider_stops_the_role_before_any_order(
        clean_sandbox, collections_dir, tmp_path, short, label):
    # Without a top-up the one order task checks every balance before any provider orders.
    balances = {"vpscrypto": 100, "otwa": 100}
    balances[short] = 1
    job = MainJob(clean_sandbox, tmp_path, collections_dir, fleet=[WEB, DB], balances=balances)

    run = job.order()

    assert run.returncode != 0
    assert "%s: insufficient balance" % label in run.stdout and "nothing was ordered" in run.stdout, run.stdout[-3000:]
    assert job.charges() == [] and job.servers() == []


def test_check_mode_orders_nothing_and_fails_on_a_short_balance(clean_sandbox, collections_dir, tmp_path):
    job = MainJob(clean_sandbox, tmp_path, collections_dir, fleet=[WEB, DB], balances={"vpscrypto": 100, "otwa": 1})

    run = job.run("ansible-playbook", "--check", "-i", job.hosts, job.order_playbook, "-e", "@" + str(job.fleet_vars))

    assert run.returncode != 0
    assert "otwa: the 1 missing server(s)" in run.stdout, run.stdout[-3000:]
    assert job.charges() == [] and job.servers() == []


def test_the_in_memory_hosts_get_the_groups_and_variables_of_the_dynamic_inventory(
        clean_sandbox, collections_dir, tmp_path):
    job = MainJob(clean_sandbox, tmp_path, collections_dir, fleet=[WEB, DB])
    playbook = tmp_path / "groups.yml"
    playbook.write_text(GROUPS_PLAYBOOK, encoding="utf-8")

    run = job.run("ansible-playbook", "-i", job.hosts, playbook, "-e", "@" + str(job.fleet_vars))
    listed = job.run("ansible-inventory", "-i", job.inventory_source, "--list", "--export")

    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert listed.returncode == 0, listed.stderr
    inventory = json.loads(listed.stdout)
    for name in ("web-1", "db-1"):
        in_memory = json.loads((tmp_path / ("in-memory-%s.json" % name)).read_text(encoding="utf-8"))
        synced_groups = {group for group, body in inventory.items()
                         if name in (body.get("hosts") or []) and not group.startswith("vps_account_")}
        assert synced_groups, inventory
        assert synced_groups <= set(in_memory["groups"])
        # What the in-memory host has beyond the synced inventory: the run's own groups only.
        assert set(in_memory["groups"]) - synced_groups == ({"vps_fleet", "db"} if name == "db-1" else {"vps_fleet"})
        synced_vars = inventory["_meta"]["hostvars"][name]
        for variable, value in in_memory["vars"].items():
            assert unwrap(synced_vars[variable]) == value, variable


def unwrap(value):
    """ansible-inventory's JSON marks untrusted strings as {"__ansible_unsafe": ...}."""
    if isinstance(value, dict) and set(value) == {"__ansible_unsafe"}:
        return value["__ansible_unsafe"]
    return value
