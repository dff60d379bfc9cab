"""Make the collection importable as ``ansible_collections.vpsfleet.cloud`` for plain pytest.

The repository root is the collection root, so a symlink
``.build/pytest/ansible_collections/vpsfleet/cloud -> <repo>`` gives it its import name without
copying anything. Ansible's collection loader is pointed at the same tree, so imports made by
ansible itself (plugin loaders, module_utils) resolve to the files being edited. The sandbox
package (``sandbox/vps_sandbox``) is put on the path as well.
"""

from __future__ import annotations

import os
import pathlib
import sys

REPO_ROOT = pathlib.Path(__file__).resolve().parent.parent
DEV_COLLECTIONS_ROOT = REPO_ROOT / ".build" / "pytest"


def link_collection_tree():
    """Create (or repair) the symlink tree and return the directory that holds ansible_collections."""
    link = DEV_COLLECTIONS_ROOT / "ansible_collections" / "vpsfleet" / "cloud"
    link.parent.mkdir(parents=True, exist_ok=True)
    if link.is_symlink() and link.resolve() != REPO_ROOT:
        link.unlink()
    if not link.is_symlink():
        link.symlink_to(REPO_ROOT, target_is_directory=True)
    return DEV_COLLECTIONS_ROOT


def _install_import_paths():
    collections_root = str(link_collection_tree())
    for path in (str(REPO_ROOT / "sandbox"), collections_root):
        if path not in sys.path:
            sys.path.insert(0, path)
    # Read by ansible's config when the collection loader starts, here or in a subprocess.
    os.environ.setdefault("ANSIBLE_COLLECTIONS_PATH", collections_root)

    from ansible.plugins.loader import init_plugin_loader

    init_plugin_loader([collections_root])


_install_import_paths()


import pytest  # noqa: E402 - after the import paths are in place


@pytest.fixture(autouse=True)
def journal_dir_per_test(tmp_path_factory, monkeypatch):
    """Every test gets an empty intent journal of its own (never the user's ~/.ansible one), also for
    the ansible-playbook runs it starts, which inherit the environment."""
    monkeypatch.setenv("VPSFLEET_JOURNAL_DIR", str(tmp_path_factory.mktemp("journal")))


@pytest.fixture(autouse=True)
def no_duplicate_settle_delay(monkeypatch):
    """In-process module runs read the servers back at once; the settle delay has tests of its own."""
    from ansible_collections.vpsfleet.cloud.plugins.module_utils._services import order_guard as _order_guard
    monkeypatch.setattr(_order_guard, "DUPLICATE_SETTLE_SECONDS", 0.0)
