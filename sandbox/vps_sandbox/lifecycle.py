"""Runs due server transitions in the background, so they happen even when nobody polls.

A ticker pops due jobs under the state lock; a worker pool calls the machine backend outside it
(one call at a time per server), then applies the new status under the lock, unless a newer
operation has superseded the job meanwhile.

A machine that fails to come up is not reported as running. Neither API has an error status, so the
server keeps a status its API allows: a failed first boot stays ``provisioning``; an Otwa server
whose start, reboot or reinstall failed is ``stopped`` (its machine is off, and a power-on tries
again). The reason goes to the sandbox's stderr and to the request log (``GET /_sandbox/requests``)
as an entry with ``"method": "MACHINE"``, the job and the error.
"""

import sys
import threading
import traceback
from concurrent.futures import ThreadPoolExecutor

from . import renewals, timefmt, tokens
from .errors import ApiFailure

TICK_SECONDS = 0.02
RUNNING = {"vpscrypto": "active", "otwa": "running"}
# Guest-agent calls: the API answer reports their outcome, so they run before it is sent.
CALLS_ANSWERED_AT_ONCE = ("set_password",)
# How long a guest-agent call waits for a machine busy with a transition (boot, reboot).
GUEST_AGENT_WAIT_SECONDS = 2.0
# Jobs after which a failed boot leaves the machine off: the status the API has for that.
STATUS_AFTER_FAILED_BOOT = {("otwa", "start"): "stopped", ("otwa", "reboot"): "stopped",
                            ("otwa", "reinstall"): "stopped"}


class Lifecycle:
    """The ticker thread and the machine worker pool."""

    def __init__(self, store, machines, workers=16):
        self.store = store
        self.machines = machines
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="machine")
        self._machine_locks = {}
        self._stopping = threading.Event()
        self._ticker = threading.Thread(target=self._tick_forever, name="lifecycle-ticker", daemon=True)

    def start(self):
        """Start the ticker."""
        self._ticker.start()

    def stop(self):
        """Stop the ticker and the workers (letting machine calls under way finish), then every machine."""
        self._stopping.set()
        self._pool.shutdown(wait=True, cancel_futures=True)
        self.machines.shutdown()

    def call_machine(self, key, method, *args):
        """Run one machine call for server `key`, serialised with its transitions.

        A guest-agent call (``set_password``) runs now, in the caller's thread, and a failure answers
        as the API's failed rotation does (``{"success": false, "message": ...}``), so a password is
        never reported before the machine has it. Other calls run in the background.
        """
        if method in CALLS_ANSWERED_AT_ONCE:
            self._call_machine_now(key, method, *args)
            return

        def call():
            try:
                with self._machine_lock(key):
                    getattr(self.machines, method)(key, *args)
            except Exception:  # logged, never raised into the worker pool
                print(f"vps_sandbox: {method} of {key} failed:", file=sys.stderr)
                traceback.print_exc(file=sys.stderr)
        try:
            self._pool.submit(call)
        except RuntimeError:  # pool shut down while stopping
            pass

    def _call_machine_now(self, key, method, *args):
        # The caller holds the store lock (an API handler). A worker holding this machine's lock
        # never waits for the store lock, so there is no deadlock; but a machine busy rebooting
        # would make every other request wait, so the wait is short and a busy agent answers as
        # the real one does when it cannot be reached.
        lock = self._machine_lock(key)
        if not lock.acquire(timeout=GUEST_AGENT_WAIT_SECONDS):
            message = "Guest agent is not responding"
            raise ApiFailure(200, "guest_agent_busy", message, body={"success": False, "message": message})
        try:
            getattr(self.machines, method)(key, *args)
        except Exception as error:
            print(f"vps_sandbox: {method} of {key} failed:", file=sys.stderr)
            traceback.print_exc(file=sys.stderr)
            message = f"Guest agent could not apply the change: {error}"
            raise ApiFailure(200, "guest_agent_failed", message,
                             body={"success": False, "message": message}) from None
        finally:
            lock.release()

    def _tick_forever(self):
        while not self._stopping.wait(TICK_SECONDS):
            with self.store.lock:
                renewals.run_due(self.store)
                due = self.store.pop_due_jobs(timefmt.now())
            for job in due:
                try:
                    self._pool.submit(self._run, job)
                except RuntimeError:  # pool shut down while stopping
                    return

    def _machine_lock(self, key):
        with self.store.lock:
            return self._machine_locks.setdefault(key, threading.Lock())

    def _run(self, job):
        with self.store.lock:
            server = self.store.servers.get(job.server_key)
            if server is None or server.generation != job.generation:
                return
            snapshot = (server.ip, server.hostname, server.password)
        step = getattr(self, "_" + job.kind)
        try:
            with self._machine_lock(job.server_key):
                apply = step(job, *snapshot)
        except Exception as error:  # a machine failure must not kill the worker
            print(f"vps_sandbox: {job.kind} of {job.server_key} failed:", file=sys.stderr)
            traceback.print_exc(file=sys.stderr)
            apply = self._failed(job, error)
        with self.store.lock:
            server = self.store.servers.get(job.server_key)
            if server is not None and server.generation == job.generation:
                apply(server)
                server.updated_at = timefmt.now()

    def _failed(self, job, error):
        """The change a failed step makes: its reason in the request log, and the status it leaves."""
        def apply(server):
            self.store.request_log.append({
                "method": "MACHINE", "path": f"/servers/{server.id}", "provider": server.provider,
                "status": None, "at": timefmt.iso(timefmt.now()), "job": job.kind, "error": str(error)})
            server.status = STATUS_AFTER_FAILED_BOOT.get((server.provider, job.kind), server.status)
        return apply

    # Each step calls the machine backend and returns the change to apply to the server.

    def _accept(self, job, ip, hostname, password):
        delay = job.params["remaining"]

        def apply(server):
            server.status = "provisioning"
            self.store.schedule(server, delay, "provision")
        return apply

    def _provision(self, job, ip, hostname, password):
        self.machines.start(job.server_key, ip, hostname, password)
        return self._now_running

    def _start(self, job, ip, hostname, password):
        self.machines.start(job.server_key, ip, hostname, password)
        return self._now_running

    def _reboot(self, job, ip, hostname, password):
        self.machines.stop(job.server_key)
        self.machines.start(job.server_key, ip, hostname, password)
        return self._now_running

    def _stop(self, job, ip, hostname, password):
        self.machines.stop(job.server_key)

        def apply(server):
            server.status = "stopped"
        return apply

    def _reinstall(self, job, ip, hostname, password):
        new_password = tokens.password()
        self.machines.reinstall(job.server_key, hostname, new_password)

        def apply(server):
            server.os = job.params["os"]
            server.password = new_password
            server.status = RUNNING[server.provider]
        return apply

    def _terminate(self, job, ip, hostname, password):
        self.machines.destroy(job.server_key)

        def apply(server):
            server.status = "terminated"
            self.store.release_ips(server)
        return apply

    @staticmethod
    def _now_running(server):
        server.status = RUNNING[server.provider]
        server.provisioned = True
