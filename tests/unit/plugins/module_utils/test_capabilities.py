# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""An operation a provider does not offer fails before any request, naming provider and operation."""

from __future__ import annotations

import pytest

from ansible_collections.vpsfleet.cloud.plugins.module_utils._providers.capabilities import (
    CAPABILITIES, OPERATIONS, OperationNotOffered, offers, require)
from ansible_collections.vpsfleet.cloud.plugins.module_utils._providers.otwa import OtwaAdapter
from ansible_collections.vpsfleet.cloud.plugins.module_utils._providers.vpscrypto import VpsCryptoAdapter
# fake_api is a pytest fixture: importing it is what makes it available here.
from ansible_collections.vpsfleet.cloud.tests.unit.plugins.module_utils._http import (  # noqa: F401  # pylint: disable=unused-import
    client_for, fake_api)

VPSCRYPTO_ONLY_CALLS = [
    ("create_account", lambda adapter: adapter.create_account()),
    ("health", lambda adapter: adapter.health()),
    ("list_api_keys", lambda adapter: adapter.list_api_keys()),
    ("create_api_key", lambda adapter: adapter.create_api_key("ci")),
    ("revoke_api_key", lambda adapter: adapter.revoke_api_key(3)),
    ("topup", lambda adapter: adapter.create_topup(25, "BTC")),
    ("topup", lambda adapter: adapter.resend_payment(25, "USDCBASE", {"X-PAYMENT": "e30="})),
    ("topup", lambda adapter: adapter.get_topup("vps-26-0123456789")),
]

OTWA_ONLY_CALLS = [
    ("reseller", lambda adapter: adapter.get_reseller()),
    ("sso_link", lambda adapter: adapter.sso_link("/dashboard")),
    ("stats", lambda adapter: adapter.get_stats("1")),
    ("rename_server", lambda adapter: adapter.rename_server("1", "web")),
    ("terminate_server", lambda adapter: adapter.terminate_server("1")),
    ("power", lambda adapter: adapter.power("1", "reboot")),
    ("reinstall_server", lambda adapter: adapter.reinstall_server("1", "debian-13")),
    ("reset_password", lambda adapter: adapter.reset_password("1")),
    ("addons", lambda adapter: adapter.list_addons("1")),
    ("addons", lambda adapter: adapter.purchase_addon("1", "vpk7wjf5")),
]


def call_ids(calls):
    return [operation for operation, dummy in calls]


# (adapter lacking the operation, its name, the provider that offers it, operation, call)
MISSING_OPERATIONS = (
    [(OtwaAdapter, "Otwa Cloud", "VPSCrypto", operation, call) for operation, call in VPSCRYPTO_ONLY_CALLS]
    + [(VpsCryptoAdapter, "VPSCrypto", "Otwa Cloud", operation, call) for operation, call in OTWA_ONLY_CALLS])


@pytest.mark.parametrize("adapter_class, lacking, offering, operation, call", MISSING_OPERATIONS,
                         ids=["%s-%s" % (row[0].provider, row[3]) for row in MISSING_OPERATIONS])
def test_an_operation_only_the_other_provider_offers_fails_before_any_request(
        fake_api, adapter_class, lacking, offering, operation, call):
    with pytest.raises(OperationNotOffered) as caught:
        call(adapter_class(client_for(fake_api)))
    assert fake_api.requests == []
    assert caught.value.operation == operation
    assert str(caught.value).startswith("%s does not offer %s" % (lacking, OPERATIONS[operation]))
    assert "(offered by: %s)" % offering in str(caught.value)


def test_the_lists_above_cover_every_operation_only_one_provider_offers():
    assert set(call_ids(VPSCRYPTO_ONLY_CALLS)) == CAPABILITIES["vpscrypto"] - CAPABILITIES["otwa"]
    assert set(call_ids(OTWA_ONLY_CALLS)) == CAPABILITIES["otwa"] - CAPABILITIES["vpscrypto"]


def test_every_capability_has_a_readable_name():
    assert CAPABILITIES["vpscrypto"] | CAPABILITIES["otwa"] <= set(OPERATIONS)


def test_offers_answers_per_provider():
    assert offers("otwa", "power") is True
    assert offers("vpscrypto", "power") is False
    assert offers("nowhere", "power") is False


def test_require_passes_silently_for_an_offered_operation():
    assert require("vpscrypto", "topup") is None


def test_an_adapter_reports_what_its_provider_offers(fake_api):
    assert VpsCryptoAdapter(client_for(fake_api)).offers("topup") is True
    assert OtwaAdapter(client_for(fake_api)).offers("topup") is False
