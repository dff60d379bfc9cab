"""Benchmark of the vpsfleet.cloud.vps inventory against a provider that rate-limits each API key.

Seeds ``--servers-per-provider`` servers in one account per provider (two keys), makes the sandbox
answer HTTP 429 with ``Retry-After: --retry-after`` to every key that sends more than
``--per-second`` requests in a second, adds ``--latency-ms`` to every request, then times
``ansible-inventory --list`` with inline credentials. The limits set a bound: no run can read an
account faster than its requests divided by its key's limit, so the slowest key's requests over
the limit are the bound. Prints the time against that bound (bare, and with the run's fixed cost
measured as the same inventory with ``credentials: none`` and no limit) and the share of requests
answered 429, each next to its goal. Writes ``bench-results/rate_limit.json``.

Run from the repository root with the project's venv: ``.venv/bin/python scripts/bench_rate_limit.py``.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import sys
import tempfile

REPO_ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT / "sandbox"))

# The path above must be in place before these imports.
# pylint: disable=wrong-import-position
from bench_inventory import collections_tree, seed_fleet, time_inventory, write_results, write_source  # noqa: E402
from vps_sandbox.testing import SandboxProcess  # noqa: E402

GOAL_RATIO = 1.15
GOAL_REFUSED_SHARE = 0.05


def per_key_counts(log):
    """``{provider: (requests accepted, requests answered 429)}`` from the sandbox's request log."""
    counts = {}
    for entry in log:
        accepted, refused = counts.get(entry["provider"], (0, 0))
        if entry.get("fault") == "rate_limit":
            refused += 1
        else:
            accepted += 1
        counts[entry["provider"]] = (accepted, refused)
    return counts


def run_benchmark(args):
    with tempfile.TemporaryDirectory() as work_dir, SandboxProcess(provision_delay=0.2) as sandbox:
        environment = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(collections_tree(work_dir)),
                           ANSIBLE_PYTHON_INTERPRETER=sys.executable,
                           **seed_fleet(sandbox, args.servers_per_provider))
        environment.pop("VPSFLEET_API_RATE_LIMIT", None)
        sandbox.configure(latency_ms=args.latency_ms)
        fixed_source = write_source(work_dir, 0, {"credentials": "none"}, None)
        fixed_seconds, dummy, fixed_hosts, dummy = time_inventory(fixed_source, environment, sandbox)
        sandbox.configure(rate_limit={"per_second": args.per_second, "retry_after": args.retry_after})
        source = write_source(work_dir, 1, {"credentials": "inline"}, None)
        seconds, requests, hosts, with_password = time_inventory(source, environment, sandbox)
        counts = per_key_counts(sandbox.requests_log())
    return {"fixed_seconds": fixed_seconds, "seconds": seconds, "requests": requests, "hosts": hosts,
            "hosts_with_password": with_password, "fixed_hosts": fixed_hosts, "per_key": counts}


def summarise(args, measured):
    per_key = measured["per_key"]
    bound = max(accepted for accepted, dummy in per_key.values()) / float(args.per_second)
    refused = sum(refused for dummy, refused in per_key.values())
    sent = sum(accepted + refused for accepted, refused in per_key.values())
    return {
        "servers": 2 * args.servers_per_provider,
        "per_second_per_key": args.per_second,
        "retry_after_seconds": args.retry_after,
        "latency_ms": args.latency_ms,
        "cpu_count": os.cpu_count(),
        "seconds": round(measured["seconds"], 2),
        "hosts": measured["hosts"],
        "hosts_with_password": measured["hosts_with_password"],
        "requests_per_key": dict((provider, {"accepted": accepted, "answered_429": refused})
                                 for provider, (accepted, refused) in sorted(per_key.items())),
        "requests": sent,
        "answered_429": refused,
        "share_answered_429": round(refused / float(sent), 4) if sent else 0.0,
        "bound_seconds": round(bound, 2),
        "ratio_to_bound": round(measured["seconds"] / bound, 2),
        "fixed_cost_seconds": round(measured["fixed_seconds"], 2),
        "ratio_to_bound_plus_fixed_cost": round(measured["seconds"] / (bound + measured["fixed_seconds"]), 2),
    }


def print_table(summary):
    print("vpsfleet.cloud.vps inventory, inline credentials: %d servers in two accounts, each key limited to %d"
          " requests/s (429 with Retry-After %g), %d ms latency, %d CPUs"
          % (summary["servers"], summary["per_second_per_key"], summary["retry_after_seconds"],
             summary["latency_ms"], summary["cpu_count"]))
    for provider, counts in summary["requests_per_key"].items():
        print("  %-10s %5d requests accepted, %4d answered 429" % (provider, counts["accepted"], counts["answered_429"]))
    print("time: %.1f s; %d hosts, %d with a password" % (summary["seconds"], summary["hosts"], summary["hosts_with_password"]))
    print("bound set by the limits (slowest key's accepted requests / its limit): %.1f s" % summary["bound_seconds"])
    print("  time / bound:                  %.2fx   (goal <= %.2fx)  %s"
          % (summary["ratio_to_bound"], GOAL_RATIO, verdict(summary["ratio_to_bound"] <= GOAL_RATIO)))
    print("  time / (bound + fixed cost):   %.2fx   (fixed cost %.1f s: start-up and building the hosts, measured"
          " with credentials: none and no limit)" % (summary["ratio_to_bound_plus_fixed_cost"], summary["fixed_cost_seconds"]))
    print("requests answered 429: %d of %d, %.1f%%   (goal <= %.0f%%)  %s"
          % (summary["answered_429"], summary["requests"], 100 * summary["share_answered_429"], 100 * GOAL_REFUSED_SHARE,
             verdict(summary["share_answered_429"] <= GOAL_REFUSED_SHARE)))


def verdict(met):
    return "met" if met else "NOT MET"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--servers-per-provider", type=int, default=500)
    parser.add_argument("--per-second", type=int, default=20, help="the sandbox's limit per API key")
    parser.add_argument("--retry-after", type=float, default=1)
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--output", default=str(REPO_ROOT / "bench-results" / "rate_limit.json"))
    args = parser.parse_args(argv)
    summary = summarise(args, run_benchmark(args))
    print_table(summary)
    write_results(args.output, summary)
    return summary


if __name__ == "__main__":
    main()
