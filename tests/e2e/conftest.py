"""Fixtures of the end-to-end tests: the collection under test and the SSH machines they need.

Every ansible run of these tests goes through ``vps_sandbox.main_job.MainJob`` (``run`` for the
command-line tools, ``run_like_awx`` for ansible-runner), which records what the callbacks receive
and fails the run when a secret of the sandbox or of the job's environment reached them.
"""

from __future__ import annotations

import os
import pathlib

import pytest

from vps_sandbox.main_job import ssh_machines_unavailable_reason
from vps_sandbox.testing import REQUIRE_MACHINES_ENV, machines_required

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]
INSTALLED_COLLECTIONS = REPO_ROOT / ".build" / "installed"
DEV_COLLECTIONS = REPO_ROOT / ".build" / "pytest"


def installed_collection_wanted():
    """`make test-e2e` sets VPSFLEET_E2E_INSTALLED=1: the playbooks then run from the installed tarball."""
    return os.environ.get("VPSFLEET_E2E_INSTALLED") == "1"


def pytest_report_header():
    """Say which copy of the collection the playbooks run from."""
    return "vpsfleet.cloud for the end-to-end runs: %s" % (
        INSTALLED_COLLECTIONS if installed_collection_wanted() else DEV_COLLECTIONS)


@pytest.fixture(scope="session")
def collections_dir():
    """The directory holding ansible_collections/vpsfleet/cloud that every ansible run uses."""
    if not installed_collection_wanted():
        return DEV_COLLECTIONS
    if not (INSTALLED_COLLECTIONS / "ansible_collections" / "vpsfleet" / "cloud" / "MANIFEST.json").is_file():
        pytest.fail("VPSFLEET_E2E_INSTALLED=1, but no collection is installed under .build/installed (make collection)")
    return INSTALLED_COLLECTIONS


@pytest.fixture(scope="session")
def ssh_machines():
    """Nothing, once SSH sandbox machines can run here; else a skip, or a failure where they are required."""
    reason = ssh_machines_unavailable_reason()
    if reason is None:
        return
    if machines_required():
        pytest.fail("%s=1, but SSH machines cannot run here: %s" % (REQUIRE_MACHINES_ENV, reason))
    pytest.skip(reason)
