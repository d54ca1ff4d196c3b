# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import json

from odoo.tests import HttpCase, TransactionCase, new_test_user, tagged


def partner_params(payload, **vals):
    """The ``params`` of a call on res.partner, the model most tests use:
    ``vals`` holds the payload and the route's other keys (search_key...)."""
    return {"model": "res.partner", "vals": {"payload": payload, **vals}}


class WebhookCaseMixin:
    """Users, an API key and helpers shared by the webhook API tests."""

    @classmethod
    def _setup_webhook(cls):
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.api_user, cls.api_key = cls._make_api_user(
            "webhook_tester", "Webhook Tester", password="webhook_tester_pw"
        )
        cls.Partner = cls.env["res.partner"]
        cls.Category = cls.env["res.partner.category"]
        cls.Log = cls.env["webhook.log"]

    @classmethod
    def _make_company(cls, name, ref, tags=None, **vals):
        """A company with an external reference: the record the suites'
        search_key lookups find."""
        if tags:
            vals["category_id"] = [(6, 0, tags.ids)]
        return cls.Partner.create(
            {"name": name, "ref": ref, "is_company": True, **vals}
        )

    @classmethod
    def _make_api_user(cls, login, name, password=None):
        """An integration user (contacts manager) and its API key."""
        user = new_test_user(
            cls.env,
            login=login,
            password=password or login,
            groups="base.group_user,base.group_partner_manager",
            name=name,
        )
        key = (
            cls.env["res.users.apikeys"]
            .with_user(user)
            .sudo()
            ._generate(None, "tests", None)
        )
        return user, key

    def assertApiError(self, answer, status, *fragments):
        code, body = answer
        self.assertEqual(code, status, body)
        self.assertFalse(body["result"]["is_success"], body)
        for fragment in fragments:
            self.assertIn(fragment, body["result"]["messages"])

    def assertApiOk(self, answer):
        code, body = answer
        self.assertEqual(code, 200, body)
        self.assertTrue(body["result"]["is_success"], body)
        return body["result"]["result"]

    def _api_user_writes_own_partners_only(self):
        """A record rule: the API user may write only the partners it
        created (it still reads all of them)."""
        group = self.env["res.groups"].create(
            {
                "name": "webhook test: own partners only",
                "users": [(4, self.api_user.id)],
            }
        )
        self.env["ir.rule"].create(
            {
                "name": "write own partners only",
                "model_id": self.env.ref("base.model_res_partner").id,
                "groups": [(4, group.id)],
                "domain_force": "[('create_uid', '=', user.id)]",
                "perm_read": False,
                "perm_create": False,
                "perm_unlink": False,
            }
        )

    def setParam(self, key, value):
        self.env["ir.config_parameter"].set_param(key, value)

    def _body(self, params, **extra):
        return {"params": params, **extra}

    def last_log(self):
        return self.Log.search([], limit=1, order="id desc")


@tagged("post_install", "-at_install")
class WebhookHttpCase(WebhookCaseMixin, HttpCase):
    """Calls go through Odoo's HTTP router to the FastAPI app, for real."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_webhook()
        endpoint = cls.env.ref("webhook_fastapi.fastapi_endpoint_webhook")
        # Route registration runs post-commit, which test cursors never do.
        endpoint._handle_registry_sync()

    def post(self, route, params=None, key=True, body=None, headers=None, raw=None):
        """POST to /api/<route>; returns (status, parsed JSON body)."""
        all_headers = {"Content-Type": "application/json"}
        if key is True:
            all_headers["Authorization"] = f"Bearer {self.api_key}"
        elif key is not None:
            all_headers["Authorization"] = key
        all_headers.update(headers or {})
        if raw is None:
            raw = json.dumps(body if body is not None else self._body(params))
        response = self.url_open(
            f"/api/{route}", data=raw, headers=all_headers, timeout=60
        )
        try:
            payload = response.json()
        except ValueError:
            payload = response.text
        return response.status_code, payload

    def api_ok(self, route, params=None, **post_kwargs):
        """POST that must succeed; returns the route's result."""
        return self.assertApiOk(self.post(route, params, **post_kwargs))

    def search_partners(self, **payload):
        """POST search_data on res.partner; returns (status, body)."""
        return self.post("search_data", partner_params(payload))

    def logged_ok(self, route, params, preview_limit):
        """A successful call's log entry, with the log's preview cut at
        ``preview_limit`` characters: a longer call gets a full-log
        attachment."""
        self.setParam("webhook.preview_limit", str(preview_limit))
        self.api_ok(route, params)
        return self.last_log()


@tagged("post_install", "-at_install")
class WebhookServiceCase(WebhookCaseMixin, TransactionCase):
    """Calls the service's single entry point in process: for query counts."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_webhook()
        cls.runner = cls.env.ref("webhook_fastapi.user_webhook_runner")

    def call(self, route, params):
        service = self.env["webhook.api.service"].with_user(self.runner)
        http_info = {
            "headers": {
                "content-type": "application/json",
                "authorization": f"Bearer {self.api_key}",
            },
            "session_uid": None,
        }
        return service._api_handle(route, {"params": params}, http_info)

    def count_queries(self, route, params):
        """Queries of one successful call with cold caches (a warm cache
        would hide per-record reads); returns (count, the route's result)."""
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.cr.sql_log_count
        status, body = self.call(route, params)
        self.assertEqual(status, 200, body)
        self.assertTrue(body["result"]["is_success"], body)
        return self.cr.sql_log_count - before, body["result"]["result"]


@tagged("post_install", "-at_install")
class WebhookLogCase(WebhookHttpCase):
    """Users and helpers of the API log tests."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.admin = cls.env.ref("base.user_admin")
        cls.clerk = new_test_user(
            cls.env,
            login="webhook_log_clerk",
            groups="base.group_user",
            name="Log Clerk",
        )
        cls.partner = cls.Partner.create({"name": "Logged Partner", "ref": "LOG-1"})

    def new_logs(self, before_id):
        return self.Log.search([("id", ">", before_id)], order="id")

    def max_log_id(self):
        return self.Log.search([], limit=1, order="id desc").id or 0
