# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A classic top-up invoice against the sandbox: created below min_balance, settled, credited once."""

from __future__ import annotations

import pathlib

PLAYBOOKS = pathlib.Path(__file__).resolve().parent / "playbooks"


def task_results(run):
    """{task name: localhost result} of a json_results run."""
    return {task["task"]["name"]: task["hosts"]["localhost"] for task in run.json["plays"][0]["tasks"]}


def test_an_invoice_settled_in_the_sandbox_credits_the_balance_and_a_rerun_changes_nothing(clean_sandbox, ansible):
    account = clean_sandbox.create_account("vpscrypto", balance_usd=10)
    env = {"VPSCRYPTO_API_KEY": account["api_key"], "VPSCRYPTO_API_URL": clean_sandbox.vpscrypto_url}

    run = ansible.playbook(PLAYBOOKS / "money_invoice.yml", extra_vars={"control_url": clean_sandbox.url + "/_sandbox"},
                           env=env)

    assert run.rc == 0, run.stdout + run.stderr
    results = task_results(run)
    invoice = results["Make sure the balance is at least 50 USD"]
    assert invoice["changed"] is True
    assert invoice["topup"]["status"] == "pending"
    assert invoice["topup"]["deposit_address"] and invoice["topup"]["qr_data_uri"].startswith("data:")
    assert results["Wait until the invoice is completed"]["topup"]["status"] == "completed"
    assert results["Read the balance"]["account"]["balance_usd"] == 40.0
    again = results["Ask for at least 50 USD again"]
    assert again["changed"] is True, "40 USD is still below 50: a second invoice is due"
    credits = [entry for entry in clean_sandbox.ledger(provider="vpscrypto", account=account["account_id"])
               if entry["kind"] == "credit" and entry["reference"] == invoice["topup"]["ref"]]
    assert len(credits) == 1 and credits[0]["amount_usd"] == 30.0


def test_a_balance_at_min_balance_creates_no_invoice(clean_sandbox, ansible):
    account = clean_sandbox.create_account("vpscrypto", balance_usd=80)
    env = {"VPSCRYPTO_API_KEY": account["api_key"], "VPSCRYPTO_API_URL": clean_sandbox.vpscrypto_url}
    playbook = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Make sure the balance is at least 50 USD
      vpsfleet.cloud.vps_topup:
        provider: vpscrypto
        amount: 30
        coin: BTC
        min_balance: 50
"""

    run = ansible.playbook(playbook, env=env)

    assert run.rc == 0, run.stdout + run.stderr
    result = task_results(run)["Make sure the balance is at least 50 USD"]
    assert result["changed"] is False and result["topup"] is None
    assert [(entry["method"], entry["path"]) for entry in clean_sandbox.requests_log()] == [("GET", "/account")]
