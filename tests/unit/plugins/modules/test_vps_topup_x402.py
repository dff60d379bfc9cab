# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""vps_topup paying through x402 against a scripted 402: guards, one signature, no second payment."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import time

import pytest

from ansible_collections.vpsfleet.cloud.plugins.module_utils._payments import x402 as _x402
from ansible_collections.vpsfleet.cloud.plugins.modules import vps_topup
from ansible_collections.vpsfleet.cloud.tests.unit.plugins.module_utils._http import (  # noqa: F401  pylint: disable=unused-import
    fake_api,  # a pytest fixture, used by name
)
from ansible_collections.vpsfleet.cloud.tests.unit.plugins.modules._run import run_module

WALLET_KEY = "0x" + "4c" * 32
WALLET_ADDRESS = "0xdB00079cad3e665853Bf766eFe26F4C38cdbdCDA"
PAY_TO = "0x209693Bc6afc0C5328bA36FaF03C514EF312287C"
BASE_USDC = "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913"
SETTLEMENT = {"success": True, "transaction": "0x" + "ab" * 32, "network": "base", "payer": WALLET_ADDRESS}


def encoded(document):
    return base64.b64encode(json.dumps(document).encode("utf-8")).decode("ascii")


def payment_required(amount_units="25000000", pay_to=PAY_TO, error="X-PAYMENT header is required"):
    return {"x402Version": 1, "error": error, "accepts": [{
        "scheme": "exact", "network": "base", "maxAmountRequired": amount_units, "resource": "http://x/topups",
        "description": "top-up", "mimeType": "application/json", "payTo": pay_to, "maxTimeoutSeconds": 300,
        "asset": BASE_USDC, "extra": {"name": "USD Coin", "version": "2"}}]}


def completed_topup():
    return {"ref": "vps-26-aaaaaaaaaa", "status": "completed", "amount_usd": 25, "coin": "USDCBASE",
            "deposit_address": PAY_TO, "deposit_amount": "25", "deposit_coin": "USDC", "deposit_network": "base",
            "qr_data_uri": None, "expires_at": None}


def pay_args(fake, **args):
    base = dict(provider="vpscrypto", api_key="vpsk_UnitTestKey0123456789", api_url=fake.url, api_retries=2,
                api_retry_max_delay=0.01, amount=25, coin="USDCBASE", wallet_private_key=WALLET_KEY)
    base.update(args)
    return base


def decoded_payment(request):
    return json.loads(base64.b64decode(request.headers["x-payment"]))


def test_a_402_is_answered_with_one_signed_transfer_of_exactly_the_amount_to_the_payee(fake_api):
    fake_api.answer(402, payment_required()).answer(
        201, completed_topup(), headers={"X-PAYMENT-RESPONSE": encoded(SETTLEMENT)})

    run = run_module(vps_topup.main, pay_args(fake_api, expected_pay_to=PAY_TO))

    assert not run.failed, run.result
    assert run.result["changed"] is True
    asked, paid = fake_api.requests
    assert "x-payment" not in asked.headers
    assert paid.body == {"amount": 25, "coin": "USDCBASE"}
    authorization = decoded_payment(paid)["payload"]["authorization"]
    assert (authorization["from"], authorization["to"], authorization["value"]) == (WALLET_ADDRESS, PAY_TO, "25000000")
    assert run.result["topup"]["status"] == "completed"
    assert run.result["settlement"] == SETTLEMENT
    assert run.result["payment"]["payer"] == WALLET_ADDRESS
    assert run.result["payment"]["nonce"] == authorization["nonce"]


def test_the_payment_header_and_wallet_key_appear_nowhere_in_the_output(fake_api):
    fake_api.answer(402, payment_required()).answer(201, completed_topup())

    run = run_module(vps_topup.main, pay_args(fake_api))

    header = fake_api.requests[1].headers["x-payment"]
    assert header not in run.output
    assert WALLET_KEY not in run.output and WALLET_KEY[2:] not in run.output
    assert decoded_payment(fake_api.requests[1])["payload"]["signature"] not in run.output


def test_a_payee_other_than_expected_pay_to_is_refused_and_nothing_is_signed_or_sent(fake_api):
    fake_api.answer(402, payment_required(pay_to="0x" + "12" * 20))

    run = run_module(vps_topup.main, pay_args(fake_api, expected_pay_to=PAY_TO))

    assert run.failed
    assert "refusing to pay" in run.result["msg"] and "expected payee" in run.result["msg"]
    assert "0x" + "12" * 20 in run.result["msg"]
    assert len(fake_api.requests) == 1 and "x-payment" not in fake_api.requests[0].headers


