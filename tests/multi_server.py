"""Several Odoo servers on one database (tests/test_two_servers.py and the
load command's two-server variant, tests/load/two_servers.py).

``start_pair()`` makes a fresh copy of the addons' database (as every e2e
server: tests/helpers/server.py), starts a first server on it, then a second
Odoo process on the same database: another port and its own data dir (the
database's filestore copied into it, as a second machine would have it on
shared storage). Both are ``OdooServer`` objects: ``api``, ``rpc``, ``sql``,
``kill`` work on either.

``install_audit()`` adds a table and a trigger to that database (a test
copy: never the addons' database) that record, for every delivery, each
lease (the ``lease_pid`` the sending job writes when it claims) and each
change of state, with the PostgreSQL ``application_name`` of the session
that wrote it: Odoo names its connections ``odoo-<process id>``, so every
row says which server did it.
"""

import shutil
from pathlib import Path

import psycopg2
from helpers.server import OdooServer, pg_settings, prepare_server

SEND_CRON = "webhook_fastapi_outbound.ir_cron_webhook_outbound_send"

AUDIT_SQL = """
CREATE TABLE IF NOT EXISTS test_delivery_audit (
    id serial PRIMARY KEY,
    delivery_id int NOT NULL,
    what text NOT NULL,          -- 'lease' or the new state
    backend_pid int NOT NULL,
    app text NOT NULL,
    at timestamp NOT NULL DEFAULT clock_timestamp()
);
CREATE OR REPLACE FUNCTION test_delivery_audit_fn() RETURNS trigger AS $$
BEGIN
    IF NEW.log_type = 'send' THEN
        IF coalesce(NEW.lease_pid, 0) > 0
           AND NEW.lease_pid IS DISTINCT FROM OLD.lease_pid THEN
            INSERT INTO test_delivery_audit (delivery_id, what, backend_pid, app)
            VALUES (NEW.id, 'lease', pg_backend_pid(),
                    current_setting('application_name'));
        END IF;
        IF NEW.state IS DISTINCT FROM OLD.state THEN
            INSERT INTO test_delivery_audit (delivery_id, what, backend_pid, app)
            VALUES (NEW.id, NEW.state, pg_backend_pid(),
                    current_setting('application_name'));
        END IF;
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS test_delivery_audit_trg ON webhook_log;
CREATE TRIGGER test_delivery_audit_trg AFTER UPDATE ON webhook_log
    FOR EACH ROW EXECUTE FUNCTION test_delivery_audit_fn();
"""


def execute(db, query, args=None):
    """Run a writing query on ``db`` and commit (server.sql reads only)."""
    conn = psycopg2.connect(dbname=db, **pg_settings())
    try:
        with conn, conn.cursor() as cr:
            cr.execute(query, args)
    finally:
        conn.close()


def filestore_of(db, data_dir):
    return Path(data_dir) / "filestore" / db


def start_pair(name, data_dir_b, extra_args=(), log_dir=None, before_second=None):
    """Two started servers on one fresh database: (a, b). ``data_dir_b``:
    the second server's data dir (made here). ``before_second(a)`` runs
    between the two starts (settings both should see from the start)."""
    first = prepare_server(name=name, extra_args=extra_args, log_dir=log_dir).start()
    try:
        if before_second:
            before_second(first)
        # The first server's data dir: the last --data-dir of its command.
        cmd = first.process.args
        data_dir_a = cmd[len(cmd) - 1 - cmd[::-1].index("--data-dir") + 1]
        source = filestore_of(first.db, data_dir_a)
        target = filestore_of(first.db, data_dir_b)
        if source.is_dir() and not target.exists():
            shutil.copytree(source, target)
        target.mkdir(parents=True, exist_ok=True)
        second = OdooServer(
            first.db,
            first.log_path.with_name(first.log_path.stem + "-b.log"),
            extra_args=[*first.extra_args, "--data-dir", str(data_dir_b)],
            api_user={
                "login": first.api_login,
                "password": first.api_password,
                "uid": first.api_uid,
                "key": first.api_key,
            },
        )
        second.log_path.unlink(missing_ok=True)
        second.start()
    except Exception:
        first.stop()
        raise
    return first, second


def app_name(server):
    """The application_name of the server's PostgreSQL sessions."""
    return f"odoo-{server.process.pid}"


def install_audit(server):
    execute(server.db, AUDIT_SQL)


def audit_rows(server, since=0):
    """(delivery id, what, app) of the audit, in order."""
    return server.sql(
        "SELECT delivery_id, what, app FROM test_delivery_audit WHERE id > %s "
        "ORDER BY id",
        [since],
    )


def second_send_cron(server):
    """A second scheduled action that runs the sending job. Odoo runs one
    scheduled action on one server at a time (the cron row is locked for
    the run, by cron threads and method_direct_trigger alike), so two
    servers send at the same moment only with two of them; the queue's
    SKIP LOCKED claim then shares the deliveries. Never runs on its own
    (no cron thread in these tests, next call far away)."""
    model_id = server.rpc(
        "ir.model", "search", [("model", "=", "webhook.outbound.queue")]
    )[0]
    return server.rpc(
        "ir.cron",
        "create",
        {
            "name": "Webhook API: send outbound deliveries (second sender)",
            "model_id": model_id,
            "user_id": 1,  # base.user_root, as the sending job's own action
            "state": "code",
            "code": "model._cron_send()",
            "interval_number": 1,
            "interval_type": "days",
            "nextcall": "2999-01-01 00:00:00",
            "active": True,
        },
    )


def cron_id(server, xmlid=SEND_CRON):
    module, name = xmlid.split(".")
    return server.rpc(
        "ir.model.data",
        "search_read",
        [("module", "=", module), ("name", "=", name)],
        ["res_id"],
    )[0]["res_id"]


def trigger(server, job_id):
    """Run scheduled action ``job_id`` now, inside this RPC call."""
    return server.rpc("ir.cron", "method_direct_trigger", [job_id])
