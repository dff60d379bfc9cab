"""The vpsfleet.cloud.vps inventory through real ansible-inventory and ansible-playbook runs against the sandbox."""

from __future__ import annotations

import json
import pathlib
import time

import pytest

SOURCES = pathlib.Path(__file__).resolve().parent / "files" / "inventory"
CURLY_PASSWORD = "pass{{b}}word"
# Extra vars are templates; raw keeps the expected password literal for the comparison in the play.
CURLY_PASSWORD_VARS = json.dumps({"curly_password": "{% raw %}" + CURLY_PASSWORD + "{% endraw %}"})

PLAY_OVER_FLEET = """
- name: Use what the inventory gave, without connecting
  hosts: all
  gather_facts: false
  tasks:
    - name: Report address, provider and login
      ansible.builtin.debug:
        msg:
          address: "{{ ansible_host }}"
          provider: "{{ vps_provider }}"
          user: "{{ ansible_user }}"
          password_is_curly: "{{ ansible_password == curly_password }}"
"""


class Fleet:
    """Sandbox accounts at both providers with running and stopped servers."""

    def __init__(self, sandbox):
        self.sandbox = sandbox
        self.vpscrypto = sandbox.create_account("vpscrypto")
        self.otwa = sandbox.create_account("otwa")
        sandbox.seed_servers(self.vpscrypto["api_key"], 2, name_prefix="vc")
        sandbox.seed_servers(self.otwa["api_key"], 2, name_prefix="ot")
        sandbox.seed_servers(self.otwa["api_key"], 1, name_prefix="halted", status="stopped")
        self._order_curly()

    def _order_curly(self):
        """A VPSCrypto server whose root password holds template markers."""
        from vps_sandbox.testing import call_api

        answer = call_api("POST", self.sandbox.vpscrypto_url + "/servers", self.vpscrypto["api_key"], {
            "plan": "hunter", "location": "nl", "os": "debian-13", "cycle": "monthly",
            "hostname": "curly", "root_password": CURLY_PASSWORD})
        assert answer.status == 201, answer
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if any(item.get("hostname") == "curly" and item.get("status") == "active" for item in self.sandbox.servers()):
                return
            time.sleep(0.1)
        raise AssertionError("the sandbox never provisioned curly")

    def environment(self, **extra):
        """Keys and URLs the way AWX's credential injector passes them: environment variables."""
        return dict({
            "VPSCRYPTO_API_KEY": self.vpscrypto["api_key"], "VPSCRYPTO_API_URL": self.sandbox.vpscrypto_url,
            "OTWA_API_KEY": self.otwa["api_key"], "OTWA_API_URL": self.sandbox.otwa_url}, **extra)

    def secrets(self):
        return [self.vpscrypto["api_key"], self.otwa["api_key"]]


@pytest.fixture
def fleet(clean_sandbox):
    return Fleet(clean_sandbox)


def unwrapped(value):
    """A ``--list`` value without ansible-core 2.19's ``{"__ansible_unsafe": ...}`` wrapper."""
    if isinstance(value, dict) and set(value) == {"__ansible_unsafe"}:
        return value["__ansible_unsafe"]
    return value


def host_results(run):
    return run.json["plays"][0]["tasks"][0]["hosts"]


def test_list_shows_running_servers_of_both_providers_with_their_variables(ansible, fleet):
    run = ansible.inventory(SOURCES / "both.vps.yml", env=fleet.environment())

    assert run.rc == 0, run.stderr
    hostvars = run.json["_meta"]["hostvars"]
    assert sorted(hostvars) == ["curly", "ot-0001", "ot-0002", "vc-0001", "vc-0002"]
    curly = hostvars["curly"]
    assert unwrapped(curly["vps_provider"]) == "vpscrypto" and unwrapped(curly["vps_status"]) == "running"
    assert unwrapped(curly["ansible_host"]) == unwrapped(curly["vps_ip"]) == unwrapped(curly["login_address"])
    assert unwrapped(curly["ansible_password"]) == CURLY_PASSWORD
    assert sorted(run.json["vps_provider_otwa"]["hosts"]) == ["ot-0001", "ot-0002"]
    assert "curly" in run.json["plan_Hunter"]["hosts"]


def test_list_marks_api_values_unsafe(ansible, fleet):
    run = ansible.inventory(SOURCES / "both.vps.yml", env=fleet.environment())
    version = ansible.run("ansible", ["--version"], json_output=False).stdout
    if "core 2.18" in version:
        pytest.skip("ansible-core 2.18 prints unsafe strings without a marker")

    assert run.json["_meta"]["hostvars"]["curly"]["ansible_password"] == {"__ansible_unsafe": CURLY_PASSWORD}


def test_graph_shows_the_default_groups(ansible, fleet):
    run = ansible.run("ansible-inventory", ["-i", SOURCES / "both.vps.yml", "--graph"], json_output=False,
                      env=fleet.environment())

    assert run.rc == 0, run.stderr
    for group in ("@vps_provider_vpscrypto:", "@vps_provider_otwa:", "@vps_status_running:", "@vps_location_nl:"):
        assert group in run.stdout
    assert "halted-0001" not in run.stdout


