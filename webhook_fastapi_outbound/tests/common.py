# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""A real HTTP receiver on 127.0.0.1 and helpers shared by the tests."""

import json
import socket
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks import Webhook, WebhookVerificationError

from odoo import fields
from odoo.tests import TransactionCase


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # The listen backlog: the default (5) drops connections of a pool of
    # senders, which then retry them a second later.
    request_queue_size = 128


class Receiver:
    """Records every POST; answers following ``script``: a list of actions
    used in order (then ``default``): an int is a status code, ("sleep", s)
    sleeps s seconds then answers 200, ("wait", event) answers 200 once the
    threading.Event is set (30 s at most), (status, {header: value}) answers
    with those headers."""

    def __init__(self):
        self.requests = []
        self.script = []
        self.default = 200
        self.aborted = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.requests.append(
                    {
                        "path": self.path,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "body": body,
                    }
                )
                action = receiver.script.pop(0) if receiver.script else receiver.default
                status, extra = 200, {}
                if isinstance(action, tuple) and action[0] == "sleep":
                    time.sleep(action[1])
                elif isinstance(action, tuple) and action[0] == "wait":
                    action[1].wait(30)  # a threading.Event; bounded
                elif isinstance(action, tuple):  # (status, {header: value})
                    status, extra = action
                elif isinstance(action, int):
                    status = action
                answer = json.dumps({"received": True, "status": status}).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(answer)))
                    for name, value in extra.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(answer)
                except OSError:  # the client gave up (timeout)
                    receiver.aborted += 1

            def log_message(self, *args):
                pass

        self.server = _Server(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = "http://127.0.0.1:%d/hook" % self.server.server_address[1]

    def reset(self, script=None, default=200):
        self.requests.clear()
        self.script = list(script or [])
        self.default = default

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def json(self, index=-1):
        return json.loads(self.requests[index]["body"])


def closed_port_url():
    """A URL on 127.0.0.1 where nothing listens (a receiver that is down)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return "http://127.0.0.1:%d/down" % port


def verify_signature(secret, headers, body):
    """Standard Webhooks verification with the reference library
    (``standardwebhooks``, a test requirement), as a receiver does it:
    independent of the addon's signing code."""
    try:
        Webhook(secret).verify(body, headers)
    except WebhookVerificationError:
        return False
    return True


class OutboundMixin:
    @classmethod
    def _setup_outbound(cls):
        cls.receiver = Receiver()
        cls.addClassCleanup(cls.receiver.stop)
        icp = cls.env["ir.config_parameter"].sudo()
        icp.set_param("webhook.outbound_allowed_hosts", '["127.0.0.1"]')
        # One delivery at a time: tests of order, retries and signatures
        # read the receiver's requests in sending order. The pool itself is
        # tested in test_sending_pool.py.
        icp.set_param("webhook.outbound_concurrency", "1")
        cls.Rule = cls.env["webhook.outbound.rule"]
        cls.Log = cls.env["webhook.log"]
        cls.Partner = cls.env["res.partner"]
        cls.partner_model = cls.env["ir.model"]._get("res.partner")

    def setUp(self):
        super().setUp()
        self.receiver.reset()
        # Rules of a previous test were rolled back, but their data lives on
        # in the cache: start from the database.
        self.registry.clear_cache()

    def make_rule(self, **vals):
        values = {
            "name": "Invoice address",
            "model_id": self.partner_model.id,
            "domain": "[('type', '=', 'invoice')]",
            "endpoint_source": "static",
            "endpoint_url": self.receiver.url,
            "authorization_header": "Bearer s3cr3t-token",
            **vals,
        }
        return self.Rule.create(values)

    def commit_hooks(self):
        """What a commit does before COMMIT (flush and run the pre-commit
        hooks, where events are queued; test cursors never commit), then
        what the sending job does first: build the deliveries."""
        self.env.cr.flush()
        self.env["webhook.outbound.queue"]._build_deliveries()
        self.env.flush_all()

    def deliveries(self, rule=None):
        domain = [("log_type", "=", "send")]
        if rule:
            domain.append(("outbound_rule_id", "=", rule.id))
        return self.Log.search(domain, order="id")

    def send(self):
        """Run what the cron runs for one batch, with due dates honoured."""
        return self.env["webhook.outbound.queue"]._send_due(limit=100)

    def make_due(self, deliveries):
        deliveries.write(
            {"next_attempt_date": fields.Datetime.now() - timedelta(seconds=1)}
        )

    def commit_writes(self, records, *vals_list):
        """Write each of ``vals_list`` on ``records`` and commit after each
        (commit_hooks): a transition is judged per commit, so two writes
        before one commit may cancel out. What is pending before the call
        goes with the first commit."""
        for vals in vals_list:
            records.write(vals)
            self.commit_hooks()


class OutboundCase(OutboundMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_outbound()
