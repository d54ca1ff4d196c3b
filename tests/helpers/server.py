"""Real Odoo servers for the end-to-end suites (tests/conftest.py gives
them as fixtures).

``prepare_server()`` copies the addons' database (``scripts/db.sh
addons-db``, plus any modules), makes the API user and its API key in it
(tests/helpers/api_user.py, the only place the suites mint keys) and returns
an ``OdooServer``; ``start_server()`` also starts it. Settings come from the
environment, with the same defaults as the scripts (scripts/lib.sh).
"""

import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psycopg2
import requests

ROOT = Path(__file__).resolve().parents[2]
DB_SH = ROOT / "scripts" / "db.sh"
API_USER_SCRIPT = ROOT / "tests" / "helpers" / "api_user.py"
START_TIMEOUT = float(os.environ.get("ODOO_START_TIMEOUT", "120"))
ADMIN_UID, ADMIN_PASSWORD = 2, "admin"


def _db_sh(*args):
    """Run scripts/db.sh; its messages go to our stderr, its answer is returned."""
    result = subprocess.run(
        ["bash", str(DB_SH), *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        check=False,
    )
    if result.returncode:
        raise RuntimeError(f"scripts/db.sh {' '.join(args)} failed (see above)")
    return result.stdout.strip()


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class OdooServer:
    """An Odoo process serving one database on 127.0.0.1."""

    def __init__(self, db, log_path, extra_args=(), api_user=None):
        self.db = db
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.extra_args = list(extra_args)
        self.process = None
        self.session = requests.Session()
        api_user = api_user or {}
        self.api_login = api_user.get("login")
        self.api_password = api_user.get("password")
        self.api_uid = api_user.get("uid")
        self.api_key = api_user.get("key")
        self._rpc_ids = itertools.count(1)

    def start(self):
        cmd = _db_sh("odoo-cmd").splitlines()
        cmd += [
            "-d", self.db,
            "--http-interface", "127.0.0.1",
            "--http-port", str(self.port),
            "--workers", "0",
            "--max-cron-threads", "0",
            *self.extra_args,
        ]  # fmt: skip
        if "--workers" in self.extra_args:
            # Prefork servers also open a gevent port (8072 by default).
            cmd += ["--gevent-port", str(_free_port())]
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                cmd,
                cwd=ROOT,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            self.wait_for("/web/health")
            self.wait_for("/api/openapi.json")
        except Exception:
            self.stop()
            raise
        return self

    def wait_for(self, path, timeout=START_TIMEOUT):
        deadline = time.monotonic() + timeout
        last = "no answer"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"Odoo stopped (exit code {self.process.returncode}) before "
                    f"{path} answered:\n{self.log_tail()}"
                )
            try:
                response = self.session.get(self.url + path, timeout=5)
                if response.status_code == 200:
                    return
                last = f"HTTP {response.status_code}"
            except requests.RequestException as exc:
                last = repr(exc)
            time.sleep(0.3)
        raise RuntimeError(
            f"{self.url}{path} gave no 200 in {timeout} s ({last}):\n{self.log_tail()}"
        )

    def log_tail(self, lines=40):
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.session.close()

    def kill(self):
        """SIGKILL the whole server (a crash: nothing is cleaned up)."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)
        self.session.close()

    def restart(self):
        """Start again on the same database (after stop() or kill())."""
        self.session = requests.Session()
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        return self.start()

    # Conveniences for tests.
    def get(self, path, **kwargs):
        kwargs.setdefault("timeout", 30)
        return self.session.get(self.url + path, **kwargs)

    def post(self, path, **kwargs):
        kwargs.setdefault("timeout", 30)
        return self.session.post(self.url + path, **kwargs)

    def api(self, route, params=None, *, body=None, raw=None, headers=None, key=True):
        """POST to /api/<route> with the API key (``key=None``: none, a string:
        that Authorization header); returns (status, parsed body or text)."""
        if key is True:
            key = f"Bearer {self.api_key}"
        auth = {} if key is None else {"Authorization": key}
        all_headers = {"Content-Type": "application/json", **auth, **(headers or {})}
        if raw is None:
            raw = json.dumps(body if body is not None else {"params": params})
        response = requests.post(
            f"{self.url}/api/{route}", data=raw, headers=all_headers, timeout=120
        )
        try:
            return response.status_code, response.json()
        except ValueError:
            return response.status_code, response.text

    def api_user_session(self):
        """A requests.Session logged in as the API user through
        /web/session/authenticate (the README's cookie way in)."""
        session = requests.Session()
        response = session.post(
            f"{self.url}/web/session/authenticate",
            json={
                "jsonrpc": "2.0",
                "method": "call",
                "params": {
                    "db": self.db,
                    "login": self.api_login,
                    "password": self.api_password,
                },
            },
            timeout=60,
        )
        response.raise_for_status()
        assert (
            response.json().get("result", {}).get("uid") == self.api_uid
        ), response.text
        assert session.cookies.get("session_id")
        return session

    def rpc(self, model, method, *args, **kwargs):
        """``execute_kw`` through /jsonrpc as admin; raises on an RPC error."""
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "id": next(self._rpc_ids),
            "params": {
                "service": "object",
                "method": "execute_kw",
                "args": [self.db, ADMIN_UID, ADMIN_PASSWORD, model, method, list(args)]
                + ([kwargs] if kwargs else []),
            },
        }
        response = requests.post(f"{self.url}/jsonrpc", json=payload, timeout=300)
        response.raise_for_status()
        answer = response.json()
        if "error" in answer:
            data = answer["error"].get("data") or {}
            raise RuntimeError(f"{model}.{method}: {data.get('message') or answer}")
        return answer["result"]

    def sql(self, query, args=None):
        """Rows of a read-only query, straight from PostgreSQL (works while
        the server is down)."""
        with psycopg2.connect(dbname=self.db, **pg_settings()) as conn:
            with conn.cursor() as cr:
                cr.execute(query, args)
                rows = cr.fetchall()
        conn.close()
        return rows

    def set_param(self, key, value):
        self.rpc("ir.config_parameter", "set_param", key, value)

    def last_log_id(self):
        return self.sql("SELECT coalesce(max(id), 0) FROM webhook_log")[0][0]

    def run_cron(self, xmlid):
        """Run a scheduled action now, in this request (no cron thread needed)."""
        module, name = xmlid.split(".")
        cron_id = self.rpc(
            "ir.model.data",
            "search_read",
            [("module", "=", module), ("name", "=", name)],
            ["res_id"],
        )[0]["res_id"]
        return self.rpc("ir.cron", "method_direct_trigger", [cron_id])


