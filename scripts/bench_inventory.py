"""Benchmark of the vpsfleet.cloud.vps inventory against the sandbox.

Seeds servers at both providers, injects latency on every API request, then times
``ansible-inventory --list`` with inline credentials: with the default worker count, with
``max_workers: 1`` (the sequential baseline), and twice from the inventory cache (credentials not
cached, then cached). Prints a table and writes ``bench-results/inventory.json``.

Run from the repository root with the project's venv: ``.venv/bin/python scripts/bench_inventory.py``
(``scripts/bench.py`` calls :func:`main`).
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time

REPO_ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT / "sandbox"))

from vps_sandbox.testing import SandboxProcess  # noqa: E402  (needs the path above)

DEFAULT_WORKERS = 16  # the plugin's max_workers default

RUNS = (
    # (label, extra source options, read the cache)
    ("concurrent (default workers)", {}, False),
    ("sequential (max_workers: 1)", {"max_workers": 1}, False),
    ("cached, credentials re-read", {"cache": True}, True),
    ("cached, cache_credentials: true", {"cache": True, "cache_credentials": True}, True),
)


def collections_tree(work_dir):
    """A directory holding ansible_collections/vpsfleet/cloud -> this checkout."""
    link = pathlib.Path(work_dir) / "collections" / "ansible_collections" / "vpsfleet" / "cloud"
    link.parent.mkdir(parents=True)
    link.symlink_to(REPO_ROOT, target_is_directory=True)
    return link.parents[2]


def seed_fleet(sandbox, per_provider):
    """One account per provider with ``per_provider`` running servers each; returns the env for ansible."""
    environment = {}
    for provider, prefix in (("vpscrypto", "VPSCRYPTO"), ("otwa", "OTWA")):
        account = sandbox.create_account(provider)
        sandbox.seed_servers(account["api_key"], per_provider, name_prefix=provider)
        environment[prefix + "_API_KEY"] = account["api_key"]
        environment[prefix + "_API_URL"] = sandbox.vpscrypto_url if provider == "vpscrypto" else sandbox.otwa_url
    return environment


def keepalive_round_trip_ms(sandbox, environment, samples=20):
    """Milliseconds of one credentials GET on a kept-alive connection, before any injected latency."""
    import requests

    server_id = sandbox.servers()[0]["id"]
    session = requests.Session()
    url = "%s/servers/%s/credentials" % (sandbox.vpscrypto_url, server_id)
    headers = {"Authorization": "Bearer " + environment["VPSCRYPTO_API_KEY"]}
    session.get(url, headers=headers)
    started = time.monotonic()
    for dummy in range(samples):
        session.get(url, headers=headers)
    return (time.monotonic() - started) / samples * 1000.0


def time_inventory(source, environment, sandbox):
    """Run ``ansible-inventory --list`` once: (seconds, provider requests, hosts, hosts with a password).

    Hosts whose credentials could not be read are listed without a password; counting the ones
    that got one keeps a run whose reads failed from passing for a fast one.
    """
    sandbox.control("DELETE", "/requests")
    started = time.monotonic()
    completed = subprocess.run([str(pathlib.Path(sys.executable).parent / "ansible-inventory"), "-i", str(source), "--list"],
                               env=environment, capture_output=True, text=True, check=False)
    seconds = time.monotonic() - started
    if completed.returncode != 0:
        raise SystemExit("ansible-inventory failed:\n" + completed.stderr[-3000:])
    hostvars = json.loads(completed.stdout)["_meta"]["hostvars"]
    with_password = sum(1 for variables in hostvars.values() if _unwrapped(variables.get("ansible_password")))
    return seconds, len(sandbox.requests_log()), len(hostvars), with_password


def _unwrapped(value):
    """A ``--list`` value without ansible-core 2.19's ``{"__ansible_unsafe": ...}`` wrapper."""
    if isinstance(value, dict) and set(value) == {"__ansible_unsafe"}:
        return value["__ansible_unsafe"]
    return value


def write_source(work_dir, index, options, cache_dir):
    source = pathlib.Path(work_dir) / ("run%d.vps.yml" % index)
    config = dict({"plugin": "vpsfleet.cloud.vps"}, **options)
    if config.get("cache"):
        config.update(cache_plugin="ansible.builtin.jsonfile", cache_connection=str(cache_dir), cache_timeout=3600)
    source.write_text(json.dumps(config))  # JSON is YAML
    return source


