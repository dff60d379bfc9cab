"""Sandbox servers as real SSH hosts.

Each running sandbox server is a process tree in its own mount, UTS and PID namespaces: a
copy-on-write overlayfs over one cached Debian root (built by scripts/sandbox-machines-setup.sh),
chrooted, with its own hostname and an OpenSSH ``sshd`` listening on the server's loopback address
only. The network namespace is the host's, which is what makes ``127.0.0.x:22`` reachable from the
host without any network setup.

This file has two halves. :class:`SshMachines` runs in the sandbox and controls the machines.
Executed as a script (``--machine-init``), the file is the init (PID 1) of one machine: it mounts
the machine's filesystems, chroots, starts sshd and reaps processes until it is told to power off.
That half uses the standard library only, because it runs before and after the chroot.
"""

from __future__ import annotations

import atexit
import ctypes
import ipaddress
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

DEFAULT_ROOTFS = Path(os.environ.get("VPS_SANDBOX_ROOTFS", "/var/cache/vpsfleet-sandbox/rootfs-trixie"))
DEFAULT_STATE_DIR = Path(os.environ.get("VPS_SANDBOX_MACHINES_DIR", "/var/lib/vpsfleet-sandbox/machines"))
# Seconds between a machine being up (the API says running) and its sshd accepting connections.
DEFAULT_SSHD_DELAY_S = float(os.environ.get("VPS_SANDBOX_SSHD_DELAY", "0"))
SSH_PORT = 22
BOOT_TIMEOUT_S = 15.0
POWER_OFF_TIMEOUT_S = 10.0
SHUTDOWN_WORKERS = 16
SETUP_HINT = "run scripts/sandbox-machines-setup.sh as root"

_KEY_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
_INIT_FLAG = "--machine-init"
_SERVER_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
# The servers share the host's network and clock: root inside must not reconfigure the host's
# interfaces or firewall (CAP_NET_ADMIN), load kernel modules or set the time.
_CAPS_DROPPED_IN_SERVERS = {"CAP_NET_ADMIN": 12, "CAP_SYS_MODULE": 16, "CAP_SYS_TIME": 25}
_PR_CAPBSET_DROP = 24
# Printed by a machine's init, with a delayed sshd, once everything but sshd is up.
_UP_MARKER = "machine init: up, sshd starts in"


class MachineError(RuntimeError):
    """A sandbox machine could not be started, changed or stopped."""


class _Machine:
    """Book-keeping of one server's machine; guarded by its own lock."""

    def __init__(self, key: str, directory: Path):
        self.key = key
        self.directory = directory
        self.lock = threading.Lock()
        self.ip: str | None = None
        self.process: subprocess.Popen | None = None  # the `unshare` process
        self.pending_password: str | None = None  # set while stopped, applied at next boot

    @property
    def upper(self) -> Path:
        return self.directory / "upper"

    @property
    def console_log(self) -> Path:
        return self.directory / "console.log"

    def is_running(self) -> bool:
        return self.process is not None and self.process.poll() is None


