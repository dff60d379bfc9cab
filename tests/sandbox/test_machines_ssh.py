"""The ssh machine backend: sandbox servers are real, separate SSH hosts on 127.0.0.x.

Needs root and the cached server root built by scripts/sandbox-machines-setup.sh; skipped otherwise,
or failed with VPSFLEET_REQUIRE_MACHINES=1 (CI as root).
"""

from __future__ import annotations

import os
import pathlib
import shutil
import socket
import subprocess
import sys
import time

import pytest

SANDBOX_DIR = pathlib.Path(__file__).resolve().parents[2] / "sandbox"
if str(SANDBOX_DIR) not in sys.path:
    sys.path.insert(0, str(SANDBOX_DIR))

from vps_sandbox.machines_ssh import DEFAULT_ROOTFS, MachineError, SshMachines  # noqa: E402
from vps_sandbox.testing import (  # noqa: E402
    REQUIRE_MACHINES_ENV, SandboxProcess, machine_processes, machines_required)

IP_A = "127.0.0.201"
IP_B = "127.0.0.202"


def why_machines_cannot_run():
    """What this host lacks for SSH machines, or None."""
    if os.geteuid() != 0:
        return "ssh machines need root (mount namespaces, overlayfs)"
    if not (DEFAULT_ROOTFS / "usr/sbin/sshd").exists():
        return f"cached server root {DEFAULT_ROOTFS} missing: run scripts/sandbox-machines-setup.sh"
    if shutil.which("sshpass") is None:
        return "sshpass missing: run scripts/sandbox-machines-setup.sh"
    return None


@pytest.fixture(autouse=True)
def machines_can_run():
    reason = why_machines_cannot_run()
    if reason and machines_required():
        pytest.fail(f"{REQUIRE_MACHINES_ENV}=1, but {reason}")
    if reason:
        pytest.skip(reason)


@pytest.fixture
def machines(tmp_path):
    backend = SshMachines(state_dir=tmp_path / "machines")
    yield backend
    backend.shutdown()


def ssh(ip: str, password: str, command: str) -> subprocess.CompletedProcess:
    """Run `command` as root on the machine at `ip`, logging in with `password`."""
    return subprocess.run(
        ["sshpass", "-p", password, "ssh", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
         "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=5", "-o", "NumberOfPasswordPrompts=1",
         "-o", "PubkeyAuthentication=no", f"root@{ip}", command],
        capture_output=True, text=True, timeout=30, check=False)


def ssh_ok(ip: str, password: str, command: str) -> str:
    result = ssh(ip, password, command)
    assert result.returncode == 0, f"ssh root@{ip} {command!r} failed: {result.stderr}"
    return result.stdout


def port_open(ip: str) -> bool:
    try:
        with socket.create_connection((ip, 22), timeout=0.5):
            return True
    except OSError:
        return False


def sshd_processes_listening_on(ip: str) -> list[str]:
    """sshd processes of the host whose server config binds `ip` (seen from the host)."""
    listeners = subprocess.run(["ss", "-Hltnp", f"src {ip}:22"], capture_output=True, text=True, check=True)
    return [line for line in listeners.stdout.splitlines() if line.strip()]


def overlay_mounts_under(directory: pathlib.Path) -> list[str]:
    mounts = subprocess.run(["findmnt", "-rn", "-o", "TARGET,FSTYPE,OPTIONS"], capture_output=True, text=True,
                            check=True)
    return [line for line in mounts.stdout.splitlines() if str(directory) in line]


def test_each_server_is_reached_with_its_own_hostname_and_password(machines):
    machines.start("vpscrypto-1", IP_A, "alpha", "password-a")
    machines.start("otwa-1", IP_B, "bravo", "password-b")

    assert ssh_ok(IP_A, "password-a", "hostname").strip() == "alpha"
    assert ssh_ok(IP_B, "password-b", "hostname").strip() == "bravo"
    assert ssh(IP_A, "password-b", "hostname").returncode != 0


def test_a_file_written_in_etc_of_one_server_is_absent_on_the_other(machines):
    machines.start("vpscrypto-1", IP_A, "alpha", "password-a")
    machines.start("otwa-1", IP_B, "bravo", "password-b")

    ssh_ok(IP_A, "password-a", "echo hardened > /etc/marker")

    assert ssh_ok(IP_A, "password-a", "cat /etc/marker").strip() == "hardened"
    assert ssh(IP_B, "password-b", "test -e /etc/marker").returncode == 1
    assert not (DEFAULT_ROOTFS / "etc/marker").exists()


