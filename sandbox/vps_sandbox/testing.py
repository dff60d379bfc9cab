"""Run a sandbox as a subprocess from tests and drive its control API (stdlib only)."""

import json
import os
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


def free_port():
    """A TCP port that was free a moment ago on 127.0.0.1."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SandboxError(RuntimeError):
    """The sandbox did not start, or a control call failed."""


class SandboxProcess:
    """`with SandboxProcess() as sandbox:` runs `python -m vps_sandbox` for the block's duration."""

    def __init__(self, port=None, machines="none", provision_delay=0.2, extra_args=()):
        self.port = port or free_port()
        self.machines = machines
        self.provision_delay = provision_delay
        self.extra_args = list(extra_args)
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
        self._output = tempfile.TemporaryFile()
        command = [sys.executable, "-m", "vps_sandbox", "--port", str(self.port), "--machines", self.machines,
                   "--provision-delay", str(self.provision_delay), *self.extra_args]
        # Own process group, so stop() can take any children along with it.
        self._process = subprocess.Popen(command, env=env, stdout=self._output, stderr=subprocess.STDOUT,
                                         start_new_session=True)
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
        """SIGTERM the process group, SIGKILL it after a timeout."""
        if self._process is None:
            return
        if self._process.poll() is None:
            try:
                os.killpg(self._process.pid, signal.SIGTERM)
                self._process.wait(STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                os.killpg(self._process.pid, signal.SIGKILL)
                self._process.wait()
            except ProcessLookupError:
                pass
        self._process = None

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
