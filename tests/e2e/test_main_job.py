"""The main job end to end, on sandbox servers that are real SSH hosts.

provision.yml orders and pays for one VPSCrypto and one Otwa server, waits for them and hardens them
over SSH; the dynamic inventory lists them; configure.yml reaches them with the key the bootstrap
installed; a second provision.yml changes nothing and pays nothing; ansible-runner runs provision.yml
from a private data dir with the API keys as environment variables, as an AWX job does.

Needs root (the sandbox's SSH machines); skipped with the reason otherwise.
"""

from __future__ import annotations

import json
import os
import pathlib

import pytest
from eth_account import Account

from vps_sandbox.main_job import MainJob, ansible_bin_dir, parse_recap, ssh_machines_unavailable_reason
from vps_sandbox.testing import SandboxProcess

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]
MOTD = "managed by the vpsfleet e2e test"
WALLET_USDC = 100


def collections_path():
    """The development symlink tree, or the installed build with VPSFLEET_E2E_INSTALLED=1 (after `make collection`)."""
    installed = REPO_ROOT / ".build" / "installed"
    if os.environ.get("VPSFLEET_E2E_INSTALLED") == "1":
        return installed
    return REPO_ROOT / ".build" / "pytest"


@pytest.fixture(scope="module")
def job(tmp_path_factory):
    """The whole flow, once: every test below reads what it left behind."""
    reason = ssh_machines_unavailable_reason()
    if reason:
        pytest.skip(reason)
    with SandboxProcess(machines="ssh", provision_delay=0.2) as sandbox:
        # The VPSCrypto balance covers no server: the first run must top it up from the wallet.
        wallet = Account.create()
        sandbox.fund_wallet(wallet.address, WALLET_USDC)
        main_job = MainJob(sandbox, tmp_path_factory.mktemp("main-job"), collections_path(),
                           balances={"vpscrypto": 5, "otwa": 100},
                           extra_vars={"fleet_topup_enabled": True, "fleet_topup_coin": "USDCBASE",
                                       "fleet_topup_amount": 25, "fleet_topup_max_usd": 40,
                                       "fleet_topup_expected_pay_to": sandbox.configure()["x402_pay_to"]},
                           extra_env={"VPSFLEET_WALLET_KEY": "0x" + bytes(wallet.key).hex()})
        main_job.wallet = wallet
        main_job.first = main_job.provision()
        main_job.charges_after_first = main_job.charges()
        main_job.credits_after_first = main_job.credits()
        main_job.graph = main_job.inventory_graph()
        main_job.configured = main_job.configure("-e", "configure_motd=" + json.dumps(MOTD))
        main_job.second = main_job.provision()
        main_job.charges_after_second = main_job.charges()
        main_job.credits_after_second = main_job.credits()
        yield main_job


def assert_succeeded(run):
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]


def fleet_ips(job):
    return {server["label"]: server["ip"] for server in job.servers()}


def test_the_first_provision_orders_and_hardens_every_server(job):
    assert_succeeded(job.first)
    recap = parse_recap(job.first.stdout)
    assert set(recap) == {"localhost", "web-1", "db-1"}
    assert all(counts["failed"] == 0 and counts["unreachable"] == 0 for counts in recap.values())
    assert recap["localhost"]["changed"] > 0


def test_each_server_is_charged_once(job):
    assert sorted(entry["provider"] for entry in job.charges_after_first) == ["otwa", "vpscrypto"]
    assert len(job.servers()) == 2


def test_the_first_provision_tops_up_once_by_x402_from_the_wallet(job):
    assert [(entry["provider"], entry["amount_usd"]) for entry in job.credits_after_first] == [("vpscrypto", 25.0)]
    assert "x402" in job.credits_after_first[0]["description"]
    wallet = job.sandbox.control("GET", "/wallets/" + job.wallet.address)
    assert float(wallet["usdc"]) == WALLET_USDC - 25
    assert job.environment()["VPSFLEET_WALLET_KEY"][2:] not in job.first.stdout + job.first.stderr


def test_the_dynamic_inventory_lists_both_servers(job):
    assert_succeeded(job.graph)
    assert "web-1" in job.graph.stdout and "db-1" in job.graph.stdout