def test_a_requirement_for_more_than_the_amount_is_refused(fake_api):
    fake_api.answer(402, payment_required(amount_units="26000000"))

    run = run_module(vps_topup.main, pay_args(fake_api))

    assert run.failed
    assert "26.000000 USDC" in run.result["msg"]
    assert len(fake_api.requests) == 1


def test_a_402_answering_the_payment_is_reported_with_its_reason_and_never_paid_again(fake_api):
    fake_api.answer(402, payment_required()).answer(402, payment_required(error="insufficient_funds"))

    run = run_module(vps_topup.main, pay_args(fake_api))

    assert run.failed
    assert "insufficient_funds" in run.result["msg"] and "not paid again" in run.result["msg"]
    assert "fix the cause and run again" in run.result["msg"]
    assert (run.result["failure"]["reason"], run.result["failure"]["outcome_unknown"]) == ("insufficient_funds", False)
    assert len(fake_api.requests) == 2
    assert run.result["payment"]["payer"] == WALLET_ADDRESS


def test_a_failed_settlement_is_reported_with_the_receipts_error_reason(fake_api):
    receipt = {"success": False, "errorReason": "invalid_exact_evm_insufficient_balance", "transaction": "",
               "network": "base", "payer": WALLET_ADDRESS}
    fake_api.answer(402, payment_required()).answer(402, {}, headers={"PAYMENT-RESPONSE": encoded(receipt)})

    run = run_module(vps_topup.main, pay_args(fake_api))

    assert run.failed
    assert "invalid_exact_evm_insufficient_balance" in run.result["msg"]
    assert "no reason given" not in run.result["msg"]
    assert run.result["settlement"] == receipt


def test_a_402_after_the_payment_was_resent_reports_an_unknown_outcome_not_a_refusal(fake_api):
    fake_api.answer(402, payment_required()).drop().answer(
        402, payment_required(error="invalid_exact_evm_payload_authorization_valid_before"))

    run = run_module(vps_topup.main, pay_args(fake_api))

    assert run.failed
    assert "may have been settled" in run.result["msg"] and "outcome is unknown" in run.result["msg"]
    assert "vps_topup_info" in run.result["msg"] and "fix the cause" not in run.result["msg"]
    assert run.result["failure"]["outcome_unknown"] is True
    assert run.result["payment"]["pay_to"] == PAY_TO
    assert len(set(request.headers["x-payment"] for request in fake_api.requests[1:])) == 1


def test_a_refusal_saying_the_nonce_is_used_reports_an_unknown_outcome(fake_api):
    fake_api.answer(402, payment_required()).answer(402, payment_required(error="nonce_already_used"))

    run = run_module(vps_topup.main, pay_args(fake_api))

    assert run.failed
    assert "nonce is already used" in run.result["msg"] and "may have been settled" in run.result["msg"]
    assert run.result["failure"]["outcome_unknown"] is True
    assert run.result["payment"]["nonce"].startswith("0x")


@pytest.mark.parametrize("field", ["errorReason", "invalidReason"])
def test_a_refusal_reason_is_read_from_facilitator_style_fields(fake_api, field):
    fake_api.answer(402, payment_required()).answer(402, {field: "invalid_exact_evm_payload_signature"})

    run = run_module(vps_topup.main, pay_args(fake_api))

    assert run.failed
    assert "invalid_exact_evm_payload_signature" in run.result["msg"]


def test_a_dropped_answer_after_paying_resends_the_same_signed_header(fake_api):
    fake_api.answer(402, payment_required()).drop().answer(201, completed_topup())

    run = run_module(vps_topup.main, pay_args(fake_api))

    assert not run.failed, run.result
    asked, first, second = fake_api.requests
    assert first.headers["x-payment"] == second.headers["x-payment"]
    assert run.result["topup"]["ref"] == "vps-26-aaaaaaaaaa"


def test_a_dropped_answer_to_the_unpaid_request_asks_again_before_signing(fake_api):
    fake_api.drop().answer(402, payment_required()).answer(201, completed_topup())

    run = run_module(vps_topup.main, pay_args(fake_api))

    assert not run.failed, run.result
    unpaid = [request for request in fake_api.requests if "x-payment" not in request.headers]
    paid = [request for request in fake_api.requests if "x-payment" in request.headers]
    assert (len(unpaid), len(paid)) == (2, 1)
    assert all(request.headers["x-payment-mode"] == "x402" for request in unpaid)


