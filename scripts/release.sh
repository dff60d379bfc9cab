#!/usr/bin/env bash
# Make a release: set the version (if one is given), generate the changelog from the fragments,
# build the tarball, check it, and leave it in dist/. Run from the repository root; commit and tag
# afterwards (see README, "Releasing").
# Usage: release.sh VENV IMPORTER_VENV [VERSION]
# RELEASE_CHECKED_ELSEWHERE=1 leaves out galaxy-importer and the plugin docs lint, which make test runs
# on the same content (the release test sets it).
set -euo pipefail

venv=$(cd "$1" && pwd) importer=$2 version=${3:-}
here=$(cd "$(dirname "$0")" && pwd)
export PATH="$venv/bin:$PATH"

current=$(sed -n 's/^version: *//p' galaxy.yml)
version=${version:-$current}
if ! [[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
    echo "ERROR: '$version' is not a release version (MAJOR.MINOR.PATCH)" >&2
    exit 1
fi
if python -c "import sys, yaml; sys.exit('$version' not in (yaml.safe_load(open('changelogs/changelog.yaml'))['releases'] or {}))"; then
    echo "ERROR: $version is already released (changelogs/changelog.yaml); give the next version: make release VERSION=X.Y.Z" >&2
    exit 1
fi
if [ "$version" != "$current" ]; then
    sed -i "s/^version: .*/version: $version/" galaxy.yml
    sed -i "s/^COLLECTION_VERSION = .*/COLLECTION_VERSION = \"$version\"/" plugins/module_utils/_version.py
    echo "Version $current -> $version (galaxy.yml, plugins/module_utils/_version.py)"
fi

echo "--- changelog"
antsibull-changelog lint
antsibull-changelog release --version "$version"
antsibull-changelog lint-changelog-yaml changelogs/changelog.yaml
echo "CHANGELOG.rst and changelogs/changelog.yaml hold $version; its fragments are consumed"

echo "--- build"
copy=.build/collections/ansible_collections/vpsfleet/cloud
"$here/build-collection.sh" "$venv" "$copy" .build/dist .build/installed
tarball=.build/dist/vpsfleet-cloud-$version.tar.gz

echo "--- checks"
python "$here/check_tarball.py" "$tarball" --released
if [ -z "${RELEASE_CHECKED_ELSEWHERE:-}" ]; then
    (cd "$copy" && ANSIBLE_COLLECTIONS_PATH=$(cd ../../.. && pwd) antsibull-docs lint-collection-docs --plugin-docs .)
    echo "antsibull-docs lint-collection-docs passed"
    "$here/galaxy-importer.sh" "$importer" "$tarball"
fi

mkdir -p dist
cp "$tarball" dist/
echo
echo "Released $version: dist/vpsfleet-cloud-$version.tar.gz"
echo "Next: git add -A galaxy.yml plugins/module_utils/_version.py CHANGELOG.rst changelogs && git commit,"
echo "git tag v$version, then ansible-galaxy collection publish dist/vpsfleet-cloud-$version.tar.gz"
