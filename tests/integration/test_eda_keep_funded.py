# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""ansible-rulebook runs the keep-funded rulebook against the sandbox: one top-up for one short runway.

The real thing: ansible-rulebook (Java and Drools included) loads ``vpsfleet.cloud.keep_funded`` and the
``vps_events`` source from the installed collection; the rule runs ``vpsfleet.cloud.eda_keep_funded`` through
ansible-runner, which pays by x402.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time

import pytest

from conftest import collections_path

eth_account = pytest.importorskip("eth_account")

DAY = 86400
SANDBOX_PAY_TO = "0x5A9D1e8BA4f1c2d3E4f5A6b7C8d9E0F1a2b3c4D5"
WAIT_SECONDS = 180
EVENT_TYPE = re.compile(r"'type': '([a-z_]+)'")


def java_home():
    """JAVA_HOME for a Java 17+ runtime, or None (then the test is skipped, saying so)."""
    if os.environ.get("JAVA_HOME"):
        return os.environ["JAVA_HOME"]
    java = shutil.which("java")
    if java is None:
        return None
    done = subprocess.run([java, "-version"], capture_output=True, text=True, check=False)
    found = re.search(r'version "(\d+)', done.stderr)
    if not found or int(found.group(1)) < 17:
        return None
    return os.path.dirname(os.path.dirname(os.path.realpath(java)))


@pytest.fixture
def rulebook_env(clean_sandbox, tmp_path):
    """An account whose one 7 USD server renews in a month, a funded wallet, and ansible-rulebook's environment."""
    home = java_home()
    rulebook = os.path.join(os.path.dirname(sys.executable), "ansible-rulebook")
    if home is None or not os.path.exists(rulebook):
        if os.environ.get("VPSFLEET_REQUIRE_EDA") == "1":
            pytest.fail("ansible-rulebook or a Java 17+ runtime is missing (make eda-deps installs Java)")
        pytest.skip("ansible-rulebook or a Java 17+ runtime is missing (make eda-deps installs Java)")
    account = clean_sandbox.create_account("vpscrypto", balance_usd=5)
    clean_sandbox.seed_servers(account["api_key"], 1, plan="scout")
    wallet = eth_account.Account.create()
    clean_sandbox.fund_wallet(wallet.address, 100)
    (tmp_path / "inventory.yml").write_text(
        "all:\n  hosts:\n    localhost:\n      ansible_connection: local\n"
        "      ansible_python_interpreter: %s\n" % sys.executable)
    (tmp_path / "vars.yml").write_text(
        "keep_funded_interval: 0.5\nkeep_funded_runway_days: 30\nkeep_funded_min_runway_days: 7\n"
        "keep_funded_amount: 25\nkeep_funded_max_usd: 30\n")
    env = dict(os.environ, JAVA_HOME=home, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"],
               ANSIBLE_COLLECTIONS_PATH=str(collections_path()), ANSIBLE_LOCAL_TEMP=str(tmp_path / "ansible-tmp"),
               ANSIBLE_PYTHON_INTERPRETER=sys.executable, ANSIBLE_NOCOLOR="1",
               VPSCRYPTO_API_KEY=account["api_key"], VPSCRYPTO_API_URL=clean_sandbox.vpscrypto_url,
               VPSFLEET_WALLET_KEY=wallet.key.hex(), VPSFLEET_EXPECTED_PAY_TO=SANDBOX_PAY_TO)
    return account, env, rulebook


def wait_until(condition, what, process, log):
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        assert process.poll() is None, "ansible-rulebook stopped while waiting for %s:\n%s" % (what, log.read_text())
        assert time.monotonic() < deadline, "no %s within %d s:\n%s" % (what, WAIT_SECONDS, log.read_text())
        time.sleep(0.2)


def server_reads(sandbox):
    return sum(1 for entry in sandbox.requests_log() if (entry["method"], entry["path"]) == ("GET", "/servers"))


def credits(sandbox, account):
    return [entry for entry in sandbox.ledger(provider="vpscrypto", account=str(account["account_id"]))
            if entry["kind"] == "credit"]


def test_the_keep_funded_rulebook_tops_up_once_when_the_clock_makes_the_runway_short(clean_sandbox, rulebook_env,
                                                                                      tmp_path):
    account, env, rulebook = rulebook_env
    log = tmp_path / "rulebook.log"
    output = open(log, "w+")
    process = subprocess.Popen(
        [rulebook, "-r", "vpsfleet.cloud.keep_funded", "-i", "inventory.yml", "--vars", "vars.yml", "--print-events"],
        cwd=str(tmp_path), env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_until(lambda: server_reads(clean_sandbox) >= 2, "baseline poll", process, log)
        clean_sandbox.advance_clock(27 * DAY)  # the 7 USD renewal is 4 days away and 5 USD cannot pay it
        wait_until(lambda: credits(clean_sandbox, account), "top-up", process, log)
        paid_at = server_reads(clean_sandbox)
        wait_until(lambda: server_reads(clean_sandbox) >= paid_at + 6, "polls after the top-up", process, log)
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    output.close()
    log = log.read_text()
    assert [entry["amount_usd"] for entry in credits(clean_sandbox, account)] == [25.0], log
    assert EVENT_TYPE.findall(log) == ["runway_short", "runway_restored"], log
    assert account["api_key"] not in log