class SshMachines:
    """Machine backend of the sandbox: one SSH-reachable Linux host per running server.

    Thread-safe: operations on different keys run concurrently, operations on one key in turn.
    Needs root, overlayfs and ``unshare``; see docs/sandbox-machines.md.
    """

    def __init__(self, rootfs: Path | str | None = None, state_dir: Path | str | None = None,
                 boot_timeout: float = BOOT_TIMEOUT_S, sshd_delay: float | None = None):
        """``sshd_delay`` (default: $VPS_SANDBOX_SSHD_DELAY, else 0) seconds: start sshd that long after
        the machine is up, and return from ``start`` before it listens, as a real server boots."""
        self.rootfs = Path(rootfs) if rootfs else DEFAULT_ROOTFS
        self.state_dir = Path(state_dir) if state_dir else DEFAULT_STATE_DIR
        self.boot_timeout = boot_timeout
        self.sshd_delay = DEFAULT_SSHD_DELAY_S if sshd_delay is None else float(sshd_delay)
        self._machines: dict[str, _Machine] = {}
        self._registry_lock = threading.Lock()
        check_host_can_run_machines(self.rootfs)
        atexit.register(self.shutdown)

    def start(self, key: str, ip: str, hostname: str, root_password: str) -> None:
        """Boot the server's machine; return once sshd accepts TCP connections on ``ip:22`` (with an
        ``sshd_delay``: once the machine is up, before sshd listens).

        Idempotent while running. The first boot of a key in this backend gets a fresh filesystem,
        ``hostname`` and ``root_password``; later boots keep the disk, as a reboot does.
        """
        _check_ip(ip)
        machine = self._machine(key)
        with machine.lock:
            if machine.is_running():
                return
            machine.ip = ip
            password = root_password if not machine.upper.exists() else machine.pending_password
            self._boot(machine, hostname, password)
            machine.pending_password = None

    def stop(self, key: str) -> None:
        """Power the machine off: every process gone, every mount gone, the disk kept.

        A key that never started has nothing to stop: a no-op.
        """
        machine = self._known_machine(key, required=False)
        if machine is None:
            return
        with machine.lock:
            _power_off(machine)

    def set_password(self, key: str, password: str) -> None:
        """Change root's password: live when running (as a guest agent does), else at next boot.

        A key that never started gets its password from ``start``: a no-op.
        """
        machine = self._known_machine(key, required=False)
        if machine is None:
            return
        with machine.lock:
            if not machine.is_running():
                machine.pending_password = password
                return
            init_pid = _init_pid_of(machine)
            result = subprocess.run(
                ["nsenter", "--target", str(init_pid), "--mount", "--uts", "--root", "--wd",
                 "/usr/sbin/chpasswd"],
                input=f"root:{password}\n", capture_output=True, text=True, timeout=30,
                env={"PATH": _SERVER_PATH}, check=False)
            if result.returncode != 0:
                # chpasswd's own message; it never echoes the password.
                raise MachineError(f"{key}: password change failed: {result.stderr.strip()}")

    def reinstall(self, key: str, hostname: str, root_password: str) -> None:
        """Discard the server's filesystem and boot a fresh one on the same address."""
        machine = self._known_machine(key)
        with machine.lock:
            if machine.ip is None:
                raise MachineError(f"{key}: cannot reinstall a machine that was never started (no address)")
            _power_off(machine)
            _discard_disk(machine)
            machine.pending_password = None
            self._boot(machine, hostname, root_password)

    def destroy(self, key: str) -> None:
        """Power off and delete everything of the server's machine."""
        _check_key(key)
        with self._registry_lock:
            machine = self._machines.pop(key, None)
        if machine is None:
            machine = _Machine(key, self.state_dir / key)
            _kill_leftovers(machine)
        with machine.lock:
            _power_off(machine)
            _discard_machine_dir(machine)

    def shutdown(self) -> None:
        """Stop and delete every machine of this backend: no process or mount is left behind.

        Machines stop in parallel, so a large fleet stops in about the time of one.
        """
        with self._registry_lock:
            keys = list(self._machines)
        errors = []

        def destroy(key):
            try:
                self.destroy(key)
            except Exception as error:  # keep stopping the others
                errors.append(f"{key}: {error}")
        if keys:
            with ThreadPoolExecutor(max_workers=min(SHUTDOWN_WORKERS, len(keys)),
                                    thread_name_prefix="machine-shutdown") as pool:
                list(pool.map(destroy, keys))
        if errors:
            raise MachineError("shutdown left machines behind: " + "; ".join(errors))

    def _machine(self, key: str) -> _Machine:
        _check_key(key)
        with self._registry_lock:
            machine = self._machines.get(key)
            if machine is None:
                machine = _Machine(key, self.state_dir / key)
                # A key this backend has not seen is a new server: whatever an earlier sandbox run
                # left under its name (even a live machine, after a crash) is not its disk.
                _kill_leftovers(machine)
                _discard_machine_dir(machine)
                self._machines[key] = machine
            return machine

    def _known_machine(self, key: str, required: bool = True) -> _Machine | None:
        _check_key(key)
        with self._registry_lock:
            machine = self._machines.get(key)
        if machine is None and required:
            raise MachineError(f"{key}: no such machine (start it first)")
        return machine

    def _boot(self, machine: _Machine, hostname: str, password: str | None) -> None:
        ip = machine.ip
        if _accepts_tcp(ip, SSH_PORT):
            raise MachineError(f"{machine.key}: {ip}:{SSH_PORT} is already taken by another process; "
                               "the sandbox must give each server its own address")
        fresh = not machine.upper.exists()
        for name in ("upper", "work", "merged"):
            (machine.directory / name).mkdir(parents=True, exist_ok=True)
        boot = {"lower": str(self.rootfs), "ip": ip, "hostname": hostname, "password": password,
                "fresh": fresh, "sshd_delay": self.sshd_delay}
        with open(machine.console_log, "ab") as console:
            console.write(f"--- boot {time.strftime('%Y-%m-%dT%H:%M:%S')} ip={ip}\n".encode())
            console.flush()
            console_offset = console.tell()
            machine.process = subprocess.Popen(
                ["unshare", "--mount", "--uts", "--pid", "--fork", "--propagation", "private",
                 "--kill-child=SIGKILL", sys.executable, "-I", os.path.abspath(__file__), _INIT_FLAG,
                 str(machine.directory)],
                stdin=subprocess.PIPE, stdout=console, stderr=subprocess.STDOUT,
                start_new_session=True, close_fds=True)
        try:
            # The password travels on a pipe: never in argv (visible in ps) nor on disk. The pipe then
            # stays open as the machine's lifeline: when this process ends, however it ends, the init
            # reads end-of-file and powers the machine off.
            machine.process.stdin.write(json.dumps(boot).encode() + b"\n")
            machine.process.stdin.flush()
        except BrokenPipeError:
            pass  # the init died at once; waiting below reports it with the console log
        try:
            self._wait_until_up(machine, console_offset)
        except MachineError:
            if fresh:
                _discard_disk(machine)  # so the next start is a first boot again, with the password
            raise

    def _wait_until_up(self, machine: _Machine, console_offset: int) -> None:
        """Until sshd accepts connections or, with an sshd delay, until the init says the rest is up."""
        deadline = time.monotonic() + self.boot_timeout
        while time.monotonic() < deadline:
            if machine.process.poll() is not None:
                failure = f"its init exited with status {machine.process.returncode}"
                break
            if self.sshd_delay > 0 and _UP_MARKER in _read_from(machine.console_log, console_offset):
                return
            if self.sshd_delay <= 0 and _accepts_tcp(machine.ip, SSH_PORT):
                return
            time.sleep(0.05)
        else:
            waited_for = "the machine to come up" if self.sshd_delay > 0 else \
                f"sshd to accept connections on {machine.ip}:{SSH_PORT}"
            failure = f"waited {self.boot_timeout:g} s for {waited_for}"
        _power_off(machine)
        raise MachineError(f"{machine.key}: boot failed: {failure}. "
                           f"Last lines of {machine.console_log}:\n{_tail(machine.console_log)}")


