"""A real webhook receiver on 127.0.0.1 for the end-to-end tests.

It records every POST (path, headers, body) and answers according to a
script. Signatures are checked with ``verify_signature``, written from the
Standard Webhooks specification, independently of the addon's code.
"""

import base64
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    """``script`` is a list of actions used one per request, in order, then
    ``default``: an int answers that status; ``"block"`` holds the request
    until ``release()`` (at most ``BLOCK_LIMIT`` seconds), then answers 200."""

    BLOCK_LIMIT = 60

    def __init__(self):
        self.requests = []
        self.script = []
        self.default = 200
        self.lock = threading.Lock()
        self.released = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                with receiver.lock:
                    receiver.requests.append(
                        {
                            "path": self.path,
                            "headers": {k.lower(): v for k, v in self.headers.items()},
                            "body": body,
                            "time": time.monotonic(),
                        }
                    )
                    action = (
                        receiver.script.pop(0) if receiver.script else receiver.default
                    )
                status = action if isinstance(action, int) else 200
                if action == "block":
                    receiver.released.wait(receiver.BLOCK_LIMIT)
                answer = json.dumps({"received": True}).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(answer)))
                    self.end_headers()
                    self.wfile.write(answer)
                except OSError:  # the sender is gone (killed, timed out)
                    pass

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = "http://127.0.0.1:%d/hook" % self.server.server_address[1]

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

    def wait_for(self, count, timeout=60):
        """Wait (bounded) until at least ``count`` requests have arrived."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.requests) >= count:
                return self.received()
            time.sleep(0.1)
        raise AssertionError(
            f"the receiver got {len(self.requests)} request(s) in {timeout} s, "
            f"expected {count}"
        )

    def stop(self):
        self.release()
        self.server.shutdown()
        self.server.server_close()


def verify_signature(secret, headers, body):
    """Standard Webhooks: ``v1,<base64 HMAC-SHA256 of "id.timestamp.body">``
    keyed with the base64-decoded part of ``whsec_...``."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    expected = "v1," + base64.b64encode(digest).decode()
    return any(
        hmac.compare_digest(sig, expected)
        for sig in headers["webhook-signature"].split()
    )
