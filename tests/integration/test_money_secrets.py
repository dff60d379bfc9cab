# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""At -vvvv, the money and credential plays print no API key, login token, wallet key, root password
or signed payment header."""

from __future__ import annotations

import base64
import json
import pathlib
import re

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


# Keys taken from the environment, with no task-level no_log anywhere: the modules alone must hide them.
ENVIRONMENT_KEYS_PLAY = """
- name: Secrets from the environment only
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Pay a top-up with the wallet key from VPSFLEET_WALLET_KEY
      vpsfleet.cloud.vps_topup:
        provider: vpscrypto
        amount: 25
        coin: USDCBASE
      register: paid

    - name: Order a server with a chosen root password
      vpsfleet.cloud.vps_server:
        provider: vpscrypto
        name: secret-web-1
        plan: hunter
        location: nl
        os: debian-13
        root_password: "{{ lookup('ansible.builtin.env', 'ROOT_PASSWORD_FOR_TEST') }}"
        wait: false

    - name: The payment went through
      ansible.builtin.assert:
        that:
          - paid is changed
          - paid.payment.amount_base_units == '25000000'
"""

# A base64 run long enough to be a payment header (a signed authorization is several hundred characters).
_BASE64_RUN = re.compile(r"[A-Za-z0-9+/]{200,}={0,2}")


def signed_payment_documents(text):
    """Every base64 run in ``text`` that decodes to a JSON object carrying a payment signature."""
    found = []
    for run in _BASE64_RUN.findall(text):
        try:
            document = json.loads(base64.b64decode(run + "=" * (-len(run) % 4)))
        except ValueError:
            continue
        if isinstance(document, dict) and "signature" in json.dumps(document):
            found.append(document)
    return found


def test_keys_from_the_environment_and_the_payment_header_stay_out_of_the_verbose_output(
        clean_sandbox, ansible):
    wallet = eth_account.Account.create()
    wallet_key = wallet.key.hex()
    clean_sandbox.fund_wallet(wallet.address, 100)
    account = clean_sandbox.create_account("vpscrypto", balance_usd=100)
    root_password = "Env-Root-Pass-0123456789"

    run = ansible.playbook(ENVIRONMENT_KEYS_PLAY, "-vvvv", json_output=False, env={
        "VPSCRYPTO_API_KEY": account["api_key"], "VPSCRYPTO_API_URL": clean_sandbox.vpscrypto_url,
        "VPSFLEET_WALLET_KEY": wallet_key, "ROOT_PASSWORD_FOR_TEST": root_password})

    output = run.stdout + run.stderr
    assert run.rc == 0, output
    assert "<localhost> EXEC" in output, "the run was not verbose"
    secrets = {"API key": account["api_key"], "wallet key": wallet_key,
               "wallet key without 0x": wallet_key.removeprefix("0x"), "root password": root_password}
    leaked = [name for name, value in secrets.items() if value in output]
    assert leaked == []
    assert signed_payment_documents(output) == []
