"""The execution environment definition is one ansible-builder accepts, with our dependencies in it.

No container engine is needed: ``ansible-builder create`` validates the definition and writes the
build context; ``ansible-builder introspect`` reads the dependencies an installed collection declares.
The variant in docs/awx/ installs the collection from the tarball ``make collection`` builds: its
context must hold that tarball, and its galaxy requirements must install it.
"""

from __future__ import annotations

import pathlib
import re
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
    assert "vpsfleet.cloud" in (context / "_build" / "requirements.yml").read_text()


def test_the_definition_supports_every_ansible_core_the_collection_supports():
    definition = yaml.safe_load((REPO / "meta" / "execution-environment.yml").read_text())
    core = definition["dependencies"]["ansible_core"]["package_pip"]
    assert core.replace(" ", "") == "ansible-core>=2.18,<2.22"
    # ansible-core 2.20 and later need Python 3.12.
    assert definition["dependencies"]["python_interpreter"]["package_system"] == "python3.12"


def requirement_names(path):
    """Package names of a requirements or bindep file, comments and platform selectors left out."""
    lines = [line.split("#")[0].strip() for line in path.read_text().splitlines()]
    return [re.split(r"[\s<>=!~\[;]", line)[0].lower() for line in lines if line]


@pytest.mark.skipif(not (INSTALLED / "ansible_collections" / "vpsfleet" / "cloud").is_dir(),
                    reason="the collection is not installed under .build/installed (make collection)")
def test_the_image_gets_each_python_and_system_requirement_once(tmp_path):
    context = tmp_path / "context"
    assert run_builder("create", "-f", str(REPO / "meta" / "execution-environment.yml"), "-c", str(context)).returncode == 0
    # What the image build runs once the collection is installed: the definition's own requirement
    # files (if any) combined with those the collection declares.
    user_files = []
    for option, name in (("--user-pip", "requirements.txt"), ("--user-bindep", "bindep.txt")):
        if (context / "_build" / name).is_file():
            user_files += [option, str(context / "_build" / name)]
    result = run_builder("introspect", str(INSTALLED), *user_files, "--write-pip", str(tmp_path / "pip.txt"),
                         "--write-bindep", str(tmp_path / "bindep.txt"))

    assert result.returncode == 0, result.stdout + result.stderr
    python, system = requirement_names(tmp_path / "pip.txt"), requirement_names(tmp_path / "bindep.txt")
    assert "requests" in python and "eth-account" in python and "sshpass" in system
    assert sorted(set(python)) == sorted(python), python
    assert sorted(set(system)) == sorted(system), system


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
