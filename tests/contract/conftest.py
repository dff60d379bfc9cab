"""One sandbox process per test module, with short delays."""

import os
import sys

import pytest

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO_ROOT, "sandbox"))

from vps_sandbox.testing import SandboxProcess  # noqa: E402 - needs the path above


@pytest.fixture(scope="module")
def sandbox():
    """A fresh sandbox process for the module."""
    with SandboxProcess(provision_delay=0.1) as running:
        running.configure(power_delay=0.1, reinstall_delay=0.1, terminate_delay=0.1)
        yield running
