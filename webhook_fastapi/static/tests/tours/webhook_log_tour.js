/** @odoo-module **/
// License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
// The API log as an administrator sees it: the list, one entry's form, its
// Full Log (fetched from the URL the button opens) and a replay.

import {browser} from "@web/core/browser/browser";
import {patch} from "@web/core/utils/patch";
import {registry} from "@web/core/registry";

const state = {url: null, unpatch: null};

function fail(message) {
    // Console.error makes the test runner fail the tour.
    console.error(message);
    throw new Error(message);
}

registry.category("web_tour.tours").add("webhook_fastapi_log_tour", {
    url: "/odoo/action-webhook_fastapi.action_webhook_log",
    steps: () => [
        {
            content: "The list shows the logged call",
            trigger:
                ".o_list_view .o_data_row td[name=route]:contains(/api/create_data)",
        },
        {
            content: "Open the entry",
            trigger:
                ".o_list_view .o_data_row:first td[name=model_name]:contains(res.partner)",
            run: "click",
        },
        {
            content: "The form shows the start of the request in a monospace preview",
            trigger:
                ".o_form_view .o_field_widget[name=request_preview].font-monospace:contains(TOUR-START-MARKER)",
        },
        {
            content: "The preview stops before the end of the request",
            trigger: ".o_form_view .o_field_widget[name=request_preview]",
            run() {
                if (this.anchor.textContent.includes("TOUR-END-MARKER")) {
                    fail(
                        "The preview holds the whole request: expected it cut at the limit"
                    );
                }
            },
        },
        {
            content: "Open the Full Log (the new window is caught, its URL kept)",
            trigger: ".o_form_view .o_form_statusbar button[name=action_open_full_log]",
            run(actions) {
                state.unpatch = patch(browser, {
                    open(url) {
                        state.url = url;
                        return {closed: false};
                    },
                });
                actions.click();
            },
        },
        {
            content: "The Full Log holds the whole request and the response",
            trigger: ".o_form_view",
            async run() {
                const deadline = Date.now() + 5000;
                while (!state.url && Date.now() < deadline) {
                    await new Promise((resolve) => setTimeout(resolve, 50));
                }
                state.unpatch();
                if (!state.url) {
                    fail("The Full Log button opened no URL");
                }
                const response = await fetch(state.url);
                const text = await response.text();
                if (!response.ok) {
                    fail(`The Full Log URL ${state.url} answered ${response.status}`);
                }
                let full = null;
                try {
                    full = JSON.parse(text);
                } catch {
                    fail(`The Full Log is not JSON: ${text.slice(0, 200)}`);
                }
                if (
                    !JSON.stringify(full.request).includes("TOUR-END-MARKER") ||
                    !full.response
                ) {
                    fail(
                        `The Full Log misses the end of the request: ${text.slice(0, 200)}`
                    );
                }
                document.body.classList.add("o_webhook_full_log_checked");
            },
        },
        {
            content: "Full Log checked",
            trigger: "body.o_webhook_full_log_checked",
        },
        {
            content: "Replay the call",
            trigger: ".o_form_view .o_form_statusbar button[name=action_replay]",
            run: "click",
        },
        {
            content: "Confirm",
            trigger: ".modal-footer button.btn-primary",
            run: "click",
        },
        {
            content: "The replay's entry opens, linked to the original",
            trigger: ".o_form_view .o_field_widget[name=replayed_from_id]",
        },
    ],
});