def test_a_payment_whose_answer_never_comes_fails_saying_it_may_be_settled(fake_api):
    fake_api.answer(402, payment_required()).drop().drop().drop()

    run = run_module(vps_topup.main, pay_args(fake_api))

    assert run.failed
    assert "may have been settled" in run.result["msg"]
    assert len(set(request.headers["x-payment"] for request in fake_api.requests[1:])) == 1
    assert run.result["payment"]["pay_to"] == PAY_TO


@pytest.mark.parametrize("status", [400, 401])
def test_a_definite_error_answering_the_payment_is_not_worded_as_a_lost_answer(fake_api, status):
    fake_api.answer(402, payment_required()).answer(status, {"error": "refused", "message": "not accepted"})

    run = run_module(vps_topup.main, pay_args(fake_api))

    assert run.failed
    assert "no answer came back" not in run.result["msg"] and "may have been settled" not in run.result["msg"]
    assert "HTTP %d" % status in run.result["msg"] and "not sent again" in run.result["msg"]
    assert run.result["failure"]["status"] == status
    assert run.result["failure"]["outcome_unknown"] is False
    assert len(fake_api.requests) == 2


def test_a_definite_error_after_the_payment_was_resent_may_have_been_settled(fake_api):
    fake_api.answer(402, payment_required()).drop().answer(400, {"error": "refused", "message": "not accepted"})

    run = run_module(vps_topup.main, pay_args(fake_api))

    assert run.failed
    assert "HTTP 400" in run.result["msg"] and "after it had been sent more than once" in run.result["msg"]
    assert "may have been settled" in run.result["msg"]
    assert run.result["failure"]["outcome_unknown"] is True


def test_a_signature_echoed_in_an_answer_stays_out_of_the_output(fake_api, monkeypatch):
    # A fixed clock and nonce make the signature known before it is made.
    real_build_payment = _x402.build_payment

    def build_at_a_fixed_time(requirement, x402_version, private_key, now=None, nonce=None, resource=None, **extra):
        return real_build_payment(requirement, x402_version, private_key, now=1767225600, nonce=bytes(32),
                                  resource=resource, **extra)

    monkeypatch.setattr(_x402, "build_payment", build_at_a_fixed_time)
    requirement = payment_required()["accepts"][0]
    signature = build_at_a_fixed_time(requirement, 1, WALLET_KEY).signature
    fake_api.answer(402, payment_required()).answer(
        201, dict(completed_topup(), payment={"signature_seen": signature}))

    run = run_module(vps_topup.main, pay_args(fake_api))

    assert not run.failed, run.result
    assert signature not in run.output and signature[2:] not in run.output


def test_a_malformed_wallet_key_fails_before_any_request_without_showing_it(fake_api):
    bad_key = "0x" + "zz" * 32

    run = run_module(vps_topup.main, pay_args(fake_api, wallet_private_key=bad_key, min_balance=50))

    assert run.failed
    assert "wallet_private_key: the wallet private key is malformed: expected 32 bytes as 64 hex digits" in run.result["msg"]
    assert bad_key not in run.output
    assert fake_api.requests == []


def test_the_wallet_key_is_read_from_vpsfleet_wallet_key(fake_api, monkeypatch):
    monkeypatch.setenv("VPSFLEET_WALLET_KEY", WALLET_KEY)
    fake_api.answer(402, payment_required()).answer(201, completed_topup())
    args = pay_args(fake_api)
    del args["wallet_private_key"]

    run = run_module(vps_topup.main, args)

    assert not run.failed, run.result
    assert decoded_payment(fake_api.requests[1])["payload"]["authorization"]["from"] == WALLET_ADDRESS
    assert WALLET_KEY[2:] not in run.output


def test_loading_vps_topup_does_not_import_eth_account():
    probe = ("import sys; import ansible_collections.vpsfleet.cloud.plugins.modules.vps_topup; "
             "print('eth_account' in sys.modules)")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(path for path in sys.path if path))

    loaded = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)

    assert loaded.stdout.strip() == "False"


def test_a_malformed_expected_pay_to_fails_before_any_request(fake_api):
    run = run_module(vps_topup.main, pay_args(fake_api, expected_pay_to="0x1234"))

    assert run.failed and "expected_pay_to must be a 20-byte hex address" in run.result["msg"]
    assert fake_api.requests == []


