"""Start the sandbox without setting PYTHONPATH: python sandbox/run.py [options]."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from vps_sandbox.__main__ import main  # noqa: E402 - the path must be set first

if __name__ == "__main__":
    sys.exit(main())
