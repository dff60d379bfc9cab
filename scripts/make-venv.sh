#!/usr/bin/env bash
# Create (or update) a virtualenv and record what it was built from in a stamp file.
# Usage: make-venv.sh PYTHON MIN_VERSION VENV_DIR STAMP_FILE PIP_INSTALL_ARGS...
set -euo pipefail

python=$1 min_version=$2 venv=$3 stamp=$4
shift 4

if ! "$python" -c "import sys; sys.exit(sys.version_info[:2] < tuple(map(int, '$min_version'.split('.'))))" 2>/dev/null; then
    found=$("$python" --version 2>&1 || echo "no $python")
    echo "ERROR: $venv needs Python >= $min_version, but '$python' is: $found" >&2
    echo "Install Python $min_version or newer, or run: make PYTHON=/path/to/python3.X" >&2
    exit 1
fi

if [ ! -x "$venv/bin/python" ]; then
    echo "Creating $venv with $("$python" --version 2>&1)"
    "$python" -m venv "$venv"
fi

# Some machines point pip at local mirrors that may be absent; those warnings are noise.
quiet_pip_install() {
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$@" \
        2> >(grep -v "is neither a file nor a directory" >&2)
}
quiet_pip_install --upgrade pip
quiet_pip_install "$@"
rm -f "$venv"/.installed-*
touch "$stamp"
echo "$venv is ready: ansible-core $("$venv/bin/python" -c "import ansible.release; print(ansible.release.__version__)")"
