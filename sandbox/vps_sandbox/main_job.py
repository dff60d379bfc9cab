"""The main job against the sandbox: provision, inventory, configure - run by the e2e tests and ``make demo``.

A ``MainJob`` holds one working directory: an SSH key pair, the fleet's extra-vars file, a static
inventory for the controller and a ``fleet.vps.yml`` source for the dynamic inventory. Its methods
run the real command-line tools and return what they printed; API keys reach them only through
files in the working directory and the environment, never on a command line. The playbooks run as
users run them, by name from the collection (``vpsfleet.cloud.provision``), so the collections path
decides which copy is tested: the installed tarball or the development tree.
"""

from __future__ import annotations

import json
import os
import pathlib
import re
import shutil
import subprocess
import sys

from . import secret_sweep
from .machines_ssh import DEFAULT_ROOTFS

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]
SETUP_SCRIPT = REPO_ROOT / "scripts" / "sandbox-machines-setup.sh"

# One small server per provider, each in the sandbox's catalog.
DEFAULT_FLEET = [
    {"name": "web-1", "provider": "vpscrypto", "plan": "hunter", "location": "nl", "os": "debian-13"},
    {"name": "db-1", "provider": "otwa", "plan": "Cloud S", "location": "de-fra-01", "os": "debian-13",
     "groups": ["db"]},
]
OTWA_SCOPES = ["account:read", "servers:read", "servers:write"]
RECAP_LINE = re.compile(r"^(?P<host>\S+)\s+:\s+(?P<counts>(?:\w+=\d+\s*)+)$")


def ssh_machines_unavailable_reason():
    """Why SSH sandbox machines cannot run here, or None when they can (the set-up is run if needed)."""
    if os.geteuid() != 0:
        return "sandbox SSH machines need root (mount namespaces, overlayfs, port 22 on 127.0.0.x)"
    if shutil.which("sshpass") is None or not (DEFAULT_ROOTFS / "usr" / "sbin" / "sshd").exists():
        setup = subprocess.run([str(SETUP_SCRIPT)], capture_output=True, text=True, timeout=600, check=False)
        if setup.returncode != 0:
            return "scripts/sandbox-machines-setup.sh failed: " + (setup.stderr or setup.stdout)[-500:]
        if not (DEFAULT_ROOTFS / "usr" / "sbin" / "sshd").exists():
            return (f"no server root at {DEFAULT_ROOTFS} after scripts/sandbox-machines-setup.sh "
                    "(VPS_SANDBOX_ROOTFS and the set-up's SANDBOX_ROOTFS_CACHE/SANDBOX_DEBIAN_SUITE disagree)")
    return None


def parse_recap(output):
    """{host: {ok, changed, unreachable, failed, skipped, rescued, ignored}} from a PLAY RECAP."""
    recap = {}
    lines = output.splitlines()
    if "PLAY RECAP" not in output:
        return recap
    start = max(i for i, line in enumerate(lines) if line.startswith("PLAY RECAP"))
    for line in lines[start + 1:]:
        match = RECAP_LINE.match(line.strip())
        if match:
            recap[match["host"]] = {key: int(value) for key, value in
                                    (pair.split("=") for pair in match["counts"].split())}
    return recap


def ansible_bin_dir():
    """The directory of the ansible tools that belong to this Python."""
    return pathlib.Path(sys.executable).parent


