# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""vps_catalog_info against the sandbox: one shape for both providers, raw data beside it."""

from __future__ import annotations

from ansible_collections.vpsfleet.cloud.plugins.modules import vps_catalog_info
from ansible_collections.vpsfleet.cloud.tests.unit.plugins.modules._lifecycle_sandbox import (  # noqa: F401  pylint: disable=unused-import
    api_requests, connect, connect_args, sandbox, sandbox_process)
from ansible_collections.vpsfleet.cloud.tests.unit.plugins.modules._run import run_module


def test_vpscrypto_catalog_is_read_without_an_api_key(sandbox, monkeypatch):
    monkeypatch.delenv("VPSCRYPTO_API_KEY", raising=False)

    run = run_module(vps_catalog_info.main, dict(provider="vpscrypto", api_url=sandbox.vpscrypto_url))

    assert not run.failed, run.result
    hunter = [plan for plan in run.result["catalog"]["plans"] if plan["slug"] == "hunter"][0]
    assert (hunter["price_monthly_usd"], hunter["price_annual_usd"], hunter["ram_mb"]) == (14.0, 140.0, 4096)
    assert run.result["catalog"]["cycles"] == ["monthly", "annual"]
    assert "plans" in run.result["catalog"]["provider_data"]


def test_otwa_products_regions_and_templates_come_in_the_same_shape(sandbox):
    args = connect_args(sandbox, "otwa")

    run = run_module(vps_catalog_info.main, args)

    catalog = run.result["catalog"]
    assert {"slug": "de-fra-01", "name": "Frankfurt, Germany"} in catalog["locations"]
    assert {"slug": "debian-13", "name": "Debian 13 (Trixie)", "family": "Debian"} in catalog["os"]
    cloud_s = [plan for plan in catalog["plans"] if plan["name"] == "Cloud S"][0]
    assert (cloud_s["price_monthly_usd"], cloud_s["vcpu"]) == (6.0, 1)
    assert sorted(catalog["provider_data"]) == ["os_templates", "products", "regions"]
    assert sorted(api_requests(sandbox)) == ["GET /os-templates", "GET /products", "GET /regions"]


def test_otwa_needs_an_api_key_and_says_which_variable(sandbox, monkeypatch):
    monkeypatch.delenv("OTWA_API_KEY", raising=False)

    run = run_module(vps_catalog_info.main, dict(provider="otwa", api_url=sandbox.otwa_url))

    assert run.failed and "OTWA_API_KEY" in run.result["msg"]
