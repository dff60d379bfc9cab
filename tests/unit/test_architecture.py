# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The rules of docs/architecture.md, checked on the source: what may import what, and that only the
provider adapters know a provider by name or read its API's fields."""

from __future__ import annotations

import ast
import json
import pathlib
import re

REPO = pathlib.Path(__file__).resolve().parents[2]
MODULE_UTILS = REPO / "plugins" / "module_utils"
PACKAGE = "ansible_collections.vpsfleet.cloud.plugins.module_utils"
# The layers, lowest first: a file may import from its own layer and the ones below it, never above.
LAYERS = ("_core", "_http", "_providers", "_payments", "_services", "_module")
# Importable from every layer (the release script edits it where it is).
ANYWHERE = ("_version",)
# Below the module base nothing imports Ansible: the domain runs (and is tested) without it.
ANSIBLE_FREE = LAYERS[:-1]
# Only the registry builds adapters: everything else reaches a provider through the contract.
ADAPTER_FILES = ("_providers.vpscrypto", "_providers.otwa")

PROVIDER_NAMES = ("vpscrypto", "otwa")
# Words of the common model (record keys, module options) and of the x402 protocol that also occur in
# the providers' specs: reading them is no knowledge of a provider.
COMMON_WORDS = frozenset((
    # common records: server, account, catalog, top-up, credentials, add-ons, keys, payment answers
    "id", "name", "hostname", "status", "ip", "plan", "location", "os", "price_usd", "cycle", "created_at",
    "expires_at", "vcpu", "slug", "family", "region", "servers", "balance_usd", "currency", "totp_enabled",
    "tier", "ref", "amount_usd", "coin", "deposit_address", "deposit_amount", "deposit_coin", "deposit_network",
    "qr_data_uri", "username", "password", "root_password", "url", "success", "message", "description", "type",
    "owned", "addons", "error", "amount", "price",
    # module options
    "next", "addon",
    # the x402 protocol (its headers and 402 body), parsed in _payments/x402.py
    "x402Version", "accepts", "asset", "payTo", "maxAmountRequired", "maxTimeoutSeconds", "scheme", "network",
    "extra",
))


def python_files(*tops):
    for top in tops:
        yield from sorted((REPO / top).rglob("*.py"))


def dotted(path):
    """``_services.fleet`` for plugins/module_utils/_services/fleet.py."""
    parts = path.relative_to(MODULE_UTILS).with_suffix("").parts
    return ".".join(part for part in parts if part != "__init__")


def imports_of(path):
    """Every module_utils file ``path`` imports (as dotted names below module_utils), and whether it imports ansible."""
    tree = ast.parse(path.read_text())
    here = dotted(path).split(".") if path.is_relative_to(MODULE_UTILS) else None
    found, ansible = set(), False
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                ansible = ansible or (alias.name.split(".")[0] == "ansible")
                if alias.name.startswith(PACKAGE + "."):
                    found.add(alias.name[len(PACKAGE) + 1:])
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                base = here[:-node.level] if here and path.name != "__init__.py" else here[:len(here) - node.level + 1]
                target = ".".join(base + ([module] if module else []))
            elif module.startswith(PACKAGE + "."):
                target = module[len(PACKAGE) + 1:]
            else:
                ansible = ansible or module.split(".")[0] == "ansible"
                continue
            if not module and node.level:
                found.update("%s.%s" % (target, alias.name) if target else alias.name for alias in node.names)
            else:
                found.add(target)
    return found, ansible


def layer_of(name):
    head = name.split(".")[0]
    return LAYERS.index(head) if head in LAYERS else None


def module_utils_graph():
    return dict((dotted(path), imports_of(path)) for path in python_files("plugins/module_utils")
                if path.name != "__init__.py")


def test_a_module_utils_file_imports_only_its_own_layer_and_the_ones_below():
    wrong = []
    for name, (imported, dummy) in module_utils_graph().items():
        for target in imported:
            if target in ANYWHERE:
                continue
            if layer_of(target) is None or layer_of(target) > layer_of(name):
                wrong.append("%s imports %s" % (name, target))
    assert wrong == []


def test_nothing_below_the_module_base_imports_ansible():
    assert [name for name, (dummy, ansible) in module_utils_graph().items()
            if ansible and name.split(".")[0] in ANSIBLE_FREE] == []


