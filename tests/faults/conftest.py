"""The fault-injection suite: one sandbox for the session and the counts table printed at the end."""

from __future__ import annotations

import pytest

from vps_sandbox.testing import SandboxProcess

COUNTS = []


@pytest.fixture(scope="session")
def sandbox():
    with SandboxProcess(provision_delay=0.2) as process:
        process.configure(power_delay=0.05, reinstall_delay=0.1, terminate_delay=0.05)
        yield process


@pytest.fixture
def counts():
    """Where each case records what it counted (printed after the run)."""
    return COUNTS


def pytest_terminal_summary(terminalreporter):
    if not COUNTS:
        return
    terminalreporter.section("money under faults: what exists after run, immediate re-run and re-run after the late effect")
    header = ("operation", "fault", "expected", "found", "doubles", "ledger")
    terminalreporter.write_line("%-22s %-18s %-9s %-7s %-8s %s" % header)
    for row in COUNTS:
        terminalreporter.write_line("%-22s %-18s %-9d %-7d %-8d %s" % (
            row["operation"], row["fault"], row["expected"], row["found"], row["doubles"],
            "reconciles" if row["ledger_ok"] else "DOES NOT RECONCILE"))
    terminalreporter.write_line("cases: %d, doubles: %d, ledgers not reconciling: %d" % (
        len(COUNTS), sum(row["doubles"] for row in COUNTS), sum(1 for row in COUNTS if not row["ledger_ok"])))
