"""Run a sandbox as a subprocess from tests and drive its control API (stdlib only)."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from urllib.parse import urlencode

SANDBOX_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STARTUP_TIMEOUT_SECONDS = 20
STOP_TIMEOUT_SECONDS = 5
# SSH machines stop in parallel, each within a few seconds; a boot under way is let finish first.
SSH_MACHINES_STOP_TIMEOUT_SECONDS = 60
MACHINE_INIT_FLAG = "--machine-init"
DEFAULT_MACHINES_ROOT = "/var/lib/vpsfleet-sandbox/machines"


# Set to 1 where SSH machines must run (CI as root): tests that need them fail instead of skipping.
REQUIRE_MACHINES_ENV = "VPSFLEET_REQUIRE_MACHINES"


def machines_required():
    """True when a test that cannot run SSH machines here must fail rather than skip."""
    return os.environ.get(REQUIRE_MACHINES_ENV) == "1"


def free_port():
    """A TCP port that was free a moment ago on 127.0.0.1."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SandboxError(RuntimeError):
    """The sandbox did not start, or a control call failed."""


class SandboxProcess:
    """`with SandboxProcess() as sandbox:` runs `python -m vps_sandbox` for the block's duration."""

    def __init__(self, port=None, machines="none", provision_delay=0.2, extra_args=(), sshd_delay=None):
        """``sshd_delay``: with SSH machines, seconds from "running" to sshd listening (default 0)."""
        self.port = port or free_port()
        self.machines = machines
        self.provision_delay = provision_delay
        self.extra_args = list(extra_args)
        self.sshd_delay = sshd_delay
        self.machines_dir = None  # with SSH machines: this sandbox's own, removed by stop()
        self.url = f"http://127.0.0.1:{self.port}"
        self.vpscrypto_url = self.url + "/vpscrypto/api/v1"
        self.otwa_url = self.url + "/otwa/api/v1"
        self._process = None
        self._output = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    def start(self):
        """Start the subprocess and wait until /_sandbox/health answers."""
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [SANDBOX_DIR, env.get("PYTHONPATH")]))
        if self.machines == "ssh":
            # A directory of its own, so stop() can tell this sandbox's machines from any other's.
            root = env.get("VPS_SANDBOX_MACHINES_DIR", DEFAULT_MACHINES_ROOT)
            os.makedirs(root, exist_ok=True)
            self.machines_dir = tempfile.mkdtemp(prefix="sandbox-", dir=root)
            env["VPS_SANDBOX_MACHINES_DIR"] = self.machines_dir
            if self.sshd_delay is not None:
                env["VPS_SANDBOX_SSHD_DELAY"] = str(self.sshd_delay)
        self._output = tempfile.TemporaryFile()
        command = [sys.executable, "-m", "vps_sandbox", "--port", str(self.port), "--machines", self.machines,
                   "--provision-delay", str(self.provision_delay), *self.extra_args]
        # Own process group, so stop() can take any children along with it.
        self._process = subprocess.Popen(command, env=env, stdout=self._output, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                break
            try:
                self.control("GET", "/health")
                return self
            except (OSError, SandboxError):
                time.sleep(0.05)
        output = self.output()
        self.stop()
        raise SandboxError(f"sandbox did not become healthy on {self.url}; its output:\n{output}")

    def output(self):
        """Everything the subprocess printed so far."""
        if self._output is None:
            return ""
        self._output.seek(0)
        return self._output.read().decode("utf-8", "replace")

    def stop(self):
        """SIGTERM the process group, SIGKILL it after a timeout; then no machine of it is left.

        SSH machines live in sessions of their own, out of the group's reach: the sandbox stops them
        on SIGTERM, and each one also powers itself off when the sandbox dies. Whatever is still
        running after that is killed, and the sandbox's machines directory is removed.
        """
        if self._process is None:
            return
        timeout = SSH_MACHINES_STOP_TIMEOUT_SECONDS if self.machines == "ssh" else STOP_TIMEOUT_SECONDS
        if self._process.poll() is None:
            try:
                os.killpg(self._process.pid, signal.SIGTERM)
                self._process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self._process.pid, signal.SIGKILL)
                self._process.wait()
            except ProcessLookupError:
                pass
        self._process = None
        if self.machines_dir:
            remove_machines(self.machines_dir)
            self.machines_dir = None

    def kill(self):
        """SIGKILL the sandbox alone, as a crash would, leaving its machines to notice by themselves."""
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait()

    def control(self, method, path, json=None):  # noqa: A002 - mirrors the requests keyword
        """Call /_sandbox<path> and return the parsed JSON answer (SandboxError on an HTTP error)."""
        data = None if json is None else _dumps(json)
        request = urllib.request.Request(self.url + "/_sandbox" + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                return _loads(answer.read())
        except urllib.error.HTTPError as error:
            raise SandboxError(f"{method} /_sandbox{path} -> {error.code}: {error.read().decode()}") from None

    def reset(self):
        """Empty state, default config, no machines."""
        return self.control("POST", "/reset")

    def configure(self, **config):
        """Partial config update; returns the whole config."""
        return self.control("PUT", "/config", config)

    def create_account(self, provider, balance_usd=100, scopes=None, **extra):
        """A new account: {"provider", "account_id", "api_key", "balance_usd", "scopes"}."""
        body = {"provider": provider, "balance_usd": balance_usd, **extra}
        if scopes is not None:
            body["scopes"] = scopes
        return self.control("POST", "/accounts", body)

    def seed_servers(self, api_key, count, **kw):
        """Create count servers for the key's account at no charge: {"created", "ids"}."""
        return self.control("POST", "/servers", {"api_key": api_key, "count": count, **kw})

    def ledger(self, **filters):
        """Ledger entries, optionally filtered by provider= and account=."""
        query = "?" + urlencode(filters) if filters else ""
        return self.control("GET", "/ledger" + query)["entries"]

    def requests_log(self):
        """The provider requests seen so far (no bodies, no secrets)."""
        return self.control("GET", "/requests")["requests"]

    def fund_wallet(self, address, usdc):
        """Give a payer address test USDC."""
        return self.control("POST", "/wallets", {"address": address, "usdc": str(usdc)})

    def servers(self):
        """Every server of every account."""
        return self.control("GET", "/servers")["servers"]

    def secrets(self):
        """Every secret the sandbox has handed out or received: keys, passwords, tokens, payment headers."""
        return self.control("GET", "/secrets")["secrets"]

    def advance_clock(self, seconds):
        """Move billing time ahead and run the renewals falling due: the clock and what they did."""
        return self.control("POST", "/clock", {"advance_seconds": seconds})


def machine_processes(machines_dir):
    """PIDs of the host's processes that belong to a machine under ``machines_dir``: the ``unshare``
    and init of each machine (the directory is in their command line) and everything running inside
    one (its root is under the directory)."""
    machines_dir = os.path.realpath(machines_dir)
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry.name}/cmdline", "rb") as cmdline:
                argv = cmdline.read().decode(errors="replace").split("\0")
            root = os.readlink(f"/proc/{entry.name}/root")
        except OSError:
            continue  # exited meanwhile
        by_argv = MACHINE_INIT_FLAG in argv and any(arg.startswith(machines_dir) for arg in argv)
        if by_argv or root.startswith(machines_dir + os.sep):
            found.append(int(entry.name))
    return found