def run_benchmark(per_provider, latency_ms, workers):
    with tempfile.TemporaryDirectory() as work_dir, SandboxProcess(provision_delay=0.2) as sandbox:
        environment = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(collections_tree(work_dir)),
                           ANSIBLE_PYTHON_INTERPRETER=sys.executable, **seed_fleet(sandbox, per_provider))
        round_trip_ms = keepalive_round_trip_ms(sandbox, environment)
        sandbox.configure(latency_ms=latency_ms)
        results = []
        for index, (label, options, cached) in enumerate(RUNS):
            if workers and "max_workers" not in options:
                options = dict(options, max_workers=workers)
            cache_dir = pathlib.Path(work_dir) / ("cache%d" % index)
            source = write_source(work_dir, index, options, cache_dir)
            if cached:
                time_inventory(source, environment, sandbox)  # fills the cache
            seconds, requests, hosts, with_password = time_inventory(source, environment, sandbox)
            results.append({"run": label, "options": options, "seconds": round(seconds, 2),
                            "requests": requests, "hosts": hosts, "hosts_with_password": with_password})
    return results, round_trip_ms


def summarise(results, round_trip_ms, per_provider, latency_ms, workers):
    concurrent, sequential, fully_cached = results[0], results[1], results[3]
    servers = 2 * per_provider
    worker_count = workers or DEFAULT_WORKERS
    # Every worker busy for the whole run: the floor for the credential reads alone.
    floor = servers * latency_ms / 1000.0 / worker_count
    floor_measured = servers * (latency_ms + round_trip_ms) / 1000.0 / worker_count
    # What the run costs besides requests: ansible start-up and building 1,000 hosts (the run with no request).
    fixed = fully_cached["seconds"]
    return {
        "servers": servers,
        "latency_ms": latency_ms,
        "max_workers": worker_count,
        "runs": results,
        "speedup_over_sequential": round(sequential["seconds"] / concurrent["seconds"], 1),
        "credential_reads_floor_seconds": round(floor, 2),
        "keepalive_round_trip_ms": round(round_trip_ms, 1),
        "credential_reads_floor_with_round_trip_seconds": round(floor_measured, 2),
        "concurrent_seconds_beyond_fixed_cost": round(concurrent["seconds"] - fixed, 2),
    }


def print_table(summary):
    print("vpsfleet.cloud.vps inventory: %d servers, %d ms latency per request, max_workers %d"
          % (summary["servers"], summary["latency_ms"], summary["max_workers"]))
    print("%-34s %9s %9s %7s %10s" % ("run", "seconds", "requests", "hosts", "passwords"))
    for run in summary["runs"]:
        print("%-34s %9.2f %9d %7d %10d"
              % (run["run"], run["seconds"], run["requests"], run["hosts"], run["hosts_with_password"]))
    incomplete = [run["run"] for run in summary["runs"] if run["hosts_with_password"] < run["hosts"]]
    if incomplete:
        print("WARNING: some hosts got no password (credential reads failed), so these times say little: %s"
              % ", ".join(incomplete))
    print("speed-up of the concurrent run over the sequential one: %.1fx" % summary["speedup_over_sequential"])
    print("floor for %d credential reads over %d workers: %.2f s at %d ms each; %.2f s at the measured %.1f ms"
          " (injected latency + keep-alive round trip)"
          % (summary["servers"], summary["max_workers"], summary["credential_reads_floor_seconds"], summary["latency_ms"],
             summary["credential_reads_floor_with_round_trip_seconds"], summary["latency_ms"] + summary["keepalive_round_trip_ms"]))
    print("concurrent run beyond the fixed cost (start-up, building the hosts: the run with no request): %.2f s"
          % summary["concurrent_seconds_beyond_fixed_cost"])


def write_results(path, summary):
    """Write a benchmark's figures as JSON to ``path`` (its folder made as needed) and say where."""
    output = pathlib.Path(path)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print("results written to %s" % output)


def main(argv=None):
    """Run the benchmark, print the table, write the JSON results; returns the summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--servers-per-provider", type=int, default=500)
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--workers", type=int, default=None, help="max_workers of the concurrent runs (default: the plugin's)")
    parser.add_argument("--output", default=str(REPO_ROOT / "bench-results" / "inventory.json"))
    args = parser.parse_args(argv)

    results, round_trip_ms = run_benchmark(args.servers_per_provider, args.latency_ms, args.workers)
    summary = summarise(results, round_trip_ms, args.servers_per_provider, args.latency_ms, args.workers)
    print_table(summary)
    write_results(args.output, summary)
    return summary


if __name__ == "__main__":
    main()
