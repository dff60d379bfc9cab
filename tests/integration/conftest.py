"""Fixtures for integration tests: a sandbox process and real ansible-playbook/ansible-inventory runs.

The collection is taken from ``.build/installed`` (the tarball that ``make collection`` built and
installed), so these tests exercise what users install. Without it, for quick local runs, the
symlink tree of tests/conftest.py is used instead; the pytest header says which one.
"""

from __future__ import annotations

import collections
import json
import os
import pathlib
import subprocess
import sys

import pytest

from vps_sandbox import secret_sweep

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]
INSTALLED_COLLECTIONS = REPO_ROOT / ".build" / "installed"
DEV_COLLECTIONS = REPO_ROOT / ".build" / "pytest"

AnsibleRun = collections.namedtuple("AnsibleRun", "rc stdout stderr json")


def collections_path():
    """The collections directory the ansible subprocesses use: the installed build if present."""
    if (INSTALLED_COLLECTIONS / "ansible_collections" / "vpsfleet" / "cloud" / "MANIFEST.json").is_file():
        return INSTALLED_COLLECTIONS
    return DEV_COLLECTIONS


def pytest_report_header():
    """Show which copy of the collection the ansible runs will load."""
    return f"vpsfleet.cloud for ansible runs: {collections_path()}"


@pytest.fixture(scope="session")
def sandbox():
    """One sandbox process (both provider APIs) for the whole session, with no SSH machines."""
    testing = pytest.importorskip("vps_sandbox.testing", reason="the sandbox's test helper is not available")
    with testing.SandboxProcess(machines="none", provision_delay=0.2) as process:
        yield process


@pytest.fixture
def clean_sandbox(sandbox):
    """The session sandbox, emptied of accounts, servers and logs before the test."""
    sandbox.reset()
    return sandbox


class AnsibleCli:
    """Runs ansible command-line tools from this Python's venv against the collection under test."""

    def __init__(self, work_dir):
        self.work_dir = pathlib.Path(work_dir)
        self.bin_dir = pathlib.Path(sys.executable).parent
        # Every run records what callbacks (AWX job events) receive; the `ansible` fixture sweeps it.
        self.result_record = self.work_dir / "callback-results.jsonl"
        self.known_secrets = set()

    def environment(self, json_output, extra_env=None):
        """The environment for one run; secrets go in through extra_env, never on the command line."""
        env = dict(os.environ)
        env.update(
            ANSIBLE_COLLECTIONS_PATH=str(collections_path()),
            ANSIBLE_PYTHON_INTERPRETER=sys.executable,
            ANSIBLE_FORCE_COLOR="0",
            ANSIBLE_NOCOLOR="1",
            ANSIBLE_HOST_KEY_CHECKING="False",
            ANSIBLE_RETRY_FILES_ENABLED="False",
            ANSIBLE_LOCAL_TEMP=str(self.work_dir / "ansible-tmp"),
            # A source that fails fails the run, as docs/inventory.md asks of every run that feeds automation.
            ANSIBLE_INVENTORY_UNPARSED_FAILED="true",
        )
        env.update(secret_sweep.recorder_environment(self.result_record))
        if json_output:
            env.update(ANSIBLE_STDOUT_CALLBACK="json_results")
        env.update(extra_env or {})
        self.known_secrets |= secret_sweep.environment_secrets(extra_env)
        return env

    def secret_leaks(self, secrets=()):
        """Where a known secret reached a callback in this CLI's runs (see vps_sandbox.secret_sweep)."""
        return secret_sweep.leaks(self.result_record, self.known_secrets | set(secrets))

    def run(self, tool, args, json_output=True, env=None, timeout=300):
        """Run ``tool args...`` and return AnsibleRun(rc, stdout, stderr, parsed stdout or None).

        With json_output, ansible-playbook prints one JSON document (tests' json_results callback);
        ansible-inventory prints JSON by itself.
        """
        completed = subprocess.run(
            [str(self.bin_dir / tool), *map(str, args)],
            cwd=self.work_dir,
            env=self.environment(json_output, env),
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,  # never a shared stdin another process may have left non-blocking
            check=False,
        )
        try:
            parsed = json.loads(completed.stdout)
        except ValueError:
            parsed = None
        return AnsibleRun(completed.returncode, completed.stdout, completed.stderr, parsed)

    def write(self, name, text):
        """Write a file (playbook, inventory source) into the run's working directory."""
        path = self.work_dir / name
        path.write_text(text, encoding="utf-8")
        return path

    def playbook(self, playbook, *args, extra_vars=None, env=None, json_output=True):
        """Run ansible-playbook on a path or on playbook text (written to a temp file first)."""
        if isinstance(playbook, str) and "\n" in playbook:
            playbook = self.write("playbook.yml", playbook)
        arguments = ["-i", "localhost,", "-c", "local", playbook, *args]
        if extra_vars:
            arguments += ["--extra-vars", json.dumps(extra_vars)]
            self.known_secrets |= secret_sweep.variable_secrets(extra_vars)
        return self.run("ansible-playbook", arguments, json_output=json_output, env=env)

    def inventory(self, source, *args, env=None):
        """Run ``ansible-inventory -i source --list`` and parse its JSON output."""
        return self.run("ansible-inventory", ["-i", source, "--list", *args], json_output=False, env=env)


@pytest.fixture
def ansible(tmp_path, request):
    """An AnsibleCli whose runs happen in the test's own temporary directory.

    After the test, every result its runs handed to callbacks (what AWX stores as job events) is
    swept for the secrets the test knows: those of the sandbox's state and the runs' environments.
    """
    cli = AnsibleCli(tmp_path)
    yield cli
    secrets = set()
    if "sandbox" in request.fixturenames:
        secrets.update(request.getfixturevalue("sandbox").secrets())
    leaks = cli.secret_leaks(secrets)
    assert not leaks, "secrets reached the callbacks (AWX job events):\n" + "\n".join(leaks[:20])
