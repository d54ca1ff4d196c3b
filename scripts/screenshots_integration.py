"""Screenshots of setting up an integration from nothing, for the README's
walkthrough (docs/screenshots/integration_*.png).

Run by scripts/screenshots.py on a fresh server with ``sale_management``.
Headless Chromium, logged in as admin, clicks through the web client as an
administrator would: the Integrations menu, a new integration "Web shop"
with its rate limits, scope lines and allowed network, saved; a new API
key, read from the dialog that shows it once; then real API calls with that
key (one refused by the scopes), and the form again with its calls and
last errors. Only the user the integration acts as is made through
JSON-RPC beforehand (Settings > Users is Odoo's own, not shown here).
"""

import json
import time

import requests

NAVBAR = 46  # px: the form shots start below Odoo's top bar
NAME = "Web shop"
USER = {"name": "Web Shop", "login": "webshop", "email": "webshop@example.com"}
USER_GROUPS = (
    "base.group_user",
    "base.group_partner_manager",
    "sales_team.group_sale_salesman",
)
# (model typed, model chosen, routes, fields typed and chosen: both writable
# and readable)
PARTNER_FIELDS = (
    ("name", "Name (Contact)"),
    ("email", "Email (Contact)"),
    ("ref", "Reference (Contact)"),
)
SCOPES = (
    ("res.partner", "Contact", ("allow_search", "allow_upsert"), PARTNER_FIELDS),
    ("sale.order", "Sales Order", ("allow_create",), ()),
)
NETWORKS = "127.0.0.1/32, 10.0.0.0/8"
ROW = ".o_field_widget[name=scope_ids] .o_selected_row"


def make_user(server):
    """The user the integration acts as: contacts and own sales only."""
    found = server.rpc("res.users", "search", [("login", "=", USER["login"])])
    if found:
        return found[0]
    groups = [
        server.rpc("ir.model.data", "check_object_reference", *xmlid.split("."))[1]
        for xmlid in USER_GROUPS
    ]
    return server.rpc("res.users", "create", {**USER, "groups_id": [(6, 0, groups)]})


def sheet_clip(browser, selector=".o_form_sheet", margin=16):
    """The area from below the top bar to the bottom of ``selector``."""
    box = browser.find(selector)
    return (0, NAVBAR, 1280, box["y"] + box["height"] + margin - NAVBAR)


def dialog_clip(browser):
    box = browser.find(".modal-content")
    return (box["x"], box["y"], box["width"], box["height"])


def shot(browser, path, clip):
    browser.screenshot(path, clip)
    print(f"screenshots: {path}")


def open_menu(browser, url, out_dir):
    """Settings > Technical (developer mode) > API Configuration >
    Integrations; the list is empty."""
    browser.open(f"{url}/odoo/settings?debug=1", ".o_setting_container")
    time.sleep(1)
    browser.click("button[data-menu-xmlid='base.menu_custom']")
    browser.wait_for(".o-dropdown--menu")
    browser.evaluate(  # its end: the API Configuration section
        "(m => m.scrollTop = m.scrollHeight)"
        "(document.querySelector('.o-dropdown--menu'))"
    )
    browser.hover(".o-dropdown--menu .dropdown-item", "Integrations")
    time.sleep(0.5)
    shot(browser, out_dir / "integration_menu.png", (0, 0, 745, 620))
    browser.click(".o-dropdown--menu .dropdown-item", "Integrations")
    browser.wait_for(".o_view_nocontent")


def fill_header(browser):
    browser.click(".o_list_button_add")
    browser.wait_for(".o_form_view .o_field_widget[name=name] input")
    browser.type(".o_field_widget[name=name] input", NAME)
    browser.pick(".o_field_widget[name=user_id] input", "Web", USER["name"])
    browser.type(".o_field_widget[name=rate_per_minute] input", "60")
    browser.type(".o_field_widget[name=rate_per_day] input", "20000")


