"""ansible-rulebook as a background process against the sandbox (tests and the demo).

ansible-rulebook comes from the venv (requirements-dev.txt) and needs a Java 17+ runtime
(``make eda-deps``) and ``ansible-galaxy`` on PATH, which it uses to find installed collections.
"""

import os
import pathlib
import re
import shutil
import signal
import subprocess
import sys
import time

EVENT_TYPE = re.compile(r"'type': '([a-z_]+)'")


def java_home():
    """JAVA_HOME of a Java 17+ runtime (the environment's, else the `java` on PATH), or None."""
    if os.environ.get("JAVA_HOME"):
        return os.environ["JAVA_HOME"]
    java = shutil.which("java")
    if java is None:
        return None
    done = subprocess.run([java, "-version"], capture_output=True, text=True, check=False)
    found = re.search(r'version "(\d+)', done.stderr)
    if not found or int(found.group(1)) < 17:
        return None
    return os.path.dirname(os.path.dirname(os.path.realpath(java)))


def rulebook_executable():
    """ansible-rulebook beside this Python."""
    return pathlib.Path(sys.executable).parent / "ansible-rulebook"


def unavailable_reason():
    """Why ansible-rulebook cannot run here, or None."""
    if not rulebook_executable().exists():
        return "ansible-rulebook is not installed in this Python's environment (requirements-dev.txt)"
    if java_home() is None:
        return "no Java 17+ runtime (make eda-deps installs Debian's default-jre-headless)"
    return None


class RulebookRun:
    """``ansible-rulebook -r <rulebook> --print-events`` in the background, its output in a log file."""

    def __init__(self, work_dir, rulebook, env, variables, inventory_host_python=None):
        self.work_dir = pathlib.Path(work_dir)
        self.work_dir.mkdir(parents=True, exist_ok=True)
        self.rulebook = rulebook
        self.env = dict(env, JAVA_HOME=java_home() or "",
                        PATH=str(rulebook_executable().parent) + os.pathsep + env.get("PATH", os.environ["PATH"]))
        self.log = self.work_dir / "rulebook.log"
        python = inventory_host_python or sys.executable
        (self.work_dir / "rulebook-inventory.yml").write_text(
            "all:\n  hosts:\n    localhost:\n      ansible_connection: local\n"
            "      ansible_python_interpreter: %s\n" % python, encoding="utf-8")
        (self.work_dir / "rulebook-vars.yml").write_text(
            "".join("%s: %s\n" % (name, value) for name, value in variables.items()), encoding="utf-8")
        self.process = None
        self._output = None

    def start(self):
        self._output = open(self.log, "w", encoding="utf-8")  # pylint: disable=consider-using-with
        self.process = subprocess.Popen(  # pylint: disable=consider-using-with
            [str(rulebook_executable()), "-r", self.rulebook, "-i", "rulebook-inventory.yml",
             "--vars", "rulebook-vars.yml", "--print-events"],
            cwd=str(self.work_dir), env=self.env, stdout=self._output, stderr=subprocess.STDOUT,
            # Its own stdin: ansible-rulebook leaves the stdin it is given non-blocking, and an inherited
            # one is shared with every later ansible run, which then refuses to start.
            stdin=subprocess.DEVNULL, start_new_session=True)
        return self

    def wait_until(self, condition, what, timeout=180):
        """Wait for condition() while the rulebook runs; AssertionError (with the log) when it does not come."""
        deadline = time.monotonic() + timeout
        while not condition():
            if self.process.poll() is not None:
                raise AssertionError("ansible-rulebook stopped while waiting for %s:\n%s" % (what, self.output()))
            if time.monotonic() > deadline:
                raise AssertionError("no %s within %d s:\n%s" % (what, timeout, self.output()))
            time.sleep(0.2)

    def stop(self):
        """Interrupt the rulebook (and the playbook it may be running) and wait for it; its exit code."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        if self._output is not None:
            self._output.close()
        return self.process.returncode if self.process is not None else None

    def output(self):
        return self.log.read_text(encoding="utf-8") if self.log.exists() else ""

    def event_types(self):
        """The `vps.type` of every event the rulebook printed, in order."""
        return EVENT_TYPE.findall(self.output())

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()
