"""Add up the pytest JUnit reports of all suites into one plain "N passed, N failed" line."""

from __future__ import annotations

import argparse
import pathlib
import sys
from xml.etree import ElementTree


def count_outcomes(report_paths):
    """Return (passed, failed, skipped) over every test case in the given JUnit XML files."""
    passed = failed = skipped = 0
    for path in report_paths:
        for case in ElementTree.parse(path).getroot().iter("testcase"):
            outcomes = {child.tag for child in case}
            if outcomes & {"failure", "error"}:
                failed += 1
            elif "skipped" in outcomes:
                skipped += 1
            else:
                passed += 1
    return passed, failed, skipped


def main():
    """Print the summary line; with --require-tests, exit 1 when no test ran at all."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("reports_dir", type=pathlib.Path)
    parser.add_argument("--require-tests", action="store_true", help="fail when no test executed")
    args = parser.parse_args()

    passed, failed, skipped = count_outcomes(sorted(args.reports_dir.glob("*.xml")))
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    if args.require_tests and passed + failed == 0:
        print("ERROR: the whole run executed no test", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
