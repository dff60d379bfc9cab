"""Servers move through their states on their own, with addresses handed out in order."""

import functools
import re
import time

from vps_sandbox.testing import call_api

ORDER = {"plan": "scout", "location": "nl", "os": "debian-13"}


def wait_for(fetch, predicate, timeout=5.0):
    """Poll fetch() until predicate(value) holds; return the last value."""
    deadline = time.monotonic() + timeout
    value = fetch()
    while not predicate(value) and time.monotonic() < deadline:
        time.sleep(0.05)
        value = fetch()
    return value


def body_of(url, key):
    """The JSON body of GET url."""
    return call_api("GET", url, key).body


def otwa_deploy(sandbox, key):
    product = call_api("GET", sandbox.otwa_url + "/products", key).body[0]
    order = {"productId": product["id"], "os": "debian", "osTemplate": "debian-13"}
    return call_api("POST", sandbox.otwa_url + "/servers", key, order).body


def test_vpscrypto_server_becomes_active_and_only_then_gets_an_ip(sandbox):
    key = sandbox.create_account("vpscrypto", balance_usd=100)["api_key"]
    ordered = call_api("POST", sandbox.vpscrypto_url + "/servers", key, ORDER).body
    assert (ordered["status"], ordered["ip"]) == ("provisioning", None)
    server = wait_for(lambda: call_api("GET", f"{sandbox.vpscrypto_url}/servers/{ordered['id']}", key).body,
                      lambda body: body["status"] == "active")
    assert server["ip"] == "127.0.0.10"


def test_transitions_happen_without_anyone_polling(sandbox):
    key = sandbox.create_account("vpscrypto", balance_usd=100)["api_key"]
    call_api("POST", sandbox.vpscrypto_url + "/servers", key, ORDER)
    time.sleep(0.5)
    [server] = sandbox.servers()
    assert server["status"] == "active"


def test_ips_are_sequential_and_unique_across_providers(sandbox):
    vps_key = sandbox.create_account("vpscrypto")["api_key"]
    otwa_key = sandbox.create_account("otwa")["api_key"]
    sandbox.seed_servers(vps_key, 2)
    sandbox.seed_servers(otwa_key, 250)
    ips = [server["ip"] for server in sandbox.servers()]
    assert ips[:3] == ["127.0.0.10", "127.0.0.11", "127.0.0.12"]
    assert "127.0.1.1" in ips and "127.0.0.255" not in ips
    assert len(set(ips)) == len(ips)


def test_otwa_deploy_goes_pending_provisioning_running(sandbox):
    sandbox.configure(provision_delay=0.6)
    key = sandbox.create_account("otwa")["api_key"]
    server = otwa_deploy(sandbox, key)
    assert server["status"] == "pending"
    fetch = functools.partial(body_of, f"{sandbox.otwa_url}/servers/{server['id']}", key)
    assert wait_for(fetch, lambda body: body["status"] != "pending")["status"] == "provisioning"
    running = wait_for(fetch, lambda body: body["status"] == "running")
    assert running["ipAddress"] and running["networking"]["primaryIp"] == running["ipAddress"]


def test_otwa_stop_start_and_terminate_release_the_ip(sandbox):
    key = sandbox.create_account("otwa", scopes=["servers:read", "servers:write", "servers:destroy"])["api_key"]
    server_id = sandbox.seed_servers(key, 1)["ids"][0]
    url = f"{sandbox.otwa_url}/servers/{server_id}"
    fetch = functools.partial(body_of, url, key)
    assert call_api("POST", url + "/power/stop", key).status == 200
    assert wait_for(fetch, lambda body: body["status"] == "stopped")["status"] == "stopped"
    call_api("POST", url + "/power/start", key)
    assert wait_for(fetch, lambda body: body["status"] == "running")["status"] == "running"
    assert call_api("DELETE", url, key).body == {"message": "Termination queued"}
    terminated = wait_for(fetch, lambda body: body["status"] == "terminated")
    assert (terminated["status"], terminated["ipAddress"]) == ("terminated", None)
    assert [s["status"] for s in call_api("GET", sandbox.otwa_url + "/servers", key).body] == ["terminated"]
    assert call_api("POST", url + "/power/start", key).status == 400


def test_otwa_reinstall_brings_a_new_password_and_os(sandbox):
    key = sandbox.create_account("otwa", scopes=["servers:read", "servers:destroy"])["api_key"]
    server_id = sandbox.seed_servers(key, 1)["ids"][0]
    url = f"{sandbox.otwa_url}/servers/{server_id}"
    before = call_api("GET", url + "/credentials", key).body["password"]
    answer = call_api("POST", url + "/reinstall", key, {"os": "debian", "osTemplate": "debian-12"})
    assert answer.body == {"message": "Reinstall queued"}
    assert call_api("GET", url, key).body["status"] == "provisioning"
    after = wait_for(lambda: call_api("GET", url, key).body, lambda body: body["status"] == "running")
    assert after["os"] == "debian-12"
    assert call_api("GET", url + "/credentials", key).body["password"] != before


def test_password_reset_reports_a_down_guest_agent(sandbox):
    key = sandbox.create_account("otwa")["api_key"]
    url = f"{sandbox.otwa_url}/servers/{sandbox.seed_servers(key, 1)['ids'][0]}/password-reset"
    assert call_api("POST", url, key).body["success"] is True
    sandbox.configure(guest_agent_down=True)
    assert call_api("POST", url, key).body == {"success": False, "message": "Guest agent is not responding"}


def test_power_action_cannot_cancel_a_queued_termination(sandbox):
    sandbox.configure(terminate_delay=0.5)
    key = sandbox.create_account("otwa", scopes=["servers:read", "servers:write", "servers:destroy"])["api_key"]
    url = f"{sandbox.otwa_url}/servers/{sandbox.seed_servers(key, 1)['ids'][0]}"
    call_api("DELETE", url, key)
    assert call_api("POST", url + "/power/reboot", key).status == 400
    assert wait_for(lambda: call_api("GET", url, key).body, lambda b: b["status"] == "terminated")["status"] == "terminated"


def test_an_otwa_reboot_a_moment_after_the_last_change_shows_in_updated_at(sandbox):
    key = sandbox.create_account("otwa", scopes=["servers:read", "servers:write"])["api_key"]
    url = f"{sandbox.otwa_url}/servers/{sandbox.seed_servers(key, 1)['ids'][0]}"
    before = call_api("GET", url, key).body["updatedAt"]
    call_api("POST", url + "/power/reboot", key)
    after = wait_for(functools.partial(body_of, url, key), lambda body: body["updatedAt"] != before, timeout=2)
    assert after["updatedAt"] != before
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", after["updatedAt"])