def test_set_password_replaces_the_old_password_while_running(machines):
    machines.start("vpscrypto-1", IP_A, "alpha", "old-password")

    machines.set_password("vpscrypto-1", "new-password")

    assert ssh(IP_A, "old-password", "true").returncode != 0
    assert ssh_ok(IP_A, "new-password", "hostname").strip() == "alpha"


def test_stop_closes_the_port_and_a_new_start_keeps_the_disk(machines):
    machines.start("vpscrypto-1", IP_A, "alpha", "password-a")
    ssh_ok(IP_A, "password-a", "echo kept > /etc/marker")

    machines.stop("vpscrypto-1")
    assert not port_open(IP_A)
    assert sshd_processes_listening_on(IP_A) == []

    machines.start("vpscrypto-1", IP_A, "alpha", "password-a")
    assert ssh_ok(IP_A, "password-a", "cat /etc/marker").strip() == "kept"


def test_a_password_set_while_stopped_applies_at_the_next_boot(machines):
    machines.start("vpscrypto-1", IP_A, "alpha", "old-password")
    machines.stop("vpscrypto-1")

    machines.set_password("vpscrypto-1", "new-password")
    machines.start("vpscrypto-1", IP_A, "alpha", "old-password")

    assert ssh(IP_A, "old-password", "true").returncode != 0
    assert ssh_ok(IP_A, "new-password", "hostname").strip() == "alpha"


def test_reinstall_gives_a_fresh_disk_hostname_and_password(machines):
    machines.start("vpscrypto-1", IP_A, "alpha", "old-password")
    ssh_ok(IP_A, "old-password", "echo gone > /etc/marker")

    machines.reinstall("vpscrypto-1", "alpha-2", "new-password")

    assert ssh(IP_A, "old-password", "true").returncode != 0
    assert ssh_ok(IP_A, "new-password", "hostname; test -e /etc/marker || echo no-marker").split() == [
        "alpha-2", "no-marker"]


def test_start_while_running_is_a_no_op(machines):
    machines.start("vpscrypto-1", IP_A, "alpha", "password-a")
    ssh_ok(IP_A, "password-a", "echo still-up > /run/marker")  # /run is lost on any reboot

    machines.start("vpscrypto-1", IP_A, "alpha", "password-a")

    assert ssh_ok(IP_A, "password-a", "cat /run/marker").strip() == "still-up"


def test_server_mounts_never_appear_in_the_host(machines, tmp_path):
    machines.start("vpscrypto-1", IP_A, "alpha", "password-a")

    assert "overlay" in ssh_ok(IP_A, "password-a", "findmnt -n -o FSTYPE /")
    assert overlay_mounts_under(tmp_path) == []


def test_root_in_a_server_cannot_reconfigure_the_host_network(machines):
    machines.start("vpscrypto-1", IP_A, "alpha", "password-a")

    bounding_set = ssh_ok(IP_A, "password-a", "grep CapBnd /proc/self/status").split()[1]

    cap_net_admin = 1 << 12
    assert int(bounding_set, 16) & cap_net_admin == 0


def test_sshd_listens_on_the_server_address_only(machines):
    machines.start("vpscrypto-1", IP_A, "alpha", "password-a")

    assert port_open(IP_A)
    assert not port_open("127.0.0.203")


def test_destroy_and_shutdown_leave_no_process_mount_or_disk(machines, tmp_path):
    machines.start("vpscrypto-1", IP_A, "alpha", "password-a")
    machines.start("otwa-1", IP_B, "bravo", "password-b")

    machines.destroy("vpscrypto-1")
    assert not port_open(IP_A)
    assert not (tmp_path / "machines" / "vpscrypto-1").exists()
    assert ssh_ok(IP_B, "password-b", "hostname").strip() == "bravo"

    machines.shutdown()
    assert sshd_processes_listening_on(IP_A) == sshd_processes_listening_on(IP_B) == []
    machine_processes = subprocess.run(["pgrep", "-f", str(tmp_path / "machines")], capture_output=True, text=True,
                                       check=False)
    assert machine_processes.stdout == ""
    assert overlay_mounts_under(tmp_path) == []
    assert list((tmp_path / "machines").iterdir()) == []


def test_an_address_taken_by_another_server_is_refused(machines):
    machines.start("vpscrypto-1", IP_A, "alpha", "password-a")

    with pytest.raises(MachineError, match="already taken"):
        machines.start("vpscrypto-2", IP_A, "other", "password-b")


def test_the_hosts_own_loopback_address_is_refused(machines):
    with pytest.raises(MachineError, match="not 127.0.0.1"):
        machines.start("vpscrypto-1", "127.0.0.1", "alpha", "password-a")


