# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""webhook.response_format = original: the original addon's wire format
(issue 14), and the strict format left as it was."""

import json

from odoo.tests import tagged

from .common import WebhookHttpCase, WebhookServiceCase, partner_params

FORMAT = "webhook.response_format"


class FormatMixin:
    def set_format(self, value):
        self.env["ir.config_parameter"].sudo().set_param(FORMAT, value)

    def logged(self):
        log = self.last_log()
        return log.http_status, log.state


@tagged("post_install", "-at_install")
class TestOriginalFormat(FormatMixin, WebhookHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.country = cls.env.ref("base.th")
        cls.acme = cls.Partner.create(
            {"name": "Acme OF", "ref": "OF-1", "country_id": cls.country.id}
        )
        cls.Partner.create([{"name": "dup", "ref": "OF-DUP"}] * 2)

    def create_partner(self, payload, **vals):
        return self.post("create_data", partner_params(payload, **vals))

    def update(self, search_key, payload, **vals):
        return self.post(
            "update_data", partner_params(payload, search_key=search_key, **vals)
        )

    # item 1: status codes -------------------------------------------------
    def test_failures_answer_200_and_log_the_truth(self):
        self.assertApiError(self.create_partner({"name": 5}), 400, "expected a string")
        self.assertEqual(self.logged(), (400, "failed"))
        self.set_format("original")
        self.assertApiError(self.create_partner({"name": 5}), 200, "expected a string")
        self.assertEqual(self.logged(), (400, "failed"))
        # Refused before any route ran (the schema): the same.
        self.assertApiError(self.post("create_data", {"model": "res.partner"}), 200)
        # (Its log entry is on a cursor of its own, which HttpCase cannot
        # hold: the end-to-end suite checks it.)

    def test_unknown_format_means_strict(self):
        self.set_format("bogus")
        logger = "odoo.addons.webhook_fastapi.tools.original_format"
        with self.assertLogs(logger, "WARNING") as logs:
            self.assertApiError(self.create_partner({"name": 5}), 400)
        self.assertIn("not one of strict, original", logs.output[0])

    # item 2: x-api-key ----------------------------------------------------
    def test_x_api_key_in_both_formats(self):
        for fmt in ("strict", "original"):
            self.set_format(fmt)
            answer = self.post(
                "search_data",
                partner_params({"limit": 1}),
                key=None,
                headers={"x-api-key": self.api_key},
            )
            self.assertApiOk(answer)
            log = self.last_log()
            self.assertEqual(log.user_id, self.api_user)
            headers = {k.lower(): v for k, v in json.loads(log.request_headers).items()}
            self.assertEqual(headers["x-api-key"], "***")
            self.assertNotIn(self.api_key, log.request_headers)
            self.assertNotIn(self.api_key, log.request_preview or "")

    def test_bearer_wins_over_x_api_key(self):
        body = partner_params({"limit": 1})
        self.assertApiOk(
            self.post("search_data", body, headers={"X-API-KEY": "not-a-key"})
        )
        self.assertApiError(
            self.post(
                "search_data",
                body,
                key="Bearer not-a-key",
                headers={"x-api-key": self.api_key},
            ),
            401,
            "Invalid API key",
        )
        self.assertApiError(
            self.post("search_data", body, key=None, headers={"x-api-key": ""}),
            401,
            "Invalid API key",
        )

    def test_missing_key_names_both_ways(self):
        for fmt, status in (("strict", 401), ("original", 200)):
            self.set_format(fmt)
            self.assertApiError(
                self.post("search_data", {"model": "res.partner"}, key=None),
                status,
                "Authorization: Bearer <api key>",
                "x-api-key: <api key>",
            )
            self.assertEqual(self.logged(), (401, "failed"))

    def test_openapi_second_scheme(self):
        schema = self.url_open("/api/openapi.json").json()
        scheme = schema["components"]["securitySchemes"]["OdooApiKeyHeader"]
        self.assertEqual(
            (scheme["type"], scheme["in"], scheme["name"]),
            ("apiKey", "header", "x-api-key"),
        )
        security = schema["paths"]["/create_data"]["post"]["security"]
        self.assertIn({"OdooApiKey": []}, security)
        self.assertIn({"OdooApiKeyHeader": []}, security)

    # item 3: unknown payload keys -----------------------------------------
    def test_unknown_keys_ignored_and_told(self):
        payload = {
            "name": "Loose",
            "legacy_code": "X",
            "child_ids": [{"name": "Kid", "nickname": "k"}],
        }
        self.assertApiError(self.create_partner(payload), 400, "legacy_code")
        self.set_format("original")
        result = self.assertApiOk(self.create_partner(payload))
        partner = self.Partner.browse(result["id"])
        self.assertEqual(partner.child_ids.name, "Kid")
        message = self.last_log().response_preview
        self.assertIn("payload.legacy_code", message)
        self.assertIn("payload.child_ids[0].nickname", message)
        body = self.create_partner({"name": "Loose 2", "legacy_code": "X"})[1]
        self.assertIn(
            "ignored unknown field(s): payload.legacy_code", body["result"]["messages"]
        )
        # Fields that exist but may not be set stay refused.
        self.assertApiError(
            self.create_partner({"name": "x", "create_uid": 1}), 200, "cannot be set"
        )

    # item 4 and 6: update_data ---------------------------------------------
    def test_update_matching_nothing(self):
        self.assertApiError(self.update({"ref": "NOPE"}, {"phone": "1"}), 404)
        self.set_format("original")
        result = self.assertApiOk(self.update({"ref": "NOPE"}, {"phone": "1"}))
        self.assertEqual(result, {"id": [], "ref": "NOPE"})
        self.assertFalse(self.Partner.search([("ref", "=", "NOPE")]))
        self.assertEqual(self.logged(), (404, "done"))

    def test_update_matching_several_still_refused(self):
        self.set_format("original")
        self.assertApiError(
            self.update({"ref": "OF-DUP"}, {"phone": "1"}), 200, "2 records"
        )
        self.assertEqual(self.logged(), (409, "failed"))
        dups = self.Partner.search([("ref", "=", "OF-DUP")])
        self.assertEqual(dups.mapped("phone"), [False, False])

    def test_update_result_shape(self):
        strict = self.assertApiOk(
            self.update({"ref": "OF-1"}, {"phone": "1"}, result_field=["phone"])
        )
        self.assertEqual(strict, {"id": self.acme.id, "phone": "1"})
        self.set_format("original")
        original = self.assertApiOk(
            self.update(
                {"ref": "OF-1"}, {"phone": "2"}, result_field=["phone", "country_id"]
            )
        )
        self.assertEqual(
            original,
            {
                "id": [self.acme.id],
                "ref": "OF-1",
                "phone": "2",
                "country_id": [self.country.id, self.country.display_name],
            },
        )

    # item 5: search_data ----------------------------------------------------
    def test_search_rendering(self):
        domain = f"[('id', '=', {self.acme.id})]"
        fields = ["name", "country_id", "state_id", "email"]
        [default] = self.assertApiOk(self.search_partners(search_domain=domain))
        self.assertEqual(set(default), {"id", "display_name"})
        # The same read in each format (None: the default, strict): only
        # the rendering of many2one and empty values differs.
        for fmt, rendered in (
            (None, {"country_id": self.country.id, "state_id": None, "email": None}),
            (
                "original",
                {
                    "country_id": [self.country.id, self.country.display_name],
                    "state_id": False,
                    "email": False,
                },
            ),
        ):
            with self.subTest(format=fmt):
                if fmt:
                    self.set_format(fmt)
                [row] = self.assertApiOk(
                    self.search_partners(search_field=fields, search_domain=domain)
                )
                self.assertEqual(
                    row, {"id": self.acme.id, "name": "Acme OF", **rendered}
                )
        [expanded] = self.assertApiOk(
            self.search_partners(
                search_field=["country_id{code}"], search_domain=domain
            )
        )
        self.assertEqual(expanded["country_id"], [{"code": "TH"}])

    def test_search_without_fields_returns_stored_fields(self):
        self.set_format("original")
        domain = f"[('id', '=', {self.acme.id})]"
        [row] = self.assertApiOk(self.search_partners(search_domain=domain))
        self.assertEqual(row["ref"], "OF-1")
        self.assertEqual(
            row["country_id"], [self.country.id, self.country.display_name]
        )
        self.assertIn("create_date", row)
        self.assertNotIn("image_1920", row)  # binary: only when asked
        self.assertNotIn("display_name", row)  # not stored
        [asked] = self.assertApiOk(
            self.search_partners(search_field=["image_1920"], search_domain=domain)
        )
        self.assertIn("image_1920", asked)

    # holes that stay closed ------------------------------------------------
    def test_holes_stay_closed(self):
        self.set_format("original")

        def call(method, **payload):
            return self.post(
                "call_function",
                partner_params(
                    {"method": method, **payload}, search_key={"ref": "OF-1"}
                ),
            )

        self.assertApiError(call("_compute_display_name"), 200, "Private methods")
        self.assertApiError(call("read", context={"uid": 1}), 200, "'uid'")


@tagged("post_install", "-at_install")
class TestOriginalFormatQueries(FormatMixin, WebhookServiceCase):
    def count(self, params):
        return self.count_queries("search_data", params)

    def test_all_fields_batched(self):
        self.env["ir.config_parameter"].set_param("webhook.preview_limit", "10000000")
        self.set_format("original")
        countries = self.env["res.country"].search([], limit=30)
        self.Partner.create(
            [
                {"name": f"OFQ {i}", "ref": f"OFQ-{i}", "country_id": countries[i].id}
                for i in range(30)
            ]
        )

        def params(n):
            return partner_params(
                {
                    "search_domain": [["ref", "=like", "OFQ-%"]],
                    "limit": n,
                    "order": "id",
                }
            )

        self.count(params(2))  # warm caches
        few, rows = self.count(params(2))
        many, rows = self.count(params(30))
        self.assertEqual(len(rows), 30)
        self.assertEqual(
            rows[5]["country_id"], [countries[5].id, countries[5].display_name]
        )
        self.assertEqual(few, many)
