# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""At -vvvv, the money and credential plays print no API key, login token or wallet key."""

from __future__ import annotations

import json
import pathlib

import pytest

eth_account = pytest.importorskip("eth_account")

PLAYBOOK = pathlib.Path(__file__).resolve().parent / "playbooks" / "money_secrets.yml"


def test_no_secret_appears_in_the_verbose_output(clean_sandbox, ansible, tmp_path):
    wallet = eth_account.Account.create()
    wallet_key = wallet.key.hex()
    clean_sandbox.fund_wallet(wallet.address, 100)
    secrets_file = tmp_path / "secrets.json"

    run = ansible.playbook(
        PLAYBOOK, "-vvvv", json_output=False,
        extra_vars={"vpscrypto_url": clean_sandbox.vpscrypto_url, "secrets_file": str(secrets_file)},
        env={"WALLET_KEY_FOR_TEST": wallet_key})

    output = run.stdout + run.stderr
    assert run.rc == 0, output
    assert "ok: [localhost]" in output and "<localhost> EXEC" in output, "the run was not verbose"
    account_key, login_token, minted_key = json.loads(secrets_file.read_text())
    secrets = {"account API key": account_key, "login token": login_token, "minted API key": minted_key,
               "wallet key": wallet_key, "wallet key without 0x": wallet_key.removeprefix("0x")}
    assert all(len(value) >= 20 for value in secrets.values())
    leaked = [name for name, value in secrets.items() if value in output]
    assert leaked == []