class MainJob:
    """Provision/configure runs of the collection's playbooks against one sandbox."""

    def __init__(self, sandbox, work_dir, collections_path, fleet=None, balance_usd=100, balances=None,
                 extra_vars=None, extra_env=None):
        """``balances`` ({provider: USD}) overrides ``balance_usd`` per provider; ``extra_vars`` are added to
        the provision variables and ``extra_env`` to the tools' environment (e.g. a wallet key)."""
        self.sandbox = sandbox
        self.work_dir = pathlib.Path(work_dir)
        self.collections_path = pathlib.Path(collections_path)
        self.fleet = fleet or DEFAULT_FLEET
        self.extra_vars = dict(extra_vars or {})
        self.extra_env = dict(extra_env or {})
        balances = dict({"vpscrypto": balance_usd, "otwa": balance_usd}, **(balances or {}))
        self.accounts = {provider: sandbox.create_account(provider, balance_usd=balances[provider],
                                                          scopes=OTWA_SCOPES if provider == "otwa" else None)
                         for provider in ("vpscrypto", "otwa")}
        self.api_urls = {"vpscrypto": sandbox.vpscrypto_url, "otwa": sandbox.otwa_url}
        self.private_key = self.work_dir / "id_ed25519"
        # Every run records the results callbacks receive (AWX job events); run() sweeps it for secrets.
        self.result_record = self.work_dir / "callback-results.jsonl"
        self._write_files()

    def _write_files(self):
        self.work_dir.mkdir(parents=True, exist_ok=True)
        if not self.private_key.exists():
            subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "vpsfleet-e2e",
                            "-f", str(self.private_key)], check=True)
        self.public_key = self.private_key.with_suffix(".pub").read_text(encoding="utf-8").strip()
        self.fleet_vars = self.work_dir / "fleet.json"
        self.fleet_vars.write_text(json.dumps(dict(self.provision_vars(), fleet_api_keys=self.api_keys())),
                                   encoding="utf-8")
        self.fleet_vars.chmod(0o600)
        self.hosts = self.work_dir / "hosts.ini"
        # The controller runs modules with this Python; the servers find their own.
        self.hosts.write_text(f"localhost ansible_connection=local ansible_python_interpreter={sys.executable}\n",
                              encoding="utf-8")
        self.inventory_source = self.work_dir / "fleet.vps.yml"
        self.inventory_source.write_text("plugin: vpsfleet.cloud.vps\ncredentials: none\n", encoding="utf-8")
        # Ordering without SSH machines: the fleet role alone, not waiting for SSH.
        self.order_playbook = self.work_dir / "order.yml"
        self.order_playbook.write_text(
            "- name: Fund, order and wait for the fleet\n  hosts: localhost\n  connection: local\n"
            "  gather_facts: false\n  vars:\n    fleet_wait_for_ssh: false\n"
            "  roles:\n    - role: vpsfleet.cloud.fleet\n", encoding="utf-8")

    def api_keys(self):
        """{provider: API key} of the job's sandbox accounts."""
        return {provider: account["api_key"] for provider, account in self.accounts.items()}

    def provision_vars(self):
        """The provision playbook's variables, without the API keys."""
        return {
            "vps_fleet": self.fleet,
            "fleet_api_urls": self.api_urls,
            "fleet_wait_timeout": 120,
            "bootstrap_ssh_public_key": self.public_key,
            "bootstrap_ssh_private_key_file": str(self.private_key),
            "bootstrap_connect_timeout": 60,
            # Sandbox servers share the host's network stack: never load their firewall into it.
            "bootstrap_firewall_apply": False,
            **self.extra_vars,
        }

    def environment(self):
        """The ansible tools' environment: the collection under test, keys for the dynamic inventory."""
        env = dict(os.environ)
        env.update(
            ANSIBLE_COLLECTIONS_PATH=str(self.collections_path),
            ANSIBLE_HOST_KEY_CHECKING="False",
            # Every sandbox server makes new host keys on 127.0.0.x addresses that earlier runs used:
            # a known_hosts entry from then would block password login as a "changed host key".
            ANSIBLE_SSH_COMMON_ARGS="-o UserKnownHostsFile=/dev/null",
            ANSIBLE_RETRY_FILES_ENABLED="False",
            ANSIBLE_NOCOLOR="1",
            ANSIBLE_PYTHON_INTERPRETER="auto_silent",
            ANSIBLE_LOCAL_TEMP=str(self.work_dir / "ansible-tmp"),
            # An inventory source that fails fails the run instead of leaving no hosts (docs/inventory.md).
            ANSIBLE_INVENTORY_UNPARSED_FAILED="true",
            VPSCRYPTO_API_KEY=self.accounts["vpscrypto"]["api_key"],
            OTWA_API_KEY=self.accounts["otwa"]["api_key"],
            VPSCRYPTO_API_URL=self.api_urls["vpscrypto"],
            OTWA_API_URL=self.api_urls["otwa"],
            **secret_sweep.recorder_environment(self.result_record),
            **self.extra_env,
        )
        return env

    def secret_leaks(self):
        """Where a secret of the sandbox or of the job's environment reached a callback, in any run so far."""
        secrets = set(self.sandbox.secrets()) | secret_sweep.environment_secrets(self.environment())
        return secret_sweep.leaks(self.result_record, secrets)

    def assert_no_secret_recorded(self):
        """Fail when a run handed a secret to the callbacks (what AWX stores as job events)."""
        leaks = self.secret_leaks()
        if leaks:
            raise AssertionError("secrets reached the callbacks (AWX job events):\n" + "\n".join(leaks[:20]))

    def run(self, tool, *args, timeout=600):
        """Run one ansible tool in the working directory; returns the CompletedProcess.

        Every run is swept afterwards: a secret in what the callbacks received fails it at once.
        """
        completed = subprocess.run([str(ansible_bin_dir() / tool), *map(str, args)], cwd=self.work_dir,
                                   env=self.environment(), capture_output=True, text=True, timeout=timeout,
                                   stdin=subprocess.DEVNULL, check=False)
        self.assert_no_secret_recorded()
        return completed

    def run_like_awx(self, private_data_dir, playbook, envvars, timeout=300):
        """``ansible_runner.run`` of ``playbook`` from ``private_data_dir`` as an AWX job runs it, with
        ``envvars`` (what credential types inject) in ``env/envvars``; swept for secrets like run()."""
        # Imported here: only the AWX-like runs need ansible-runner.
        import ansible_runner  # pylint: disable=import-outside-toplevel

        envvars = dict(envvars, **secret_sweep.recorder_environment(self.result_record))
        env_dir = pathlib.Path(private_data_dir) / "env"
        env_dir.mkdir(parents=True, exist_ok=True)
        (env_dir / "envvars").write_text(json.dumps(envvars), encoding="utf-8")
        result = ansible_runner.run(private_data_dir=str(private_data_dir), playbook=playbook, quiet=True,
                                    timeout=timeout)
        self.assert_no_secret_recorded()
        return result

    def provision(self, *extra_args):
        """``ansible-playbook vpsfleet.cloud.provision`` with the fleet's extra-vars file."""
        return self.run("ansible-playbook", "-i", self.hosts, "vpsfleet.cloud.provision",
                        "-e", "@" + str(self.fleet_vars), *extra_args)

    def order(self):
        """``ansible-playbook`` of the fleet role alone: fund, order, wait - for sandboxes without machines."""
        return self.run("ansible-playbook", "-i", self.hosts, self.order_playbook, "-e", "@" + str(self.fleet_vars))

    def inventory_graph(self):
        """``ansible-inventory --graph`` over the dynamic inventory source."""
        return self.run("ansible-inventory", "-i", self.inventory_source, "--graph")

    def configure(self, *extra_args):
        """``ansible-playbook vpsfleet.cloud.configure`` over the dynamic inventory, logging in with the installed key."""
        return self.run("ansible-playbook", "-i", self.inventory_source, "vpsfleet.cloud.configure",
                        "--private-key", self.private_key, "-u", "root", *extra_args)

    def ssh(self, ip, command, user="root", key=True, password=None):
        """Run a command on a server over SSH (with the job's key, or only a password); CompletedProcess."""
        options = ["-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                   "-o", "ConnectTimeout=10", "-o", "LogLevel=ERROR"]
        if key:
            command_line = ["ssh", *options, "-o", "BatchMode=yes", "-i", str(self.private_key)]
        else:
            # sshpass reads the password from the environment, so it is never in a command line.
            command_line = ["sshpass", "-e", "ssh", *options, "-o", "PubkeyAuthentication=no",
                            "-o", "PreferredAuthentications=password,keyboard-interactive"]
        env = dict(os.environ, SSHPASS=password or "")
        return subprocess.run([*command_line, f"{user}@{ip}", command], capture_output=True, text=True,
                              timeout=60, env=env, check=False)

    def ledger(self):
        """The sandbox ledger's entries (charges and credits) for the job's accounts."""
        account_ids = {account["account_id"] for account in self.accounts.values()}
        return [entry for entry in self.sandbox.ledger() if entry.get("account") in account_ids]

    def charges(self):
        """The sandbox ledger's charges for the job's accounts."""
        return [entry for entry in self.ledger() if entry.get("kind") == "charge"]

    def credits(self):
        """The sandbox ledger's credits (top-ups) for the job's accounts."""
        return [entry for entry in self.ledger() if entry.get("kind") == "credit"]

    def servers(self):
        """The job's servers as the sandbox holds them."""
        account_ids = {account["account_id"] for account in self.accounts.values()}
        return [server for server in self.sandbox.servers() if server.get("account") in account_ids]
