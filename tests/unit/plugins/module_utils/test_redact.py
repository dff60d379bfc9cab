# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Secret scrubbing of free text and of nested data."""

from __future__ import annotations

from ansible_collections.vpsfleet.cloud.plugins.module_utils._http.redact import REDACTED, redact_data, redact_text, without_secrets


def test_a_given_secret_is_replaced_wherever_it_appears_in_text():
    assert redact_text("password s3cretPass rejected, s3cretPass too short", ("s3cretPass",)) == (
        "password %s rejected, %s too short" % (REDACTED, REDACTED))


def test_a_bearer_token_in_text_is_hidden_even_when_not_given_as_a_secret():
    assert "abc.def-123" not in redact_text("sent Authorization: Bearer abc.def-123")


def test_provider_shaped_keys_in_text_are_hidden_even_when_not_given_as_secrets():
    text = redact_text("keys vpsk_4f9aB0c and otwa_77ZZq1 are invalid")
    assert "vpsk_4f9aB0c" not in text
    assert "otwa_77ZZq1" not in text


def test_very_short_secrets_are_not_scrubbed_so_ordinary_text_survives():
    assert redact_text("id 123 of plan abc", ("abc", "", None)) == "id 123 of plan abc"


def test_none_text_stays_none():
    assert redact_text(None, ("secret-value",)) is None


def test_secret_keys_are_hidden_at_any_depth_and_case():
    data = {"server": {"Root_Password": "hunter2hunter2", "hostname": "web-1"},
            "keys": [{"api_key": "plain-key-1"}]}
    assert redact_data(data) == {"server": {"Root_Password": REDACTED, "hostname": "web-1"},
                                 "keys": [{"api_key": REDACTED}]}


def test_empty_secret_fields_stay_empty_so_absence_is_visible():
    assert redact_data({"password": None, "token": ""}) == {"password": None, "token": ""}


def test_a_secret_value_inside_an_ordinary_field_is_hidden():
    assert redact_data({"message": "bad key zzKEY12345"}, ("zzKEY12345",)) == {"message": "bad key %s" % REDACTED}


def test_redacting_data_leaves_the_original_untouched():
    original = {"password": "hunter2hunter2"}
    redact_data(original)
    assert original == {"password": "hunter2hunter2"}


def test_without_secrets_drops_secret_keys_in_any_spelling_at_any_depth():
    raw = {"id": 1, "root_password": "a", "networking": {"rootPassword": "b", "ip": "198.51.100.1"},
           "keys": [{"X-Payment": "c", "name": "k"}], "loginToken": "d"}

    assert without_secrets(raw) == {"id": 1, "networking": {"ip": "198.51.100.1"}, "keys": [{"name": "k"}]}
