"""``make demo``: the main job against the sandbox, from an API key and a wallet to configured servers.

1. provision.yml finds the VPSCrypto balance short, tops it up with a gasless x402 USDC payment from
   a funded sandbox wallet (capped, to the sandbox's pay-to address only), orders two VPSCrypto
   servers and one Otwa server without waiting one by one, waits for them together and hardens them
   over SSH (admin user, keys, no password login, hostname);
2. ``ansible-inventory --graph`` shows the fleet through the dynamic inventory;
3. configure.yml reaches the servers through that inventory with the key the bootstrap installed;
4. provision.yml again: nothing changes, nothing is paid;
5. a month later: the keep-funded rulebook (ansible-rulebook, the ``vps_events`` source) watches the
   VPSCrypto account while the sandbox clock moves on; six days before the servers' renewals the
   balance cannot pay them, the runway is short, and the rulebook tops it up by x402 (once, under the
   cap); on the due date the renewals are charged and the servers keep running.

It ends with a summary: servers, IPs, what the ledger charged and credited, wall time. Sandbox
servers are real SSH hosts, which needs root (``scripts/sandbox-machines-setup.sh`` prepares the
machine on first use); where they cannot run, the demo stops with the reason. ``--api-only`` runs the
API half alone (order and inventory, no SSH), without root. Every playbook's full output is kept
under the work directory.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import subprocess
import sys
import time

REPO_ROOT = pathlib.Path(__file__).resolve().parent.parent
INSTALLED_COLLECTIONS = REPO_ROOT / ".build" / "installed"
sys.path.insert(0, str(REPO_ROOT / "sandbox"))

# The path above must be in place before these imports.
# pylint: disable=wrong-import-position
from eth_account import Account  # noqa: E402
from vps_sandbox.main_job import MainJob, parse_recap, ssh_machines_unavailable_reason  # noqa: E402
from vps_sandbox import rulebook  # noqa: E402
from vps_sandbox.testing import SandboxProcess  # noqa: E402

DEMO_FLEET = [
    {"name": "web-1", "provider": "vpscrypto", "plan": "hunter", "location": "nl", "os": "debian-13",
     "groups": ["web"]},
    {"name": "web-2", "provider": "vpscrypto", "plan": "hunter", "location": "nl", "os": "debian-13",
     "groups": ["web"]},
    {"name": "db-1", "provider": "otwa", "plan": "Cloud S", "location": "de-fra-01", "os": "debian-13",
     "groups": ["db"]},
]
# Too little for two servers, so the first run has to top up; Otwa is wallet-billed (no top-up API).
START_BALANCES = {"vpscrypto": 5, "otwa": 100}
WALLET_USDC = 100
TOPUP_CAP_USD = 50
MOTD = "configured by vpsfleet.cloud (make demo)"
DAY = 86400
# A month later: the runway turns short 25 days on (the renewals are due on day 31); the rulebook pays
# this much, which covers them; on day 32 they have been charged.
KEEP_FUNDED_AMOUNT = 30


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--api-only", action="store_true", help="no SSH machines: order and inventory only")
    parser.add_argument("--work-dir", default=str(REPO_ROOT / ".build" / "demo"),
                        help="where the key pair, variables and playbook logs go (default: .build/demo)")
    parser.add_argument("--provision-delay", type=float, default=3.0,
                        help="seconds a sandbox server takes from order to running (default: 3)")
    return parser.parse_args()


class Steps:
    """Runs the demo's steps, printing each one's outcome and keeping its full output in a log file."""

    def __init__(self, work_dir):
        self.work_dir = work_dir
        self.failed = False

    def run(self, number, title, action):
        """Run one step (an ``action()`` returning a CompletedProcess); True when it succeeded."""
        print(f"\n[{number}] {title}", flush=True)
        started = time.monotonic()
        result = action()
        seconds = time.monotonic() - started
        log = self.work_dir / f"step-{number}.log"
        log.write_text(result.stdout + result.stderr, encoding="utf-8")
        recap = parse_recap(result.stdout)
        for host, counts in sorted(recap.items()):
            shown = ("ok", "changed", "failed", "unreachable", "skipped")
            print(f"    {host:<10} " + "  ".join(f"{key}={counts[key]}" for key in shown))
        if not recap:
            print("    " + "\n    ".join(result.stdout.rstrip().splitlines()))
        outcome = "ok" if result.returncode == 0 else f"FAILED (exit {result.returncode})"
        print(f"    {outcome} in {seconds:.1f} s; full output: {log}")
        if result.returncode != 0:
            print("    " + "\n    ".join((result.stdout + result.stderr).rstrip().splitlines()[-25:]))
            self.failed = True
        return result.returncode == 0, recap


def a_month_later(sandbox, job, work_dir, pay_to):
    """Step 5: the keep-funded rulebook against the VPSCrypto account while the clock moves a month on."""
    def credits():
        return len(job.credits())

    def server_reads():
        return sum(1 for entry in sandbox.requests_log() if (entry["method"], entry["path"]) == ("GET", "/servers"))

    variables = {"keep_funded_interval": 0.5, "keep_funded_runway_days": 30, "keep_funded_min_runway_days": 7,
                 "keep_funded_amount": KEEP_FUNDED_AMOUNT, "keep_funded_max_usd": TOPUP_CAP_USD,
                 "keep_funded_cover_days": 30}
    run = rulebook.RulebookRun(work_dir / "rulebook", "vpsfleet.cloud.keep_funded",
                               dict(job.environment(), VPSFLEET_EXPECTED_PAY_TO=pay_to), variables)
    lines = []
    try:
        with run:
            reads, paid_before = server_reads(), credits()
            run.wait_until(lambda: server_reads() >= reads + 2, "first poll")
            sandbox.advance_clock(25 * DAY)
            lines.append("day +25: the renewals of day 31 are 6 days away and the balance cannot pay them")
            run.wait_until(lambda: credits() > paid_before, "automatic top-up")
            paid = job.credits()[-1]
            lines.append(f"         runway short -> the rulebook paid {paid['amount_usd']:.2f} USD by x402 "
                         f"(balance {paid['balance_after_usd']:.2f} USD)")
            renewed = sandbox.advance_clock(7 * DAY)["renewals"]
            names = {str(server["id"]): server["label"] for server in job.servers()}
            charged = ", ".join(names.get(str(item["server"]), item["server"]) for item in renewed if item["renewed"])
            lines.append(f"day +32: renewals charged for {charged}; "
                         f"suspended: {sum(1 for item in renewed if not item['renewed'])}")
            reads = server_reads()
            run.wait_until(lambda: server_reads() >= reads + 4, "polls after the renewals")
    except AssertionError as error:
        return subprocess.CompletedProcess(run.rulebook, 1, "\n".join(lines), str(error))
    events = run.event_types()
    lines.append("events: " + ", ".join(events))
    ok = events == ["runway_short", "runway_restored"] and credits() == paid_before + 1 and (
        "suspended: 0" in lines[-2])
    return subprocess.CompletedProcess(run.rulebook, 0 if ok else 1, "\n".join(lines), run.output())


def print_summary(job, seconds):
    """Servers, IPs, money moved and wall time."""
    print("\nServers")
    for server in sorted(job.servers(), key=lambda server: server["label"]):
        print(f"    {server['label']:<8} {server['provider']:<10} {server['ip']:<12} {server['status']}")
    print("Ledger")
    for entry in job.ledger():
        print(f"    {entry['provider']:<10} {entry['kind']:<7} {entry['amount_usd']:>7.2f} USD  "
              f"balance {entry['balance_after_usd']:>7.2f}  {entry['description']}")
    charged = sum(entry["amount_usd"] for entry in job.charges())
    renewed = sum(entry["amount_usd"] for entry in job.ledger() if entry.get("kind") == "renewal")
    credited = sum(entry["amount_usd"] for entry in job.credits())
    print(f"Spent {charged:.2f} USD on servers and {renewed:.2f} USD on renewals; topped up {credited:.2f} USD"
          f" by x402. Wall time {seconds:.0f} s.")


def main():
    """Run the demo; returns the process exit code."""
    args = parse_args()
    if not (INSTALLED_COLLECTIONS / "ansible_collections" / "vpsfleet" / "cloud").is_dir():
        print("The collection is not built: run `make demo` (it runs `make collection` first).", file=sys.stderr)
        return 1
    with_ssh = not args.api_only
    if with_ssh:
        reason = ssh_machines_unavailable_reason()
        if reason:
            print(f"The demo needs sandbox servers you can SSH into, and they cannot run here: {reason}.\n"
                  "Run it as root (sudo make demo), or run `scripts/demo.py --api-only` for the API half alone "
                  "(order and inventory, no SSH).", file=sys.stderr)
            return 2
    else:
        print("--api-only: sandbox servers are not SSH hosts; the demo orders and inventories only.")
    work_dir = pathlib.Path(args.work_dir)
    work_dir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with SandboxProcess(machines="ssh" if with_ssh else "none", provision_delay=args.provision_delay) as sandbox:
        pay_to = sandbox.configure()["x402_pay_to"]
        wallet = Account.create()
        sandbox.fund_wallet(wallet.address, WALLET_USDC)
        job = MainJob(sandbox, work_dir, INSTALLED_COLLECTIONS, fleet=DEMO_FLEET, balances=START_BALANCES,
                      extra_vars={"fleet_topup_enabled": True, "fleet_topup_coin": "USDCBASE",
                                  "fleet_topup_amount": 25, "fleet_topup_max_usd": TOPUP_CAP_USD,
                                  "fleet_topup_expected_pay_to": pay_to},
                      extra_env={"VPSFLEET_WALLET_KEY": "0x" + bytes(wallet.key).hex()})
        print(f"Sandbox at {sandbox.url}; VPSCrypto balance {START_BALANCES['vpscrypto']} USD, wallet "
              f"{wallet.address} holds {WALLET_USDC} test USDC; top-ups capped at {TOPUP_CAP_USD} USD.")
        steps = Steps(work_dir)
        provision = job.provision if with_ssh else job.order
        first_ok, _recap = steps.run(1, "provision: fund, order, wait, harden", provision)
        if first_ok:
            steps.run(2, "ansible-inventory --graph over fleet.vps.yml", job.inventory_graph)
            if with_ssh:
                steps.run(3, "configure.yml over the dynamic inventory",
                          lambda: job.configure("-e", "configure_motd=" + json.dumps(MOTD)))
            else:
                print("\n[3] configure.yml: skipped, the servers are not SSH hosts")
            charges_before = job.charges()
            _second_ok, recap = steps.run(4, "provision again: nothing to do", provision)
            changed = {host: counts["changed"] for host, counts in recap.items()}
            print(f"    second run: changed={sum(changed.values())} ({changed}); "
                  f"new charges: {len(job.charges()) - len(charges_before)}")
            if sum(changed.values()) or job.charges() != charges_before:
                steps.failed = True
            reason = rulebook.unavailable_reason()
            if reason:
                print(f"\n[5] a month later: skipped, {reason}")
            else:
                steps.run(5, "a month later: a renewal, a short runway, the automatic top-up",
                          lambda: a_month_later(sandbox, job, work_dir, pay_to))
        print_summary(job, time.monotonic() - started)
    print("\nSandbox stopped." + (" The demo FAILED." if steps.failed else " Demo complete."))
    return 1 if steps.failed else 0


if __name__ == "__main__":
    sys.exit(main())
