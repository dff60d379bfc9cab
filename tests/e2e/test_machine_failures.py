"""What the sandbox APIs say when a machine fails, with a stand-in machine backend (no root needed).

A failed boot never reads as running: the server keeps a status its API allows and the request log
says why. A password reset answers only once the machine has the new password, and a failure to
apply it answers as the API's failed rotation does.
"""

from __future__ import annotations

import threading
import time

import pytest

from vps_sandbox.app import Sandbox
from vps_sandbox.machines import NullMachines
from vps_sandbox.machines_ssh import MachineError
from vps_sandbox.testing import call_api


class StandInMachines(NullMachines):
    """Records every call; ``failing`` names the methods that raise."""

    def __init__(self):
        self.failing = set()
        self.passwords = []
        self.lock = threading.Lock()

    def start(self, key, ip, hostname, root_password):
        if "start" in self.failing:
            raise MachineError(f"{key}: boot failed: sshd did not come up")

    def set_password(self, key, password):
        time.sleep(0.3)  # a guest agent takes a moment
        if "set_password" in self.failing:
            raise MachineError(f"{key}: password change failed: chpasswd: cannot lock /etc/shadow")
        with self.lock:
            self.passwords.append((password, time.monotonic()))


@pytest.fixture
def sandbox():
    app = Sandbox("127.0.0.1", 0, "none", provision_delay=0.1, power_delay=0.1)
    app.lifecycle.machines = StandInMachines()
    app.start()
    yield app
    app.shutdown()


def control(app, method, path, body=None):
    answer = call_api(method, app.url + "/_sandbox" + path, body=body)
    assert answer.status < 300, answer
    return answer.body


def otwa(app, method, path, key, body=None):
    return call_api(method, app.url + "/otwa/api/v1" + path, key=key, body=body)


def server_status(app, server_id):
    return next(server["status"] for server in control(app, "GET", "/servers")["servers"] if server["id"] == server_id)


def wait_for_status(app, server_id, status, timeout=5):
    deadline = time.monotonic() + timeout
    while server_status(app, server_id) != status and time.monotonic() < deadline:
        time.sleep(0.05)
    return server_status(app, server_id)


def machine_failures(app):
    return [entry for entry in control(app, "GET", "/requests")["requests"] if entry["method"] == "MACHINE"]


@pytest.mark.parametrize("provider", ["vpscrypto", "otwa"])
def test_a_server_whose_first_boot_fails_stays_provisioning_and_the_request_log_says_why(sandbox, provider):
    sandbox.lifecycle.machines.failing.add("start")
    account = control(sandbox, "POST", "/accounts", {"provider": provider})
    server_id = control(sandbox, "POST", "/servers", {"api_key": account["api_key"], "count": 1,
                                                      "status": "provisioning"})["ids"][0]
    deadline = time.monotonic() + 5
    while not machine_failures(sandbox) and time.monotonic() < deadline:
        time.sleep(0.05)

    assert [(entry["job"], entry["path"], entry["provider"]) for entry in machine_failures(sandbox)] == [
        ("provision", "/servers/%s" % server_id, provider)]
    assert "sshd did not come up" in machine_failures(sandbox)[0]["error"]
    assert server_status(sandbox, server_id) == "provisioning"


def test_an_otwa_server_whose_reboot_fails_is_stopped_and_starts_again_once_it_can(sandbox):
    account = control(sandbox, "POST", "/accounts", {"provider": "otwa"})
    server_id = control(sandbox, "POST", "/servers", {"api_key": account["api_key"], "count": 1})["ids"][0]
    sandbox.lifecycle.machines.failing.add("start")

    assert otwa(sandbox, "POST", "/servers/%s/power/reboot" % server_id, account["api_key"]).status == 200

    assert wait_for_status(sandbox, server_id, "stopped") == "stopped"
    assert [entry["job"] for entry in machine_failures(sandbox)] == ["reboot"]
    sandbox.lifecycle.machines.failing.clear()
    assert otwa(sandbox, "POST", "/servers/%s/power/start" % server_id, account["api_key"]).status == 200
    assert wait_for_status(sandbox, server_id, "running") == "running"


def test_a_password_reset_answers_only_once_the_machine_has_the_new_password(sandbox):
    account = control(sandbox, "POST", "/accounts", {"provider": "otwa"})
    server_id = control(sandbox, "POST", "/servers", {"api_key": account["api_key"], "count": 1})["ids"][0]

    answer = otwa(sandbox, "POST", "/servers/%s/password-reset" % server_id, account["api_key"])
    answered = time.monotonic()

    assert answer.status == 200 and answer.body["success"] is True
    [(applied, applied_at)] = sandbox.lifecycle.machines.passwords
    assert applied == answer.body["password"]
    assert applied_at <= answered


def test_a_password_reset_the_machine_cannot_apply_answers_as_a_failed_rotation(sandbox):
    account = control(sandbox, "POST", "/accounts", {"provider": "otwa"})
    server_id = control(sandbox, "POST", "/servers", {"api_key": account["api_key"], "count": 1})["ids"][0]
    sandbox.lifecycle.machines.failing.add("set_password")

    answer = otwa(sandbox, "POST", "/servers/%s/password-reset" % server_id, account["api_key"])

    assert answer.status == 200
    assert answer.body["success"] is False and "password" not in answer.body
    assert "cannot lock /etc/shadow" in answer.body["message"]
