/** @odoo-module **/
// License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
// Create an outbound rule through the form: model, domain widget, payload
// fields, endpoint; then save. tests/test_tour.py checks what was saved.
import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("webhook_fastapi_outbound_rule_tour", {
    url: "/odoo/action-webhook_fastapi_outbound.action_webhook_outbound_rule",
    steps: () => [
        {trigger: ".o_list_button_add", run: "click"},
        {trigger: ".o_field_widget[name=name] input", run: "edit Tour rule"},
        {trigger: ".o_field_widget[name=model_id] input", run: "edit Partner Tags"},
        {
            trigger:
                ".o_field_widget[name=model_id] .o-autocomplete--dropdown-menu li:contains(Partner Tags)",
            run: "click",
        },
        // The domain widget appears once the model is known: add a condition.
        {trigger: ".o_field_widget[name=domain] a:contains(New Rule)", run: "click"},
        {trigger: ".o_field_widget[name=domain] .o_tree_editor_condition"},
        {
            trigger: ".o_field_widget[name=endpoint_url] input",
            run: "edit https://hooks.example.com/tags",
        },
        {
            trigger: ".o_field_widget[name=payload_fields] textarea",
            run: 'edit ["name", "color"]',
        },
        {trigger: ".o_form_button_save", run: "click"},
        {trigger: ".o_form_readonly, .o_form_saved"},
    ],
});
