"""The documentation metadata users and Automation Hub read: attributes, requirements, shared options.

What ``ansible-doc --json`` shows is checked, since that is what the docs site and Hub render; the raw
DOCUMENTATION strings are checked for where it comes from (one fragment file, no copies).
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

import pytest
import yaml

REPO = pathlib.Path(__file__).resolve().parents[2]
MODULES = sorted(path.stem for path in (REPO / "plugins" / "modules").glob("*.py") if path.stem != "__init__")
PLUGIN_FILES = sorted(
    path for kind in ("modules", "inventory", "lookup") for path in (REPO / "plugins" / kind).glob("*.py")
    if path.stem != "__init__")
ATTRIBUTE_VARIANTS = {"INFO_MODULE", "CHANGES_WITH_DIFF", "CHANGES_WITHOUT_DIFF", "NO_STATE"}
API_CLIENT_OPTIONS = {"vpscrypto_api_key", "otwa_api_key", "api_timeout", "api_retries", "validate_certs"}


def ansible_doc(plugin_type, *names):
    """ansible-doc --json of the named plugins of this collection, as users get it."""
    result = subprocess.run(
        [str(pathlib.Path(sys.executable).parent / "ansible-doc"), "--json", "-t", plugin_type]
        + ["vpsfleet.cloud.%s" % name for name in names],
        capture_output=True, text=True, timeout=120, check=False, env=dict(os.environ, ANSIBLE_NOCOLOR="1"))
    assert result.returncode == 0, result.stderr
    return {name.split(".")[-1]: entry["doc"] for name, entry in json.loads(result.stdout).items()}


def raw_documentation(path):
    """The DOCUMENTATION string of a plugin file, parsed without any fragment merged in."""
    source = path.read_text()
    start = source.index('DOCUMENTATION = r"""') + len('DOCUMENTATION = r"""')
    return yaml.safe_load(source[start:source.index('"""', start)])


def examples_of(path):
    source = path.read_text()
    start = source.index('EXAMPLES = r"""') + len('EXAMPLES = r"""')
    return source[start:source.index('"""', start)]


class UniqueKeyLoader(yaml.SafeLoader):
    """A YAML loader that refuses a mapping with the same key twice (PyYAML keeps the last silently)."""

    def construct_mapping(self, node, deep=False):
        keys = [self.construct_object(key_node, deep=deep) for key_node, dummy in node.value]
        duplicates = sorted(set(key for key in keys if keys.count(key) > 1))
        if duplicates:
            raise yaml.constructor.ConstructorError(None, None, "duplicate keys %s" % duplicates, node.start_mark)
        return super().construct_mapping(node, deep=deep)


@pytest.fixture(scope="module")
def module_docs():
    return ansible_doc("module", *MODULES)


def test_every_module_shows_check_mode_diff_mode_platform_and_action_group(module_docs):
    assert sorted(module_docs) == MODULES
    for name, doc in module_docs.items():
        attributes = doc.get("attributes", {})
        assert set(attributes) == {"check_mode", "diff_mode", "platform", "action_group"}, name
        for attribute, spec in attributes.items():
            assert spec.get("description") and spec.get("support") in ("full", "partial", "none", "N/A"), \
                (name, attribute, spec)


def test_every_module_is_a_member_of_the_action_group_it_declares(module_docs):
    runtime = yaml.safe_load((REPO / "meta" / "runtime.yml").read_text())
    for name, doc in module_docs.items():
        assert doc["attributes"]["action_group"]["membership"] == ["vpsfleet.cloud.vps"], name
        assert name in runtime["action_groups"]["vps"], name


def test_modules_take_their_attributes_from_the_one_fragment_file_and_write_none_of_their_own():
    for name in MODULES:
        documentation = raw_documentation(REPO / "plugins" / "modules" / ("%s.py" % name))
        assert "attributes" not in documentation, name
        fragments = documentation["extends_documentation_fragment"]
        assert "vpsfleet.cloud.attributes" in fragments, name
        variants = [fragment.split(".")[-1] for fragment in fragments if fragment.startswith("vpsfleet.cloud.attributes.")]
        assert len(variants) == 1 and variants[0] in ATTRIBUTE_VARIANTS, (name, variants)


def test_the_inventory_and_lookup_declare_that_they_need_requests():
    assert "requests" in ansible_doc("inventory", "vps")["vps"]["requirements"]
    assert "requests" in ansible_doc("lookup", "vps_credentials")["vps_credentials"]["requirements"]


def test_the_inventory_and_lookup_take_their_api_options_from_one_shared_fragment():
    for path in (REPO / "plugins" / "inventory" / "vps.py", REPO / "plugins" / "lookup" / "vps_credentials.py"):
        documentation = raw_documentation(path)
        fragments = documentation["extends_documentation_fragment"]
        assert {"vpsfleet.cloud.api_client", "vpsfleet.cloud.api_client.PLUGIN_KEYS"} <= set(fragments), path.name
        assert not API_CLIENT_OPTIONS & set(documentation["options"]), path.name


def test_the_key_options_keep_their_environment_variables_for_awx_credential_types():
    for plugin_type, name in (("inventory", "vps"), ("lookup", "vps_credentials")):
        options = ansible_doc(plugin_type, name)[name]["options"]
        assert options["vpscrypto_api_key"]["env"] == [{"name": "VPSCRYPTO_API_KEY"}], name
        assert options["otwa_api_key"]["env"] == [{"name": "OTWA_API_KEY"}], name


def test_the_inventory_api_timeout_is_a_float_like_the_modules_one(module_docs):
    inventory = ansible_doc("inventory", "vps")["vps"]
    assert inventory["options"]["api_timeout"]["type"] == "float"
    assert module_docs["vps_server"]["options"]["api_timeout"]["type"] == "float"


@pytest.mark.parametrize("path", PLUGIN_FILES, ids=lambda path: "%s/%s" % (path.parent.name, path.stem))
def test_examples_are_valid_yaml_without_duplicate_keys(path):
    documents = list(yaml.load_all(examples_of(path), Loader=UniqueKeyLoader))
    assert any(document for document in documents), path.name