def test_configure_reaches_the_servers_with_the_installed_key(job):
    assert_succeeded(job.configured)
    recap = parse_recap(job.configured.stdout)
    assert set(recap) == {"web-1", "db-1"}
    for ip in fleet_ips(job).values():
        motd = job.ssh(ip, "cat /etc/motd")
        assert motd.returncode == 0, motd.stderr
        assert motd.stdout.strip() == MOTD


def test_the_admin_user_logs_in_with_the_key_and_has_sudo(job):
    for ip in fleet_ips(job).values():
        admin = job.ssh(ip, "id -un && sudo -n true && echo sudo-ok", user="admin")
        assert admin.returncode == 0, admin.stderr
        assert admin.stdout.split() == ["admin", "sudo-ok"]


def test_password_login_is_refused_after_the_bootstrap(job):
    for ip in fleet_ips(job).values():
        sshd = job.ssh(ip, "/usr/sbin/sshd -T | grep -Ei '^(passwordauthentication|permitrootlogin) '")
        assert sorted(sshd.stdout.lower().splitlines()) == ["passwordauthentication no",
                                                            "permitrootlogin without-password"]
        # The server no longer offers password login at all: "Permission denied (publickey)".
        attempt = job.ssh(ip, "true", key=False, password="not-the-password")
        assert attempt.returncode != 0
        offered = attempt.stderr.lower().split("permission denied (", 1)[1].split(")", 1)[0]
        assert offered == "publickey"


def test_the_permanent_hostname_is_the_server_name(job):
    for name, ip in fleet_ips(job).items():
        assert job.ssh(ip, "cat /etc/hostname").stdout.strip() == name


def test_a_second_provision_changes_nothing_and_pays_nothing(job):
    assert_succeeded(job.second)
    recap = parse_recap(job.second.stdout)
    assert set(recap) == {"localhost", "web-1", "db-1"}
    assert {host: counts["changed"] for host, counts in recap.items()} == {"localhost": 0, "web-1": 0, "db-1": 0}
    assert job.charges_after_second == job.charges_after_first
    assert job.credits_after_second == job.credits_after_first
    assert len(job.servers()) == 2


def test_ansible_runner_runs_provision_like_an_awx_job(job, tmp_path):
    ansible_runner = pytest.importorskip("ansible_runner")
    data_dir = tmp_path / "pdd"
    for part in ("env", "inventory", "project"):
        (data_dir / part).mkdir(parents=True)
    # As AWX: the playbook from the project, variables as extravars, keys injected as env vars.
    (data_dir / "project" / "provision.yml").write_text(
        (REPO_ROOT / "playbooks" / "provision.yml").read_text(encoding="utf-8"), encoding="utf-8")
    (data_dir / "env" / "extravars").write_text(json.dumps(job.provision_vars()), encoding="utf-8")
    (data_dir / "inventory" / "hosts").write_text(job.hosts.read_text(encoding="utf-8"), encoding="utf-8")
    env = job.environment()
    envvars = {name: env[name] for name in ("VPSCRYPTO_API_KEY", "OTWA_API_KEY", "ANSIBLE_COLLECTIONS_PATH",
                                            "ANSIBLE_HOST_KEY_CHECKING", "ANSIBLE_SSH_COMMON_ARGS",
                                            "ANSIBLE_PYTHON_INTERPRETER")}
    envvars["PATH"] = os.pathsep.join([str(ansible_bin_dir()), os.environ["PATH"]])
    (data_dir / "env" / "envvars").write_text(json.dumps(envvars), encoding="utf-8")

    result = ansible_runner.run(private_data_dir=str(data_dir), playbook="provision.yml", quiet=True,
                                timeout=300)

    stdout = result.stdout.read()
    assert result.status == "successful", stdout[-4000:]
    assert {host: counts for host, counts in result.stats["changed"].items() if counts} == {}
    assert set(result.stats["ok"]) == {"localhost", "web-1", "db-1"}
    assert job.charges() == job.charges_after_first
    for api_key in job.api_keys().values():
        assert api_key not in stdout
