"""Every ansible-core the collection supports runs it: meta/runtime.yml's requires_ansible is a promise.

For each supported ansible-core, the built tarball is installed with that version's ansible-galaxy
into a fresh collections directory; then that version lists a sandbox account's servers as an
inventory and runs a play in check mode that would order a server, through the action group.

The venv of each version is named in VPSFLEET_CORE_VENVS ("2.18=.venv-core2.18 2.19=.venv ...",
set by ``make test-versions``). A version whose venv could not be made (no Python 3.12) is skipped
with the reason.
"""

from __future__ import annotations

import concurrent.futures
import json
import os
import pathlib
import re
import subprocess

import pytest
import yaml

REPO = pathlib.Path(__file__).resolve().parents[2]
SUPPORTED = ("2.18", "2.19", "2.20", "2.21")
VENVS = dict(entry.split("=", 1) for entry in os.environ.get("VPSFLEET_CORE_VENVS", "").split())

PLAY = """
- name: Smoke run in check mode
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/vpsfleet.cloud.vps:
      provider: otwa
      api_retry_max_delay: 0.5
  tasks:
    - name: Order a server (check mode orders nothing)
      vpsfleet.cloud.vps_server:
        name: smoke-new
        plan: Cloud S
        region: de-fra-01
        os: debian-13
      register: ordered

    - name: List the account's servers
      vpsfleet.cloud.vps_server_info:
      register: listed

    - name: Check what the modules reported
      ansible.builtin.assert:
        that:
          - ordered is changed
          - listed.servers | length == 2
"""


def test_the_supported_versions_are_those_meta_runtime_promises():
    runtime = yaml.safe_load((REPO / "meta" / "runtime.yml").read_text())
    assert runtime["requires_ansible"] == ">=%s.0" % SUPPORTED[0]


@pytest.fixture(scope="module")
def tarball():
    version = yaml.safe_load((REPO / "galaxy.yml").read_text())["version"]
    path = REPO / ".build" / "dist" / ("vpsfleet-cloud-%s.tar.gz" % version)
    assert path.is_file(), "%s is missing: make collection builds it" % path
    return path


@pytest.fixture(scope="module")
def sandbox_account():
    testing = pytest.importorskip("vps_sandbox.testing", reason="the sandbox's test helper is not available")
    with testing.SandboxProcess(machines="none", provision_delay=0.2) as sandbox:
        account = sandbox.create_account("otwa")
        sandbox.seed_servers(account["api_key"], 2, name_prefix="smoke")
        yield sandbox, account


def venv_of(version):
    venv = VENVS.get(version)
    if not venv or not (REPO / venv / "bin" / "ansible").exists():
        return None
    return REPO / venv


def run(venv, tool, args, env, cwd):
    result = subprocess.run([str(venv / "bin" / tool)] + args, capture_output=True, text=True, env=env, cwd=cwd,
                            timeout=300, check=False)
    output = result.stdout[-3000:] + result.stderr[-3000:]
    assert result.returncode == 0, "%s %s failed:\n%s" % (tool, " ".join(args), output)
    return result.stdout


def smoke_run(version, venv, tarball, sandbox, account, work_dir):
    """Install the tarball with this version, list the inventory and run the play; what each printed."""
    collections = work_dir / "collections"
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(collections), ANSIBLE_PYTHON_INTERPRETER=str(venv / "bin" / "python"),
               ANSIBLE_NOCOLOR="1", ANSIBLE_LOCALHOST_WARNING="0", ANSIBLE_INVENTORY_UNPARSED_WARNING="0",
               OTWA_API_KEY=account["api_key"], OTWA_API_URL=sandbox.otwa_url,
               PATH="%s:%s" % (venv / "bin", os.environ["PATH"]))
    env.pop("PYTHONPATH", None)
    outputs = {"version": run(venv, "ansible", ["--version"], env, work_dir)}
    run(venv, "ansible-galaxy", ["collection", "install", "--offline", "-p", str(collections), str(tarball)], env, work_dir)
    (work_dir / "smoke.vps.yml").write_text("plugin: vpsfleet.cloud.vps\nprovider: otwa\n")
    outputs["inventory"] = run(venv, "ansible-inventory", ["-i", "smoke.vps.yml", "--list"], env, work_dir)
    (work_dir / "smoke.yml").write_text(PLAY)
    outputs["play"] = run(venv, "ansible-playbook", ["--check", "smoke.yml"], env, work_dir)
    return outputs


@pytest.fixture(scope="module")
def smoke_runs(tarball, sandbox_account, tmp_path_factory):
    """Each version's smoke run, all at once (they share the sandbox; check mode changes nothing)."""
    sandbox, account = sandbox_account
    servers_before = len(sandbox.servers())
    runs = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=len(SUPPORTED)) as pool:
        for version in SUPPORTED:
            venv = venv_of(version)
            if venv:
                runs[version] = pool.submit(smoke_run, version, venv, tarball, sandbox, account,
                                            tmp_path_factory.mktemp("ansible-core-%s" % version))
    results = {}
    for version, future in runs.items():
        try:
            results[version] = future.result()
        except AssertionError as exc:
            results[version] = exc
    return results, len(sandbox.servers()) - servers_before


@pytest.mark.parametrize("version", SUPPORTED)
def test_the_installed_tarball_lists_an_inventory_and_runs_a_check_mode_play(version, smoke_runs):
    results, servers_added = smoke_runs
    if version not in results:
        pytest.skip("no venv with ansible-core %s (Python 3.12 is needed from 2.20 on): %r" % (version, VENVS.get(version)))
    outputs = results[version]
    if isinstance(outputs, AssertionError):
        raise outputs

    assert outputs["version"].startswith("ansible [core %s." % version)
    hosts = json.loads(outputs["inventory"])["_meta"]["hostvars"]
    assert len(hosts) == 2 and all(name.startswith("smoke") for name in hosts), sorted(hosts)
    # The json callback is not in ansible.builtin before 2.19: the recap line of the default one.
    recap = re.search(r"^localhost\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=0\s+failed=0", outputs["play"], re.M)
    assert recap and recap.groups() == ("3", "1"), outputs["play"]
    assert servers_added == 0, "check mode ordered a server"
