# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Issue 16 item 2: POST /api/batch, through the router."""

import json
import uuid

from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import WebhookHttpCase


def op(route, vals, model="res.partner"):
    return {"route": route, "model": model, "vals": vals}


def create(payload, **vals):
    return op("create_data", {"payload": payload, **vals})


@tagged("post_install", "-at_install")
class TestBatch(WebhookHttpCase):
    def batch(self, operations, atomic=None, headers=None):
        params = {"operations": operations}
        if atomic is not None:
            params["atomic"] = atomic
        return self.post("batch", params, headers=headers)

    def named(self, name):
        return self.Partner.with_context(active_test=False).search(
            [("name", "=", name)]
        )

    def test_contact_uses_the_company_of_operation_0(self):
        before = self.last_log().id or 0
        status, body = self.batch(
            [
                create({"name": "Batch Co", "is_company": True}),
                create(
                    {"name": "Batch Jane", "parent_id": {"$ref": "0.result.id"}},
                    result_field=["parent_id"],
                ),
                op(
                    "search_data",
                    {
                        "payload": {
                            "search_domain": [["name", "=", "Batch Jane"]],
                            "search_field": ["parent_id"],
                        }
                    },
                ),
            ]
        )
        self.assertEqual(status, 200, body)
        result = body["result"]["result"]
        company = self.named("Batch Co")
        jane = self.named("Batch Jane")
        self.assertEqual(jane.parent_id, company)
        self.assertEqual(
            [(e["index"], e["status"]) for e in result["operations"]],
            [(0, 200), (1, 200), (2, 200)],
        )
        self.assertEqual(result["operations"][1]["result"]["parent_id"], company.id)
        self.assertEqual(result["operations"][2]["result"][0]["id"], jane.id)
        self.assertEqual((result["succeeded"], result["failed"]), (3, 0))
        # One log entry for the batch, the operations readable in it.
        logs = self.Log.search([("id", ">", before)])
        self.assertEqual(len(logs), 1)
        self.assertEqual((logs.route, logs.state), ("/api/batch", "done"))
        self.assertIn('"operations"', logs.response_preview)
        self.assertIn("#1 200 Created res.partner", body["result"]["messages"])

    def test_atomic_failure_keeps_nothing_not_even_auto_created(self):
        # All or nothing wins over the parameters that keep partial work.
        self.setParam("webhook.rollback_state_failed", "False")
        self.setParam("webhook.rollback_except", "False")
        before = self.last_log().id or 0
        tag_name = f"Batch orphan {uuid.uuid4()}"
        status, body = self.batch(
            [
                create(
                    {
                        "name": "Batch Rolled",
                        "category_id": {"records": [{"name": tag_name}]},
                    },
                    auto_create={"category_id": {}},
                ),
                create(
                    {
                        "name": "Batch Rolled child",
                        "parent_id": {"name": "Batch: no such company"},
                    }
                ),
                create({"name": "Batch never runs"}),
                create({"name": "Batch Bad", "no_such_field": 1}),
            ]
        )
        self.assertApiError((status, body), 400, "Operation 1", "nothing was kept")
        result = body["result"]["result"]
        self.assertEqual(result["failed_operation"], 1)
        self.assertEqual(len(result["operations"]), 2)
        self.assertTrue(all(e["rolled_back"] for e in result["operations"]))
        self.assertFalse(self.named("Batch Rolled"))
        self.assertFalse(self.named("Batch never runs"))
        self.assertFalse(self.Category.search([("name", "=", tag_name)]))
        log = self.Log.search([("id", ">", before)])
        self.assertEqual((log.state, log.http_status), ("failed", 400))
        self.assertIn("Operation 1", log.error_message)

    def test_atomic_failure_of_a_precondition_and_of_access(self):
        partner = self._make_company("Batch Stale", "BATCH-STALE")
        for failing, expected in (
            (
                op(
                    "update_data",
                    {
                        "search_key": {"ref": "BATCH-STALE"},
                        "payload": {"comment": "x"},
                        "if_unmodified_since": "2000-01-01 00:00:00",
                    },
                ),
                409,
            ),
            # Each operation runs as the caller: no right to create countries.
            (
                op(
                    "create_data",
                    {"payload": {"name": "X", "code": "XX"}},
                    "res.country",
                ),
                403,
            ),
        ):
            status, body = self.batch([create({"name": "Batch Gone"}), failing])
            self.assertApiError((status, body), expected, "Operation 1")
            self.assertFalse(self.named("Batch Gone"))
        self.assertFalse(partner.comment)

    def test_non_atomic_reports_each_outcome(self):
        status, body = self.batch(
            [
                create({"name": "Batch Kept A"}),
                create({"name": "Batch Bad", "no_such_field": 1}),
                create({"name": "Batch Kept C", "parent_id": {"$ref": "0.result.id"}}),
                create({"name": "Batch D", "parent_id": {"$ref": "1.result.id"}}),
            ],
            atomic=False,
        )
        self.assertEqual(status, 200, body)
        result = body["result"]["result"]
        self.assertEqual(
            [(e["status"], e["is_success"]) for e in result["operations"]],
            [(200, True), (400, False), (200, True), (400, False)],
        )
        self.assertIn("no_such_field", result["operations"][1]["messages"])
        self.assertIn("operation 1 failed", result["operations"][3]["messages"])
        self.assertEqual((result["succeeded"], result["failed"]), (2, 2))
        self.assertEqual(
            self.named("Batch Kept C").parent_id, self.named("Batch Kept A")
        )
        self.assertFalse(self.named("Batch Bad") | self.named("Batch D"))
        self.assertIn("#1 400", body["result"]["messages"])

    def test_maximum_number_of_operations(self):
        self.setParam("webhook.batch_max_operations", "2")
        ops = [create({"name": f"Batch Max {i}"}) for i in range(3)]
        status, body = self.batch(ops)
        self.assertApiError((status, body), 413, "at most 2", "got 3")
        self.assertFalse(self.named("Batch Max 0"))
        self.assertEqual(self.batch(ops[:2])[0], 200)

    def test_bad_references_are_400_naming_operation_and_path(self):
        cases = (
            # forward: checked before anything runs
            (
                {"$ref": "1.result.id"},
                "operation 0: reference at params.operations.0.vals.payload.parent_id",
            ),
            ({"$ref": "0.result.id", "x": 1}, "no other key"),
            ({"$ref": 5}, "must be a path"),
        )
        for ref, fragment in cases:
            status, body = self.batch(
                [
                    create({"name": "Batch Ref", "parent_id": ref}),
                    create({"name": "Batch Ref 2"}),
                ]
            )
            self.assertApiError((status, body), 400, fragment)
        status, body = self.batch(
            [
                create({"name": "Batch Ref"}),
                create({"name": "Batch Ref 2", "parent_id": {"$ref": "0.result.nope"}}),
            ]
        )
        self.assertApiError(
            (status, body),
            400,
            "operation 1",
            "'0.result.nope'",
            "params.operations.1.vals.payload.parent_id",
        )
        self.assertFalse(self.named("Batch Ref") | self.named("Batch Ref 2"))

    def test_nested_batch_is_refused(self):
        nested = {"route": "batch", "model": "res.partner", "vals": {}}
        status, body = self.batch([create({"name": "Batch Outer"}), nested])
        self.assertEqual(status, 422, body)
        self.assertFalse(self.named("Batch Outer"))

    @mute_logger("odoo.addons.webhook_fastapi.models.webhook_api_service")
    def test_idempotent_replay_of_a_batch(self):
        key = str(uuid.uuid4())
        ops = [create({"name": "Batch Idem", "ref": "BATCH-IDEM"})]
        first = self.batch(ops, headers={"Idempotency-Key": key})
        self.assertEqual(first[0], 200, first)
        response = self.url_open(
            "/api/batch",
            data=json.dumps({"params": {"operations": ops}}),
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {self.api_key}",
                "Idempotency-Key": key,
            },
            timeout=60,
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers.get("Idempotent-Replayed"), "true")
        self.assertEqual(response.json()["result"], first[1]["result"])
        self.assertEqual(len(self.named("Batch Idem")), 1)
        self.assertTrue(self.last_log().idempotent_replay)

    # -- which operation, and where in the body ------------------------------
    def test_schema_errors_name_the_operation_and_its_place(self):
        """An operation's vals are validated by its route's schema: the 422
        names the place in the batch's body, not in a call alone."""
        ok = create({"name": "Batch Place ok"})
        cases = (
            (op("create_data", {"payload": "not an object"}), "payload"),
            (op("create_data", {"payload": {}, "bogus": 1}), "bogus"),
            (op("update_data", {"payload": {"name": "x"}}), "search_key"),
        )
        for failing, field in cases:
            with self.subTest(field):
                status, body = self.batch([ok, ok, ok, failing])
                self.assertApiError(
                    (status, body),
                    422,
                    f"Operation 3 ({failing['route']} res.partner) failed with 422",
                    f"params.operations.3.vals.{field}:",
                    "nothing was kept",
                )
                self.assertNotIn("params.vals", body["result"]["messages"])
                self.assertEqual(body["result"]["result"]["failed_operation"], 3)
        self.assertFalse(self.named("Batch Place ok"))

    def test_errors_while_running_name_the_operation_and_its_place(self):
        self._make_company("Batch Place Co", "BATCH-PLACE")
        for failing, status, fragment in _running_error_cases():
            with self.subTest(fragment):
                self._assert_failing_operation_named(failing, status, fragment)

    def _assert_failing_operation_named(self, failing, status, fragment):
        answer = self.batch([create({"name": "Batch Place first"}), failing])
        self.assertApiError(
            answer,
            status,
            f"Operation 1 ({failing['route']} res.partner) failed with {status}: ",
            fragment,
        )
        self.assertFalse(self.named("Batch Place first"))
        # The same place in the answer of a batch that is not atomic.
        code, body = self.batch(
            [create({"name": "Batch Place kept"}), failing], atomic=False
        )
        self.assertEqual(code, 200, body)
        entry = body["result"]["result"]["operations"][1]
        self.assertEqual(entry["status"], status)
        self.assertIn(fragment, entry["messages"])

    @mute_logger("odoo.addons.webhook_fastapi.models.webhook_api_service")
    def test_an_odoo_refusal_names_its_operation(self):
        """A method that refuses (archiving a user's contact, a
        ValidationError) inside an atomic batch: 400 naming the operation
        and Odoo's reason, nothing kept."""
        call = op(
            "call_function",
            {
                "search_key": {"id": self.api_user.partner_id.id},
                "payload": {"method": "action_archive"},
            },
        )
        answer = self.batch([create({"name": "Batch Refused first"}), call])
        self.assertApiError(
            answer,
            400,
            "Operation 1 (call_function res.partner) failed with 400",
            "linked to an active user",
        )
        self.assertFalse(self.named("Batch Refused first"))
        self.assertTrue(self.api_user.partner_id.active)

    def test_too_deep_names_the_operation(self):
        deep = "[" * 100 + "]" * 100
        raw = json.dumps(
            {"params": {"operations": [create({"name": "Batch Deep ok"}), "DEEP"]}}
        ).replace(
            '"DEEP"',
            json.dumps(create({"name": "Batch Deep"})).replace(
                '"Batch Deep"}', '"Batch Deep", "comment": ' + deep + "}"
            ),
        )
        self.assertApiError(
            self.post("batch", raw=raw),
            400,
            "params.operations.1 (operation 1): nested deeper than 64 levels",
        )
        self.assertFalse(self.named("Batch Deep ok"))


def _running_error_cases():
    """(failing operation, status, fragment of the message naming its place)."""
    return (
        (
            create({"name": "Batch Place", "no_such_field": 1}),
            400,
            "(at params.operations.1.vals.payload.no_such_field)",
        ),
        (
            op(
                "create_data",
                {
                    "payload": {
                        "name": "Batch Place",
                        "child_ids": [{"name": "a"}, {"name": "b", "color": "red"}],
                    }
                },
            ),
            400,
            "params.operations.1.vals.payload.child_ids[1].color:",
        ),
        (
            create({"name": "Batch Place", "parent_id": {"name": "Batch: none"}}),
            400,
            "params.operations.1.vals.payload.parent_id: no record",
        ),
        (
            op(
                "update_data",
                {"search_key": {"ref": "BATCH-NONE"}, "payload": {"name": "x"}},
            ),
            404,
            "matches search_key {'ref': 'BATCH-NONE'}",
        ),
        (
            op(
                "update_data",
                {"search_key": {"no_field": "x"}, "payload": {"name": "x"}},
            ),
            400,
            "params.operations.1.vals.search_key: unknown lookup field",
        ),
    )
