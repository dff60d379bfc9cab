"""Benchmark of the fleet role against the API-only sandbox, next to ordering one server at a time.

Orders ``--servers`` servers (half at VPSCrypto, half at Otwa) with one ``ansible-playbook`` run of
the ``vpsfleet.cloud.fleet`` role, with every server taking ``--provision-delay`` seconds to run;
then orders the same kind of servers one ``vps_server`` task at a time with ``wait: true`` (the naive
way). Measuring that for all 50 servers takes 50 provisioning delays (over eight minutes), so by
default the sequential baseline measures ``--sequential-count`` (5) servers and extrapolates to
``--servers``; the table, the ratio and the JSON results say so. ``--sequential-count 50`` measures
it all. The whole benchmark takes about a minute and a half by default. Both runs must end with
``failed=0`` and every server running, or the benchmark fails. Prints a table and writes
``bench-results/fleet.json``.

Run from the repository root with the project's venv: ``.venv/bin/python scripts/bench_fleet.py``
(``scripts/bench.py`` runs it with its own arguments).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import pathlib
import sys
import tempfile
import time

REPO_ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT / "sandbox"))

# The path above must be in place before these imports.
# pylint: disable=wrong-import-position
from bench_inventory import collections_tree  # noqa: E402
from vps_sandbox.main_job import MainJob, parse_recap  # noqa: E402
from vps_sandbox.testing import SandboxProcess  # noqa: E402

# One small server kind per provider, each in the sandbox's catalog.
SERVER_KINDS = {
    "vpscrypto": {"provider": "vpscrypto", "plan": "hunter", "location": "nl", "os": "debian-13"},
    "otwa": {"provider": "otwa", "plan": "Cloud S", "location": "de-fra-01", "os": "debian-13"},
}
BALANCE_USD = 10000  # covers every order of both runs
# The fleet's time as a multiple of one provisioning delay, by fleet size (issue goals).
GOALS_IN_PROVISION_DELAYS = {50: 1.25, 200: 1.4}
PLAYBOOK_TIMEOUT_SECONDS = 3600

SEQUENTIAL_PLAY = """\
- name: Order the servers one at a time, waiting for each
  hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: Order a server and wait until it runs
      vpsfleet.cloud.vps_server:
        provider: "{{ item.provider }}"
        api_key: "{{ fleet_api_keys[item.provider] }}"
        api_url: "{{ fleet_api_urls[item.provider] }}"
        name: "{{ item.name }}"
        plan: "{{ item.plan }}"
        location: "{{ item.location }}"
        os: "{{ item.os }}"
        state: present
        wait: true
      loop: "{{ vps_fleet }}"
      loop_control:
        label: "{{ item.provider }}/{{ item.name }}"
      no_log: true  # the answer holds one-time root passwords
"""


EMPTY_PLAY = """\
- name: Nothing but start-up
  hosts: localhost
  connection: local
  gather_facts: false
  tasks: []
