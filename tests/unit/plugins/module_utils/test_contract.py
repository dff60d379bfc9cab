# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The provider contract: one signature per operation, and ``not_offered`` as the one declaration."""

from __future__ import annotations

import inspect

import pytest

from ansible_collections.vpsfleet.cloud.plugins.module_utils._providers.contract import (
    OPERATIONS, OperationNotOffered, ProviderAdapter, contract_methods)
from ansible_collections.vpsfleet.cloud.plugins.module_utils._providers.registry import PROVIDERS

ADAPTERS = [spec["adapter"] for name, spec in sorted(PROVIDERS.items())]


@pytest.mark.parametrize("adapter", ADAPTERS, ids=[adapter.provider for adapter in ADAPTERS])
def test_every_operation_an_adapter_implements_has_the_contracts_signature(adapter):
    different = [name for name in implemented(adapter)
                 if inspect.signature(vars(adapter)[name]) != inspect.signature(vars(ProviderAdapter)[name])]
    assert different == []


@pytest.mark.parametrize("adapter", ADAPTERS, ids=[adapter.provider for adapter in ADAPTERS])
def test_an_adapter_implements_exactly_the_operations_it_does_not_declare_absent(adapter):
    operations = set(dict(contract_methods())[name] for name in implemented(adapter))
    assert operations == set(adapter.offered) == set(OPERATIONS) - set(adapter.not_offered)


def implemented(adapter):
    """The contract methods ``adapter`` implements itself (not the refusals its declaration made)."""
    return [name for name, dummy in contract_methods()
            if name in vars(adapter) and not getattr(vars(adapter)[name], "refusal", False)]


def test_an_adapter_cannot_implement_an_operation_it_declares_absent():
    with pytest.raises(TypeError, match="declares absent"):
        type("Confused", (ProviderAdapter,), {"provider": "confused", "not_offered": frozenset(("power",)),
                                              "power": lambda self, server_id, action: None})


def test_an_adapter_missing_an_offered_operation_cannot_be_built():
    incomplete = type("Incomplete", (ProviderAdapter,), {"provider": "incomplete",
                                                         "not_offered": frozenset(OPERATIONS) - {"power"}})
    with pytest.raises(TypeError, match="abstract"):
        incomplete(None)


def test_an_operation_declared_absent_is_refused_with_the_provider_and_operation():
    lacking = type("Lacking", (ProviderAdapter,), {"provider": "lacking", "not_offered": frozenset(OPERATIONS)})
    with pytest.raises(OperationNotOffered) as caught:
        lacking(None).power("1", "reboot")
    assert (caught.value.provider, caught.value.operation) == ("lacking", "power")