def check_host_can_run_machines(rootfs: Path) -> None:
    """Raise :class:`MachineError` saying what is missing when this host cannot run machines."""
    if os.geteuid() != 0:
        raise MachineError("the ssh machine backend needs root (mount namespaces, overlayfs, chroot)")
    if not (rootfs / "usr/sbin/sshd").exists():
        raise MachineError(f"cached server root {rootfs} is missing: {SETUP_HINT}")
    for tool in ("unshare", "nsenter", "mount"):
        if shutil.which(tool) is None:
            raise MachineError(f"`{tool}` (util-linux) is missing: {SETUP_HINT}")


def _check_key(key: str) -> None:
    if not _KEY_PATTERN.match(key or ""):
        raise MachineError(f"invalid machine key {key!r}: letters, digits, '.', '_' and '-' only")


def _check_ip(ip: str) -> None:
    try:
        address = ipaddress.IPv4Address(ip)
    except ValueError:
        raise MachineError(f"invalid machine address {ip!r}: an IPv4 loopback address is needed") from None
    # 127.0.0.1 is where host services (the sandbox API among them) live.
    if not address.is_loopback or address == ipaddress.IPv4Address("127.0.0.1"):
        raise MachineError(f"machine address {ip} must be in 127.0.0.0/8 and not 127.0.0.1")


def _accepts_tcp(ip: str, port: int) -> bool:
    try:
        with socket.create_connection((ip, port), timeout=0.2):
            return True
    except OSError:
        return False


def _host_processes() -> list[tuple[int, int, list[str]]]:
    """(pid, parent pid, argv) of every process of this host's PID namespace."""
    processes = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as stat:
                parent = int(stat.read().rsplit(b")", 1)[1].split()[1])
            with open(f"/proc/{entry.name}/cmdline", "rb") as cmdline:
                argv = [part.decode(errors="replace") for part in cmdline.read().split(b"\0") if part]
        except (OSError, IndexError, ValueError):
            continue  # exited meanwhile
        processes.append((int(entry.name), parent, argv))
    return processes


