"""Demo: start the sandbox, use the collection against both providers, stop the sandbox.

Run through ``make demo``, which builds and installs the collection into .build/installed first.
Each step reads through the installed collection's own code, so what is shown is what a playbook
would get. The steps will grow into running the playbooks in playbooks/.
"""

from __future__ import annotations

import pathlib
import sys

REPO_ROOT = pathlib.Path(__file__).resolve().parent.parent
INSTALLED_COLLECTIONS = REPO_ROOT / ".build" / "installed"
sys.path[:0] = [str(REPO_ROOT / "sandbox"), str(INSTALLED_COLLECTIONS)]

# The paths above must be in place before these imports.
# pylint: disable=wrong-import-position
from ansible_collections.vpsfleet.cloud.plugins.module_utils._providers import PROVIDERS, build_adapter  # noqa: E402
from vps_sandbox.testing import SandboxProcess  # noqa: E402


def provider_urls(sandbox):
    """Each provider's API base URL on the running sandbox."""
    return {"vpscrypto": sandbox.vpscrypto_url, "otwa": sandbox.otwa_url}


def show_provider(provider, api_key, api_url):
    """Read one provider's account and catalog through the collection and print a summary."""
    adapter = build_adapter(provider, api_key=api_key, api_url=api_url, retries=2)
    account = adapter.get_account()
    catalog = adapter.catalog()
    print(f"\n{PROVIDERS[provider]['label']} at {api_url}")
    print(f"  account {account['id']}: balance {account['balance_usd']} USD")
    print(f"  {len(catalog['plans'])} plans, {len(catalog['locations'])} locations, {len(catalog['os'])} images")
    for plan in catalog["plans"][:3]:
        print(f"    {plan['name'] or plan['id']:<16} {plan['vcpu']} vCPU  {plan['ram_mb']} MB RAM  "
              f"{plan['price_monthly_usd']} USD/month")


def main():
    """Run the demo; returns the process exit code."""
    if not (INSTALLED_COLLECTIONS / "ansible_collections" / "vpsfleet" / "cloud").is_dir():
        print("The collection is not built: run `make demo` (it runs `make collection` first).", file=sys.stderr)
        return 1
    with SandboxProcess(machines="none", provision_delay=0.2) as sandbox:
        print(f"Sandbox running at {sandbox.url}")
        for provider, api_url in provider_urls(sandbox).items():
            account = sandbox.create_account(provider, balance_usd=100)
            show_provider(provider, account["api_key"], api_url)
    print("\nSandbox stopped. Demo complete.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
