# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet role run as the slices of a sliced AWX job refuses to order.

AWX runs a job template with job slicing as a workflow job named after the template, one job per
slice, each launched by that workflow; the extra variables a slice job gets (awx_meta_vars in AWX's
awx/main/models/unified_jobs.py and jobs.py) carry no slice number or count, but these.
"""

from __future__ import annotations

import json
import os
import sys

import pytest

FLEET = [{"name": "web-1", "provider": "otwa", "plan": "Cloud S", "location": "de-fra-01", "os": "debian-13"}]
PLAYBOOK = """
- hosts: localhost
  connection: local
  gather_facts: false
  roles:
    - vpsfleet.cloud.fleet
"""
TEMPLATE = "Provision the fleet"


def slice_job_vars(job_id):
    """The AWX meta variables of one slice job of a sliced job template."""
    meta = {"job_id": job_id, "job_launch_type": "workflow", "workflow_job_id": 700,
            "workflow_job_name": TEMPLATE, "job_template_id": 12, "job_template_name": TEMPLATE}
    variables = {}
    for prefix in ("awx", "tower"):
        variables.update(("%s_%s" % (prefix, key), value) for key, value in meta.items())
    return variables


def run_as_awx(ansible, tmp_path, name, sandbox, account, extravars):
    ansible_runner = pytest.importorskip("ansible_runner")
    data_dir = tmp_path / name
    for part in ("env", "inventory", "project"):
        (data_dir / part).mkdir(parents=True)
    (data_dir / "project" / "provision.yml").write_text(PLAYBOOK, encoding="utf-8")
    (data_dir / "inventory" / "hosts").write_text("localhost ansible_connection=local\n", encoding="utf-8")
    variables = dict(extravars, vps_fleet=FLEET, fleet_wait_for_ssh=False,
                     fleet_api_urls={"otwa": sandbox.otwa_url})
    (data_dir / "env" / "extravars").write_text(json.dumps(variables), encoding="utf-8")
    cli_env = ansible.environment(json_output=False)
    envvars = {"OTWA_API_KEY": account["api_key"], "ANSIBLE_COLLECTIONS_PATH": cli_env["ANSIBLE_COLLECTIONS_PATH"],
               "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
               "VPSFLEET_JOURNAL_DIR": os.environ["VPSFLEET_JOURNAL_DIR"],
               "PATH": os.pathsep.join([os.path.dirname(sys.executable), os.environ["PATH"]])}
    (data_dir / "env" / "envvars").write_text(json.dumps(envvars), encoding="utf-8")
    result = ansible_runner.run(private_data_dir=str(data_dir), playbook="provision.yml", quiet=True, timeout=300)
    return result, result.stdout.read()


def test_both_slices_of_a_sliced_job_refuse_to_order(clean_sandbox, ansible, tmp_path):
    account = clean_sandbox.create_account("otwa", balance_usd=100,
                                           scopes=["account:read", "servers:read", "servers:write"])

    outcomes = [run_as_awx(ansible, tmp_path, "slice-%d" % number, clean_sandbox, account, slice_job_vars(800 + number))
                for number in (1, 2)]

    for result, stdout in outcomes:
        assert result.status == "failed", stdout[-3000:]
        assert "one slice of a sliced AWX job" in stdout and "fleet_allow_sliced_job" in stdout
    assert clean_sandbox.servers() == []
    assert clean_sandbox.requests_log() == []


def test_a_slice_orders_when_the_user_opts_in(clean_sandbox, ansible, tmp_path):
    account = clean_sandbox.create_account("otwa", balance_usd=100,
                                           scopes=["account:read", "servers:read", "servers:write"])

    result, stdout = run_as_awx(ansible, tmp_path, "opted-in", clean_sandbox, account,
                                dict(slice_job_vars(801), fleet_allow_sliced_job=True))

    assert result.status == "successful", stdout[-3000:]
    assert [server["label"] for server in clean_sandbox.servers()] == ["web-1"]


def test_a_job_of_an_ordinary_workflow_orders(clean_sandbox, ansible, tmp_path):
    account = clean_sandbox.create_account("otwa", balance_usd=100,
                                           scopes=["account:read", "servers:read", "servers:write"])
    variables = dict(slice_job_vars(802), awx_workflow_job_name="Nightly", tower_workflow_job_name="Nightly")

    result, stdout = run_as_awx(ansible, tmp_path, "workflow", clean_sandbox, account, variables)

    assert result.status == "successful", stdout[-3000:]
    assert [server["label"] for server in clean_sandbox.servers()] == ["web-1"]