def test_module_utils_has_no_import_cycle():
    graph = dict((name, set(target for target in imported if target in module_utils_graph_names()))
                 for name, (imported, dummy) in module_utils_graph().items())
    cycles, state = [], {}

    def visit(node, stack):
        state[node] = "open"
        for target in sorted(graph.get(node, ())):
            if state.get(target) == "open":
                cycles.append(" -> ".join(stack[stack.index(target):] + [target]))
            elif target not in state:
                visit(target, stack + [target])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert cycles == []


def module_utils_graph_names():
    return set(dotted(path) for path in python_files("plugins/module_utils") if path.name != "__init__.py")


def test_only_the_registry_imports_the_adapters_of_the_two_providers():
    importers = []
    for path in python_files("plugins", "extensions"):
        imported, dummy = imports_of(path)
        name = dotted(path) if path.is_relative_to(MODULE_UTILS) else str(path.relative_to(REPO))
        if imported & set(ADAPTER_FILES) and name != "_providers.registry":
            importers.append(name)
    assert importers == []


def provider_fields():
    """Field names of the providers' APIs (from their specs) that the common model does not share."""
    names = set()

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("properties"), dict):
                names.update(node["properties"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for spec in sorted((REPO / "tests" / "contract").glob("*.openapi.json")):
        walk(json.loads(spec.read_text()))
    return names - COMMON_WORDS


def provider_knowledge(source, fields):
    """``[(line, what)]``: comparisons with a provider name, and reads of a provider API field (a
    subscript, ``.get``/``.pop``, or a comparison naming it). Docstrings and choices lists are neither."""
    found = []

    def constants(node):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return [node.value]
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            return [value for element in node.elts for value in constants(element)]
        return []

    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare):
            for value in constants(node.left) + [value for comparator in node.comparators for value in constants(comparator)]:
                if value in PROVIDER_NAMES:
                    found.append((node.lineno, "compares with the provider name %r" % value))
                elif value in fields:
                    found.append((node.lineno, "compares with the API field %r" % value))
        elif isinstance(node, ast.Subscript):
            for value in constants(node.slice):
                if value in fields:
                    found.append((node.lineno, "reads the API field %r" % value))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("get", "pop"):
            for value in constants(node.args[0]) if node.args else []:
                if value in fields:
                    found.append((node.lineno, "reads the API field %r" % value))
    return found


def test_outside_the_adapters_no_code_compares_with_a_provider_name_or_reads_a_provider_api_field():
    fields = provider_fields()
    findings = []
    for path in python_files("plugins", "extensions"):
        if path.is_relative_to(MODULE_UTILS / "_providers"):
            continue
        findings += ["%s:%d %s" % (path.relative_to(REPO), line, what)
                     for line, what in provider_knowledge(path.read_text(), fields)]
    assert findings == []


def test_the_check_finds_a_provider_branch_and_a_raw_field_read():
    source = 'if self.provider == "otwa":\n    x = server["provider_data"].get("updatedAt")\n'
    assert [what for dummy, what in provider_knowledge(source, provider_fields())] == [
        "compares with the provider name 'otwa'", "reads the API field 'updatedAt'"]


def test_the_layer_check_resolves_relative_imports():
    path = MODULE_UTILS / "_providers" / "otwa.py"
    assert "_core.clock" in imports_of(path)[0]


def documented_files():
    """The module_utils files the "Every file" tree of docs/architecture.md names, as paths."""
    text = (REPO / "docs" / "architecture.md").read_text()
    block = text[text.index("## Every file"):]
    block = block[block.index("```") + 3:]
    block = block[:block.index("```")]
    named, package = set(), None
    for line in block.splitlines():
        top = re.match(r"^  (_\w+)/\s", line + " ")
        inner = re.match(r"^    (\w+\.py)\s", line + " ")
        single = re.match(r"^  (_\w+\.py)\s", line + " ")
        if top:
            package = top.group(1)
        elif inner and package:
            named.add("%s/%s" % (package, inner.group(1)))
        elif single:
            named.add(single.group(1))
    return named


def test_the_architecture_doc_names_every_module_utils_file():
    actual = set(str(path.relative_to(MODULE_UTILS)) for path in python_files("plugins/module_utils")
                 if path.name != "__init__.py")
    assert documented_files() == actual
