#!/usr/bin/env bash
# Run one pytest suite and keep its JUnit report for the cross-suite summary.
# A suite with no tests yet passes with a loud note (pytest exits 5 for "no tests collected").
# Usage: pytest-suite.sh VENV SUITE_NAME TEST_PATH...
set -euo pipefail

venv=$1 suite=$2
shift 2
reports=.build/reports

paths=()
for path in "$@"; do
    [ -e "$path" ] && paths+=("$path")
done
rm -f "$reports/$suite.xml"
if [ ${#paths[@]} -eq 0 ]; then
    echo "NO TESTS: suite '$suite' has no test directory yet ($*)"
    exit 0
fi

mkdir -p "$reports"
status=0
"$venv/bin/python" -m pytest -p no:cacheprovider --junitxml="$reports/$suite.xml" "${paths[@]}" || status=$?
if [ "$status" -eq 5 ]; then
    echo "NO TESTS: suite '$suite' collected no test in ${paths[*]}"
    exit 0
fi
exit "$status"
