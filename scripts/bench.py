"""Every benchmark of the collection, one after the other (``make bench``).

Each benchmark starts its own sandbox, prints its own table and writes its JSON results under
``bench-results/``. A benchmark script that is not present is reported, not silently skipped.
"""

from __future__ import annotations

import pathlib
import shutil
import subprocess
import sys
import time

SCRIPTS = pathlib.Path(__file__).resolve().parent
# (title, script, arguments, needs the sandbox SSH machines' lock)
BENCHMARKS = (
    ("inventory: 1,000 servers, 50 ms latency", "bench_inventory.py", [], False),
    ("inventory: 1,000 servers, each key limited to 20 requests/s", "bench_rate_limit.py", [], False),
    ("inventory: 10,000 servers against 1,000", "bench_inventory_scale.py", [], False),
    ("fleet role: 50 servers, 10 s provisioning", "bench_fleet.py", [], False),
    ("fleet role: 200 servers, 10 s provisioning", "bench_fleet.py",
     ["--servers", "200", "--sequential-count", "1", "--output", "bench-results/fleet_200.json"], False),
    ("provision + bootstrap over SSH: 10 sandbox machines against one", "bench_ssh_fleet.py", [], True),
)
# Sandbox SSH machines use fixed 127.0.0.x addresses: one user of them at a time on a machine.
MACHINES_LOCK = "/tmp/vpsfleet-machines.lock"


def main():
    failures = 0
    started = time.monotonic()
    for title, script, arguments, needs_machines in BENCHMARKS:
        path = SCRIPTS / script
        print("\n==== %s (%s) ====" % (title, script), flush=True)
        if not path.exists():
            print("not present: %s" % path)
            continue
        command = [sys.executable, str(path)] + arguments
        if needs_machines and shutil.which("flock"):
            command = ["flock", MACHINES_LOCK] + command
        benchmark_started = time.monotonic()
        if subprocess.run(command, cwd=str(SCRIPTS.parent), check=False).returncode != 0:
            print("FAILED: %s" % script)
            failures += 1
        print("(%s took %.0f s)" % (script, time.monotonic() - benchmark_started), flush=True)
    print("\nall benchmarks took %.0f s" % (time.monotonic() - started))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
