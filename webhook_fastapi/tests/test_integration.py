# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Integrations: scopes, networks, expiry, rotation, and their logging."""

from unittest.mock import patch

from odoo.tests import tagged
from odoo.tools import config

from .common import partner_params
from .integration_helpers import IntegrationCase


@tagged("post_install", "-at_install")
class TestIntegrationScopes(IntegrationCase):
    def test_no_scope_lines_is_todays_behaviour(self):
        status, body, _headers = self.create_partner("Unscoped")
        self.assertEqual(status, 200, body)
        self.assertEqual(self.last_log().integration_id, self.integration)
        status, body, _headers = self.ipost(
            "search_data", partner_params({"search_field": ["name", "phone"]})
        )
        self.assertEqual(status, 200, body)
        # The user's rights still decide: countries are read-only to it.
        status, body, _headers = self.ipost(
            "create_data", {"model": "res.country", "vals": {"payload": {"name": "X"}}}
        )
        self.assertEqual(status, 403, body)
        # A plain key of the same user: no integration in the log.
        self.api_ok("search_data", partner_params({}))
        self.assertFalse(self.last_log().integration_id)

    def test_each_route_kind_needs_its_scope(self):
        self.scope(allow_search=True)
        key = {"search_key": {"ref": "SHOP-1"}}
        calls = {
            "create_data": partner_params({"name": "No"}),
            "update_data": partner_params({"name": "No"}, **key),
            "create_update_data": partner_params({"name": "No"}, **key),
            "call_function": partner_params({"method": "copy"}, **key),
        }
        kinds = {
            "create_data": "create",
            "update_data": "update",
            "create_update_data": "upsert",
            "call_function": "call",
        }
        count = self.Partner.search_count([])
        for route, params in calls.items():
            status, body, _headers = self.ipost(route, params)
            self.assertEqual(status, 403, body)
            self.assertIn(
                f"Missing scope: {kinds[route]} on res.partner",
                body["result"]["messages"],
            )
        status, body, _headers = self.ipost(
            "search_data", {"model": "res.partner.category", "vals": {}}
        )
        self.assertEqual(status, 403, body)
        self.assertIn("search on res.partner.category", body["result"]["messages"])
        batch = {"operations": [{"route": "create_data", **calls["create_data"]}]}
        status, body, _headers = self.ipost("batch", batch)
        self.assertEqual(status, 403, body)
        self.assertEqual(self.Partner.search_count([]), count)
        self.assertEqual(self.shop.name, "Shop Customer")
        status, body, _headers = self.ipost("search_data", partner_params({}))
        self.assertEqual(status, 200, body)

    def test_field_outside_write_scope(self):
        self.scope(
            allow_create=True,
            allow_update=True,
            write_field_ids=self.fields_of("res.partner", "name", "email"),
        )
        status, body, _headers = self.create_partner("Outside", phone="+1 555")
        self.assertEqual(status, 403, body)
        self.assertIn("write of phone on res.partner", body["result"]["messages"])
        self.assertFalse(self.Partner.search([("name", "=", "Outside")]))
        status, body, _headers = self.create_partner("Inside", email="in@example.com")
        self.assertEqual(status, 200, body)
        # Nested lines need a scope on their own model.
        status, body, _headers = self.create_partner(
            "Parent", child_ids=[{"name": "Child"}]
        )
        self.assertEqual(status, 403, body)

    def test_read_fields_of_search(self):
        self.scope(
            allow_search=True,
            read_field_ids=self.fields_of("res.partner", "name", "ref"),
        )
        ok = partner_params(
            {"search_field": ["name"], "search_domain": [["ref", "=", "SHOP-1"]]}
        )
        status, body, _headers = self.ipost("search_data", ok)
        self.assertEqual(status, 200, body)
        for payload in (
            {"search_field": ["name", "email"]},
            {"search_domain": [["email", "=", "a@b.c"]]},
        ):
            status, body, _headers = self.ipost("search_data", partner_params(payload))
            self.assertEqual(status, 403, body)
            self.assertIn("read of email on res.partner", body["result"]["messages"])

    def test_method_outside_call_scope(self):
        self.scope(allow_call=True, method_names="toggle_active")
        params = partner_params({"method": "copy"}, search_key={"ref": "SHOP-1"})
        count = self.Partner.search_count([])
        status, body, _headers = self.ipost("call_function", params)
        self.assertEqual(status, 403, body)
        self.assertIn("call of method copy on res.partner", body["result"]["messages"])
        self.assertEqual(self.Partner.search_count([]), count)
        params["vals"]["payload"]["method"] = "toggle_active"
        status, body, _headers = self.ipost("call_function", params)
        self.assertEqual(status, 200, body)

    def test_scopes_never_widen_rights(self):
        self.scope("res.country", allow_create=True)
        status, body, _headers = self.ipost(
            "create_data", {"model": "res.country", "vals": {"payload": {"name": "X"}}}
        )
        self.assertEqual(status, 403, body)
        self.assertNotIn("Missing scope", body["result"]["messages"])


