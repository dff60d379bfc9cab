# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A VPSCrypto-shaped ``POST /topups`` served by the reference x402 SDK (2.x, protocol v2).

Nothing here re-implements the protocol: the resource server is the SDK's own Flask payment
middleware, its facilitator client the SDK's HTTP client, and the facilitator the SDK's
exact-EVM scheme, served over HTTP. Only the chain is a stub (``StubChain``): it holds USDC
balances, spent nonces and transactions, and can fail the way a node does: a receipt that never
comes (the SDK answers ``settlement_pending`` with the transaction), or a facilitator that
answers 500 after it settled (the SDK answers ``Facilitator settle failed (500): ...``).

Both servers listen on 127.0.0.1, port 0, in daemon threads; ``close()`` stops them.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import pathlib
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from flask import Flask, jsonify
from werkzeug.serving import make_server
from x402 import x402FacilitatorSync, x402ResourceServerSync
from x402.extensions.payment_identifier import PAYMENT_IDENTIFIER, declare_payment_identifier_extension
from x402.http import FacilitatorConfig, HTTPFacilitatorClientSync
from x402.http.middleware.flask import payment_middleware
from x402.http.types import PaymentOption, RouteConfig
from x402.mechanisms.evm import exact as exact_evm
from x402.mechanisms.evm.exact import facilitator as exact_facilitator
from x402.mechanisms.evm.exact.v1.facilitator import ExactEvmSchemeV1
from x402.mechanisms.evm.exact.eip3009_utils import ERC20_TRANSFER_EVENT_TOPIC
from x402.mechanisms.evm.types import TransactionReceipt
from x402.schemas import PaymentPayload, PaymentPayloadV1, PaymentRequirements, PaymentRequirementsV1

NETWORK = "eip155:8453"
CHAIN_ID = 8453
USDC = "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913"
FACILITATOR_ADDRESS = "0x" + "fa" * 20
PAY_TO = "0x209693Bc6afc0C5328bA36FaF03C514EF312287C"


def _word(value):
    return value.hex() if isinstance(value, bytes) else "%064x" % value


