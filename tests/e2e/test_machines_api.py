"""Sandbox SSH servers driven through the Otwa API, as a user drives a real cloud.

A rotated password logs in as soon as the API has answered; a reboot keeps the disk; a reinstall
gives a fresh disk and a new password; a rotation the server cannot apply answers as failed and the
old password still works. Needs root; skipped otherwise, failed with VPSFLEET_REQUIRE_MACHINES=1.
"""

from __future__ import annotations

import os
import subprocess
import time

import pytest

from vps_sandbox.testing import SandboxProcess, call_api

SCOPES = ["account:read", "servers:read", "servers:write", "servers:destroy"]


class OtwaServer:
    """One sandbox Otwa server, its API and SSH as root with a password."""

    def __init__(self, sandbox):
        self.sandbox = sandbox
        self.key = sandbox.create_account("otwa", scopes=SCOPES)["api_key"]
        self.id = sandbox.seed_servers(self.key, 1, status="provisioning")["ids"][0]

    def api(self, method, path="", body=None):
        answer = call_api(method, "%s/servers/%s%s" % (self.sandbox.otwa_url, self.id, path), key=self.key, body=body)
        assert answer.status == 200, answer
        return answer.body

    def wait_until_running(self, timeout=30):
        deadline = time.monotonic() + timeout
        while self.api("GET")["status"] != "running" and time.monotonic() < deadline:
            time.sleep(0.1)
        assert self.api("GET")["status"] == "running"
        return self.api("GET", "/credentials")

    def ssh(self, password, command):
        return subprocess.run(
            ["sshpass", "-e", "ssh", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
             "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=5", "-o", "NumberOfPasswordPrompts=1",
             "-o", "PubkeyAuthentication=no", "root@" + self.ip, command],
            capture_output=True, text=True, timeout=30, check=False, env=dict(os.environ, SSHPASS=password))

    def ssh_ok(self, password, command):
        result = self.ssh(password, command)
        assert result.returncode == 0, "%s: %s" % (command, result.stderr)
        return result.stdout

    def ssh_until(self, password, command, expected, timeout=30):
        """Retry ``command`` (the server may be booting) until it prints ``expected``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.ssh(password, command).stdout.strip() == expected:
                return True
            time.sleep(0.2)
        return False


@pytest.fixture(scope="module")
def server(ssh_machines):
    with SandboxProcess(machines="ssh", provision_delay=0.2) as sandbox:
        sandbox.configure(power_delay=0.2, reinstall_delay=0.2)
        otwa_server = OtwaServer(sandbox)
        credentials = otwa_server.wait_until_running()
        otwa_server.ip = credentials["ip"]
        otwa_server.password = credentials["password"]
        otwa_server.ssh_until(otwa_server.password, "echo up", "up")
        yield otwa_server


def test_a_rotated_password_logs_in_as_soon_as_the_api_answers(server):
    old_password = server.password

    answer = server.api("POST", "/password-reset")

    assert answer["success"] is True
    assert server.ssh_ok(answer["password"], "id -un").strip() == "root"
    assert server.ssh(old_password, "true").returncode != 0
    assert server.api("GET", "/credentials")["password"] == answer["password"]
    server.password = answer["password"]


def test_a_reboot_through_the_api_keeps_the_disk_and_the_password(server):
    server.ssh_ok(server.password, "echo kept > /etc/marker && echo gone > /run/marker")

    server.api("POST", "/power/reboot")

    # /run is memory: the marker there is gone once the server has really rebooted.
    assert server.ssh_until(server.password, "test -e /run/marker || cat /etc/marker", "kept")


def test_a_reinstall_through_the_api_gives_a_fresh_disk_and_a_new_password(server):
    old_password = server.password

    server.api("POST", "/reinstall", {"os": "debian", "osTemplate": "debian-13"})
    credentials = server.wait_until_running()

    assert credentials["password"] != old_password
    assert server.ssh_until(credentials["password"], "test -e /etc/marker || echo fresh", "fresh")
    assert server.ssh(old_password, "true").returncode != 0
    server.password = credentials["password"]


def test_a_rotation_the_server_cannot_apply_answers_failed_and_the_old_password_still_works(server):
    server.ssh_ok(server.password, "mv /usr/sbin/chpasswd /usr/sbin/chpasswd.off")
    try:
        answer = server.api("POST", "/password-reset")

        assert answer["success"] is False and "password" not in answer
        assert "chpasswd" in answer["message"]
        assert server.ssh_ok(server.password, "id -un").strip() == "root"
        assert server.api("GET", "/credentials")["password"] == server.password
    finally:
        server.ssh_ok(server.password, "mv /usr/sbin/chpasswd.off /usr/sbin/chpasswd")