def test_a_machine_left_running_by_a_crashed_sandbox_is_replaced_on_first_start(tmp_path):
    state_dir = tmp_path / "machines"
    crashed = SshMachines(state_dir=state_dir)
    crashed.start("vpscrypto-1", IP_A, "alpha", "old-password")
    ssh_ok(IP_A, "old-password", "echo stale > /etc/marker")
    restarted = SshMachines(state_dir=state_dir)  # a new sandbox process knows nothing of the old one
    try:
        restarted.start("vpscrypto-1", IP_A, "alpha", "new-password")

        assert ssh_ok(IP_A, "new-password", "test -e /etc/marker || echo fresh").strip() == "fresh"
        assert crashed._machines["vpscrypto-1"].process.poll() is not None
    finally:
        restarted.shutdown()
        crashed._machines.clear()  # its machine was taken over and is gone


def test_a_failed_boot_says_why_and_leaves_no_process_or_disk(tmp_path):
    broken_root = tmp_path / "broken-root"
    (broken_root / "usr/sbin").mkdir(parents=True)
    (broken_root / "usr/sbin/sshd").touch()  # passes the presence check, but there is no /proc to mount on
    backend = SshMachines(rootfs=broken_root, state_dir=tmp_path / "machines")
    try:
        with pytest.raises(MachineError, match="boot failed: its init exited") as failure:
            backend.start("vpscrypto-1", IP_A, "alpha", "password-a")

        assert "machine init failed" in str(failure.value)  # the console log is quoted
        assert "password-a" not in str(failure.value)
        assert not (tmp_path / "machines" / "vpscrypto-1" / "upper").exists()
        assert not port_open(IP_A)
    finally:
        backend.shutdown()


def test_the_root_password_appears_in_no_command_line_or_console_log(machines, tmp_path):
    machines.start("vpscrypto-1", IP_A, "alpha", "secret-password-1")
    machines.set_password("vpscrypto-1", "secret-password-2")
    ssh_ok(IP_A, "secret-password-2", "true")

    command_lines = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True, check=True).stdout
    console_log = (tmp_path / "machines" / "vpscrypto-1" / "console.log").read_text()
    for secret in ("secret-password-1", "secret-password-2"):
        assert secret not in command_lines
        assert secret not in console_log


def test_with_an_sshd_delay_start_returns_before_sshd_listens_and_sshd_follows(tmp_path):
    backend = SshMachines(state_dir=tmp_path / "machines", sshd_delay=3)
    try:
        backend.start("vpscrypto-1", IP_A, "alpha", "password-a")
        started = time.monotonic()

        assert not port_open(IP_A)
        while not port_open(IP_A) and time.monotonic() - started < 10:
            time.sleep(0.1)
        assert port_open(IP_A)
        assert time.monotonic() - started > 1.5
        assert ssh_ok(IP_A, "password-a", "hostname").strip() == "alpha"
    finally:
        backend.shutdown()


def seed_running_servers(sandbox, count):
    """``count`` running Otwa servers with their machines started; their IPs once all accept SSH."""
    account = sandbox.create_account("otwa")
    sandbox.seed_servers(account["api_key"], count, start_machines=True)
    ips = [server["ip"] for server in sandbox.servers()]
    deadline = time.monotonic() + 30
    while not all(port_open(ip) for ip in ips) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert all(port_open(ip) for ip in ips), ips
    return ips


def test_stopping_the_sandbox_leaves_no_machine_process_mount_or_disk():
    sandbox = SandboxProcess(machines="ssh").start()
    machines_dir = pathlib.Path(sandbox.machines_dir)
    try:
        ips = seed_running_servers(sandbox, 4)
        assert machine_processes(machines_dir)
    finally:
        sandbox.stop()

    assert machine_processes(machines_dir) == []
    assert not any(port_open(ip) for ip in ips)
    assert overlay_mounts_under(machines_dir) == []
    assert not machines_dir.exists()
    assert "shutdown left machines behind" not in sandbox.output()


def test_machines_power_off_by_themselves_when_the_sandbox_is_killed():
    sandbox = SandboxProcess(machines="ssh").start()
    machines_dir = pathlib.Path(sandbox.machines_dir)
    try:
        ips = seed_running_servers(sandbox, 2)

        sandbox.kill()  # as a crash would: no shutdown code runs

        deadline = time.monotonic() + 10
        while machine_processes(machines_dir) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert machine_processes(machines_dir) == []
        assert not any(port_open(ip) for ip in ips)
    finally:
        sandbox.stop()