def test_a_play_over_the_hosts_gets_addresses_and_an_untemplated_password(ansible, fleet):
    playbook = ansible.write("fleet.yml", PLAY_OVER_FLEET)

    run = ansible.run("ansible-playbook", ["-i", SOURCES / "both.vps.yml", playbook,
                                           "-e", CURLY_PASSWORD_VARS],
                      env=fleet.environment())

    assert run.rc == 0, run.stderr
    results = host_results(run)
    assert sorted(results) == ["curly", "ot-0001", "ot-0002", "vc-0001", "vc-0002"]
    assert results["curly"]["msg"]["password_is_curly"] is True
    assert results["ot-0001"]["msg"]["provider"] == "otwa" and results["ot-0001"]["msg"]["user"] == "root"


def test_lazy_credentials_are_absent_from_the_list_and_read_when_a_play_needs_them(ansible, fleet):
    listing = ansible.inventory(SOURCES / "lazy.vps.yml", env=fleet.environment())
    playbook = ansible.write("fleet.yml", PLAY_OVER_FLEET)

    run = ansible.run("ansible-playbook", ["-i", SOURCES / "lazy.vps.yml", playbook, "--limit", "curly",
                                           "-e", CURLY_PASSWORD_VARS],
                      env=fleet.environment())

    assert listing.rc == 0, listing.stderr
    assert CURLY_PASSWORD not in listing.stdout
    assert "vpsfleet.cloud.vps_credentials" in str(listing.json["_meta"]["hostvars"]["curly"]["ansible_password"])
    assert run.rc == 0, run.stderr
    assert host_results(run)["curly"]["msg"]["password_is_curly"] is True


def test_lazy_credentials_cost_one_read_per_host_and_task(ansible, fleet):
    playbook = ansible.write("fleet.yml", PLAY_OVER_FLEET)
    curly_id = next(item["id"] for item in fleet.sandbox.servers() if item.get("hostname") == "curly")
    fleet.sandbox.control("DELETE", "/requests")

    run = ansible.run("ansible-playbook", ["-i", SOURCES / "lazy.vps.yml", playbook, "--limit", "curly",
                                           "-e", CURLY_PASSWORD_VARS],
                      env=fleet.environment())

    assert run.rc == 0, run.stderr
    reads = [entry for entry in fleet.sandbox.requests_log() if entry["path"].endswith("/credentials")]
    assert [entry["path"] for entry in reads] == ["/servers/%s/credentials" % curly_id]


def test_a_cached_run_sends_no_request_to_either_provider(ansible, fleet, tmp_path):
    environment = fleet.environment(ANSIBLE_INVENTORY_CACHE_CONNECTION=str(tmp_path / "cache"))
    first = ansible.inventory(SOURCES / "cached.vps.yml", env=environment)
    requests_before = len(fleet.sandbox.requests_log())

    second = ansible.inventory(SOURCES / "cached.vps.yml", env=environment)

    assert first.rc == 0 and second.rc == 0, second.stderr
    assert len(fleet.sandbox.requests_log()) == requests_before
    assert sorted(second.json["_meta"]["hostvars"]) == sorted(first.json["_meta"]["hostvars"])


def test_named_accounts_with_a_templated_key(ansible, fleet):
    environment = fleet.environment(LAB_OTWA_KEY=fleet.otwa["api_key"], OTWA_API_KEY="")

    run = ansible.inventory(SOURCES / "named_accounts.vps.yml", env=environment)

    assert run.rc == 0, run.stderr
    assert sorted(run.json["vps_account_lab"]["hosts"]) == ["ot-0001", "ot-0002"]
    assert "curly" in run.json["vps_account_shop"]["hosts"]


def test_a_bad_key_fails_naming_the_account_and_no_key_shows_even_at_vvvv(ansible, fleet):
    environment = fleet.environment(OTWA_API_KEY="otwa_revokedrevokedrevoked")

    run = ansible.run("ansible-inventory", ["-i", SOURCES / "both.vps.yml", "--list", "-vvvv"], json_output=False,
                      env=environment)

    assert run.rc != 0
    assert "account 'otwa' (Otwa Cloud)" in run.stderr
    for secret in fleet.secrets() + ["otwa_revokedrevokedrevoked"]:
        assert secret not in run.stdout + run.stderr


def test_a_cache_written_with_another_key_is_not_used(ansible, fleet, tmp_path):
    other = fleet.sandbox.create_account("otwa")
    fleet.sandbox.seed_servers(other["api_key"], 1, name_prefix="other")
    environment = fleet.environment(ANSIBLE_INVENTORY_CACHE_CONNECTION=str(tmp_path / "cache"))
    ansible.inventory(SOURCES / "cached.vps.yml", env=environment)

    second = ansible.inventory(SOURCES / "cached.vps.yml", env=dict(environment, OTWA_API_KEY=other["api_key"]))

    assert second.rc == 0, second.stderr
    assert sorted(second.json["vps_provider_otwa"]["hosts"]) == ["other-0001"]
    for path in (tmp_path / "cache").iterdir():
        assert other["api_key"] not in path.read_text() and fleet.otwa["api_key"] not in path.read_text()


def test_a_key_template_that_renders_empty_fails_naming_the_account(ansible, fleet):
    environment = fleet.environment()  # LAB_OTWA_KEY unset, OTWA_API_KEY set: never used in its place

    run = ansible.run("ansible-inventory", ["-i", SOURCES / "named_accounts.vps.yml", "--list"], json_output=False,
                      env=environment)

    assert run.rc != 0
    assert "account 'lab': api_key is empty after templating" in run.stderr
    assert fleet.otwa["api_key"] not in run.stdout + run.stderr
