# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import json
import time

from odoo.tests import tagged

from odoo.addons.base.models.res_users import INDEX_SIZE

from .common import WebhookHttpCase, partner_params


@tagged("post_install", "-at_install")
class IntegrationCase(WebhookHttpCase):
    """An integration acting as the API user, with a key of its own."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Integration = cls.env["webhook.integration"]
        cls.integration = cls.Integration.create(
            {"name": "Web shop", "user_id": cls.api_user.id}
        )
        cls.key = cls.new_key(cls.integration)
        cls.shop = cls._make_company("Shop Customer", "SHOP-1")

    @classmethod
    def new_key(cls, integration, rotate=None, **vals):
        """A key made as the UI makes it (the wizard), in clear."""
        wizard = cls.env["webhook.integration.key.wizard"]
        action = (
            integration.action_new_key()
            if rotate is None
            else rotate.action_webhook_rotate()
        )
        record = wizard.browse(action["res_id"])
        record.write(vals)
        return record.action_generate()["context"]["default_key"]

    def key_row(self, key):
        self.env.cr.execute(
            "SELECT id FROM res_users_apikeys WHERE index = %s", [key[:INDEX_SIZE]]
        )
        return self.env["res.users.apikeys"].sudo().browse(self.env.cr.fetchone())

    def scope(self, model="res.partner", **vals):
        return self.env["webhook.integration.scope"].create(
            {
                "integration_id": self.integration.id,
                "model_id": self.env["ir.model"]._get_id(model),
                **vals,
            }
        )

    def fields_of(self, model, *names):
        return [(6, 0, [self.env["ir.model.fields"]._get(model, n).id for n in names])]

    def ipost(self, route, params, key=None, headers=None):
        """POST with the integration's key; (status, body, response headers)."""
        all_headers = {
            "Content-Type": "application/json",
            "Authorization": f"Bearer {key or self.key}",
            **(headers or {}),
        }
        response = self.url_open(
            f"/api/{route}",
            data=json.dumps({"params": params}),
            headers=all_headers,
            timeout=60,
        )
        return response.status_code, response.json(), response.headers

    def create_partner(self, name, key=None, **payload):
        return self.ipost(
            "create_data", partner_params({"name": name, **payload}), key=key
        )

    def db_now(self):
        """The database's clock (what expiry is compared with), in seconds."""
        self.env.cr.execute("SELECT extract(epoch FROM clock_timestamp())")
        return float(self.env.cr.fetchone()[0])

    def wait_db_until(self, epoch):
        while self.db_now() < epoch:
            time.sleep(0.02)
