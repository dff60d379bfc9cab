"""Running is not reachable: vps_server's wait_for_ssh waits for sshd, which the sandbox starts late.

The sandbox (VPS_SANDBOX_SSHD_DELAY) starts each server's sshd some seconds after the API reports it
running. Needs root; skipped otherwise, failed with VPSFLEET_REQUIRE_MACHINES=1.
"""

from __future__ import annotations

import socket

import pytest

from vps_sandbox.main_job import MainJob
from vps_sandbox.testing import SandboxProcess

SSHD_DELAY_SECONDS = 8
ORDER_PLAYBOOK = """\
- name: Order one server
  hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: Order it and wait
      vpsfleet.cloud.vps_server:
        provider: otwa
        api_key: "{{ fleet_api_keys.otwa }}"
        api_url: "{{ fleet_api_urls.otwa }}"
        name: "{{ server_name }}"
        plan: Cloud S
        location: de-fra-01
        os: debian-13
        wait: true
        wait_for_ssh: "{{ wait_for_ssh | bool }}"
"""


def ssh_port_open(ip):
    try:
        with socket.create_connection((ip, 22), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture(scope="module")
def job(tmp_path_factory, collections_dir, ssh_machines):
    with SandboxProcess(machines="ssh", provision_delay=0.2, sshd_delay=SSHD_DELAY_SECONDS) as sandbox:
        main_job = MainJob(sandbox, tmp_path_factory.mktemp("wait-for-ssh"), collections_dir)
        main_job.order_one = main_job.work_dir / "order-one.yml"
        main_job.order_one.write_text(ORDER_PLAYBOOK, encoding="utf-8")
        yield main_job


def order(job, name, wait_for_ssh):
    """Order one server with the playbook above; its IP once the play is over."""
    run = job.run("ansible-playbook", "-i", job.hosts, job.order_one, "-e", "@" + str(job.fleet_vars),
                  "-e", "server_name=%s wait_for_ssh=%s" % (name, wait_for_ssh))
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    return next(server["ip"] for server in job.servers() if server["label"] == name)


def test_waiting_for_running_alone_returns_before_sshd_listens(job):
    assert not ssh_port_open(order(job, "running-only", wait_for_ssh=False))


def test_wait_for_ssh_returns_once_sshd_accepts_connections(job):
    assert ssh_port_open(order(job, "reachable", wait_for_ssh=True))
