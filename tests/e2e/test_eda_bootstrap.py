"""The bootstrap_new_servers rulebook's playbook on a sandbox server that is a real SSH host.

ansible-rulebook hands the playbook the event as ``ansible_eda.event``; here the playbook gets the same
variable from the command line, for an Otwa server that has just come up. Needs root (SSH machines).
"""

from __future__ import annotations

import json

import pytest

from vps_sandbox.main_job import MainJob
from vps_sandbox.testing import SandboxProcess


@pytest.fixture(scope="module")
def bootstrapped(tmp_path_factory, collections_dir, ssh_machines):
    with SandboxProcess(machines="ssh", provision_delay=0.2) as sandbox:
        job = MainJob(sandbox, tmp_path_factory.mktemp("eda-bootstrap"), collections_dir, fleet=[])
        server_id = sandbox.seed_servers(job.accounts["otwa"]["api_key"], 1, status="running", start_machines=True,
                                         name_prefix="edge")["ids"][0]
        server = [item for item in job.servers() if item["id"] == server_id][0]
        event = {"event": {"vps": {
            "type": "server_status_changed", "account": "otwa", "provider": "otwa", "previous": "provisioning",
            "server": {"id": server_id, "name": server["label"], "ip": server["ip"], "status": "running"},
            "runway": None}}}
        run = job.run("ansible-playbook", "-i", job.hosts, "vpsfleet.cloud.eda_bootstrap_server",
                      "-e", "@" + str(job.fleet_vars), "-e", json.dumps({"ansible_eda": event}))
        job.bootstrap_run, job.server_ip = run, server["ip"]
        yield job


def test_the_event_server_is_bootstrapped_and_its_admin_logs_in_with_the_key(bootstrapped):
    run = bootstrapped.bootstrap_run
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    login = bootstrapped.ssh(bootstrapped.server_ip, "sudo -n true && echo ok", user="admin")
    assert login.stdout.strip() == "ok", login.stderr
