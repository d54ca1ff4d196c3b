# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The values of an API key's user are cached per worker (with whether the
user and the key's integration are active): every change made through
Odoo reaches the next call. The key's own row is read on every call (see
test_hostile_input.TestApiKeyChecks: expiry and deletion by SQL)."""

from odoo.tests import tagged

from .common import WebhookServiceCase


@tagged("post_install", "-at_install")
class TestKeyCallerCache(WebhookServiceCase):
    def caller(self):
        # As a call does: its savepoint flushes what this test wrote.
        self.env.flush_all()
        Service = self.env["webhook.api.service"]
        return Service._api_key_user_row(self.api_key)

    def test_archived_user_is_refused_at_once(self):
        self.assertApiOk(self.call("search_data", {"model": "res.partner"}))
        self.api_user.active = False
        self.assertApiError(
            self.call("search_data", {"model": "res.partner"}), 401, "API key"
        )
        self.api_user.active = True
        self.assertApiOk(self.call("search_data", {"model": "res.partner"}))

    def test_companies_follow_the_user(self):
        other = self.env["res.company"].create({"name": "Key Caller Co"})
        self.assertNotIn(str(other.id), [c[0] for c in self.caller()[6]])
        self.api_user.company_ids = [(4, other.id)]
        self.assertIn(str(other.id), [c[0] for c in self.caller()[6]])
        self.api_user.company_ids = [(3, other.id)]
        self.assertNotIn(str(other.id), [c[0] for c in self.caller()[6]])

    def test_language_and_time_zone_follow_the_partner(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.assertEqual(self.caller()[4:6], ("en_US", None))
        # Written on the partner, where Odoo keeps them, not on the user.
        self.api_user.partner_id.write({"lang": "fr_FR", "tz": "Europe/Brussels"})
        self.assertEqual(self.caller()[4:6], ("fr_FR", "Europe/Brussels"))
        self.api_user.write({"tz": "Asia/Tokyo"})
        self.assertEqual(self.caller()[5], "Asia/Tokyo")

    def test_a_new_partner_brings_its_values(self):
        self.caller()
        partner = self.Partner.create({"name": "New self", "tz": "America/Lima"})
        self.api_user.partner_id = partner
        self.assertEqual(self.caller()[5], "America/Lima")
