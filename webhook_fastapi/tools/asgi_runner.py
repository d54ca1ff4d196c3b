# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Runs the webhook app (ASGI) on the thread of Odoo's request.

The fastapi addon runs every app through a2wsgi on an event loop of its
own thread: the request's thread hands the app each message (the body,
the answer's start, its body) through thread-safe queues, some eight
thread switches per call, each a wait for the GIL and for the loop's
wake-up (about 1 ms a call, far more on a busy machine); and under load it
could lose an error the app raised before answering (a 500 for a 422,
which the dispatcher worked around by running the request again). Here
an idle event loop runs the app to completion on the calling thread
instead: the same app, scope (a2wsgi's ``build_scope``), body and answer,
with none of those switches. A loop runs one request at a time; idle loops are kept
for the next request. The endpoint's app is called as the mount of the
fastapi addon's outer app calls it (``_mounted_app``).
"""

import asyncio
import logging
import queue

from a2wsgi.asgi import build_scope
from starlette.routing import Match, Mount

_logger = logging.getLogger(__name__)

CHUNK = 65536  # as a2wsgi reads the body

_idle_loops = queue.SimpleQueue()


def run_asgi(app, environ):
    """``(status, headers, body)`` of the ASGI ``app``'s answer to the WSGI
    ``environ``. The app's exceptions propagate, as the fastapi dispatcher
    raises them (a2wsgi hands them over), except one raised after the
    answer was complete (a background task's), which a2wsgi drops: logged."""
    body = _read_body(environ)
    answer = {"status": None, "headers": [], "body": [], "complete": False}
    try:
        loop = _idle_loops.get_nowait()
    except queue.Empty:
        loop = asyncio.new_event_loop()
    app, scope = _mounted_app(app, build_scope(environ))
    try:
        loop.run_until_complete(_serve(app, scope, body, answer))
    except Exception:
        if not answer["complete"]:
            raise
        _logger.exception("The API's app failed after its answer was sent")
    finally:
        _idle_loops.put(loop)
    return answer["status"], answer["headers"], b"".join(answer["body"])


def _mounted_app(app, scope):
    """The endpoint's own app and its scope, as the fastapi addon's app
    (an empty FastAPI app that mounts it at the endpoint's root path) would
    hand them to it (``Mount.matches``): that outer app only adds a second
    pass through FastAPI's middleware stack (0.4 ms of CPU a call), its
    exception handlers being cleared as the mounted app's are. A path that
    the mount does not fully match is left to the outer app."""
    for route in app.routes:
        if isinstance(route, Mount):
            match, child_scope = route.matches(scope)
            if match is Match.FULL:
                return route.app, {**scope, **child_scope}
    return app, scope


def _read_body(environ):
    # Like a2wsgi: only Content-Length bytes (none without one); the stream
    # is bounded by the dispatcher (tools/body_limit.py), and a body too
    # large raises here, before the app runs.
    length = int(environ.get("CONTENT_LENGTH") or 0)
    stream = environ.get("wsgi.input")
    chunks, read = [], 0
    while stream is not None and read < length:
        data = stream.read(min(CHUNK, length - read))
        if not data:
            break
        chunks.append(data)
        read += len(data)
    return b"".join(chunks)


async def _serve(app, scope, body, answer):
    done = asyncio.Event()
    received = False

    async def receive():
        nonlocal received
        if not received:
            received = True
            return {"type": "http.request", "body": body, "more_body": False}
        await done.wait()  # the app listens for a disconnect: once answered
        return {"type": "http.disconnect"}

    async def send(message):
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
            answer["headers"] = [
                (name.strip().decode("latin1"), value.strip().decode("latin1"))
                for name, value in message.get("headers", ())
            ]
        elif message["type"] == "http.response.body":
            answer["body"].append(message.get("body", b""))
            if not message.get("more_body", False):
                answer["complete"] = True
                done.set()

    await app(scope, receive, send)
