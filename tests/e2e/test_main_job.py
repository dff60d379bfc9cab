"""The main job end to end, on sandbox servers that are real SSH hosts.

vpsfleet.cloud.provision orders and pays for one VPSCrypto and one Otwa server, waits for them and
hardens them over SSH; the dynamic inventory lists them; vpsfleet.cloud.configure reaches them with
the key the bootstrap installed; a second provision changes nothing and pays nothing, even after a
cloud-init style sshd drop-in turned password login back on; ansible-runner then runs the AWX
project's provision.yml from a private data dir, with the API keys as environment variables, as an
AWX job does, and orders, pays for and hardens one more server.

The playbooks run by name from the collections path: the installed tarball under `make test-e2e`
(VPSFLEET_E2E_INSTALLED=1). Needs root (the sandbox's SSH machines); skipped with the reason
otherwise, failed instead with VPSFLEET_REQUIRE_MACHINES=1.
"""

from __future__ import annotations

import json
import os
import pathlib
import shutil

import pytest
from eth_account import Account

from vps_sandbox.main_job import DEFAULT_FLEET, MainJob, ansible_bin_dir, parse_recap
from vps_sandbox.testing import SandboxProcess

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]
AWX_PROJECT = REPO_ROOT / "docs" / "awx" / "project"
MOTD = "managed by the vpsfleet e2e test"
WALLET_USDC = 100
TIMEZONE = "Europe/Berlin"
FIREWALL_PORTS = [22, 443]
# What cloud images ship: a drop-in that turns password login back on, read in name order.
CLOUD_INIT_DROP_IN = "/etc/ssh/sshd_config.d/50-cloud-init.conf"
RUNNER_SERVER = {"name": "app-1", "provider": "otwa", "plan": "Cloud S", "location": "de-fra-01", "os": "debian-13"}


@pytest.fixture(scope="module")
def job(tmp_path_factory, collections_dir, ssh_machines):
    """The whole flow, once: every test below reads what it left behind."""
    with SandboxProcess(machines="ssh", provision_delay=0.2) as sandbox:
        # The VPSCrypto balance covers no server: the first run must top it up from the wallet.
        wallet = Account.create()
        sandbox.fund_wallet(wallet.address, WALLET_USDC)
        main_job = MainJob(sandbox, tmp_path_factory.mktemp("main-job"), collections_dir,
                           balances={"vpscrypto": 5, "otwa": 100},
                           extra_vars={"fleet_topup_enabled": True, "fleet_topup_coin": "USDCBASE",
                                       "fleet_topup_amount": 25, "fleet_topup_max_usd": 40,
                                       "fleet_topup_expected_pay_to": sandbox.configure()["x402_pay_to"],
                                       "bootstrap_timezone": TIMEZONE,
                                       "bootstrap_firewall_allowed_tcp_ports": FIREWALL_PORTS},
                           extra_env={"VPSFLEET_WALLET_KEY": "0x" + bytes(wallet.key).hex()})
        main_job.wallet = wallet
        main_job.first = main_job.provision()
        main_job.charges_after_first = main_job.charges()
        main_job.credits_after_first = main_job.credits()
        main_job.graph = main_job.inventory_graph()
        main_job.configured = main_job.configure("-e", "configure_motd=" + json.dumps(MOTD))
        main_job.cloud_init_planted = [
            main_job.ssh(ip, "printf 'PasswordAuthentication yes\\n' > %s && pkill -HUP -x sshd" % CLOUD_INIT_DROP_IN)
            for ip in fleet_ips(main_job).values()]
        main_job.second = main_job.provision()
        main_job.charges_after_second = main_job.charges()
        main_job.credits_after_second = main_job.credits()
        yield main_job


def assert_succeeded(run):
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]


def fleet_ips(job):
    return {server["label"]: server["ip"] for server in job.servers()}


def ssh_ok(job, ip, command, **kwargs):
    result = job.ssh(ip, command, **kwargs)
    assert result.returncode == 0, "%s on %s: %s" % (command, ip, result.stderr)
    return result.stdout


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
        assert ssh_ok(job, ip, "cat /etc/motd").strip() == MOTD


def test_the_admin_user_logs_in_with_the_key_and_has_sudo(job):
    for ip in fleet_ips(job).values():
        assert ssh_ok(job, ip, "id -un && sudo -n true && echo sudo-ok", user="admin").split() == ["admin", "sudo-ok"]


def test_root_logs_in_with_the_key(job):
    for ip in fleet_ips(job).values():
        assert ssh_ok(job, ip, "id -un").strip() == "root"


def test_password_login_is_refused_even_with_a_cloud_init_drop_in_that_turns_it_on(job):
    assert [planted.returncode for planted in job.cloud_init_planted] == [0, 0]
    for ip in fleet_ips(job).values():
        assert "PasswordAuthentication yes" in ssh_ok(job, ip, "cat " + CLOUD_INIT_DROP_IN)
        assert ssh_ok(job, ip, "ls /etc/ssh/sshd_config.d").split() == [
            "00-sandbox-listen-address.conf", "01-vpsfleet-hardening.conf", "50-cloud-init.conf"]
        sshd = ssh_ok(job, ip, "/usr/sbin/sshd -T | grep -Ei '^(passwordauthentication|permitrootlogin) '")
        assert sorted(sshd.lower().splitlines()) == ["passwordauthentication no", "permitrootlogin without-password"]
        # The server no longer offers password login at all: "Permission denied (publickey)".
        attempt = job.ssh(ip, "true", key=False, password="not-the-password")
        assert attempt.returncode != 0
        offered = attempt.stderr.lower().split("permission denied (", 1)[1].split(")", 1)[0]
        assert offered == "publickey"


