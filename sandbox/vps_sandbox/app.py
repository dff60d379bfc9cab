"""Wires state, lifecycle, machine backend and routers into one running sandbox."""

import threading

from . import control_api, otwa_api, vpscrypto_api
from .lifecycle import Lifecycle
from .machines import load_backend
from .server import SandboxHTTPServer
from .state import Store


class Sandbox:
    """A sandbox instance: `serve_forever()` in the foreground or `start()` in a background thread."""

    def __init__(self, host="127.0.0.1", port=8402, machines="none", **config):
        self.store = Store(**config)
        self.lifecycle = Lifecycle(self.store, load_backend(machines))
        self.control_router = control_api.build_router()
        self.provider_routers = {"vpscrypto": vpscrypto_api.build_router(), "otwa": otwa_api.build_router()}
        self.httpd = SandboxHTTPServer((host, port), self)
        self._thread = None

    @property
    def url(self):
        """Base URL, e.g. http://127.0.0.1:8402."""
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def serve_forever(self):
        """Serve until shutdown() is called from another thread."""
        self.lifecycle.start()
        self.httpd.serve_forever(poll_interval=0.2)

    def start(self):
        """Serve in a daemon thread (for in-process tests)."""
        self._thread = threading.Thread(target=self.serve_forever, name="sandbox-http", daemon=True)
        self._thread.start()
        return self

    def shutdown(self):
        """Stop serving, stop transitions and every machine."""
        self.httpd.shutdown()
        self.httpd.server_close()
        self.lifecycle.stop()
