"""Every benchmark of the collection, one after the other (``make bench``).

Each benchmark starts its own sandbox, prints its own table and writes its JSON results under
``bench-results/``. A benchmark script that is not present is reported, not silently skipped.
"""

from __future__ import annotations

import pathlib
import subprocess
import sys

SCRIPTS = pathlib.Path(__file__).resolve().parent
BENCHMARKS = (
    ("inventory: 1,000 servers, 50 ms latency", "bench_inventory.py"),
    ("fleet role: 50 servers, 10 s provisioning", "bench_fleet.py"),
)


def main():
    failures = 0
    for title, script in BENCHMARKS:
        path = SCRIPTS / script
        print("\n==== %s (%s) ====" % (title, script), flush=True)
        if not path.exists():
            print("not present: %s" % path)
            continue
        # Defaults only: the scripts take different options (run one directly to pass any).
        if subprocess.run([sys.executable, str(path)], check=False).returncode != 0:
            print("FAILED: %s" % script)
            failures += 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