@tagged("post_install", "-at_install")
class TestIntegrationNetwork(IntegrationCase):
    def test_address_outside_the_list(self):
        self.integration.allowed_networks = "10.0.0.0/8\n2001:db8::/32"
        status, body, _headers = self.create_partner("From localhost")
        self.assertEqual(status, 403, body)
        self.assertIn("may not call from 127.0.0.1", body["result"]["messages"])
        self.integration.allowed_networks = "10.0.0.0/8, 127.0.0.0/30, ::1"
        status, body, _headers = self.create_partner("From localhost")
        self.assertEqual(status, 200, body)

    def test_forwarded_for_only_in_proxy_mode(self):
        self.integration.allowed_networks = "203.0.113.0/24"
        forwarded = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Host": "shop"}
        with patch.dict(config.options, {"proxy_mode": False}):
            status, body, _headers = self.ipost(
                "create_data", partner_params({"name": "Spoofed"}), headers=forwarded
            )
        self.assertEqual(status, 403, body)
        with patch.dict(config.options, {"proxy_mode": True}):
            status, body, _headers = self.ipost(
                "create_data", partner_params({"name": "Proxied"}), headers=forwarded
            )
        self.assertEqual(status, 200, body)
        self.assertEqual(self.last_log().remote_addr, "203.0.113.9")


@tagged("post_install", "-at_install")
class TestIntegrationKeys(IntegrationCase):
    def test_key_expires_at_the_second(self):
        expiry = int(self.db_now()) + 2
        key = self.new_key(self.integration, expiration_date=_utc(expiry), name="short")
        status, body, _headers = self.create_partner("Before expiry", key=key)
        self.assertEqual(status, 200, body)
        self.wait_db_until(expiry + 0.05)
        status, body, _headers = self.create_partner("After expiry", key=key)
        self.assertEqual(status, 401, body)
        self.assertLess(self.db_now(), expiry + 1, "refused within the second")

    def test_rotation_keeps_the_old_key_for_the_overlap(self):
        old = self.key_row(self.key)
        start = self.db_now()
        new_key = self.new_key(self.integration, rotate=old, overlap_hours=3 / 3600)
        self.assertNotEqual(new_key, self.key)
        self.assertTrue(old.expiration_date)
        for key in (self.key, new_key):
            status, body, _headers = self.create_partner("Overlap", key=key)
            self.assertEqual(status, 200, body)
        self.wait_db_until(int(start) + 4.05)
        status, body, _headers = self.create_partner("Old", key=self.key)
        self.assertEqual(status, 401, body)
        status, body, _headers = self.create_partner("New", key=new_key)
        self.assertEqual(status, 200, body)

    def test_revoke_archive_and_rpc(self):
        key = self.new_key(self.integration, name="spare")
        # Integration keys are for this API only: Odoo's RPC refuses them.
        Keys = self.env["res.users.apikeys"]
        self.assertFalse(Keys._check_credentials(scope="rpc", key=key))
        self.integration.active = False
        self.assertEqual(self.create_partner("Archived", key=key)[0], 401)
        self.integration.active = True
        self.assertEqual(self.create_partner("Active", key=key)[0], 200)
        self.key_row(key).action_webhook_revoke()
        self.assertEqual(self.create_partner("Revoked", key=key)[0], 401)

    def test_rate_limit_headers_and_429(self):
        self.integration.rate_per_minute = 3
        if self.db_now() % 60 > 50:
            self.wait_db_until((self.db_now() // 60 + 1) * 60)
        for n in range(3):
            status, body, headers = self.create_partner(f"Rated {n}")
            self.assertEqual(status, 200, body)
            self.assertEqual(headers["RateLimit-Policy"], '"minute";q=3;w=60')
            self.assertTrue(headers["RateLimit"].startswith(f'"minute";r={2 - n};t='))
        status, body, headers = self.create_partner("Too many")
        self.assertEqual(status, 429, body)
        self.assertGreater(int(headers["Retry-After"]), 0)
        self.assertTrue(headers["RateLimit"].startswith('"minute";r=0;t='))
        self.assertFalse(self.Partner.search([("name", "=", "Too many")]))


def _utc(epoch):
    from datetime import UTC, datetime

    return datetime.fromtimestamp(epoch, UTC).replace(tzinfo=None)
