"""Smoke test: ansible-playbook runs from the installed collection and reports through JSON."""

from __future__ import annotations

import pathlib

import pytest

PLAYBOOK = """
- name: Smoke
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Say which collection answers
      ansible.builtin.debug:
        msg: "{{ lookup('ansible.builtin.env', 'ANSIBLE_COLLECTIONS_PATH') }}"
"""


def test_playbook_runs_and_reports_task_results_as_json(ansible):
    run = ansible.playbook(PLAYBOOK)

    assert run.rc == 0, run.stderr
    task = run.json["plays"][0]["tasks"][0]
    assert task["task"]["name"] == "Say which collection answers"
    assert task["hosts"]["localhost"]["msg"] == str(ansible.environment(False)["ANSIBLE_COLLECTIONS_PATH"])
    assert run.json["stats"]["localhost"]["failures"] == 0


def test_every_module_of_the_collection_is_listed_by_ansible_doc(ansible):
    source_modules = sorted(
        path.stem for path in (pathlib.Path(__file__).parents[2] / "plugins" / "modules").glob("*.py")
        if path.stem != "__init__"
    )
    if not source_modules:
        pytest.skip("the collection has no modules yet")

    run = ansible.run("ansible-doc", ["--list", "--json", "vpsfleet.cloud"], json_output=False)

    assert run.rc == 0, run.stderr
    listed = sorted(name.split(".")[-1] for name in run.json)
    missing = sorted(set(source_modules) - set(listed))
    assert listed == source_modules, (
        f"ansible-doc does not list {missing}: their DOCUMENTATION does not parse, "
        "or the installed collection is older than the source (`make collection`)"
    )
