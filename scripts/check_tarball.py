"""Check what the collection tarball ships: the license text, the version, and nothing that only runs
from a checkout (tests/ need the sandbox and galaxy.yml; the AWX project template imports the
collection's own plays). With --released, also the generated changelog of that version.

Usage: check_tarball.py TARBALL [--released]
"""

from __future__ import annotations

import json
import sys
import tarfile

import yaml

NOT_SHIPPED = ("tests/", "sandbox/", "scripts/", "docs/awx/project/", ".venv", ".build/", "dist/")


def problems_of(path, released):
    with tarfile.open(path) as tarball:
        names = [member.name for member in tarball.getmembers()]
        manifest = json.load(tarball.extractfile("MANIFEST.json"))
        copying = tarball.extractfile("COPYING").read().decode() if "COPYING" in names else ""
        changelog = yaml.safe_load(tarball.extractfile("changelogs/changelog.yaml")) \
            if "changelogs/changelog.yaml" in names else {}
    version = manifest["collection_info"]["version"]
    with open("galaxy.yml") as galaxy:
        declared = yaml.safe_load(galaxy)["version"]
    problems = []
    if "GNU GENERAL PUBLIC LICENSE" not in copying or "Version 3, 29 June 2007" not in copying:
        problems.append("COPYING with the GPL-3.0 text is missing")
    if version != declared:
        problems.append("the tarball is version %s, galaxy.yml says %s" % (version, declared))
    problems += ["%s is shipped but runs only from a checkout" % name
                 for name in names if name.startswith(NOT_SHIPPED)]
    if released:
        if "CHANGELOG.rst" not in names:
            problems.append("CHANGELOG.rst is missing")
        if version not in (changelog.get("releases") or {}):
            problems.append("changelogs/changelog.yaml has no release %s" % version)
        problems += ["%s is an unreleased changelog fragment" % name for name in names
                     if name.startswith("changelogs/fragments/") and name.endswith((".yml", ".yaml"))]
    return version, problems


def main(argv):
    version, problems = problems_of(argv[0], "--released" in argv[1:])
    for problem in problems:
        print("FAILED: %s" % problem)
    if not problems:
        print("%s: version %s, COPYING shipped, nothing that runs only from a checkout" % (argv[0], version))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