def _init_pid_of(machine: _Machine) -> int:
    """Host PID of the machine's init: the child of its `unshare` process."""
    for pid, parent, _argv in _host_processes():
        if parent == machine.process.pid:
            return pid
    raise MachineError(f"{machine.key}: machine init not found (it is not running)")


def _power_off(machine: _Machine) -> None:
    """SIGTERM to the init (it stops its processes), SIGKILL if it lingers; wait for the end."""
    process = machine.process
    if process is None:
        return
    if process.poll() is None:
        try:
            os.kill(_init_pid_of(machine), signal.SIGTERM)
        except (MachineError, ProcessLookupError):
            process.kill()  # init not forked yet, or gone: --kill-child takes care of it
        try:
            process.wait(timeout=POWER_OFF_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            # --kill-child: unshare's death SIGKILLs the init, and with it the whole PID namespace.
            process.kill()
            process.wait(timeout=POWER_OFF_TIMEOUT_S)
    _wait_until_gone(_leftover_pids(machine))
    try:
        process.stdin.close()  # the lifeline, no longer needed
    except OSError:
        pass
    machine.process = None


def _leftover_pids(machine: _Machine) -> list[int]:
    marker = str(machine.directory)
    return [pid for pid, _parent, argv in _host_processes()
            if _INIT_FLAG in argv and marker in argv]


def _kill_leftovers(machine: _Machine) -> None:
    """Kill a machine of this key left running by an earlier, crashed sandbox."""
    pids = _leftover_pids(machine)
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    _wait_until_gone(pids)


def _wait_until_gone(pids: list[int]) -> None:
    deadline = time.monotonic() + POWER_OFF_TIMEOUT_S
    while pids and time.monotonic() < deadline:
        pids = [pid for pid in pids if os.path.exists(f"/proc/{pid}")
                and not _is_zombie(pid)]
        time.sleep(0.05)
    if pids:
        raise MachineError(f"machine processes {pids} did not exit")


def _is_zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return stat.read().rsplit(b")", 1)[1].split()[0] == b"Z"
    except (OSError, IndexError):
        return True


def _discard_disk(machine: _Machine) -> None:
    for name in ("upper", "work"):
        shutil.rmtree(machine.directory / name, ignore_errors=True)


def _discard_machine_dir(machine: _Machine) -> None:
    merged = machine.directory / "merged"
    if os.path.ismount(merged):
        # Only a mount made outside this backend can be here; never delete through it.
        raise MachineError(f"{merged} is mounted in the host namespace; unmount it first")
    shutil.rmtree(machine.directory, ignore_errors=True)


def _read_from(path: Path, offset: int) -> str:
    try:
        with open(path, "rb") as log:
            log.seek(offset)
            return log.read().decode(errors="replace")
    except OSError:
        return ""


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no console log)"


# --- The machine's init (PID 1 inside the machine's namespaces) -------------------------------

class _PowerOff(Exception):
    """Raised in the init by SIGTERM."""


def _run(*argv: str, stdin: str | None = None) -> None:
    subprocess.run(argv, input=stdin, text=True, check=True, env={"PATH": _SERVER_PATH})


def _mount_server_filesystems(machine_dir: Path, lower: str) -> Path:
    merged = machine_dir / "merged"
    _run("mount", "-t", "overlay", "overlay", "-o",
         f"lowerdir={lower},upperdir={machine_dir / 'upper'},workdir={machine_dir / 'work'}", str(merged))
    # This /proc shows the machine's own PID namespace; the host's /proc stays out of reach.
    _run("mount", "-t", "proc", "-o", "nosuid,nodev,noexec", "proc", str(merged / "proc"))
    _run("mount", "-t", "sysfs", "-o", "ro,nosuid,nodev,noexec", "sysfs", str(merged / "sys"))
    dev = merged / "dev"
    # A private /dev with the usual character devices only: no host disks inside.
    _run("mount", "-t", "tmpfs", "-o", "nosuid,mode=0755,size=4m", "dev", str(dev))
    for name, major, minor in (("null", 1, 3), ("zero", 1, 5), ("full", 1, 7), ("random", 1, 8),
                               ("urandom", 1, 9), ("tty", 5, 0)):
        os.mknod(dev / name, 0o666 | 0o020000, os.makedev(major, minor))
        os.chmod(dev / name, 0o666)
    for name in ("pts", "shm"):
        (dev / name).mkdir()
    _run("mount", "-t", "devpts", "-o", "newinstance,ptmxmode=0666,mode=0620,gid=5", "devpts", str(dev / "pts"))
    os.symlink("pts/ptmx", dev / "ptmx")
    _run("mount", "-t", "tmpfs", "-o", "nosuid,nodev,mode=1777", "shm", str(dev / "shm"))
    for name, target in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"),
                         ("stdout", "/proc/self/fd/1"), ("stderr", "/proc/self/fd/2")):
        os.symlink(target, dev / name)
    _run("mount", "-t", "tmpfs", "-o", "nosuid,nodev,mode=0755", "run", str(merged / "run"))
    for name in ("sshd", "lock"):
        (merged / "run" / name).mkdir(mode=0o755)
    return merged


