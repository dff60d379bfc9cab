#!/usr/bin/env bash
# Print the path of a working Python 3.12 interpreter, or exit 1 when there is none.
# A pyenv shim can exist without its version being active, so each candidate is run.
set -uo pipefail

candidates=(python3.12 /usr/bin/python3.12 /usr/local/bin/python3.12)
for dir in /root/.pyenv/versions/3.12* "${HOME:-/root}"/.pyenv/versions/3.12*; do
    candidates+=("$dir/bin/python3.12")
done

for candidate in "${candidates[@]}"; do
    if "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 12))' >/dev/null 2>&1; then
        "$candidate" -c 'import sys; print(sys.executable)'
        exit 0
    fi
done
exit 1
