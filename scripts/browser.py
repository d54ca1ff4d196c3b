"""Headless Chromium driven through its DevTools protocol, for the
screenshots (scripts/screenshots.py, scripts/screenshots_integration.py).

Clicks and keys are real input events (``Input.dispatch*``) at the element's
place on the page, as a person's would be, so that the web client sees what
it sees in use. ``CHROMIUM`` names the binary when it is neither
``chromium`` nor ``chromium-browser`` on the PATH.
"""

import base64
import itertools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import requests
import websocket

SIZE = (1280, 800)
# The first element matching a CSS selector whose text (whitespace folded)
# is ``text``, or that contains it when ``text`` starts with "~"; visible
# ones only. Returns its box, once scrolled into view.
FIND_JS = """(() => {
    const [selector, text] = %s;
    const fold = (s) => s.replace(/\\s+/g, " ").trim();
    const matches = (e) => !text || (text.startsWith("~")
        ? fold(e.textContent).includes(text.slice(1))
        : fold(e.textContent) === text);
    const found = [...document.querySelectorAll(selector)].find(
        (e) => e.getClientRects().length && matches(e));
    if (!found) return null;
    found.scrollIntoView({block: "nearest"});
    const box = found.getBoundingClientRect();
    return {x: box.x, y: box.y, width: box.width, height: box.height};
})()"""


def chromium_binary():
    found = os.environ.get("CHROMIUM") or next(
        filter(None, map(shutil.which, ("chromium", "chromium-browser"))), None
    )
    if not found:
        sys.exit("Chromium is missing: apt-get install chromium (or set CHROMIUM)")
    return found


def admin_session(url, db, password):
    """A web session of admin (its session_id cookie)."""
    response = requests.post(
        f"{url}/web/session/authenticate",
        json={
            "jsonrpc": "2.0",
            "method": "call",
            "params": {"db": db, "login": "admin", "password": password},
        },
        timeout=60,
    )
    response.raise_for_status()
    return response.cookies["session_id"]


class Browser:
    """Headless Chromium, one page, through the DevTools protocol."""

    def __init__(self, port):
        self.profile = tempfile.mkdtemp(prefix="wf-screenshots-")
        self.process = subprocess.Popen(
            [
                chromium_binary(),
                "--headless=new",
                "--no-sandbox",  # root in containers
                "--disable-gpu",
                "--hide-scrollbars",
                f"--window-size={SIZE[0]},{SIZE[1]}",
                f"--remote-debugging-port={port}",
                f"--user-data-dir={self.profile}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.ids = itertools.count(1)
        self.ws = websocket.create_connection(self._page_socket(port), timeout=60)
        self.call(
            "Emulation.setDeviceMetricsOverride",
            width=SIZE[0],
            height=SIZE[1],
            deviceScaleFactor=1,
            mobile=False,
        )

    def _page_socket(self, port):
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                targets = requests.get(f"{url}/json", timeout=5).json()
                page = next(t for t in targets if t["type"] == "page")
                return page["webSocketDebuggerUrl"]
            except (requests.RequestException, StopIteration, ValueError):
                time.sleep(0.3)
        raise RuntimeError("Chromium's DevTools did not answer")

    def call(self, method, **params):
        call_id = next(self.ids)
        self.ws.send(json.dumps({"id": call_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == call_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def log_in(self, url, session_id):
        """Use the web session ``session_id`` on the server at ``url``."""
        host = url.split("//")[1].split(":")[0]
        self.call("Network.enable")
        self.call(
            "Network.setCookie",
            name="session_id",
            value=session_id,
            domain=host,
            path="/",
        )

    def evaluate(self, expression):
        answer = self.call(
            "Runtime.evaluate", expression=expression, returnByValue=True
        )
        if "exceptionDetails" in answer:
            raise RuntimeError(f"{expression[:60]}...: {answer['exceptionDetails']}")
        return answer.get("result", {}).get("value")

    def find(self, selector, text=None, timeout=30):
        """The box of the element (see FIND_JS), waiting for it to show."""
        expression = FIND_JS % json.dumps([selector, text])
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            box = self.evaluate(expression)
            if box:
                return box
            time.sleep(0.3)
        raise RuntimeError(f"{selector} {text or ''} did not appear in {timeout} s")

    def wait_for(self, selector, text=None, timeout=60):
        self.find(selector, text, timeout)

    def wait_gone(self, selector, timeout=30):
        deadline = time.monotonic() + timeout
        while self.evaluate(f"!!document.querySelector({json.dumps(selector)})"):
            if time.monotonic() > deadline:
                raise RuntimeError(f"{selector} still there after {timeout} s")
            time.sleep(0.3)

    def hover(self, selector, text=None):
        """Move the mouse onto the element's middle; returns the point."""
        box = self.find(selector, text)
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        self.call("Input.dispatchMouseEvent", type="mouseMoved", x=x, y=y)
        return x, y

    def click(self, selector, text=None):
        x, y = self.hover(selector, text)
        for kind in ("mousePressed", "mouseReleased"):
            self.call(
                "Input.dispatchMouseEvent",
                type=kind,
                x=x,
                y=y,
                button="left",
                clickCount=1,
            )
        time.sleep(0.4)

    def type(self, selector, text):
        """Click the field, select what it holds and type ``text`` over it."""
        self.click(selector)
        self.evaluate("document.activeElement.select?.()")
        self.call("Input.insertText", text=text)
        time.sleep(0.4)

    def pick(self, selector, text, option=None):
        """Type ``text`` in an autocomplete field and choose ``option``."""
        self.type(selector, text)
        self.click(".o-autocomplete--dropdown-item", option or text)

    def screenshot(self, path, clip=None):
        """The page (``clip``: x, y, width, height) as a PNG file."""
        params = {"format": "png"}
        if clip:
            x, y, width, height = clip
            params["clip"] = dict(x=x, y=y, width=width, height=height, scale=1)
        data = self.call("Page.captureScreenshot", **params)["data"]
        path.write_bytes(base64.b64decode(data))

    def open(self, url, selector):
        self._load(selector, "Page.navigate", url=url)

    def reload(self, selector):
        self._load(selector, "Page.reload")

    def _load(self, selector, method, **params):
        """Load a page and wait for ``selector`` on it (not on the old one)."""
        self.evaluate("window.wfOldPage = true")
        self.call(method, **params)
        deadline = time.monotonic() + 60
        while self.evaluate("window.wfOldPage === true"):
            if time.monotonic() > deadline:
                raise RuntimeError(f"{method} did not load a page")
            time.sleep(0.2)
        self.wait_for(selector)

    def close(self):
        self.ws.close()
        self.process.terminate()
        self.process.wait(timeout=30)
        shutil.rmtree(self.profile, ignore_errors=True)
