#!/usr/bin/env bash
# Run every ansible-test sanity test, locally (no containers), on the collection copy.
# Usage: sanity.sh VENV PYTHON_VERSION COLLECTION_COPY
set -euo pipefail

venv=$(cd "$1" && pwd) python_version=$2 copy=$3
here=$(cd "$(dirname "$0")" && pwd)

"$here/ansible-test-offline.sh" "$venv"

skips=()
if ! command -v shellcheck >/dev/null; then
    echo "WARNING: shellcheck is not installed (make system-deps): skipping the shellcheck test"
    skips=(--skip-test shellcheck)
fi

echo "ansible-test sanity: ansible-core $("$venv/bin/python" -c "import ansible.release; print(ansible.release.__version__)"), Python $python_version"
cd "$copy"
start=$SECONDS
PATH="$venv/bin:$PATH" "$venv/bin/ansible-test" sanity --local --python "$python_version" \
    --color no "${skips[@]}"
echo "ansible-test sanity (Python $python_version) passed in $((SECONDS - start)) s"
