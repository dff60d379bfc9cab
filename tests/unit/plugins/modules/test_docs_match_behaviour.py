# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the docs say where a user reads them, for behaviour the docs once left out."""

from __future__ import annotations

import pathlib

import yaml

from ansible_collections.vpsfleet.cloud.plugins.doc_fragments.provider import ModuleDocFragment
from ansible_collections.vpsfleet.cloud.plugins.modules import vps_server, vps_topup

REPO_ROOT = pathlib.Path(__file__).resolve().parents[4]


def flat(text):
    return " ".join(text.split())


def test_check_mode_notes_of_vps_topup_say_a_read_by_ref_can_credit_the_balance():
    # The attributes come from the shared fragment; what check mode does for this module is in its notes.
    check_mode = [note for note in yaml.safe_load(vps_topup.DOCUMENTATION)["notes"] if note.startswith("In check mode")]
    assert len(check_mode) == 1 and "can credit the balance in check mode too" in flat(check_mode[0])


def test_the_api_key_option_says_to_keep_keys_out_of_playbook_text():
    api_key = " ".join(yaml.safe_load(ModuleDocFragment.DOCUMENTATION)["options"]["api_key"]["description"])
    assert "Keep the key itself out of playbook text" in api_key and "2.19" in api_key


def test_vps_server_docs_say_a_rebuild_needs_the_destroy_scope():
    description = flat(" ".join(yaml.safe_load(vps_server.DOCUMENTATION)["description"]))
    assert "V(rebuilt) reinstalls the server with O(os), wiping its disk (Otwa Cloud only; needs an API key with " \
           "the C(servers:destroy) scope" in description


def test_the_inventory_docs_say_how_a_failed_source_stops_the_run():
    inventory = flat((REPO_ROOT / "docs" / "inventory.md").read_text(encoding="utf-8"))
    assert "unparsed_is_failed = true" in inventory and "ANSIBLE_INVENTORY_UNPARSED_FAILED=true" in inventory
