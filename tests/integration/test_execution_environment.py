"""The execution environment definition is one ansible-builder accepts, with our dependencies in it.

No container engine is needed: ``ansible-builder create`` validates the definition and writes the
build context; ``ansible-builder introspect`` reads the dependencies an installed collection declares.
"""

from __future__ import annotations

import pathlib
import subprocess
import sys

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
BUILDER = pathlib.Path(sys.executable).parent / "ansible-builder"
INSTALLED = REPO / ".build" / "installed"

pytestmark = pytest.mark.skipif(not BUILDER.exists(), reason="ansible-builder is not installed in this venv")


def run_builder(*args):
    return subprocess.run([str(BUILDER)] + list(args), capture_output=True, text=True, check=False, timeout=120)


def test_ansible_builder_accepts_the_definition_and_writes_a_context_with_our_requirements(tmp_path):
    context = tmp_path / "context"

    result = run_builder("create", "-f", str(REPO / "meta" / "execution-environment.yml"), "-c", str(context))

    assert result.returncode == 0, result.stdout + result.stderr
    assert (context / "Dockerfile").is_file()
    python_requirements = (context / "_build" / "requirements.txt").read_text()
    assert "requests" in python_requirements and "eth-account" in python_requirements
    assert "sshpass" in (context / "_build" / "bindep.txt").read_text()
    assert "vpsfleet.cloud" in (context / "_build" / "requirements.yml").read_text()


@pytest.mark.skipif(not (INSTALLED / "ansible_collections" / "vpsfleet" / "cloud").is_dir(),
                    reason="the collection is not installed under .build/installed (make collection)")
def test_the_installed_collection_declares_its_python_and_system_dependencies():
    result = run_builder("introspect", str(INSTALLED))

    assert result.returncode == 0, result.stdout + result.stderr
    assert "requests" in result.stdout and "from collection vpsfleet.cloud" in result.stdout
    assert "eth-account" in result.stdout
    assert "sshpass" in result.stdout