def _configure_server(boot: dict) -> None:
    """Inside the chroot: identity on first boot, host keys, listen address, password."""
    etc = Path("/etc")
    if boot["fresh"]:
        (etc / "hostname").write_text(boot["hostname"] + "\n")
        with open(etc / "hosts", "a") as hosts:
            hosts.write(f"{boot['ip']}\t{boot['hostname']}\n")
        (etc / "machine-id").write_text(uuid.uuid4().hex + "\n")
    hostname = (etc / "hostname").read_text().strip() if (etc / "hostname").exists() else boot["hostname"]
    socket.sethostname((hostname or boot["hostname"])[:64])  # the kernel's limit: HOST_NAME_MAX
    _run("ssh-keygen", "-A")  # creates the missing host keys only: on first boot, all of them
    # Any sshd started in this server, also one restarted by a role, must bind its own address
    # only: the network is the host's.
    (etc / "ssh/sshd_config.d").mkdir(exist_ok=True)
    (etc / "ssh/sshd_config.d/00-sandbox-listen-address.conf").write_text(
        "# Sandbox server: the network is shared with the host, listen on this server's address only.\n"
        f"ListenAddress {boot['ip']}\n")
    if boot["password"] is not None:
        _run("chpasswd", stdin=f"root:{boot['password']}\n")


def _drop_host_capabilities() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    for number in _CAPS_DROPPED_IN_SERVERS.values():
        if libc.prctl(_PR_CAPBSET_DROP, number, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


def _power_off_when_the_sandbox_is_gone() -> None:
    """Watch the lifeline (stdin): at end-of-file the sandbox has stopped or died, so power off."""
    def watch():
        while os.read(0, 4096):
            pass
        os.kill(os.getpid(), signal.SIGTERM)
    threading.Thread(target=watch, name="lifeline", daemon=True).start()


def _start_sshd(delay: float) -> None:
    if delay > 0:
        print(f"{_UP_MARKER} {delay:g} s", flush=True)
        time.sleep(delay)
    subprocess.Popen(["/usr/sbin/sshd", "-D", "-e"], stdin=subprocess.DEVNULL)


def _reap_until_power_off() -> None:
    while True:
        try:
            os.wait()
        except ChildProcessError:
            time.sleep(1)  # nothing to reap (sshd stopped by a role): stay up like a real server


def _stop_all_processes() -> None:
    os.kill(-1, signal.SIGTERM)  # from PID 1: every other process of this PID namespace
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        try:
            if os.waitpid(-1, os.WNOHANG) == (0, 0):
                time.sleep(0.05)
        except ChildProcessError:
            return
    os.kill(-1, signal.SIGKILL)


def _machine_init(machine_dir: Path) -> int:
    def power_off(_signum, _frame):
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # the lifeline and the sandbox may both ask
        raise _PowerOff

    signal.signal(signal.SIGTERM, power_off)
    boot = json.loads(sys.stdin.buffer.readline())
    _power_off_when_the_sandbox_is_gone()
    try:
        merged = _mount_server_filesystems(machine_dir, boot["lower"])
        os.chroot(merged)
        os.chdir("/")
        _configure_server(boot)
        _drop_host_capabilities()
        os.environ.clear()
        os.environ.update({"PATH": _SERVER_PATH, "LANG": "C.UTF-8"})
        _start_sshd(boot.get("sshd_delay", 0))
        _reap_until_power_off()
    except _PowerOff:
        _stop_all_processes()
        return 0
    except (OSError, subprocess.CalledProcessError) as error:
        print(f"machine init failed: {error}", file=sys.stderr, flush=True)
        return 1
    return 0


if __name__ == "__main__" and sys.argv[1:2] == [_INIT_FLAG]:
    sys.exit(_machine_init(Path(sys.argv[2])))
