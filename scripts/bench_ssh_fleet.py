"""Benchmark of the main job on real SSH hosts: provision + bootstrap of 10 sandbox machines against one.

Runs ``ansible-playbook vpsfleet.cloud.provision`` (order, wait for SSH, then the bootstrap role
over SSH) for a fleet of one server and for a fleet of ``--servers`` (half per provider), each
against sandbox SSH machines (one OpenSSH per server on its own 127.0.0.x address), with the
ansible settings recommended for fleets: ``docs/examples/ansible.cfg`` (forks, pipelining, SSH
ControlPersist), copied into the run's directory. Prints both times and their ratio next to the
goal; writes ``bench-results/ssh_fleet.json``.

Needs root (sandbox machines), and must run alone on a machine: the machines use fixed 127.0.0.x
addresses. ``scripts/bench.py`` runs it under ``flock /tmp/vpsfleet-machines.lock``; run it alone the
same way: ``flock /tmp/vpsfleet-machines.lock .venv/bin/python scripts/bench_ssh_fleet.py``.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import shutil
import sys
import tempfile
import time

REPO_ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT / "sandbox"))

# The path above must be in place before these imports.
# pylint: disable=wrong-import-position
from bench_fleet import BALANCE_USD, server_list  # noqa: E402
from bench_inventory import collections_tree, write_results  # noqa: E402
from vps_sandbox.main_job import MainJob, parse_recap, ssh_machines_unavailable_reason  # noqa: E402
from vps_sandbox.testing import SandboxProcess  # noqa: E402

FLEET_ANSIBLE_CFG = REPO_ROOT / "docs" / "examples" / "ansible.cfg"
GOAL_RATIO = 2.5


def cpu_times():
    """(busy, total) CPU jiffies of the whole machine so far, from /proc/stat."""
    with open("/proc/stat", encoding="ascii") as stat:
        fields = [int(value) for value in stat.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return sum(fields) - idle, sum(fields)


def timed_provision(sandbox, work_dir, collections, name, count):
    """One provision run over a new fleet of ``count`` servers: (seconds, share of the machine's CPU
    busy meanwhile); fails unless every host is ok.

    The sandbox machines run on this machine's CPUs, so every task on ten servers costs ten times
    the CPU of one: a busy share near 1 says the run was bound by the CPUs, not by waiting.
    """
    job = MainJob(sandbox, pathlib.Path(work_dir) / name, collections, fleet=server_list(name, count),
                  balance_usd=BALANCE_USD)
    shutil.copy(FLEET_ANSIBLE_CFG, job.work_dir / "ansible.cfg")
    busy_before, total_before = cpu_times()
    started = time.monotonic()
    completed = job.provision()
    seconds = time.monotonic() - started
    busy_after, total_after = cpu_times()
    recap = parse_recap(completed.stdout)
    bad = dict((host, counts) for host, counts in recap.items() if counts.get("failed") or counts.get("unreachable"))
    if completed.returncode != 0 or bad or len(recap) < count + 1:
        raise SystemExit("the provision run of %d server(s) failed (exit %d, recap %s):\n%s\n%s" % (
            count, completed.returncode, recap, completed.stdout[-3000:], completed.stderr[-3000:]))
    return seconds, (busy_after - busy_before) / float(max(1, total_after - total_before))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--servers", type=int, default=10)
    parser.add_argument("--output", default=str(REPO_ROOT / "bench-results" / "ssh_fleet.json"))
    args = parser.parse_args(argv)
    reason = ssh_machines_unavailable_reason()
    if reason:
        print("SKIPPED: %s" % reason)
        return None
    with tempfile.TemporaryDirectory() as work_dir, SandboxProcess(machines="ssh", provision_delay=0.2) as sandbox:
        collections = collections_tree(work_dir)
        one, one_busy = timed_provision(sandbox, work_dir, collections, "one", 1)
        many, many_busy = timed_provision(sandbox, work_dir, collections, "many", args.servers)
    ratio = many / one
    summary = {"servers": args.servers, "cpu_count": os.cpu_count(), "one_server_seconds": round(one, 1),
               "fleet_seconds": round(many, 1), "ratio": round(ratio, 2),
               "cpu_busy_share_one": round(one_busy, 2), "cpu_busy_share_fleet": round(many_busy, 2),
               "ansible_cfg": str(FLEET_ANSIBLE_CFG.relative_to(REPO_ROOT))}
    print("provision + bootstrap over SSH (sandbox machines on this machine's CPUs, %s, %d CPUs)"
          % (summary["ansible_cfg"], summary["cpu_count"]))
    print("  1 server:   %.1f s (CPUs %.0f%% busy)" % (one, 100 * one_busy))
    print("  %d servers: %.1f s (CPUs %.0f%% busy): %.2fx the time for one   (goal <= %.1fx)  %s"
          % (args.servers, many, 100 * many_busy, ratio, GOAL_RATIO, "met" if ratio <= GOAL_RATIO else "NOT MET"))
    write_results(args.output, summary)
    return summary


if __name__ == "__main__":
    main()
