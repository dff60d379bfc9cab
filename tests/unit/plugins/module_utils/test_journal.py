# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The intent journal and the order lock: where intents live, what they hold, who waits for whom."""

from __future__ import annotations

import multiprocessing
import os
import stat

import pytest

from ansible_collections.vpsfleet.cloud.plugins.module_utils._core import journal as _journal
from ansible_collections.vpsfleet.cloud.plugins.module_utils._core.journal import (
    Journal, JournalError, LockTimeout, account_ref, journal_directory)

API_KEY = "vpsk_SecretKeyThatMustNeverBeWritten"


def test_the_directory_comes_from_the_option_then_the_environment_then_the_default(monkeypatch, tmp_path):
    monkeypatch.setenv("VPSFLEET_JOURNAL_DIR", str(tmp_path / "env"))
    assert journal_directory(str(tmp_path / "option")) == str(tmp_path / "option")
    assert journal_directory(None) == str(tmp_path / "env")
    monkeypatch.delenv("VPSFLEET_JOURNAL_DIR")
    assert journal_directory(None) == os.path.expanduser("~/.ansible/vpsfleet/journal")


def test_an_account_is_named_by_a_hash_never_by_its_api_key():
    ref = account_ref("vpscrypto", API_KEY)
    assert API_KEY not in ref and ref.startswith("vpscrypto-")
    assert ref == account_ref("vpscrypto", API_KEY) != account_ref("vpscrypto", API_KEY + "x")


def test_an_intent_is_kept_until_cleared(tmp_path):
    journal = Journal(str(tmp_path), account_ref("vpscrypto", API_KEY))
    journal.record("order", "web-1", plan="hunter")
    assert journal.find("order", "web-1")["plan"] == "hunter"
    assert journal.find("order", "web-2") is None
    journal.clear("order", "web-1")
    assert journal.find("order", "web-1") is None


def test_intents_are_private_files_in_a_private_directory_without_the_api_key(tmp_path):
    journal = Journal(str(tmp_path / "journal"), account_ref("vpscrypto", API_KEY))
    intent = journal.record("order", "web-1", plan="hunter")
    assert stat.S_IMODE(os.stat(intent["path"]).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(str(tmp_path / "journal")).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(journal.account_dir).st_mode) == 0o700
    with open(intent["path"]) as stream:
        assert API_KEY not in stream.read()


def test_a_journal_dir_the_user_made_keeps_its_mode(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o750)
    os.chmod(str(shared), 0o750)
    journal = Journal(str(shared), account_ref("vpscrypto", API_KEY))
    journal.record("order", "web-1", plan="hunter")
    assert stat.S_IMODE(os.stat(str(shared)).st_mode) == 0o750
    assert stat.S_IMODE(os.stat(journal.account_dir).st_mode) == 0o700


def test_an_existing_intent_is_never_overwritten_by_another_record(tmp_path):
    journal = Journal(str(tmp_path), account_ref("vpscrypto", API_KEY))
    journal.record("topup", "balance", nonce="first")
    with pytest.raises(JournalError, match="already journaled"):
        journal.record("topup", "balance", nonce="second")
    assert journal.find("topup", "balance")["nonce"] == "first"
    assert not [name for name in os.listdir(journal.account_dir) if name.startswith(".intent-")]


def test_an_update_adds_to_the_intent_it_finds(tmp_path):
    journal = Journal(str(tmp_path), account_ref("vpscrypto", API_KEY))
    journal.record("topup", "balance", nonce="first")
    journal.update("topup", "balance", ref="vps-26-aaaaaaaaaa")
    assert (journal.find("topup", "balance")["nonce"], journal.find("topup", "balance")["ref"]) == (
        "first", "vps-26-aaaaaaaaaa")


@pytest.mark.parametrize("content", ["{not json", "[1, 2]"])
def test_an_unreadable_intent_is_an_error_not_an_absence(tmp_path, content):
    journal = Journal(str(tmp_path), account_ref("vpscrypto", API_KEY))
    journal.record("topup", "balance", nonce="first")
    with open(journal.path_of("topup", "balance"), "w") as stream:
        stream.write(content)
    with pytest.raises(JournalError, match="cannot be read|not a journal entry"):
        journal.find("topup", "balance")


def _hold_lock(directory, account, held, release):
    with Journal(directory, account).order_lock(10):
        held.set()
        release.wait(10)


def test_a_second_run_waits_for_the_lock_and_gives_up_after_its_timeout_with_what_to_do(tmp_path):
    account = account_ref("otwa", API_KEY)
    held, release = multiprocessing.Event(), multiprocessing.Event()
    holder = multiprocessing.Process(target=_hold_lock, args=(str(tmp_path), account, held, release))
    holder.start()
    try:
        assert held.wait(10)
        with pytest.raises(LockTimeout) as caught:
            with Journal(str(tmp_path), account, sleep=lambda seconds: None).order_lock(0):
                pass
        assert "another run on this controller" in str(caught.value) and "lock_timeout" in str(caught.value)
    finally:
        release.set()
        holder.join(10)
    with Journal(str(tmp_path), account).order_lock(5):
        pass  # free again once the holder is gone


def test_the_lock_of_one_account_does_not_block_another(tmp_path):
    with Journal(str(tmp_path), account_ref("otwa", "key-a")).order_lock(0):
        with Journal(str(tmp_path), account_ref("otwa", "key-b")).order_lock(0):
            pass


def test_waiting_for_an_effect_stops_as_soon_as_it_shows(monkeypatch):
    answers = iter([None, None, {"id": 1}])
    slept = []
    assert _journal.wait_for_effect(lambda: next(answers), 60, sleep=slept.append) == {"id": 1}
    assert len(slept) == 2


def test_waiting_for_an_effect_gives_up_after_the_grace():
    looks = []
    assert _journal.wait_for_effect(lambda: looks.append(1), 0, sleep=lambda seconds: None) is None
    assert len(looks) == 1