def test_a_missing_wallet_key_fails_before_any_request(fake_api, monkeypatch):
    monkeypatch.delenv("VPSFLEET_WALLET_KEY", raising=False)

    run = run_module(vps_topup.main, pay_args(fake_api, wallet_private_key=None, min_balance=50))

    assert run.failed and "needs wallet_private_key or the environment variable VPSFLEET_WALLET_KEY" in run.result["msg"]
    assert fake_api.requests == []


def test_an_amount_that_is_not_a_number_fails_saying_the_accepted_range(fake_api):
    run = run_module(vps_topup.main, pay_args(fake_api, amount="abc"))

    assert run.failed
    assert run.result["msg"] == "amount must be a number of USD between 25 and 2000, got 'abc'"
    assert fake_api.requests == []


# --- settlement failures as the reference SDK's servers answer them -------------------------------

TRANSACTION = "0x" + "cd" * 32


def v2_payment_required(extensions=None):
    document = {"x402Version": 2, "error": "Payment required", "resource": {"url": "http://x/topups"},
                "accepts": [{"scheme": "exact", "network": "eip155:8453", "amount": "25000000", "asset": BASE_USDC,
                             "payTo": PAY_TO, "maxTimeoutSeconds": 300, "extra": {"name": "USD Coin", "version": "2"}}]}
    if extensions is not None:
        document["extensions"] = extensions
    return {"PAYMENT-REQUIRED": encoded(document)}


def v2_settle_failure(reason, transaction=""):
    return {"PAYMENT-RESPONSE": encoded({"success": False, "errorReason": reason, "errorMessage": reason,
                                         "payer": WALLET_ADDRESS, "transaction": transaction,
                                         "network": "eip155:8453"})}


def assert_unknown_outcome_never_advises_a_rerun(result):
    message = result["msg"]
    assert result["failure"]["outcome_unknown"] is True
    assert "outcome is unknown" in message and "not paid again" in message
    assert "re-run" not in message and "safe" not in message and "fix the cause" not in message
    assert "re-sends that same authorization" in message and "vps_topup_info" in message
    assert "intent journal (%s" % os.environ["VPSFLEET_JOURNAL_DIR"] in message
    assert "only if the directory persists" in message


def test_a_v2_settlement_pending_is_of_unknown_outcome_and_carries_its_transaction(fake_api):
    fake_api.answer(402, {}, headers=v2_payment_required()).answer(
        402, {}, headers=v2_settle_failure("settlement_pending", TRANSACTION))

    run = run_module(vps_topup.main, pay_args(fake_api))

    assert run.failed
    assert_unknown_outcome_never_advises_a_rerun(run.result)
    assert (run.result["failure"]["stage"], run.result["failure"]["transaction"]) == ("settlement", TRANSACTION)
    assert TRANSACTION in run.result["msg"]
    assert len(fake_api.requests) == 2


def test_a_v2_facilitator_error_after_settling_is_of_unknown_outcome(fake_api):
    fake_api.answer(402, {}, headers=v2_payment_required()).answer(
        402, {}, headers=v2_settle_failure("Facilitator settle failed (500): Internal Server Error"))

    run = run_module(vps_topup.main, pay_args(fake_api))

    assert run.failed
    assert_unknown_outcome_never_advises_a_rerun(run.result)
    assert "Facilitator settle failed (500)" in run.result["failure"]["reason"]
    assert run.result["failure"]["transaction"] is None


@pytest.mark.parametrize("error", ["Settle failed: transaction_failed", "Settle failed"])
def test_a_v1_settle_failed_is_of_unknown_outcome(fake_api, error):
    fake_api.answer(402, payment_required()).answer(402, payment_required(error=error))

    run = run_module(vps_topup.main, pay_args(fake_api))

    assert run.failed
    assert_unknown_outcome_never_advises_a_rerun(run.result)
    assert run.result["failure"]["stage"] == "settlement"


def test_a_v1_invalid_payment_is_a_clean_refusal(fake_api):
    fake_api.answer(402, payment_required()).answer(402, payment_required(error="Invalid payment: insufficient_funds"))

    run = run_module(vps_topup.main, pay_args(fake_api))

    assert run.failed
    assert run.result["failure"]["outcome_unknown"] is False
    assert "before settling it" in run.result["msg"] and "fix the cause and run again" in run.result["msg"]


