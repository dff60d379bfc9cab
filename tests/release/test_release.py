"""``make release`` works: tried in a scratch copy of the repository, so nothing here changes.

The copy holds the tracked files and those not yet committed (as the build does); the release runs
with the repository's venv, without galaxy-importer and the plugin docs lint (the test-release and
lint suites run them on the same content).
"""

from __future__ import annotations

import os
import pathlib
import shutil
import subprocess
import sys
import tarfile

import pytest
import yaml

REPO = pathlib.Path(__file__).resolve().parents[2]
VENV = pathlib.Path(sys.executable).parent.parent


def git(*args, cwd=REPO):
    return subprocess.run(["git"] + list(args), cwd=cwd, capture_output=True, text=True, check=True, timeout=60).stdout


@pytest.fixture
def scratch(tmp_path):
    """A git repository holding the checkout's files (tracked, and untracked but not ignored)."""
    copy = tmp_path / "repo"
    files = git("ls-files", "-z", "--cached", "--others", "--exclude-standard").split("\0")
    for name in filter(None, files):
        source = REPO / name
        if source.is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy / name)
    git("init", "-q", cwd=copy)
    git("add", "-A", cwd=copy)
    git("-c", "user.name=release test", "-c", "user.email=release@test.invalid", "commit", "-qm", "scratch", cwd=copy)
    return copy


def release(copy, *version):
    env = dict(os.environ, RELEASE_CHECKED_ELSEWHERE="1")
    env.pop("ANSIBLE_COLLECTIONS_PATH", None)
    return subprocess.run(["scripts/release.sh", str(VENV), str(REPO / ".venv-importer")] + list(version),
                          cwd=copy, capture_output=True, text=True, env=env, check=False, timeout=600)


def test_a_release_bumps_the_version_generates_the_changelog_and_builds_a_checked_tarball(scratch):
    # A change to release, whether or not the checkout has unreleased fragments of its own.
    fragments = scratch / "changelogs" / "fragments"
    fragments.mkdir(exist_ok=True)  # a clone after a release has none: git keeps no empty folder
    (fragments / "release-test-change.yml").write_text(
        "minor_changes:\n  - vps_server - a change made for the release test.\n")

    result = release(scratch, "1.1.0")

    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert yaml.safe_load((scratch / "galaxy.yml").read_text())["version"] == "1.1.0"
    assert 'COLLECTION_VERSION = "1.1.0"' in (scratch / "plugins" / "module_utils" / "_version.py").read_text()
    changelog = yaml.safe_load((scratch / "changelogs" / "changelog.yaml").read_text())
    assert "1.1.0" in changelog["releases"]
    assert "v1.1.0" in (scratch / "CHANGELOG.rst").read_text()
    assert "a change made for the release test" in (scratch / "CHANGELOG.rst").read_text()
    assert not list((scratch / "changelogs" / "fragments").glob("*.yml")), "the fragments were not consumed"
    tarball = scratch / "dist" / "vpsfleet-cloud-1.1.0.tar.gz"
    with tarfile.open(tarball) as archive:
        names = archive.getnames()
    assert "CHANGELOG.rst" in names and "COPYING" in names


def test_a_version_already_released_is_refused_before_anything_changes(scratch):
    changelog = scratch / "changelogs" / "changelog.yaml"
    released = yaml.safe_load(changelog.read_text())
    released["releases"] = {"1.1.0": {"release_date": "2026-12-01"}}
    changelog.write_text(yaml.safe_dump(released))
    git("-c", "user.name=release test", "-c", "user.email=release@test.invalid", "commit", "-qam", "1.1.0", cwd=scratch)

    again = release(scratch, "1.1.0")

    assert again.returncode != 0
    assert "already released" in again.stderr
    assert git("status", "--porcelain", cwd=scratch) == ""


def test_a_version_that_is_not_major_minor_patch_is_refused(scratch):
    result = release(scratch, "1.1")

    assert result.returncode != 0
    assert "not a release version" in result.stderr
    assert yaml.safe_load((scratch / "galaxy.yml").read_text())["version"] != "1.1"
