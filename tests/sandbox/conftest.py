"""A sandbox process per test module, reset before each test."""

import os
import sys

import pytest

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO_ROOT, "sandbox"))

from vps_sandbox.testing import SandboxProcess  # noqa: E402 - needs the path above


@pytest.fixture(scope="module")
def sandbox_process():
    """One running sandbox for the module."""
    with SandboxProcess(provision_delay=0.1) as running:
        yield running


@pytest.fixture
def sandbox(sandbox_process):
    """The module's sandbox, emptied and with short delays."""
    sandbox_process.reset()
    sandbox_process.configure(power_delay=0.1, reinstall_delay=0.1, terminate_delay=0.1)
    return sandbox_process