class StubChain(object):
    """The facilitator's view of Base: USDC balances, used nonces, transactions and receipts.

    Implements the SDK's ``FacilitatorEvmSigner`` for the EIP-3009 path: ``get_code``,
    ``read_contract`` (the transfer simulation), ``write_contract`` (the transfer) and
    ``wait_for_transaction_receipt``. ``mode`` chooses how settling goes: ``ok``; ``pending``
    (the transfer is mined but its receipt never comes back in time); ``revert`` (the transfer
    call fails before anything is sent).
    """

    def __init__(self):
        self.balances = {}
        self.used_nonces = set()
        self.transfers = []
        self.mode = "ok"
        self.clock_offset = 0
        self._receipts = {}
        self._lock = threading.Lock()

    # what the tests set up and read
    def fund(self, address, base_units):
        self.balances[address.lower()] = self.balances.get(address.lower(), 0) + base_units

    def balance(self, address):
        return self.balances.get(address.lower(), 0)

    # FacilitatorEvmSigner
    def get_addresses(self):
        return [FACILITATOR_ADDRESS]

    def get_chain_id(self):
        return CHAIN_ID

    def get_code(self, address):
        return b"\x60\x80" if address.lower() == USDC.lower() else b""

    def get_balance(self, address, token_address):
        return self.balance(address)

    def verify_typed_data(self, *args, **kwargs):
        raise AssertionError("the exact-EVM facilitator recovers EOA signatures itself")

    def send_transaction(self, to, data):
        raise AssertionError("no smart-wallet deployment in these tests")

    def _check_transfer(self, token, args):
        payer, payee, value, valid_after, valid_before, nonce = args[:6]
        now = time.time() + self.clock_offset
        if token.lower() != USDC.lower():
            raise RuntimeError("execution reverted: not the USDC contract")
        if (payer.lower(), bytes(nonce)) in self.used_nonces:
            raise RuntimeError("execution reverted: FiatTokenV2: authorization is used or canceled")
        if now <= valid_after:
            raise RuntimeError("execution reverted: FiatTokenV2: authorization is not yet valid")
        if now >= valid_before:
            raise RuntimeError("execution reverted: FiatTokenV2: authorization is expired")
        if self.balance(payer) < value:
            raise RuntimeError("execution reverted: ERC20: transfer amount exceeds balance")
        return payer, payee, value, bytes(nonce)

    def read_contract(self, address, abi, function_name, *args):
        if function_name != "transferWithAuthorization":
            raise AssertionError("unexpected read of %s" % function_name)
        with self._lock:
            self._check_transfer(address, args)
        return None

    def write_contract(self, address, abi, function_name, *args, data_suffix=None):
        if function_name != "transferWithAuthorization":
            raise AssertionError("unexpected write of %s" % function_name)
        if self.mode == "revert":
            raise RuntimeError("execution reverted: stub chain refused the transaction")
        with self._lock:
            payer, payee, value, nonce = self._check_transfer(address, args)
            self.used_nonces.add((payer.lower(), nonce))
            self.balances[payer.lower()] -= value
            self.fund(payee, value)
            tx_hash = "0x" + hashlib.sha256(payer.lower().encode("ascii") + nonce).hexdigest()
            self.transfers.append({"from": payer, "to": payee, "value": value, "nonce": "0x" + nonce.hex(),
                                   "valid_after": args[3], "valid_before": args[4], "transaction": tx_hash})
            self._receipts[tx_hash] = TransactionReceipt(status=1, block_number=len(self.transfers), tx_hash=tx_hash,
                                                         logs=[{"address": USDC,
                                                                "topics": [ERC20_TRANSFER_EVENT_TOPIC,
                                                                           "0x" + "0" * 24 + payer[2:].lower(),
                                                                           "0x" + "0" * 24 + payee[2:].lower()],
                                                                "data": "0x" + _word(value)}])
        return tx_hash

    def wait_for_transaction_receipt(self, tx_hash):
        if self.mode == "pending":
            raise TimeoutError("Transaction %s is not in the chain after 120 seconds" % tx_hash)
        return self._receipts[tx_hash]


class _ShiftedClock(object):
    """``time`` for the SDK facilitator's module, ``offset`` seconds off the real clock."""

    def __init__(self, chain):
        self._chain = chain

    def time(self):
        return time.time() + self._chain.clock_offset

    def __getattr__(self, name):
        return getattr(time, name)


class FacilitatorService(object):
    """The SDK facilitator (exact EVM over the stub chain) behind HTTP, as the SDK's client expects:
    ``GET /supported``, ``POST /verify``, ``POST /settle``. ``fail_after_settle`` makes /settle
    settle, then answer 500. Every verify and settle request is recorded in ``calls``."""

    def __init__(self, chain):
        self.chain = chain
        self.calls = []
        self.fail_after_settle = False
        self.facilitator = x402FacilitatorSync().register([NETWORK], exact_evm.ExactEvmFacilitatorScheme(chain))
        self.facilitator.register_v1(["base"], ExactEvmSchemeV1(chain))
        service = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status, document):
                data = json.dumps(document).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):  # noqa: N802
                self._send(200, service.facilitator.get_supported().model_dump(by_alias=True, exclude_none=True))

            def do_POST(self):  # noqa: N802
                request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                v1 = request.get("x402Version") == 1
                payload = (PaymentPayloadV1 if v1 else PaymentPayload).model_validate(request["paymentPayload"])
                requirements = (PaymentRequirementsV1 if v1 else PaymentRequirements).model_validate(
                    request["paymentRequirements"])
                kind = self.path.rstrip("/").rsplit("/", 1)[-1]
                service.calls.append({"kind": kind, "payload": request["paymentPayload"],
                                      "requirements": request["paymentRequirements"]})
                result = getattr(service.facilitator, kind)(payload, requirements)
                if kind == "settle" and service.fail_after_settle:
                    self._send(500, {"error": "Internal Server Error"})
                    return
                self._send(200, result.model_dump(by_alias=True, exclude_none=True))

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = "http://127.0.0.1:%d" % self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self):
        self._server.shutdown()
        self._server.server_close()