def test_the_permanent_hostname_is_the_server_name(job):
    for name, ip in fleet_ips(job).items():
        assert ssh_ok(job, ip, "cat /etc/hostname").strip() == name


def test_the_timezone_is_set(job):
    for ip in fleet_ips(job).values():
        assert ssh_ok(job, ip, "readlink /etc/localtime; cat /etc/timezone").split() == [
            "/usr/share/zoneinfo/" + TIMEZONE, TIMEZONE]


def test_the_firewall_rules_allow_only_the_listed_ports(job):
    for ip in fleet_ips(job).values():
        rules = ssh_ok(job, ip, "cat /etc/nftables.conf")
        assert "type filter hook input priority 0; policy drop;" in rules
        assert "tcp dport { 22, 443 } accept" in rules


def test_automatic_security_updates_are_on(job):
    for ip in fleet_ips(job).values():
        assert ssh_ok(job, ip, "cat /etc/apt/apt.conf.d/20auto-upgrades").splitlines() == [
            'APT::Periodic::Update-Package-Lists "1";', 'APT::Periodic::Unattended-Upgrade "1";']
        assert ssh_ok(job, ip, "dpkg-query -W -f '${Status}' unattended-upgrades") == "install ok installed"


def test_apt_is_not_run_when_the_packages_are_already_installed(job):
    # The servers' image ships nftables and unattended-upgrades with no apt cache file: any apt run
    # (even one that installs nothing) builds /var/cache/apt/pkgcache.bin from every package list.
    for ip in fleet_ips(job).values():
        assert ssh_ok(job, ip, "dpkg-query -W -f '${Status}' nftables") == "install ok installed"
        assert job.ssh(ip, "test -e /var/cache/apt/pkgcache.bin").returncode == 1


def test_a_second_provision_changes_nothing_and_pays_nothing(job):
    assert_succeeded(job.second)
    recap = parse_recap(job.second.stdout)
    assert set(recap) == {"localhost", "web-1", "db-1"}
    assert {host: counts["changed"] for host, counts in recap.items()} == {"localhost": 0, "web-1": 0, "db-1": 0}
    assert job.charges_after_second == job.charges_after_first
    assert job.credits_after_second == job.credits_after_first
    assert len(job.servers()) == 2


def test_ansible_runner_runs_the_awx_project_playbook_like_a_job_and_provisions_a_new_server(job, tmp_path):
    pytest.importorskip("ansible_runner")
    data_dir = tmp_path / "pdd"
    for part in ("env", "inventory"):
        (data_dir / part).mkdir(parents=True)
    # As AWX: the project's one-line playbook importing vpsfleet.cloud.provision, the variables as
    # extravars, the keys injected as environment variables by the credential types.
    shutil.copytree(AWX_PROJECT, data_dir / "project")
    variables = dict(job.provision_vars(), vps_fleet=DEFAULT_FLEET + [RUNNER_SERVER])
    (data_dir / "env" / "extravars").write_text(json.dumps(variables), encoding="utf-8")
    (data_dir / "inventory" / "hosts").write_text(job.hosts.read_text(encoding="utf-8"), encoding="utf-8")
    env = job.environment()
    envvars = {name: env[name] for name in ("VPSCRYPTO_API_KEY", "OTWA_API_KEY", "VPSFLEET_WALLET_KEY",
                                            "ANSIBLE_COLLECTIONS_PATH", "ANSIBLE_HOST_KEY_CHECKING",
                                            "ANSIBLE_SSH_COMMON_ARGS", "ANSIBLE_PYTHON_INTERPRETER")}
    envvars["PATH"] = os.pathsep.join([str(ansible_bin_dir()), os.environ["PATH"]])
    charges_before = job.charges()

    result = job.run_like_awx(data_dir, "provision.yml", envvars)

    stdout = result.stdout.read()
    assert result.status == "successful", stdout[-4000:]
    assert set(result.stats["ok"]) == {"localhost", "web-1", "db-1", "app-1"}
    changed = {host: counts for host, counts in result.stats["changed"].items() if counts}
    assert set(changed) == {"localhost", "app-1"}, changed
    new_charges = job.charges()[len(charges_before):]
    assert [entry["provider"] for entry in new_charges] == ["otwa"]
    app_ip = fleet_ips(job)["app-1"]
    assert ssh_ok(job, app_ip, "id -un && sudo -n true && echo sudo-ok", user="admin").split() == ["admin", "sudo-ok"]
    assert job.ssh(app_ip, "true", key=False, password="not-the-password").returncode != 0
    for secret in list(job.api_keys().values()) + [envvars["VPSFLEET_WALLET_KEY"][2:]]:
        assert secret not in stdout