def test_a_ref_in_the_answer_is_returned_to_look_the_topup_up(fake_api):
    fake_api.answer(402, {}, headers=v2_payment_required()).answer(
        402, {"ref": "vps-26-bbbbbbbbbb"}, headers=v2_settle_failure("settlement_pending", TRANSACTION))

    run = run_module(vps_topup.main, pay_args(fake_api))

    assert run.result["failure"]["ref"] == "vps-26-bbbbbbbbbb"


# --- payment-identifier ------------------------------------------------------------------------------

PAYMENT_IDENTIFIER = {"payment-identifier": {"info": {"required": True}, "schema": {"type": "object"}}}


def sent_extensions(request):
    return json.loads(base64.b64decode(request.headers["payment-signature"])).get("extensions")


def test_two_deliberate_topups_send_different_payment_ids(fake_api):
    for dummy in range(2):
        fake_api.answer(402, {}, headers=v2_payment_required(PAYMENT_IDENTIFIER)).answer(201, completed_topup())

    first = run_module(vps_topup.main, pay_args(fake_api))
    second = run_module(vps_topup.main, pay_args(fake_api))

    assert not first.failed and not second.failed, (first.result, second.result)
    ids = [sent_extensions(request)["payment-identifier"]["info"]["id"] for request in fake_api.requests[1::2]]
    assert ids[0] != ids[1] and all(_x402.is_valid_payment_id(one) for one in ids)
    assert sent_extensions(fake_api.requests[1])["payment-identifier"]["schema"] == {"type": "object"}
    assert [first.result["payment"]["payment_id"], second.result["payment"]["payment_id"]] == ids


def test_the_resent_payment_carries_the_payment_id_it_was_signed_with(fake_api):
    fake_api.answer(402, {}, headers=v2_payment_required(PAYMENT_IDENTIFIER)).drop()
    first = run_module(vps_topup.main, pay_args(fake_api, api_retries=0))
    fake_api.answer(201, completed_topup())

    second = run_module(vps_topup.main, pay_args(fake_api, api_retries=0))

    assert first.failed and not second.failed, (first.result, second.result)
    assert fake_api.requests[2].headers["payment-signature"] == fake_api.requests[1].headers["payment-signature"]
    assert second.result["payment"]["payment_id"] == first.result["payment"]["payment_id"]


def test_a_payment_whose_answer_was_lost_is_resent_as_signed_by_the_next_run_and_nothing_new_is_signed(fake_api):
    fake_api.answer(402, payment_required()).drop()
    first = run_module(vps_topup.main, pay_args(fake_api, api_retries=0))
    sent = fake_api.requests[-1].headers["x-payment"]
    fake_api.answer(201, completed_topup(), headers={"X-PAYMENT-RESPONSE": encoded(SETTLEMENT)})

    second = run_module(vps_topup.main, pay_args(fake_api, api_retries=0))

    assert first.failed and first.result["failure"]["outcome_unknown"] is True
    assert "intent journal" in first.result["msg"] and "safe" not in first.result["msg"]
    assert not second.failed, second.result
    assert [request.headers.get("x-payment") for request in fake_api.requests[2:]] == [sent]
    assert second.result["topup"]["status"] == "completed"
    assert sent not in second.output


def test_a_pending_payment_whose_authorization_expired_fails_saying_how_to_resolve_it(fake_api, monkeypatch):
    fake_api.answer(402, payment_required()).drop()
    assert run_module(vps_topup.main, pay_args(fake_api, api_retries=0)).failed
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 3600)

    second = run_module(vps_topup.main, pay_args(fake_api, api_retries=0))

    assert second.failed and "expired" in second.result["msg"]
    assert "abandon_pending=true" in second.result["msg"] and "vps_account_info" in second.result["msg"]
    assert len(fake_api.requests) == 2


def pending_topup(ref="vps-26-aaaaaaaaaa"):
    return dict(completed_topup(), ref=ref, status="pending")


def account_with(balance):
    return {"id": "acct_1", "email": None, "balance_usd": balance, "created_at": "2026-12-01T00:00:00Z"}


