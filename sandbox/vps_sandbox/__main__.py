"""Command line: python -m vps_sandbox [--host H] [--port P] [--machines none|ssh] ..."""

import argparse
import os
import signal
import sys
import threading

from .app import Sandbox
from .machines import BACKENDS


def parse_args(argv=None):
    """The command-line options."""
    parser = argparse.ArgumentParser(prog="vps_sandbox", description="Local fake of the VPSCrypto and Otwa APIs.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("VPS_SANDBOX_PORT", "8402")),
                        help="listen port (default: $VPS_SANDBOX_PORT or 8402)")
    parser.add_argument("--machines", choices=BACKENDS, default="none",
                        help="what runs behind a running server (default: none)")
    parser.add_argument("--provision-delay", type=float, default=3.0, metavar="SECONDS",
                        help="seconds from order to running (default: 3)")
    parser.add_argument("--x402-network", choices=("base", "base-sepolia"), default="base")
    return parser.parse_args(argv)


def main(argv=None):
    """Run the sandbox until SIGTERM or SIGINT."""
    args = parse_args(argv)
    sandbox = Sandbox(args.host, args.port, args.machines, provision_delay=args.provision_delay,
                      x402_network=args.x402_network)

    def stop(signum, frame):
        # shutdown() blocks until serve_forever returns, so it must run off the serving thread.
        threading.Thread(target=sandbox.httpd.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"vps_sandbox listening on {sandbox.url} (machines: {args.machines})", file=sys.stderr, flush=True)
    try:
        sandbox.serve_forever()
    finally:
        sandbox.httpd.server_close()
        sandbox.lifecycle.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
