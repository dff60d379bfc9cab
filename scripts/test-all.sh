#!/usr/bin/env bash
# Run every suite even when one fails, then report each suite's outcome and the pytest totals.
# The last line is the plain "N passed, N failed, N skipped" that CI reads.
set -uo pipefail

suites=(test-unit test-contract test-integration test-faults test-e2e sanity-2.19 sanity-2.21 test-versions lint test-release test-docs)
reports=.build/reports
rm -rf "$reports"
mkdir -p "$reports"

declare -A outcome seconds
failed_suites=0
for suite in "${suites[@]}"; do
    echo
    echo "======== $suite ========"
    start=$SECONDS
    if make --no-print-directory "$suite"; then
        outcome[$suite]=ok
    else
        outcome[$suite]=FAILED
        failed_suites=$((failed_suites + 1))
    fi
    seconds[$suite]=$((SECONDS - start))
done

echo
echo "======== summary ========"
for suite in "${suites[@]}"; do
    printf '%-18s %-7s %4d s\n' "$suite" "${outcome[$suite]}" "${seconds[$suite]}"
done
if [ "$failed_suites" -gt 0 ]; then
    echo "$failed_suites suite(s) failed"
fi
.venv/bin/python scripts/summarize_junit.py "$reports"
[ "$failed_suites" -eq 0 ]
