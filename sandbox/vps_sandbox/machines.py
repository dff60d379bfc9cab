"""Machine backends: what runs behind a server once it is running.

Every method but ``set_password`` is called outside the state lock from a background worker thread;
``set_password`` is a guest-agent call that the API answer waits for (see lifecycle.py). What a
method that raises leaves behind is described in lifecycle.py.
"""

import importlib


class NullMachines:
    """No machines at all: servers exist only as API state."""

    def start(self, key, ip, hostname, root_password):
        """Boot the machine for server `key` listening on ip."""

    def stop(self, key):
        """Power the machine off, keeping its disk."""

    def set_password(self, key, password):
        """Change the root password of a running machine."""

    def reinstall(self, key, hostname, root_password):
        """Replace the machine's filesystem with a fresh one and boot it."""

    def destroy(self, key):
        """Remove the machine and its disk."""

    def shutdown(self):
        """Stop every machine (sandbox exit or reset)."""


BACKENDS = ("none", "ssh")


def load_backend(name):
    """The machine backend called `name`: "none" or "ssh" (vps_sandbox.machines_ssh.SshMachines)."""
    if name == "none":
        return NullMachines()
    if name == "ssh":
        module = importlib.import_module("vps_sandbox.machines_ssh")
        return module.SshMachines()
    raise ValueError(f"unknown machine backend {name!r}; choose one of: {', '.join(BACKENDS)}")
