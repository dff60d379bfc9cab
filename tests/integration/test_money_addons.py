# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Otwa Cloud add-ons against the sandbox: check mode charges nothing, one purchase per type."""

from __future__ import annotations

import pathlib

PLAYBOOK = pathlib.Path(__file__).resolve().parent / "playbooks" / "money_addons.yml"
OTWA_SCOPES = ["account:read", "servers:read", "servers:write"]


def test_addons_are_bought_once_per_type_and_only_within_the_price_limit(clean_sandbox, ansible):
    account = clean_sandbox.create_account("otwa", balance_usd=100, scopes=OTWA_SCOPES)
    clean_sandbox.seed_servers(account["api_key"], 1, name_prefix="web")
    env = {"OTWA_API_KEY": account["api_key"], "OTWA_API_URL": clean_sandbox.otwa_url}

    run = ansible.playbook(PLAYBOOK, extra_vars={"server": "web-0001"}, env=env)

    assert run.rc == 0, run.stdout + run.stderr
    results = {task["task"]["name"]: task["hosts"]["localhost"] for task in run.json["plays"][0]["tasks"]}
    backups = [addon for addon in results["List the add-ons"]["addons"] if addon["name"] == "Daily Backups"][0]
    assert backups["owned"] is False and 0 < backups["prorated_price_usd"] <= 5
    assert results["Buy backups in check mode"]["changed"] is True
    assert results["Buy backups in check mode"]["addon"]["prorated_price_usd"] == backups["prorated_price_usd"]
    assert results["Buy backups"]["changed"] is True
    assert results["Buy backups"]["purchase"]["charged_usd"] == backups["prorated_price_usd"]
    assert results["Buy backups again"]["changed"] is False
    assert results["Buy eight IPs for at most one cent"]["failed"] is True
    assert "above max_prorated_price" in results["Buy eight IPs for at most one cent"]["msg"]
    assert results["Buy a second extra-ip add-on after the first"]["purchase"]["allocated_ip_count"] == 1
    assert results["Buy eight IPs while an extra-ip add-on is active"]["changed"] is False
    charges = [entry for entry in clean_sandbox.ledger(provider="otwa", account=account["account_id"])
               if entry["kind"] == "charge"]
    assert sorted(entry["description"].split(" for ")[0] for entry in charges) == [
        "Add-on 1 Additional IP", "Add-on Daily Backups"]
