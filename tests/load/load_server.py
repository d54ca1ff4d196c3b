"""The Odoo server of a load run (``load_driver.py``), and what is measured
around it: its processes' CPU, PostgreSQL's active time and the machine's
busy jiffies. Only 127.0.0.1."""

import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg2
import requests

ROOT = Path(__file__).resolve().parents[2]
TICK = os.sysconf("SC_CLK_TCK")

sys.path.insert(0, str(ROOT / "tests"))
from helpers.server import _free_port as free_port  # noqa: E402
from helpers.server import pg_settings  # noqa: E402


def sql(db, query, args=None):
    conn = psycopg2.connect(dbname=db, **pg_settings())
    try:
        with conn, conn.cursor() as cr:
            cr.execute(query, args)
            return cr.fetchall()
    finally:
        conn.close()


class Server:
    def __init__(self, db, workers, log_path, extra=()):
        self.db, self.workers, self.log_path = db, workers, log_path
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        odoo_cmd = subprocess.run(
            ["bash", str(ROOT / "scripts" / "db.sh"), "odoo-cmd"],
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        ).stdout.split("\n")
        self.cmd = [w for w in odoo_cmd if w] + [
            "-d",
            db,
            "--db-filter",
            f"^{db}$",
            "--http-interface",
            "127.0.0.1",
            "--http-port",
            str(self.port),
            "--gevent-port",
            str(free_port()),
            "--workers",
            str(workers),
            "--max-cron-threads",
            "0",
            "--limit-time-real",
            "300",
            "--limit-time-cpu",
            "300",
            "--log-level",
            "warn",
            *extra,
        ]
        self.process = None

    def start(self):
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                self.cmd,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Odoo stopped: see {self.log_path}")
            try:
                if requests.get(self.url + "/web/health", timeout=2).ok:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"Odoo did not answer: see {self.log_path}")

    def cpu_seconds(self):
        """CPU of Odoo's processes: the root, its live children, and the
        children it has reaped (cutime/cstime)."""
        total = 0
        for pid in [self.process.pid, *_children(self.process.pid)]:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += sum(int(v) for v in fields[11:15])  # utime stime cutime cstime
        return total / TICK

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def _children(pid):
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if ppid == pid:
                out += [int(entry.name), *_children(int(entry.name))]
    return out


def machine_busy():
    """(busy, total) jiffies of all cores since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def pg_active_ms(db):
    return sql(
        "postgres",
        "SELECT coalesce(active_time, 0) FROM pg_stat_database " "WHERE datname = %s",
        [db],
    )[0][0]


def counters(server, db):
    """Odoo's CPU seconds, PostgreSQL's active ms in ``db`` (None: not read
    now), the machine's (busy, total) jiffies and this process's resource
    usage, read in this order."""
    return {
        "cpu": server.cpu_seconds(),
        "pg": pg_active_ms(db) if db else None,
        "busy": machine_busy(),
        "me": resource.getrusage(resource.RUSAGE_SELF),
    }


def duplicate_refs(db, run):
    """How many of the run's upserted refs more than one partner has."""
    return sql(
        db,
        "SELECT count(*) FROM (SELECT ref FROM res_partner WHERE ref "
        "LIKE %s GROUP BY ref HAVING count(*) > 1) AS d",
        [f"LOAD-{run}-%"],
    )[0][0]