def remove_machines(machines_dir, grace_seconds=10):
    """Wait for the machines under ``machines_dir`` to power off, kill any that do not, delete the directory."""
    deadline = time.monotonic() + grace_seconds
    while machine_processes(machines_dir) and time.monotonic() < deadline:
        time.sleep(0.1)
    for pid in machine_processes(machines_dir):
        try:
            os.kill(pid, signal.SIGKILL)  # an init's death ends its whole PID namespace
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + grace_seconds
    while machine_processes(machines_dir) and time.monotonic() < deadline:
        time.sleep(0.1)
    # Machine mounts live in the machines' own namespaces, gone with their last process; a mount in
    # the host's namespace would be someone else's, so never delete across one.
    if not any(os.path.ismount(os.path.join(path, name)) for path, names, _files in os.walk(machines_dir)
               for name in names):
        shutil.rmtree(machines_dir, ignore_errors=True)


class Answer:
    """Status, headers and parsed JSON body of one HTTP exchange."""

    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def __repr__(self):
        return f"Answer({self.status}, {self.body!r})"


def call_api(method, url, key=None, body=None, headers=None, timeout=30):
    """One JSON request with an optional Bearer key; HTTP error statuses come back as answers too."""
    all_headers = {"Content-Type": "application/json", **(headers or {})}
    if key:
        all_headers["Authorization"] = "Bearer " + key
    data = None if body is None else _dumps(body)
    request = urllib.request.Request(url, data=data, method=method, headers=all_headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            status, answer_headers, payload = answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as error:
        status, answer_headers, payload = error.code, error.headers, error.read()
    return Answer(status, answer_headers, _loads(payload))


def _dumps(value):
    return json.dumps(value).encode("utf-8")


def _loads(payload):
    return json.loads(payload.decode("utf-8")) if payload else None
