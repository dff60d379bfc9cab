"""What callbacks (AWX job events) receive holds no secret, and the sweep that checks it sees every result.

Every ansible run of the integration tests records its task results through the result_recorder
callback; the `ansible` fixture sweeps them after each test. These tests pin the sweep itself and
the fleet order that once handed a root password to every callback.
"""

from __future__ import annotations

from vps_sandbox import secret_sweep

FLEET_ORDER_WITHOUT_WAITING = """
- name: Order a VPSCrypto fleet without waiting
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Order the missing servers
      vpsfleet.cloud.vps_fleet:
        provider: vpscrypto
        servers:
          - {name: web-1, plan: hunter, location: nl, os: debian-13}
        wait: false
"""

LEAKING_PLAY = """
- name: Print a secret the way a careless task would
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Show it in a loop item
      ansible.builtin.debug:
        msg: "the key is {{ item }}"
      loop: ["{{ lookup('ansible.builtin.env', 'VPSCRYPTO_API_KEY') }}"]
"""


def vpscrypto_env(sandbox, account):
    return {"VPSCRYPTO_API_KEY": account["api_key"], "VPSCRYPTO_API_URL": sandbox.vpscrypto_url}


def test_a_fleet_ordered_without_waiting_hands_no_root_password_to_the_callbacks(ansible, clean_sandbox):
    account = clean_sandbox.create_account("vpscrypto", balance_usd=100)

    run = ansible.playbook(FLEET_ORDER_WITHOUT_WAITING, env=vpscrypto_env(clean_sandbox, account))

    assert run.rc == 0, run.stdout + run.stderr
    recorded = secret_sweep.recorded_events(ansible.result_record)
    assert [event["task"] for event in recorded if event["event"] == "runner_on_ok"] == ["Order the missing servers"]
    assert ansible.secret_leaks(clean_sandbox.secrets()) == []


def test_the_sweep_finds_a_secret_in_a_loop_items_result(ansible, tmp_path, clean_sandbox):
    account = clean_sandbox.create_account("vpscrypto", balance_usd=0)
    # A CLI of its own, which the fixture does not sweep: this run is meant to leak.
    leaky = tmp_path / "leaky"
    leaky.mkdir()
    cli = type(ansible)(leaky)

    run = cli.playbook(LEAKING_PLAY, env=vpscrypto_env(clean_sandbox, account))

    assert run.rc == 0, run.stdout + run.stderr
    leaks = cli.secret_leaks(clean_sandbox.secrets())
    assert any(leak.startswith("runner_item_on_ok of task 'Show it in a loop item'") for leak in leaks)