def test_a_resent_payment_answered_with_a_pending_topup_keeps_the_intent_and_never_pays_anew(fake_api):
    fake_api.answer(402, payment_required()).drop()
    assert run_module(vps_topup.main, pay_args(fake_api, api_retries=0)).failed
    fake_api.answer(201, pending_topup()).answer(200, pending_topup())

    second = run_module(vps_topup.main, pay_args(fake_api, api_retries=0, pending_grace=0))
    fake_api.answer(200, pending_topup())
    third = run_module(vps_topup.main, pay_args(fake_api, api_retries=0, pending_grace=0))
    fake_api.answer(200, completed_topup())
    fourth = run_module(vps_topup.main, pay_args(fake_api, api_retries=0, pending_grace=0))

    assert second.failed and third.failed, (second.result, third.result)
    for run in (second, third):
        assert "still pending" in run.result["msg"] and "vps-26-aaaaaaaaaa" in run.result["msg"]
        assert "completed" not in run.result["msg"] and run.result["failure"]["pending"] is True
    assert not fourth.failed and fourth.result["changed"] is True, fourth.result
    assert fourth.result["topup"]["status"] == "completed"
    assert [(request.method, request.path) for request in fake_api.requests[2:]] == [
        ("POST", "/topups"), ("GET", "/topups/vps-26-aaaaaaaaaa"), ("GET", "/topups/vps-26-aaaaaaaaaa"),
        ("GET", "/topups/vps-26-aaaaaaaaaa")]
    assert fake_api.requests[2].headers["x-payment"] == fake_api.requests[1].headers["x-payment"]


def test_a_first_answer_with_a_pending_topup_is_waited_for_by_the_next_run(fake_api):
    fake_api.answer(402, payment_required()).answer(201, pending_topup())
    first = run_module(vps_topup.main, pay_args(fake_api))
    fake_api.answer(200, completed_topup())

    second = run_module(vps_topup.main, pay_args(fake_api, pending_grace=0))

    assert not first.failed and first.result["changed"] is True
    assert not second.failed and second.result["topup"]["status"] == "completed"
    assert [(request.method, request.path) for request in fake_api.requests[2:]] == [
        ("GET", "/topups/vps-26-aaaaaaaaaa")]


def test_a_resent_payment_answered_nonce_used_is_resolved_only_once_the_balance_shows_the_credit(fake_api, capsys):
    fake_api.answer(200, account_with(10)).answer(402, payment_required()).drop()
    assert run_module(vps_topup.main, pay_args(fake_api, api_retries=0, min_balance=30)).failed
    used = payment_required(error="invalid_exact_evm_nonce_already_used")
    fake_api.answer(402, used).answer(200, account_with(10))

    second = run_module(vps_topup.main, pay_args(fake_api, api_retries=0, min_balance=30))
    fake_api.answer(402, used).answer(200, account_with(35))
    third = run_module(vps_topup.main, pay_args(fake_api, api_retries=0, min_balance=30))

    assert second.failed and "nonce is used" in second.result["msg"]
    assert "completed" not in second.result["msg"] and "abandon_pending=true" in second.result["msg"]
    assert not third.failed and third.result["changed"] is True, third.result
    assert "balance shows the credit" in capsys.readouterr().err
    payments = [request.headers["x-payment"] for request in fake_api.requests if "x-payment" in request.headers]
    assert len(payments) == 3 and len(set(payments)) == 1


def test_a_topup_waits_for_the_account_lock_and_pays_nothing_when_it_stays_held(fake_api):
    from ansible_collections.vpsfleet.cloud.plugins.module_utils._core.journal import Journal, account_ref
    args = pay_args(fake_api, min_balance=30, lock_timeout=0)
    journal = Journal(os.environ["VPSFLEET_JOURNAL_DIR"], account_ref("vpscrypto", args["api_key"]))

    with journal.order_lock(5):  # a concurrent run on this controller is topping up
        run = run_module(vps_topup.main, args)

    assert run.failed and "nothing was ordered, paid or minted" in run.result["msg"]
    assert fake_api.requests == []


def test_an_unreadable_topup_intent_fails_the_task_before_any_payment(fake_api):
    from ansible_collections.vpsfleet.cloud.plugins.module_utils._core.journal import Journal, account_ref
    args = pay_args(fake_api)
    journal = Journal(os.environ["VPSFLEET_JOURNAL_DIR"], account_ref("vpscrypto", args["api_key"]))
    journal.record("topup", "balance", method="x402", amount="25")
    with open(journal.path_of("topup", "balance"), "w") as stream:
        stream.write("{truncated")

    run = run_module(vps_topup.main, args)

    assert run.failed and "cannot be read" in run.result["msg"] and "nothing was paid" in run.result["msg"]
    assert fake_api.requests == []
