# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""/api/docs and /api/redoc load nothing from the internet (issue 18 item 1):
the assets come from the app, and Swagger UI works in a real browser."""

import json
import re

from odoo.tests import tagged

from ..routers.docs import ASSETS, ASSETS_CACHE
from .common import WebhookHttpCase

EXTERNAL_URL = re.compile(r"(?:https?:)?//[\w.-]+", re.IGNORECASE)
ASSET_REF = re.compile(r'(?:src|href)="([^"]+)"')

# Drives Swagger UI as a person does: Authorize with the key, open
# create_data, Try it out, put a body, Execute, read the status shown.
SWAGGER_SCRIPT = """
(async () => {
    const $ = (selector, root = document) => root.querySelector(selector);
    const wait = async (find, what) => {
        for (let i = 0; i < 300; i++) {
            const found = find();
            if (found) return found;
            await new Promise((resolve) => setTimeout(resolve, 50));
        }
        throw new Error("Swagger UI: no " + what);
    };
    // React inputs only see a value set through the native setter.
    const type = (el, value) => {
        const proto = Object.getPrototypeOf(el);
        Object.getOwnPropertyDescriptor(proto, "value").set.call(el, value);
        el.dispatchEvent(new Event("input", {bubbles: true}));
    };
    try {
        $(".auth-wrapper .btn.authorize").click();
        const key = await wait(() => $("#auth-bearer-value"), "key field");
        type(key, %(key)s);
        $("button.authorize", key.closest("form")).click();
        await wait(() => !$("#auth-bearer-value"), "authorization");
        $(".modal-ux .btn-done").click();
        const path = $('.opblock-summary-path[data-path="/create_data"]');
        const block = path.closest(".opblock");
        $(".opblock-summary-control", block).click();
        (await wait(() => $(".try-out__btn", block), "Try it out")).click();
        const body = await wait(() => $("textarea.body-param__text", block), "body");
        type(body, %(body)s);
        $(".btn.execute", block).click();
        const status = await wait(() => {
            const row = $(".live-responses-table tr.response", block);
            const cell = row && $(".response-col_status", row);
            return cell && cell.textContent.trim() && cell;
        }, "answer");
        if (status.textContent.trim() !== "200") {
            throw new Error("create_data answered " + status.textContent.trim());
        }
        console.log("test successful");
    } catch (error) {
        console.error(error.message);
    }
})();
"""
# Odoo waits for the boolean true.
SWAGGER_READY = (
    "!!document.querySelector('.opblock-summary-path[data-path=\"/create_data\"]')"
)


@tagged("post_install", "-at_install")
class TestDocsOffline(WebhookHttpCase):
    def _page_assets(self, url):
        """The page at ``url`` (public: no key) and the URLs it loads."""
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200, url)
        self.assertTrue(response.headers["Content-Type"].startswith("text/html"))
        page = response.text
        self.assertNotIn("cdn.jsdelivr.net", page)
        self.assertEqual(EXTERNAL_URL.findall(page), [], f"{url} loads from outside")
        self.assertIn("/api/openapi.json", page)
        return ASSET_REF.findall(page)

    def _assertAsset(self, url):
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200, url)
        name = url.split("?")[0].rsplit("/", 1)[1]
        self.assertEqual(response.headers["Content-Type"], ASSETS[name], url)
        self.assertEqual(response.headers["Cache-Control"], ASSETS_CACHE, url)
        self.assertGreater(len(response.content), 0, url)

    def test_pages_load_only_their_own_assets(self):
        swagger = self._page_assets("/api/docs")
        redoc = self._page_assets("/api/redoc")
        self.assertEqual(len(swagger), 3)  # the css, the favicon and the js
        self.assertEqual(len(redoc), 2)  # the favicon and the js
        for url in {*swagger, *redoc}:
            self.assertTrue(url.startswith("/api/docs-assets/"), url)
            self._assertAsset(url)
        self.assertEqual(self.url_open("/api/openapi.json").status_code, 200)

    def test_asset_route_serves_its_list_only(self):
        for name in (
            "__init__.py",
            "..%2F__init__.py",
            "..%2F..%2Ffastapi_offline%2Fcore.py",
            "%2E%2E%2Fcore.py",
            "..%5Ccore.py",
            "swagger-ui.css%00.py",
            "",
        ):
            response = self.url_open(f"/api/docs-assets/{name}")
            self.assertEqual(response.status_code, 404, name)
            # The 404 may echo the path, never a file's text.
            self.assertNotIn(b"import", response.content, name)

    def test_swagger_ui_calls_the_api_offline(self):
        body = {
            "params": {
                "model": "res.partner",
                "vals": {"payload": {"name": "From Swagger UI", "ref": "SWAG-1"}},
            }
        }
        code = SWAGGER_SCRIPT % {
            "key": json.dumps(self.api_key),
            "body": json.dumps(json.dumps(body)),
        }
        self.browser_js("/api/docs", code, ready=SWAGGER_READY, timeout=120)
        partner = self.Partner.search([("ref", "=", "SWAG-1")])
        self.assertEqual(partner.name, "From Swagger UI")
        self.assertEqual(partner.create_uid, self.api_user)
        log = self.Log.search([("res_id", "=", partner.id)])
        self.assertEqual(len(log), 1)
        self.assertEqual((log.http_status, log.res_model), (200, "res.partner"))
        self.assertIn("create_data", log.route)
