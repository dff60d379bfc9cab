# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vpsfleet maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A VPSCrypto-shaped ``POST /topups`` behind the x402 SDK 1.0.0 Flask middleware (protocol v1).

Run as ``python x402_v1_server.py FACILITATOR_URL PAY_TO`` with x402 1.0.0 first on PYTHONPATH
(the test venv holds 2.x under the same name). Listens on 127.0.0.1, port 0, prints ``PORT <n>``
and serves until its standard input closes.
"""

import json
import logging
import sys
import threading

from flask import Flask
from werkzeug.serving import make_server
from x402.flask.middleware import PaymentMiddleware


def main(facilitator_url, pay_to):
    app = Flask("vpscrypto-x402-v1-peer")

    @app.post("/topups")
    def topup():
        body = {"ref": "vps-26-00000000v1", "status": "completed", "amount_usd": 25, "coin": "USDCBASE",
                "deposit_address": pay_to, "deposit_amount": "25", "deposit_coin": "USDC", "deposit_network": "base",
                "qr_data_uri": None, "expires_at": None}
        return app.response_class(json.dumps(body), status=201, mimetype="application/json")

    PaymentMiddleware(app).add(path="/topups", price="$25", pay_to_address=pay_to, network="base",
                               description="VPSCrypto balance top-up", facilitator_config={"url": facilitator_url})
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print("PORT %d" % server.server_port, flush=True)
    sys.stdin.read()  # the test closes it to stop the server
    server.shutdown()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
