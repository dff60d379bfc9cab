"""Benchmark of the vpsfleet.cloud.vps inventory at 10,000 servers against 1,000.

Seeds two fleets in one sandbox (``--small`` and ``--large`` servers, half per provider, each fleet
in accounts of its own), adds ``--latency-ms`` to every request, and times ``ansible-inventory
--list`` of each fleet with ``credentials: none`` and ``credentials: inline``. Prints how the time
grows from the small fleet to the large one, and the inline run of the large fleet against the
floor its credential reads set over the workers (beyond the fixed cost: the run with
``credentials: none``, which starts up, lists and builds the same hosts), each next to its goal.
Writes ``bench-results/inventory_scale.json``.

Run from the repository root with the project's venv: ``.venv/bin/python scripts/bench_inventory_scale.py``.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import sys
import tempfile
import time

REPO_ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT / "sandbox"))

# The path above must be in place before these imports.
# pylint: disable=wrong-import-position
from bench_inventory import DEFAULT_WORKERS, collections_tree, seed_fleet, time_inventory, write_results, write_source  # noqa: E402
from vps_sandbox.testing import SandboxProcess  # noqa: E402

GOAL_GROWTH = 10.5
GOAL_FLOOR_RATIO = 1.2


def run_benchmark(args):
    runs = {}
    with tempfile.TemporaryDirectory() as work_dir, SandboxProcess(provision_delay=0.2) as sandbox:
        base = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(collections_tree(work_dir)),
                    ANSIBLE_PYTHON_INTERPRETER=sys.executable)
        base.pop("VPSFLEET_API_RATE_LIMIT", None)
        started = time.monotonic()
        fleets = dict((size, dict(base, **seed_fleet(sandbox, size // 2))) for size in (args.small, args.large))
        print("seeded %d + %d servers in %.0f s" % (args.small, args.large, time.monotonic() - started), flush=True)
        sandbox.configure(latency_ms=args.latency_ms)
        for index, (size, credentials) in enumerate((size, credentials) for size in (args.small, args.large)
                                                    for credentials in ("none", "inline")):
            source = write_source(work_dir, index, {"credentials": credentials, "max_workers": args.workers}, None)
            seconds, requests, hosts, with_password = time_inventory(source, fleets[size], sandbox)
            print("  %6d servers, credentials %-6s %7.1f s  %6d requests  %6d hosts  %6d passwords"
                  % (size, credentials, seconds, requests, hosts, with_password), flush=True)
            runs["%d_%s" % (size, credentials)] = {"servers": size, "credentials": credentials, "seconds": round(seconds, 2),
                                                   "requests": requests, "hosts": hosts, "hosts_with_password": with_password}
    return runs


def summarise(args, runs):
    small, large = args.small, args.large
    floor = large * args.latency_ms / 1000.0 / args.workers
    beyond_fixed = runs["%d_inline" % large]["seconds"] - runs["%d_none" % large]["seconds"]
    return {
        "servers": [small, large],
        "latency_ms": args.latency_ms,
        "max_workers": args.workers,
        "cpu_count": os.cpu_count(),
        "runs": runs,
        "growth_credentials_none": round(runs["%d_none" % large]["seconds"] / runs["%d_none" % small]["seconds"], 2),
        "growth_credentials_inline": round(runs["%d_inline" % large]["seconds"] / runs["%d_inline" % small]["seconds"], 2),
        "credential_reads_floor_seconds": round(floor, 2),
        "inline_seconds_beyond_fixed_cost": round(beyond_fixed, 2),
        "inline_beyond_fixed_cost_over_floor": round(beyond_fixed / floor, 2),
    }


def verdict(met):
    return "met" if met else "NOT MET"


def print_table(summary):
    small, large = summary["servers"]
    print("vpsfleet.cloud.vps inventory at %d and %d servers, %d ms latency, max_workers %d, %d CPUs"
          % (small, large, summary["latency_ms"], summary["max_workers"], summary["cpu_count"]))
    for name in ("none", "inline"):
        growth = summary["growth_credentials_%s" % name]
        print("  credentials %-6s: %d servers %.1f s, %d servers %.1f s: %.2fx   (goal <= %.1fx)  %s"
              % (name, small, summary["runs"]["%d_%s" % (small, name)]["seconds"], large,
                 summary["runs"]["%d_%s" % (large, name)]["seconds"], growth, GOAL_GROWTH, verdict(growth <= GOAL_GROWTH)))
    ratio = summary["inline_beyond_fixed_cost_over_floor"]
    print("  %d inline credential reads beyond the fixed cost (the credentials: none run): %.1f s; floor at %d ms over"
          " %d workers: %.1f s: %.2fx   (goal <= %.1fx)  %s"
          % (large, summary["inline_seconds_beyond_fixed_cost"], summary["latency_ms"], summary["max_workers"],
             summary["credential_reads_floor_seconds"], ratio, GOAL_FLOOR_RATIO, verdict(ratio <= GOAL_FLOOR_RATIO)))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=1000)
    parser.add_argument("--large", type=int, default=10000)
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS)
    parser.add_argument("--output", default=str(REPO_ROOT / "bench-results" / "inventory_scale.json"))
    args = parser.parse_args(argv)
    summary = summarise(args, run_benchmark(args))
    print_table(summary)
    write_results(args.output, summary)
    return summary


if __name__ == "__main__":
    main()
