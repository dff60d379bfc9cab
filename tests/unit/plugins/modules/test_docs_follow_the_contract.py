# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the docs say a provider lacks is what its adapter declares in ``not_offered``: the module's
DOCUMENTATION names each provider it fails for (before any request), and docs/modules.md's table
says "no" for exactly those."""

from __future__ import annotations

import importlib
import pathlib
import re

import pytest
import yaml

from ansible_collections.vpsfleet.cloud.plugins.module_utils._module.base import VpsModule
from ansible_collections.vpsfleet.cloud.plugins.module_utils._providers.registry import CAPABILITIES, PROVIDERS

REPO = pathlib.Path(__file__).resolve().parents[4]
MODULES = sorted(path.stem for path in (REPO / "plugins" / "modules").glob("vps_*.py"))


def module_class(name):
    module = importlib.import_module("ansible_collections.vpsfleet.cloud.plugins.modules.%s" % name)
    classes = [value for value in vars(module).values()
               if isinstance(value, type) and issubclass(value, VpsModule) and value is not VpsModule]
    return module, classes[0]


# Modules whose operations do not depend on their options: their docs can be checked as a whole.
STATIC = [name for name in MODULES if module_class(name)[1].operations]


def lacking(operations):
    """The built-in providers that do not offer every one of ``operations``."""
    return sorted(provider for provider, offered in CAPABILITIES.items() if not set(operations) <= offered)


def refusal_sentences(module):
    """The description sentences that say the module fails before any request."""
    description = yaml.safe_load(module.DOCUMENTATION)["description"]
    return [text for text in description if "before any request" in text]


def names_provider(text, provider):
    return "O(provider=%s)" % provider in text or PROVIDERS[provider]["label"] in text


@pytest.mark.parametrize("name", STATIC)
def test_a_module_documents_the_refusal_of_each_provider_that_lacks_its_operations(name):
    module, cls = module_class(name)
    sentences = refusal_sentences(module)
    for provider in lacking(cls.operations):
        assert any(names_provider(text, provider) for text in sentences), (name, provider)


@pytest.mark.parametrize("name", STATIC)
def test_a_module_documents_no_refusal_for_a_provider_that_offers_its_operations(name):
    module, cls = module_class(name)
    for provider in sorted(set(CAPABILITIES) - set(lacking(cls.operations))):
        assert not any("O(provider=%s)" % provider in text for text in refusal_sentences(module)), (name, provider)


def table_rows():
    """``{module: {provider label: cell}}`` of docs/modules.md's provider table."""
    lines = (REPO / "docs" / "modules.md").read_text().splitlines()
    header = next(line for line in lines if line.startswith("| module |"))
    columns = [cell.strip() for cell in header.strip("|").split("|")]
    rows = {}
    for line in lines:
        match = re.match(r"\| `(vps_\w+)` \|", line)
        if match:
            cells = [cell.strip() for cell in line.strip("|").split("|")]
            rows[match.group(1)] = dict(zip(columns, cells))
    return rows


@pytest.mark.parametrize("name", [name for name in STATIC if name in table_rows()])
def test_the_modules_table_says_no_exactly_for_the_providers_that_lack_the_operations(name):
    dummy, cls = module_class(name)
    row = table_rows()[name]
    for provider in sorted(CAPABILITIES):
        assert (row[PROVIDERS[provider]["label"]] == "no") == (provider in lacking(cls.operations)), (name, provider)
