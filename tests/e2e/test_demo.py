"""``make demo``'s script, API-only (no SSH machines): it must fund, order, inventory and re-run clean.

The SSH half of the demo is the main job in test_main_job.py; this checks the script itself, its
x402 top-up under a spend cap and the summary it prints.
"""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_the_demo_runs_api_only_and_its_second_run_changes_nothing(tmp_path):
    demo = subprocess.run([sys.executable, str(REPO_ROOT / "scripts" / "demo.py"), "--api-only",
                           "--provision-delay", "0.5", "--work-dir", str(tmp_path)],
                          capture_output=True, text=True, timeout=300, check=False)
    output = demo.stdout + demo.stderr
    assert demo.returncode == 0, output[-4000:]
    assert "second run: changed=0 ({'localhost': 0}); new charges: 0" in output
    assert "Spent 34.00 USD on servers and 34.00 USD on renewals; topped up 55.00 USD by x402." in output
    assert "events: runway_short, runway_restored" in output
    for name in ("web-1", "web-2", "db-1"):
        assert name in (tmp_path / "step-2.log").read_text(encoding="utf-8")


def test_without_root_the_demo_stops_with_the_reason_unless_api_only_is_given():
    as_non_root = [] if os.geteuid() != 0 else ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]

    demo = subprocess.run([*as_non_root, sys.executable, str(REPO_ROOT / "scripts" / "demo.py")],
                          capture_output=True, text=True, timeout=120, check=False)

    assert demo.returncode == 2, demo.stdout + demo.stderr
    assert "need root" in demo.stderr and "--api-only" in demo.stderr