class VpsCryptoX402Peer(object):
    """``POST /topups`` behind the SDK's Flask payment middleware, 25 USD in USDC on Base.

    ``max_timeout_seconds`` is what the 402 offers; ``payment_identifier`` declares that
    extension (required). ``credited`` lists the top-ups the handler served.
    """

    def __init__(self, max_timeout_seconds=300, payment_identifier=False):
        self.chain = StubChain()
        self.facilitator_service = FacilitatorService(self.chain)
        self.credited = []
        exact_facilitator.time = _ShiftedClock(self.chain)
        app = Flask("vpscrypto-x402-peer")

        @app.post("/topups")
        def topup():
            ref = "vps-26-%010x" % (len(self.credited) + 1)
            self.credited.append(ref)
            return jsonify({"ref": ref, "status": "completed", "amount_usd": 25, "coin": "USDCBASE",
                            "deposit_address": PAY_TO, "deposit_amount": "25", "deposit_coin": "USDC",
                            "deposit_network": "base", "qr_data_uri": None, "expires_at": None}), 201

        @app.get("/account")
        def account():
            return jsonify({"account_id": "acct-peer", "balance_usd": "0.00"})

        extensions = None
        if payment_identifier:
            extensions = {PAYMENT_IDENTIFIER: declare_payment_identifier_extension(required=True)}
        routes = {"POST /topups": RouteConfig(
            accepts=PaymentOption(scheme="exact", pay_to=PAY_TO, price="$25", network=NETWORK,
                                  max_timeout_seconds=max_timeout_seconds),
            description="VPSCrypto balance top-up", mime_type="application/json", extensions=extensions)}
        server = x402ResourceServerSync(HTTPFacilitatorClientSync(FacilitatorConfig(url=self.facilitator_service.url)))
        server.register(NETWORK, exact_evm.ExactEvmServerScheme())
        payment_middleware(app, routes, server)
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = "http://127.0.0.1:%d" % self._server.server_port
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def calls(self, kind):
        """The facilitator's verify or settle requests."""
        return [call for call in self.facilitator_service.calls if call["kind"] == kind]

    def close(self):
        self._server.shutdown()
        self.facilitator_service.close()
        exact_facilitator.time = time


class VpsCryptoX402V1Peer(object):
    """The same endpoint behind the x402 SDK 1.0.0 Flask middleware (protocol v1), in its own process
    with ``x402_v1_path`` (a directory holding x402 1.0.0) first on its path; the facilitator is
    the 2.x SDK's v1 exact-EVM scheme over the stub chain, in this process."""

    def __init__(self, x402_v1_path):
        self.chain = StubChain()
        self.facilitator_service = FacilitatorService(self.chain)
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(
            [str(x402_v1_path)] + [entry for entry in os.environ.get("PYTHONPATH", "").split(os.pathsep) if entry]))
        script = pathlib.Path(__file__).resolve().parent / "x402_v1_server.py"
        self._process = subprocess.Popen([sys.executable, str(script), self.facilitator_service.url, PAY_TO],
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, text=True)
        line = self._process.stdout.readline()
        if not line.startswith("PORT "):
            self.close()
            raise RuntimeError("the x402 1.0.0 server did not start")
        self.url = "http://127.0.0.1:%d" % int(line.split()[1])

    def calls(self, kind):
        return [call for call in self.facilitator_service.calls if call["kind"] == kind]

    def close(self):
        self._process.stdin.close()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self.facilitator_service.close()
