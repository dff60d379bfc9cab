# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""VpsModule: capability checks first, failures as structured JSON, keys kept secret, diffs on demand."""

from __future__ import annotations

import json

import pytest

from ansible.module_utils.testing import patch_module_args

from ansible_collections.vpsfleet.cloud.plugins.module_utils._module.base import VpsModule
# fake_api is a pytest fixture: importing it is what makes it available here.
from ansible_collections.vpsfleet.cloud.tests.unit.plugins.module_utils._http import (  # noqa: F401  # pylint: disable=unused-import
    API_KEY, fake_api)


class ReadAccount(VpsModule):
    """A tiny module: reads the account and returns it."""

    operations = ("account",)

    def execute(self):
        self.result["account"] = self.adapter.get_account()


class RebootServer(ReadAccount):
    operations = ("power",)


class RenameServer(VpsModule):
    """Records a before/after state the way a changing module does."""

    operations = ()

    def execute(self):
        self.mark_changed()
        self.set_diff({"name": "web-1", "provider_data": {"raw": True}}, {"name": "web-2", "provider_data": {}})


@pytest.fixture(autouse=True)
def no_keys_in_the_environment(monkeypatch):
    for name in ("VPSCRYPTO_API_KEY", "OTWA_API_KEY", "VPSCRYPTO_API_URL", "OTWA_API_URL"):
        monkeypatch.delenv(name, raising=False)


def run_module(module_class, args, capsys):
    """Run ``module_class`` with ``args``; return (parsed JSON output, the AnsibleModule)."""
    with patch_module_args(args):
        module = module_class.build_module({})
        with pytest.raises(SystemExit):
            module_class(module).run()
    return json.loads(capsys.readouterr().out), module


def test_a_capability_failure_happens_before_any_request(fake_api, capsys):
    output, dummy = run_module(RebootServer, {"provider": "vpscrypto", "api_key": API_KEY, "api_url": fake_api.url},
                               capsys)
    assert output["failed"] is True
    assert output["msg"].startswith("VPSCrypto does not offer power actions")
    assert output["failure"] == {"operation": "power", "provider": "vpscrypto"}
    assert fake_api.requests == []


def test_an_api_error_fails_with_a_structured_failure_and_no_api_key(fake_api, capsys):
    fake_api.answer(401, {"message": "Unauthorized: key %s is revoked" % API_KEY, "statusCode": 401})
    output, dummy = run_module(ReadAccount, {"provider": "otwa", "api_key": API_KEY, "api_url": fake_api.url},
                               capsys)
    assert output["failed"] is True
    failure = output["failure"]
    assert (failure["status"], failure["code"], failure["method"], failure["path"]) == (401, None, "GET", "/account")
    assert failure["message"].startswith("Unauthorized: key ")
    assert "OTWA_API_KEY" in output["msg"]
    assert API_KEY not in json.dumps(output)


def test_a_missing_api_key_names_the_environment_variable(fake_api, capsys):
    output, dummy = run_module(ReadAccount, {"provider": "vpscrypto", "api_url": fake_api.url}, capsys)
    assert output["failed"] is True
    assert output["msg"] == "no API key for VPSCrypto: set api_key or the environment variable VPSCRYPTO_API_KEY"
    assert fake_api.requests == []


def test_an_api_key_from_the_environment_is_used_and_kept_out_of_the_output(fake_api, capsys, monkeypatch):
    monkeypatch.setenv("OTWA_API_KEY", API_KEY)
    fake_api.answer(200, {"id": "acc-1", "balance": "50.00", "firstName": "token %s" % API_KEY})
    output, module = run_module(ReadAccount, {"provider": "otwa", "api_url": fake_api.url}, capsys)
    assert fake_api.requests[0].headers["authorization"] == "Bearer %s" % API_KEY
    assert API_KEY in module.no_log_values
    assert output["account"]["balance_usd"] == 50.0
    assert API_KEY not in json.dumps(output)


def test_the_diff_is_returned_in_diff_mode_without_provider_data(capsys):
    output, dummy = run_module(RenameServer, {"provider": "otwa", "api_key": API_KEY, "_ansible_diff": True}, capsys)
    assert output["changed"] is True
    assert output["diff"] == {"before": {"name": "web-1"}, "after": {"name": "web-2"}}


def test_no_diff_is_returned_outside_diff_mode(capsys):
    output, dummy = run_module(RenameServer, {"provider": "otwa", "api_key": API_KEY}, capsys)
    assert output["changed"] is True
    assert "diff" not in output
