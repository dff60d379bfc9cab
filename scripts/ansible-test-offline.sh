#!/usr/bin/env bash
# ansible-test bootstraps pip in each of its venvs with a get-pip script downloaded from a host
# outside PyPI. It first looks for a cached copy, so write a stand-in there that installs pip
# from the pip wheel on PyPI instead.
# Usage: ansible-test-offline.sh VENV
set -euo pipefail

venv=$1
cache_dir="$HOME/.ansible/test/cache"

pip_version=$("$venv/bin/python" - <<'PY'
import ansible_test._internal.python_requirements as requirements
import inspect, re
# The version sits in get_venv_packages() as pip='X.Y'; read it from the source so a new
# ansible-core picks its own version.
match = re.search(r"pip='([0-9.]+)'", inspect.getsource(requirements.get_venv_packages))
print(match.group(1))
PY
)
stand_in="$cache_dir/get_pip_${pip_version//./_}.py"
wheel="$cache_dir/pip-${pip_version}-py3-none-any.whl"

mkdir -p "$cache_dir"
if [ ! -f "$wheel" ]; then
    "$venv/bin/python" -m pip download --quiet --disable-pip-version-check --no-deps \
        --only-binary=:all: -d "$cache_dir" "pip==$pip_version"
fi

cat > "$stand_in" <<PY
"""Stand-in for get-pip.py: install pip ${pip_version} from the wheel cached beside this file."""
import os
import sys

WHEEL = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pip-${pip_version}-py3-none-any.whl")
sys.path.insert(0, WHEEL)

from pip._internal.cli.main import main  # noqa: E402  (importable only once the wheel is on the path)

# get-pip.py accepts these two; pip install does not, and the venv needs neither package.
arguments = [arg for arg in sys.argv[1:] if arg not in ("--no-setuptools", "--no-wheel")]
sys.exit(main(["install", "--find-links", os.path.dirname(WHEEL)] + arguments))
PY
echo "ansible-test will bootstrap pip $pip_version from $wheel"
