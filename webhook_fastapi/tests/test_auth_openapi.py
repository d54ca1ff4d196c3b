# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import tagged

from .common import WebhookHttpCase, partner_params

SEARCH = partner_params({"search_field": ["name"], "limit": 1})


@tagged("post_install", "-at_install")
class TestAuthAndOpenApi(WebhookHttpCase):
    def test_openapi_documents_routes_and_bearer_scheme(self):
        response = self.url_open("/api/openapi.json")
        self.assertEqual(response.status_code, 200)
        schema = response.json()
        for route in (
            "create_data",
            "update_data",
            "create_update_data",
            "search_data",
            "call_function",
        ):
            operation = schema["paths"][f"/{route}"]["post"]
            self.assertIn({"OdooApiKey": []}, operation["security"], route)
            self.assertIn(
                "default",
                operation["requestBody"]["content"]["application/json"]["examples"],
            )
            # search_data writes nothing and takes no search_key: no 409.
            self.assertEqual("409" in operation["responses"], route != "search_data")
        self.assertEqual(
            schema["components"]["securitySchemes"]["OdooApiKey"]["scheme"], "bearer"
        )
        self.assertEqual(self.url_open("/api/docs").status_code, 200)

    def assertCreatedAsApiUser(self, name, **post_kwargs):
        """create_data runs as the API key's user (the credentials it is
        given by post_kwargs, or the key)."""
        result = self.api_ok(
            "create_data", partner_params({"name": name}), **post_kwargs
        )
        self.assertEqual(self.Partner.browse(result["id"]).create_uid, self.api_user)

    def test_bearer_key_runs_as_its_user(self):
        self.assertCreatedAsApiUser("By key")
        self.assertEqual(self.last_log().user_id, self.api_user)

    def test_missing_invalid_and_empty_credentials(self):
        self.assertApiError(
            self.post("search_data", SEARCH, key=None), 401, "Authentication required"
        )
        self.assertApiError(
            self.post("search_data", SEARCH, key="Bearer nope"), 401, "Invalid API key"
        )
        self.assertApiError(
            self.post("search_data", SEARCH, key="Bearer "), 401, "Invalid API key"
        )
        self.assertApiError(
            self.post("search_data", SEARCH, key="Basic abc"), 401, "Bearer"
        )
        self.assertEqual(self.last_log().http_status, 401)

    def test_revoked_key_is_refused_at_once(self):
        # The key's user is cached per worker: deleting the key must end it.
        self.assertApiOk(self.post("search_data", SEARCH))
        keys = (
            self.env["res.users.apikeys"]
            .sudo()
            .search([("user_id", "=", self.api_user.id)])
        )
        keys.unlink()
        self.assertApiError(self.post("search_data", SEARCH), 401, "Invalid API key")

    def test_session_cookie(self):
        self.authenticate("webhook_tester", "webhook_tester_pw")
        self.assertCreatedAsApiUser("By cookie", key=None)
        # An invalid key is refused even beside a valid session.
        self.assertApiError(
            self.post("search_data", SEARCH, key="Bearer wrong"), 401, "Invalid API key"
        )

    def test_bearer_wins_over_cookie(self):
        self.authenticate("admin", "admin")
        self.assertCreatedAsApiUser("Key wins")

    def test_cookie_cannot_be_used_cross_site(self):
        self.authenticate("webhook_tester", "webhook_tester_pw")
        params = partner_params({"name": "Forged"})
        self.assertApiError(
            self.post(
                "create_data",
                params,
                key=None,
                headers={"Sec-Fetch-Site": "cross-site"},
            ),
            403,
            "Cross-site",
        )
        # A form post (text/plain is a "simple" cross-site request) never runs.
        code, body = self.post(
            "create_data", params, key=None, headers={"Content-Type": "text/plain"}
        )
        self.assertEqual(code, 415, body)
        self.assertFalse(self.Partner.search([("name", "=", "Forged")]))

    def _hide_partner(self):
        hidden = self.Partner.create({"name": "Hidden partner", "ref": "HIDDEN-1"})
        group = self.env["res.groups"].create(
            {"name": "webhook test restricted", "users": [(4, self.api_user.id)]}
        )
        self.env["ir.rule"].create(
            {
                "name": "hide HIDDEN refs",
                "model_id": self.env.ref("base.model_res_partner").id,
                "groups": [(4, group.id)],
                "domain_force": "[('ref', '!=', 'HIDDEN-1')]",
            }
        )
        return hidden

    def test_record_rule_hides_record(self):
        hidden = self._hide_partner()
        self.assertApiError(
            self.post(
                "update_data",
                {
                    "model": "res.partner",
                    "vals": {
                        "search_key": {"ref": "HIDDEN-1"},
                        "payload": {"name": "x"},
                    },
                },
            ),
            404,
        )
        found = self.assertApiOk(
            self.post(
                "search_data",
                {
                    "model": "res.partner",
                    "vals": {"payload": {"search_domain": [["ref", "=", "HIDDEN-1"]]}},
                },
            )
        )
        self.assertEqual(found, [])
        self.assertEqual(hidden.name, "Hidden partner")

    def test_hidden_related_record_shows_as_its_id(self):
        # A readable record whose related record is hidden: the related one
        # shows as its id alone, the answer is not refused.
        hidden = self._hide_partner()
        child = self.Partner.create({"name": "Child of hidden", "parent_id": hidden.id})

        def search_child(fields):
            payload = {"search_field": fields, "search_domain": [["id", "=", child.id]]}
            return self.assertApiOk(
                self.post(
                    "search_data",
                    {"model": "res.partner", "vals": {"payload": payload}},
                )
            )

        self.assertEqual(
            search_child(["name", "parent_id{name}"]),
            [{"id": child.id, "name": child.name, "parent_id": [{"id": hidden.id}]}],
        )
        # An archived related record is readable: it is expanded, as read()
        # would show it.
        old = self.Partner.create({"name": "Archived parent", "active": False})
        child.parent_id = old
        self.assertEqual(
            search_child(["parent_id{name}"]),
            [{"id": child.id, "parent_id": [{"name": "Archived parent"}]}],
        )

    def test_access_rights_give_403(self):
        self.assertApiError(
            self.post(
                "create_data",
                {
                    "model": "res.users",
                    "vals": {"payload": {"name": "x", "login": "x"}},
                },
            ),
            403,
        )
        self.assertFalse(self.env["res.users"].search([("login", "=", "x")]))
        self.assertEqual(self.last_log().state, "failed")

    def test_jsonrpc_keys_accepted_and_id_echoed(self):
        code, body = self.post(
            "search_data",
            body={"jsonrpc": "2.0", "method": "call", "id": 42, "params": SEARCH},
        )
        self.assertEqual(code, 200, body)
        self.assertEqual(body["id"], 42)
        self.assertEqual(body["jsonrpc"], "2.0")

    def test_schema_mismatch_is_422(self):
        code, body = self.post(
            "search_data", body={"params": {"modelx": "res.partner"}}
        )
        self.assertEqual(code, 422)
        self.assertIn("params.model: Field required", body["result"]["messages"])
        # A body that is not JSON at all is covered by the end-to-end suite:
        # under HttpCase the test cursor cannot hold the separate log cursor.
