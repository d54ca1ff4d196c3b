"""End-to-end fixtures: a real Odoo server on a free port.

The database comes from ``scripts/db.sh addons-db``: a copy of the test
template with the repository's addons installed (no demo data), kept between
runs and remade when the addons change. Each session works on a fresh copy
of it, so tests may write freely.

A suite that needs more modules asks for its own server::

    @pytest.fixture(scope="session")
    def odoo_sale(odoo_servers):
        return odoo_servers(modules=("sale_management",))

Settings (database, Odoo source, addons) come from the environment, with
the same defaults as the scripts (scripts/lib.sh).
"""

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent
DB_SH = ROOT / "scripts" / "db.sh"
START_TIMEOUT = float(os.environ.get("ODOO_START_TIMEOUT", "120"))


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

    def __init__(self, db, log_path, extra_args=()):
        self.db = db
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.extra_args = list(extra_args)
        self.process = None
        self.session = requests.Session()

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
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "wb") as log:
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

    # Conveniences for tests.
    def get(self, path, **kwargs):
        kwargs.setdefault("timeout", 30)
        return self.session.get(self.url + path, **kwargs)

    def post(self, path, **kwargs):
        kwargs.setdefault("timeout", 30)
        return self.session.post(self.url + path, **kwargs)


def start_server(modules=(), log_dir=None):
    """Start Odoo on a fresh copy of a database with the addons (+ modules)."""
    template = _db_sh("addons-db", *modules)
    db = f"{template}_run"
    _db_sh("copy", template, db)
    state = Path(os.environ.get("STATE_DIR") or ROOT / ".state")
    log_path = Path(log_dir or state / "logs") / f"e2e-{db}.log"
    return OdooServer(db, log_path).start()


@pytest.fixture(scope="session")
def odoo_servers():
    """Factory: ``odoo_servers(modules=(...))`` gives a running server whose
    database has the repository's addons plus ``modules``; one per set."""
    servers = {}

    def get(modules=()):
        key = tuple(sorted(set(modules)))
        if key not in servers:
            servers[key] = start_server(key)
        return servers[key]

    yield get
    for server in servers.values():
        server.stop()


@pytest.fixture(scope="session")
def odoo(odoo_servers):
    """Odoo with the repository's addons only."""
    return odoo_servers()