def add_scope(browser, model, choice, routes, fields):
    browser.click(".o_field_widget[name=scope_ids] .o_field_x2many_list_row_add a")
    browser.wait_for(ROW)
    browser.pick(f"{ROW} [name=model_id] input", model, choice)
    for route in routes:
        browser.click(f"{ROW} [name={route}] input")
    for kind in ("write_field_ids", "read_field_ids"):
        for typed, chosen in fields:
            browser.pick(f"{ROW} [name={kind}] input", typed, chosen)


def fill_rules(browser, out_dir):
    browser.click(".o_notebook .nav-link[name=scopes]")
    for scope in SCOPES:
        add_scope(browser, *scope)
    browser.click(".o_notebook .tab-pane.active p.text-muted")  # leave the line
    time.sleep(0.5)
    shot(browser, out_dir / "integration_scopes.png", sheet_clip(browser))
    browser.click(".o_notebook .nav-link[name=network]")
    browser.type(".o_field_widget[name=allowed_networks] textarea", NETWORKS)
    browser.click(".o_form_button_save")
    browser.wait_for("button.o_webhook_integration_new_key")  # once saved


def new_key(browser, out_dir):
    """New API Key > Generate Key: the dialog that shows it once."""
    browser.click("button.o_webhook_integration_new_key")
    browser.wait_for(".modal .o_webhook_integration_generate")
    browser.click(".modal .o_webhook_integration_generate")
    browser.wait_for(".modal .o_field_widget[name=key] span", "~")
    time.sleep(0.5)
    shot(browser, out_dir / "integration_key.png", dialog_clip(browser))
    key = browser.evaluate(
        "document.querySelector('.modal .o_field_widget[name=key] span').textContent"
    ).strip()
    browser.click(".modal-footer button", "Done")
    browser.wait_gone(".modal")
    return key


def call_api(url, key):
    """Calls of the web shop: three allowed, one refused by the scopes.
    Returns (route, body, status, answer) of each, for the README."""
    ada = {"name": "Ada Lovelace", "email": "ada@example.com", "ref": "WS-1001"}
    search = {"search_domain": [["ref", "=", "WS-1001"]], "search_field": ["email"]}
    calls = [
        ("create_update_data", "res.partner", {
            "search_key": {"ref": "WS-1001"}, "payload": ada}),
        ("search_data", "res.partner", {"payload": search}),
        ("create_data", "sale.order", {
            "payload": {"partner_id": {"ref": "WS-1001"}}}),
        ("create_update_data", "res.partner", {  # phone: not a writable field
            "search_key": {"ref": "WS-1001"}, "payload": {"phone": "555-0100"}}),
    ]  # fmt: skip
    done = []
    for route, model, vals in calls:
        params = {"model": model, "vals": vals}
        response = requests.post(
            f"{url}/api/{route}",
            json={"params": params},
            headers={"Authorization": f"Bearer {key}"},
            timeout=60,
        )
        done.append((route, params, response.status_code, response.json()))
    return done


def show_calls(browser, out_dir):
    """The form again: calls and errors of the last 30 days, last errors."""
    browser.reload(".o_notebook .nav-link[name=errors]")
    browser.click(".o_notebook .nav-link[name=errors]")
    browser.wait_for(".o_field_widget[name=last_error_ids] .o_data_row")
    time.sleep(0.5)
    shot(browser, out_dir / "integration_calls.png", sheet_clip(browser))
    browser.click(".oe_stat_button", "~Calls")
    browser.wait_for(".o_list_view .o_group_header")
    browser.click(".o_list_view .o_group_header")
    browser.wait_for(".o_list_view .o_data_row")
    time.sleep(0.5)
    shot(browser, out_dir / "integration_log.png", (0, NAVBAR, 1280, 360))


def walk_through(server, browser, out_dir):
    """All of it; prints the API calls made and their answers."""
    make_user(server)
    open_menu(browser, server.url, out_dir)
    fill_header(browser)
    fill_rules(browser, out_dir)
    key = new_key(browser, out_dir)
    for route, params, status, answer in call_api(server.url, key):
        print(f"screenshots: /api/{route} {json.dumps(params)}")
        print(f"  -> {status} {json.dumps(answer)}")
    show_calls(browser, out_dir)
