# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Issue 16 item 5: what a small call costs beyond the native one."""

from odoo.tests import tagged

from .common import WebhookServiceCase, partner_params

# Beyond the native search_read: SAVEPOINT and RELEASE around the call, the
# API key's row, the caller's environment and the log entry's INSERT (its
# now() is read once per transaction, already here). Reading the records
# apart from their search (browse, then read()) would add one.
SMALL_CALL_EXTRA_QUERIES = 5


@tagged("post_install", "-at_install")
class TestCallOverhead(WebhookServiceCase):
    def test_search_one_by_id_reads_in_the_search_query(self):
        partner = self.Partner.create({"name": "Overhead One", "ref": "OVH-1"})
        domain = [["id", "=", partner.id]]
        params = partner_params({"search_domain": domain, "search_field": ["name"]})

        def native():
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.cr.sql_log_count
            rows = self.Partner.with_user(self.api_user).search_read(domain, ["name"])
            self.assertEqual(rows[0]["name"], "Overhead One")
            return self.cr.sql_log_count - before

        self.count_queries("search_data", params)  # warm caches
        native()
        ours, result = self.count_queries("search_data", params)
        self.assertEqual(result, [{"id": partner.id, "name": "Overhead One"}])
        # One query finds and reads the records, as search_read's does.
        self.assertLessEqual(ours - native(), SMALL_CALL_EXTRA_QUERIES)

    def test_webhook_app_has_no_dependency_overrides(self):
        # With any override, FastAPI rebuilds every dependency of the route
        # on every request: the company is kept in the app's state instead.
        endpoint = self.env.ref("webhook_fastapi.fastapi_endpoint_webhook")
        app = endpoint._get_app()
        self.assertEqual(app.dependency_overrides, {})
        self.assertEqual(app.state.webhook_company_id, endpoint.company_id.id or None)
