"""A real webhook receiver on 127.0.0.1, and the receivers' side of the
Standard Webhooks signature check.

Signatures are verified with the reference library ``standardwebhooks``
(PyPI), exactly as a receiver of our deliveries would, so that the tests do
not share a single line with the addon's signing code.
"""

import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks import Webhook, WebhookVerificationError


def verify_signature(secret, headers, body):
    """Whether ``standardwebhooks.Webhook(secret).verify(body, headers)``
    accepts a delivery (``secret`` as the rule shows it: ``whsec_<base64>``;
    the timestamp must be within the library's five minutes)."""
    try:
        Webhook(secret).verify(body, headers)
    except WebhookVerificationError:
        return False
    return True


ANSWER = json.dumps({"received": True}).encode()


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 - http.server's naming
        length = int(self.headers.get("Content-Length") or 0)
        status = self.server.receiver.record(self, self.rfile.read(length))
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(ANSWER)))
        self.end_headers()
        self.wfile.write(ANSWER)

    def log_message(self, *args):
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # The listen backlog: the default (5) drops connections of a pool of
    # senders, which then retry them a second later.
    request_queue_size = 128

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)
        # else: the sender is gone (killed, timed out) before the answer


class Receiver:
    """Records every POST (path, lower-cased headers, body, arrival time)
    and answers according to ``script``: a list of actions used one per
    request, in order, then ``default``. An int answers that status;
    ``"block"`` holds the request until ``release()`` (at most
    ``BLOCK_LIMIT`` seconds), then answers 200. Every answer waits ``delay``
    seconds first (a slow receiver). Usable as a context manager."""

    BLOCK_LIMIT = 60

    def __init__(self, delay=0.0):
        self.requests = []
        self.script = []
        self.default = 200
        self.delay = delay
        self.lock = threading.Lock()
        self.released = threading.Event()
        self.server = _Server(("127.0.0.1", 0), _Handler)
        self.server.receiver = self
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.stop()

    def record(self, request, body):
        """Store one POST; return the status to answer (after any wait)."""
        headers = {k.lower(): v for k, v in request.headers.items()}
        entry = {"path": request.path, "headers": headers, "body": body}
        with self.lock:
            self.requests.append({**entry, "time": time.monotonic()})
            action = self.script.pop(0) if self.script else self.default
        if action == "block":
            self.released.wait(self.BLOCK_LIMIT)
        time.sleep(self.delay)
        return action if isinstance(action, int) else 200

    def reset(self, script=(), default=200):
        with self.lock:
            self.requests.clear()
            self.script = list(script)
            self.default = default
        self.released.clear()

    def release(self):
        self.released.set()

    def received(self):
        with self.lock:
            return list(self.requests)

    @property
    def count(self):
        return len(self.received())

    def wait_for(self, count, timeout=60):
        """Wait (bounded) until at least ``count`` requests have arrived."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.count >= count:
                return self.received()
            time.sleep(0.1)
        raise AssertionError(
            f"the receiver got {self.count} request(s) in {timeout} s, "
            f"expected {count}"
        )

    def stop(self):
        self.release()
        self.server.shutdown()
        self.server.server_close()