def pg_settings():
    return {
        "host": os.environ.get("DB_HOST", "127.0.0.1"),
        "port": int(os.environ.get("DB_PORT", "5432")),
        "user": os.environ.get("DB_USER", "odoo"),
        "password": os.environ.get("DB_PASSWORD", "odoo"),
    }


def make_api_user(db, log_path):
    """Run tests/helpers/api_user.py on ``db`` (its server stopped)."""
    cmd = _db_sh("odoo-cmd").splitlines()
    python, odoo_args = cmd[0], cmd[2:]
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "wb") as log:
        result = subprocess.run(
            [python, str(API_USER_SCRIPT), *odoo_args, "-d", db, "--log-level=warn"],
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
            check=False,
        )
    if result.returncode:
        sys.stderr.write(log_path.read_text(encoding="utf-8", errors="replace"))
        raise RuntimeError(f"{API_USER_SCRIPT.name} failed on {db}: see {log_path}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def prepare_server(modules=(), name="", extra_args=(), log_dir=None):
    """A fresh copy of a database with the addons (+ modules) and the API
    user, and a server for it (not started)."""
    template = _db_sh("addons-db", *modules)
    db = f"{template}_run{name and '_' + name}"
    _db_sh("copy", template, db)
    state = Path(os.environ.get("STATE_DIR") or ROOT / ".state")
    log_dir = Path(log_dir or state / "logs")
    log_path = log_dir / f"e2e-{db}.log"
    log_path.unlink(missing_ok=True)
    api_user = make_api_user(db, log_dir / f"e2e-{db}-api-user.log")
    return OdooServer(db, log_path, extra_args=extra_args, api_user=api_user)


def start_server(modules=(), log_dir=None, name="", extra_args=()):
    """Start Odoo on a fresh copy of a database with the addons (+ modules)."""
    return prepare_server(modules, name, extra_args, log_dir).start()