"""


def server_list(prefix, count):
    """``count`` servers named ``<prefix>-N``, alternating VPSCrypto and Otwa (VPSCrypto gets the odd one)."""
    providers = ("vpscrypto", "otwa")
    return [dict(SERVER_KINDS[providers[index % 2]], name="%s-%d" % (prefix, index + 1)) for index in range(count)]


def epoch_of(iso_timestamp):
    """Seconds since the epoch of the sandbox's ``2026-01-31T12:00:00Z`` timestamps (one-second resolution)."""
    return datetime.datetime.strptime(iso_timestamp, "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=datetime.timezone.utc).timestamp()


def order_phase(sandbox, started_epoch):
    """When the first and the last order reached the sandbox, in seconds after the run started."""
    orders = [epoch_of(entry["at"]) for entry in sandbox.requests_log()
              if entry["method"] == "POST" and entry["path"] == "/servers"]
    if not orders:
        return None, None
    return round(min(orders) - started_epoch, 1), round(max(orders) - started_epoch, 1)


def timed_playbook(sandbox, playbook_run):
    """Run one playbook and check that it worked: (seconds, first order at, last order at)."""
    sandbox.control("DELETE", "/requests")
    started_epoch = time.time()
    started = time.monotonic()
    completed = playbook_run()
    seconds = time.monotonic() - started
    recap = parse_recap(completed.stdout).get("localhost")
    if completed.returncode != 0 or not recap or recap["failed"] or recap["unreachable"]:
        raise SystemExit("the playbook failed (exit %d, recap %s):\n%s\n%s" % (
            completed.returncode, recap, completed.stdout[-3000:], completed.stderr[-3000:]))
    first_order, last_order = order_phase(sandbox, started_epoch)
    return seconds, first_order, last_order


def require_running(job, servers):
    """Fail the benchmark unless every server of the list exists once in the sandbox and is running."""
    names = {server["name"] for server in servers}
    # VPSCrypto calls the name the hostname, Otwa the label.
    found = [server for server in job.servers() if (server.get("label") or server.get("hostname")) in names]
    statuses = {}
    for server in found:
        statuses[server["status"]] = statuses.get(server["status"], 0) + 1
    running = statuses.get("running", 0) + statuses.get("active", 0)
    if len(found) != len(names) or running != len(names):
        raise SystemExit("expected %d running servers, the sandbox holds %d of them: %s"
                         % (len(names), len(found), statuses))


def run_fleet(job, sandbox, servers):
    """One ``ansible-playbook`` run of the fleet role over ``servers``."""
    seconds, first_order, last_order = timed_playbook(sandbox, lambda: job.run(
        "ansible-playbook", "-i", job.hosts, job.order_playbook, "-e", "@" + str(job.fleet_vars),
        timeout=PLAYBOOK_TIMEOUT_SECONDS))
    require_running(job, servers)
    return {"servers": len(servers), "seconds": round(seconds, 2), "first_order_after_seconds": first_order,
            "last_order_after_seconds": last_order}


def run_sequential(job, sandbox, work_dir, servers):
    """One play ordering ``servers`` with a loop of ``vps_server`` tasks, ``wait: true`` each."""
    playbook = pathlib.Path(work_dir) / "sequential.yml"
    playbook.write_text(SEQUENTIAL_PLAY, encoding="utf-8")
    # The fleet's vars file brings the keys (never on a command line); this one replaces the server list.
    servers_file = pathlib.Path(work_dir) / "sequential-servers.json"
    servers_file.write_text(json.dumps({"vps_fleet": servers}), encoding="utf-8")
    seconds, first_order, last_order = timed_playbook(sandbox, lambda: job.run(
        "ansible-playbook", "-i", job.hosts, playbook, "-e", "@" + str(job.fleet_vars), "-e", "@" + str(servers_file),
        timeout=PLAYBOOK_TIMEOUT_SECONDS))
    require_running(job, servers)
    return {"servers": len(servers), "seconds": round(seconds, 2), "first_order_after_seconds": first_order,
            "last_order_after_seconds": last_order}


def time_empty_play(job, work_dir):
    """Seconds of an ``ansible-playbook`` run with no task: the start-up cost every run pays once."""
    playbook = pathlib.Path(work_dir) / "empty.yml"
    playbook.write_text(EMPTY_PLAY, encoding="utf-8")
    started = time.monotonic()
    completed = job.run("ansible-playbook", "-i", job.hosts, playbook)
    if completed.returncode != 0:
        raise SystemExit("the empty play failed:\n%s\n%s" % (completed.stdout[-3000:], completed.stderr[-3000:]))
    return time.monotonic() - started


def run_benchmark(args):
    """The start-up cost and both runs against one sandbox: (start-up seconds, fleet figures, sequential figures)."""
    fleet_servers = server_list("fleet", args.servers)
    sequential_servers = server_list("seq", args.sequential_count)
    with tempfile.TemporaryDirectory() as work_dir, \
            SandboxProcess(machines="none", provision_delay=args.provision_delay) as sandbox:
        job = MainJob(sandbox, pathlib.Path(work_dir) / "job", collections_tree(work_dir), fleet=fleet_servers,
                      balance_usd=BALANCE_USD, extra_vars={"fleet_wait_timeout": PLAYBOOK_TIMEOUT_SECONDS})
        sandbox.configure(latency_ms=args.latency_ms)
        startup = time_empty_play(job, work_dir)
        fleet = run_fleet(job, sandbox, fleet_servers)
        sequential = run_sequential(job, sandbox, work_dir, sequential_servers)
    return startup, fleet, sequential


def summarise(args, startup, fleet, sequential):
    """Every figure of both runs, the options and the machine, as written to the JSON file."""
    # Extrapolate the tasks only: ansible-playbook starts once whatever the number of servers.
    per_server = (sequential["seconds"] - startup) / sequential["servers"]
    extrapolated = sequential["servers"] != args.servers
    sequential_for_all = startup + per_server * args.servers if extrapolated else sequential["seconds"]
    return {
        "servers": args.servers,
        "provision_delay_seconds": args.provision_delay,
        "latency_ms": args.latency_ms,
        "cpu_count": os.cpu_count(),
        "ansible_playbook_startup_seconds": round(startup, 2),
        "fleet_role": dict(fleet, seconds_beyond_startup=round(fleet["seconds"] - startup, 2)),
        "sequential": dict(sequential, seconds_per_server=round(per_server, 2), extrapolated=extrapolated),
        "sequential_seconds_for_all": round(sequential_for_all, 1),
        "speedup_over_sequential": round(sequential_for_all / fleet["seconds"], 1),
        "fleet_seconds_in_provision_delays": round(fleet["seconds"] / args.provision_delay, 2),
        "options": {key: value for key, value in vars(args).items() if key != "output"},
    }


def print_plan(args):
    """What will be measured, what extrapolated, and about how long it takes, before it starts."""
    sequential_seconds = args.sequential_count * args.provision_delay
    print("measuring the fleet role with %d servers and the one-at-a-time baseline with %d%s; about %.0f s in all"
          % (args.servers, args.sequential_count,
             "" if args.sequential_count == args.servers else
             " (its time for %d is extrapolated; --sequential-count %d measures it all, about %.0f s more)"
             % (args.servers, args.servers, (args.servers - args.sequential_count) * args.provision_delay),
             2 * args.provision_delay + sequential_seconds + 20), flush=True)


def print_table(summary):
    servers, sequential, fleet = summary["servers"], summary["sequential"], summary["fleet_role"]
    print("fleet role vs one vps_server task at a time: %d servers (half VPSCrypto, half Otwa), %g s to provision,"
          " %d ms latency per request, %d CPUs"
          % (servers, summary["provision_delay_seconds"], summary["latency_ms"], summary["cpu_count"]))
    row = "%-52s %8s %8s"
    print(row % ("run", "servers", "seconds"))
    print(row % ("ansible-playbook start-up (a play with no task)", "-", "%.1f" % summary["ansible_playbook_startup_seconds"]))
    print(row % ("fleet role (one ansible-playbook run)", servers, "%.1f" % fleet["seconds"]))
    if sequential["extrapolated"]:
        print(row % ("sequential, measured", sequential["servers"], "%.1f" % sequential["seconds"]))
        print(row % ("sequential, EXTRAPOLATED (%.1f s a server + start-up)" % sequential["seconds_per_server"],
                     servers, "%.1f" % summary["sequential_seconds_for_all"]))
        print("sequential / fleet role: %.1fx (the sequential time for %d servers is extrapolated from %d measured)"
              % (summary["speedup_over_sequential"], servers, sequential["servers"]))
    else:
        print(row % ("sequential, measured", servers, "%.1f" % sequential["seconds"]))
        print("sequential / fleet role: %.1fx (both measured)" % summary["speedup_over_sequential"])
    ratio, goal = summary["fleet_seconds_in_provision_delays"], GOALS_IN_PROVISION_DELAYS.get(servers)
    print("the fleet was ready in %.2fx one provisioning delay (%g s)%s"
          % (ratio, summary["provision_delay_seconds"],
             "   (goal <= %.2fx)  %s" % (goal, "met" if ratio <= goal else "NOT MET") if goal else ""))
    if fleet["first_order_after_seconds"] is not None:
        print("fleet role phases (sandbox clock, 1 s resolution): start-up and planning until the first order %.0f s,"
              " ordering %.0f s, waiting after the last order %.0f s"
              % (fleet["first_order_after_seconds"],
                 fleet["last_order_after_seconds"] - fleet["first_order_after_seconds"],
                 fleet["seconds"] - fleet["last_order_after_seconds"]))


def positive_int(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def parse_arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--servers", type=positive_int, default=50)
    parser.add_argument("--provision-delay", type=float, default=10)
    parser.add_argument("--sequential-count", type=positive_int, default=5,
                        help="servers the sequential baseline orders (default 5, to keep the benchmark near a "
                             "minute and a half); its time is extrapolated to --servers, and says so")
    parser.add_argument("--latency-ms", type=int, default=0, help="added by the sandbox to every API request")
    parser.add_argument("--output", default=str(REPO_ROOT / "bench-results" / "fleet.json"))
    args = parser.parse_args(argv)
    if args.sequential_count > args.servers:
        parser.error("--sequential-count cannot exceed --servers")
    return args


def main(argv=None):
    """Run the benchmark, print the table, write the JSON results; returns the summary."""
    args = parse_arguments(argv)
    print_plan(args)
    summary = summarise(args, *run_benchmark(args))
    print_table(summary)
    results_file = pathlib.Path(args.output)
    results_file.parent.mkdir(parents=True, exist_ok=True)
    results_file.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print("results written to %s" % results_file)
    return summary


if __name__ == "__main__":
    main()
