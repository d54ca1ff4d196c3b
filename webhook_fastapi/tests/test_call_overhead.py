# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Issue 16 item 5 and issue 17 item 4: what a call costs beyond the
native one, and what was cut from it (each test failed before the cut)."""

import inspect
from unittest.mock import patch

import psycopg2
from a2wsgi.asgi import ASGIResponder

from odoo.tests import tagged

from ..tools import side_connection
from .common import WebhookHttpCase, WebhookServiceCase, partner_params

# Beyond the native search_read: the API key's row with what the call needs
# of its user (one query, which also opens the call's SAVEPOINT), and the log
# entry's INSERT, which also releases it. The caller's companies'
# parent_path comes with the key, so the record rule's parent_of reads no
# company, where the native call does (one query less). Was 5: SAVEPOINT,
# RELEASE, the key, the user, the INSERT; then 2 (the SAVEPOINT alone).
SMALL_CALL_EXTRA_QUERIES = 1
# Beyond the native create with ids known: the key and its user (with the
# SAVEPOINT), the log entry's INSERT (with RELEASE), then one lookup per
# related model. Was 5, then 3.
CREATE_EXTRA_QUERIES = 2


@tagged("post_install", "-at_install")
class TestCallOverhead(WebhookServiceCase):
    def native_count(self, func):
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.cr.sql_log_count
        result = func()
        self.env.flush_all()
        return self.cr.sql_log_count - before, result

    def test_search_one_by_id_reads_in_the_search_query(self):
        partner = self.Partner.create({"name": "Overhead One", "ref": "OVH-1"})
        domain = [["id", "=", partner.id]]
        params = partner_params({"search_domain": domain, "search_field": ["name"]})
        Partner = self.Partner.with_user(self.api_user)

        def native():
            return self.native_count(lambda: Partner.search_read(domain, ["name"]))

        self.count_queries("search_data", params)  # warm caches
        native()
        ours, result = self.count_queries("search_data", params)
        self.assertEqual(result, [{"id": partner.id, "name": "Overhead One"}])
        theirs, rows = native()
        self.assertEqual(rows[0]["name"], "Overhead One")
        # One query finds and reads the records, as search_read's does.
        self.assertLessEqual(ours - theirs, SMALL_CALL_EXTRA_QUERIES)

    def test_create_adds_its_lookups_and_log_entry_only(self):
        country = self.env.ref("base.be")
        tag = self.Category.create({"name": "Overhead tag"})
        payload = {
            "name": "Overhead Two",
            "country_id": {"code": "BE"},
            "category_id": {"records": [{"name": "Overhead tag"}]},
        }
        # As a JSON-RPC create runs it: with the chatter (the tests' own
        # environment disables tracking).
        Partner = self.Partner.with_user(self.api_user).with_context(
            tracking_disable=False
        )

        def native():
            return self.native_count(
                lambda: Partner.create(
                    {
                        "name": "Overhead Two",
                        "country_id": country.id,
                        "category_id": [(6, 0, tag.ids)],
                    }
                )
            )

        self.count_queries("create_data", partner_params(payload))  # warm caches
        native()
        ours, result = self.count_queries("create_data", partner_params(payload))
        created = self.Partner.browse(result["id"])
        self.assertEqual((created.country_id, created.category_id), (country, tag))
        theirs, _record = native()
        lookups = 2  # res.country, res.partner.category
        self.assertLessEqual(ours - theirs, lookups + CREATE_EXTRA_QUERIES)

    def test_log_entry_is_one_insert_without_the_orm_create(self):
        params = partner_params({"search_domain": [["ref", "=", "nobody"]]})

        def no_create(*args, **kwargs):
            raise AssertionError("the log entry went through create()")

        with patch.object(type(self.Log), "create", no_create):
            status, _body = self.call("search_data", params)
        self.assertEqual(status, 200)
        log = self.last_log()
        self.assertEqual(
            (log.route, log.model_name, log.state, log.http_status, log.log_type),
            ("/api/search_data", "res.partner", "done", 200, "receive"),
        )
        self.assertEqual(log.user_id, self.api_user)
        self.assertEqual((log.create_uid, log.write_uid), (self.runner, self.runner))
        self.assertTrue(log.date and log.create_date and log.write_date)
        self.assertIn('"ref"', log.request_preview)
        self.assertIn("content-type", log.request_headers)
        self.assertNotIn(self.api_key, log.request_headers)

    def test_webhook_app_has_no_dependency_overrides(self):
        # With any override, FastAPI rebuilds every dependency of the route
        # on every request: the company is kept in the app's state instead.
        endpoint = self.env.ref("webhook_fastapi.fastapi_endpoint_webhook")
        app = endpoint._get_app()
        self.assertEqual(app.dependency_overrides, {})
        self.assertEqual(app.state.webhook_company_id, endpoint.company_id.id or None)

    def test_webhook_app_dependencies_are_async(self):
        # FastAPI runs a sync dependency in its thread pool: a thread hop.
        endpoint = self.env.ref("webhook_fastapi.fastapi_endpoint_webhook")
        dependencies = endpoint._get_fastapi_app_dependencies()
        self.assertTrue(dependencies)
        for dependency in dependencies:
            self.assertTrue(
                inspect.iscoroutinefunction(dependency.dependency), dependency
            )

    def test_route_endpoints_are_async(self):
        # FastAPI runs a sync endpoint in its thread pool: one more hop.
        app = self.env.ref("webhook_fastapi.fastapi_endpoint_webhook")._get_app()
        endpoints = {r.path: r.endpoint for r in _post_routes(app.routes)}
        self.assertIn("/create_data", endpoints)
        for path, endpoint in endpoints.items():
            self.assertTrue(inspect.iscoroutinefunction(endpoint), path)


def _post_routes(routes):
    """The POST routes of an app, through included routers (FastAPI keeps
    each included router in a route of its own)."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from _post_routes(inner.routes)
        elif getattr(route, "methods", None) == {"POST"}:
            yield route


