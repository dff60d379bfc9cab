#!/usr/bin/env bash
# Import the built tarball the way Galaxy and Automation Hub do, with Hub's rules, and fail on any
# warning or error. galaxy-importer brings its own ansible-core and ansible-lint, so it runs from a
# venv of its own. Its local ansible-test runner always asks for containers: ansible-test is off here
# (the sanity suites run it) and ansible-lint runs offline.
# Usage: galaxy-importer.sh IMPORTER_VENV TARBALL
set -euo pipefail

venv=$(cd "$1" && pwd) tarball=$(realpath "$2")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cat > "$work/galaxy-importer.cfg" <<'CFG'
[galaxy-importer]
RUN_ANSIBLE_TEST = False
RUN_ANSIBLE_DOC = True
RUN_ANSIBLE_LINT = True
OFFLINE_ANSIBLE_LINT = True
CHECK_CHANGELOG = True
CHECK_REQUIRED_TAGS = True
REQUIRE_V1_OR_GREATER = True
CFG

echo "galaxy-importer $("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("galaxy-importer"))') with Automation Hub's rules on $(basename "$tarball")"
status=0
# The importer runs ansible-doc and ansible-lint by name: its venv comes first on PATH. It writes
# importer_result.json into the working directory, so it runs in the scratch directory.
(cd "$work" && PATH="$venv/bin:$PATH" GALAXY_IMPORTER_CONFIG="$work/galaxy-importer.cfg" \
    "$venv/bin/python" -m galaxy_importer.main "$tarball") > "$work/output.txt" 2>&1 \
    || status=$?
grep -v '^Loading ' "$work/output.txt" || true
findings=$(grep -cE '^(WARNING|ERROR|CRITICAL):|Traceback' "$work/output.txt" || true)
if [ "$status" -ne 0 ] || [ "$findings" -ne 0 ]; then
    echo "FAILED: galaxy-importer exited $status with $findings warning(s) or error(s)"
    exit 1
fi
echo "galaxy-importer: 0 errors, 0 warnings"
