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


def suites_without_tests(reports_dir, suites):
    """The suites among ``suites`` whose report is missing or executed no test."""
    empty = []
    for suite in suites:
        report = reports_dir / ("%s.xml" % suite)
        if not report.is_file():
            empty.append("%s (no report)" % suite)
            continue
        passed, failed, _skipped = count_outcomes([report])
        if passed + failed == 0:
            empty.append("%s (no test executed)" % suite)
    return empty


def main():
    """Print the summary line; exit 1 when a required suite (or, with --require-tests, the run) ran no test."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("reports_dir", type=pathlib.Path)
    parser.add_argument("--require-tests", action="store_true", help="fail when no test executed")
    parser.add_argument("--require-suite", action="append", default=[], metavar="SUITE",
                        help="fail unless SUITE's report exists and executed at least one test (repeatable)")
    args = parser.parse_args()

    passed, failed, skipped = count_outcomes(sorted(args.reports_dir.glob("*.xml")))
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    status = 0
    if args.require_tests and passed + failed == 0:
        print("ERROR: the whole run executed no test", file=sys.stderr)
        status = 1
    for suite in suites_without_tests(args.reports_dir, args.require_suite):
        print("ERROR: suite %s" % suite, file=sys.stderr)
        status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