@tagged("post_install", "-at_install")
class TestAppOnRequestThread(WebhookHttpCase):
    def test_app_runs_without_a2wsgi(self):
        # a2wsgi runs the app on a loop thread of its own: some eight
        # thread switches per call.
        with patch.object(ASGIResponder, "__call__", side_effect=AssertionError):
            self.api_ok("search_data", partner_params({"limit": 1}))
            status, body = self.post("search_data", body=["not", "an", "object"])
        self.assertEqual(status, 422, body)
        self.assertEqual(self.last_log().http_status, 422)


@tagged("post_install", "-at_install")
class TestSideConnection(WebhookServiceCase):
    """The rate counter's connections (tools/side_connection.py): one round
    trip per count, a transaction of its own."""

    def run_side(self, query, params=None, setup=None):
        return side_connection.run(self.cr.dbname, query, params or {}, setup=setup)

    def test_one_transaction_of_its_own_per_string(self):
        rows = self.run_side(
            "SET LOCAL synchronous_commit TO OFF; "
            "SELECT current_setting('synchronous_commit')"
        )
        self.assertEqual(rows, [("off",)])
        # SET LOCAL ended with its transaction; not the test's transaction.
        self.assertEqual(
            self.run_side("SELECT current_setting('synchronous_commit')"), [("on",)]
        )
        self.cr.execute("SELECT pg_backend_pid()")
        [(side_pid,)] = self.run_side("SELECT pg_backend_pid()")
        self.assertNotEqual(self.cr.fetchone()[0], side_pid)

    def test_setup_runs_once_per_connection(self):
        setup = "PREPARE webhook_test_double (int4) AS SELECT $1 * 2"
        for value in (1, 2, 3):
            rows = self.run_side(
                "EXECUTE webhook_test_double(%(v)s)", {"v": value}, setup=setup
            )
            self.assertEqual(rows, [(value * 2,)])

    def test_errors_propagate_and_the_connection_is_dropped(self):
        with self.assertRaises(psycopg2.errors.DivisionByZero):
            self.run_side("SELECT 1 / 0")
        self.assertEqual(self.run_side("SELECT 1"), [(1,)])

    def test_none_when_every_connection_is_in_use(self):
        full = {(self.cr.dbname, None): side_connection.MAX_PER_DATABASE}
        with patch.dict(side_connection._opened, full):
            with patch.dict(side_connection._pools, clear=True):
                self.assertIsNone(self.run_side("SELECT 1"))
