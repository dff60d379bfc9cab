"""The execution environment definition is one ansible-builder accepts, with our dependencies in it.

No container engine is needed: ``ansible-builder create`` validates the definition and writes the
build context; ``ansible-builder introspect`` reads the dependencies an installed collection declares.
The variant in docs/awx/ installs the collection from the tarball ``make collection`` builds: its
context must hold that tarball, and its galaxy requirements must install it.
"""

from __future__ import annotations

import pathlib
import subprocess
import sys

import pytest
import yaml

REPO = pathlib.Path(__file__).resolve().parents[2]
BUILDER = pathlib.Path(sys.executable).parent / "ansible-builder"
INSTALLED = REPO / ".build" / "installed"
DIST = REPO / ".build" / "dist"
LOCAL_SOURCE_DEFINITION = REPO / "docs" / "awx" / "execution-environment.local.yml"
# ansible-builder's Dockerfile copies the context's _build/ to /build and installs collections there.
IMAGE_BUILD_DIR = "/build/"

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


@pytest.mark.skipif(not list(DIST.glob("vpsfleet-cloud-*.tar.gz")),
                    reason="no collection tarball under .build/dist (make collection)")
def test_the_local_source_definition_builds_from_the_tarball_make_collection_writes(tmp_path):
    context = tmp_path / "context"
    version = yaml.safe_load((REPO / "galaxy.yml").read_text())["version"]

    result = run_builder("create", "-f", str(LOCAL_SOURCE_DEFINITION), "-c", str(context))

    assert result.returncode == 0, result.stdout + result.stderr
    [requirement] = yaml.safe_load((context / "_build" / "requirements.yml").read_text())["collections"]
    assert requirement["type"] == "file"
    assert requirement["name"] == IMAGE_BUILD_DIR + "collections/vpsfleet-cloud-%s.tar.gz" % version
    tarball_in_context = context / "_build" / requirement["name"][len(IMAGE_BUILD_DIR):]
    assert tarball_in_context.is_file()
    # What the image build's galaxy stage runs, with /build/ being the context's _build/ here.
    requirements = tmp_path / "requirements.yml"
    requirements.write_text(yaml.safe_dump({"collections": [dict(requirement, name=str(tarball_in_context))]}))
    # --force: the development copy on ANSIBLE_COLLECTIONS_PATH would count as already installed.
    installed = subprocess.run([str(pathlib.Path(sys.executable).parent / "ansible-galaxy"), "collection", "install",
                                "--force", "--offline", "-r", str(requirements), "-p", str(tmp_path / "collections")],
                               capture_output=True, text=True, check=False, timeout=120)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    assert (tmp_path / "collections" / "ansible_collections" / "vpsfleet" / "cloud" / "MANIFEST.json").is_file()
