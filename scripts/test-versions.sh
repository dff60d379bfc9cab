#!/usr/bin/env bash
# Every supported ansible-core: sanity on the two versions the sanity-2.19 and sanity-2.21 suites do
# not cover (2.18 on Python 3.11, 2.20 on Python 3.12), both at once, each in a copy of its own
# (ansible-test writes into the collection tree), while the smoke run installs the tarball into each
# version's venv and uses it against the sandbox. Fails if any of them failed.
# Usage: test-versions.sh DEV_VENV COLLECTION_COPY "2.18=VENV 2.19=VENV 2.20=VENV 2.21=VENV"
set -uo pipefail

dev_venv=$1 copy=$2 venvs=$3
here=$(cd "$(dirname "$0")" && pwd)
logs=.build/versions
rm -rf "$logs"
mkdir -p "$logs"

declare -A venv_of
for entry in $venvs; do
    venv_of[${entry%%=*}]=${entry#*=}
done

start=$SECONDS
pids=() names=()
for version_python in 2.18:3.11 2.20:3.12; do
    version=${version_python%%:*} python=${version_python#*:}
    venv=${venv_of[$version]:-}
    if [ -z "$venv" ] || [ ! -x "$venv/bin/ansible-test" ]; then
        echo "SKIPPED: ansible-core $version sanity (no venv: Python $python not found)" | tee "$logs/sanity-$version.log"
        continue
    fi
    own_copy=$logs/sanity-$version/ansible_collections/vpsfleet/cloud
    mkdir -p "$own_copy"
    (cd "$copy" && tar --exclude=./tests/output -cf - .) | (cd "$own_copy" && tar -xf -)
    "$here/sanity.sh" "$venv" "$python" "$own_copy" > "$logs/sanity-$version.log" 2>&1 &
    pids+=($!) names+=("sanity-$version")
done

failed=0
echo "--- smoke run of the installed tarball on each ansible-core"
VPSFLEET_CORE_VENVS=$venvs "$here/pytest-suite.sh" "$dev_venv" versions tests/versions || failed=$((failed + 1))

for index in "${!pids[@]}"; do
    name=${names[$index]}
    if wait "${pids[$index]}"; then status=ok; else status=FAILED; failed=$((failed + 1)); fi
    echo "--- $name: $status"
    cat "$logs/$name.log"
done
echo "ansible-core versions: sanity 2.18 and 2.20 and the smoke runs took $((SECONDS - start)) s together"
[ "$failed" -eq 0 ] || { echo "$failed of the version checks failed"; exit 1; }
