# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Issue 16, benchmark 10: a batch is cheaper than its operations one by
one (search_key looked up once per model, one UPDATE for many operations)
and answers exactly as its operations run in order would: what an
operation creates, renames, archives or deletes is seen by the next ones'
lookups, and a failure is still named by the operation that caused it."""

import re
import uuid
from contextlib import contextmanager
from unittest.mock import patch

from odoo.sql_db import Cursor
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import WebhookServiceCase

SERVICE_LOGGER = "odoo.addons.webhook_fastapi.models.webhook_api_service"


def op(route, vals, model="res.partner"):
    return {"route": route, "model": model, "vals": vals}


def upsert(key, **payload):
    return op("create_update_data", {"search_key": {"ref": key}, "payload": payload})


def update(key, **payload):
    return op("update_data", {"search_key": {"ref": key}, "payload": payload})


@tagged("post_install", "-at_install")
class TestBatchLookups(WebhookServiceCase):
    def setUp(self):
        super().setUp()
        self.tag = uuid.uuid4().hex[:8]

    def ref(self, name):
        return f"BL-{self.tag}-{name}"

    def batch(self, operations, atomic=True):
        return self.call("batch", {"operations": operations, "atomic": atomic})

    def ok(self, operations, atomic=True):
        return self.assertApiOk(self.batch(operations, atomic))["operations"]

    def with_ref(self, ref, active_test=True):
        return self.Partner.with_context(active_test=active_test).search(
            [("ref", "=", ref)]
        )

    def messages(self, entries):
        return [e["messages"].split(" res.partner")[0] for e in entries]

    @contextmanager
    def sql(self):
        """The SQL statements run meanwhile."""
        statements = []
        execute = Cursor.execute

        def record(cr, query, params=None, log_exceptions=True):
            statements.append(str(getattr(query, "code", query)))
            return execute(cr, query, params, log_exceptions)

        self.env.flush_all()
        self.env.invalidate_all()
        with patch.object(Cursor, "execute", record):
            yield statements

    # -- what earlier operations did is seen -----------------------------
    def test_a_record_created_is_found_by_the_next_lookups(self):
        ref = self.ref("new")
        entries = self.ok(
            [
                upsert(ref, name="First", ref=ref),
                upsert(ref, name="Second", ref=ref),
                op(
                    "create_data",
                    {"payload": {"name": "Contact", "parent_id": {"ref": ref}}},
                ),
            ]
        )
        self.assertEqual(self.messages(entries[:2]), ["Created", "Updated"])
        partner = self.with_ref(ref)
        self.assertEqual(partner.name, "Second")
        self.assertEqual(entries[0]["result"]["id"], entries[1]["result"]["id"])
        contact = self.Partner.browse(entries[2]["result"]["id"])
        self.assertEqual(contact.parent_id, partner)

    def test_a_renamed_key_is_not_found_any_more(self):
        old, new = self.ref("old"), self.ref("renamed")
        partner = self._make_company("BL renamed", old)
        entries = self.ok(
            [
                update(old, ref=new),
                upsert(old, name="BL in its place", ref=old),
                update(new, comment="found by its new key"),
            ]
        )
        self.assertEqual(self.messages(entries), ["Updated", "Created", "Updated"])
        self.assertEqual(partner.ref, new)
        self.assertEqual(entries[2]["result"]["id"], partner.id)
        self.assertEqual(self.with_ref(old).name, "BL in its place")

    def test_archived_or_deleted_by_a_method_is_not_found(self):
        for method in ("action_archive", "unlink"):
            with self.subTest(method):
                ref = self.ref(method)
                partner = self._make_company(f"BL {method}", ref)
                call = op(
                    "call_function",
                    {"search_key": {"ref": ref}, "payload": {"method": method}},
                )
                entries = self.ok([call, upsert(ref, name="BL again", ref=ref)])
                self.assertEqual(self.messages(entries)[1], "Created")
                self.assertNotEqual(entries[1]["result"]["id"], partner.id)
                self.assertEqual(self.with_ref(ref).name, "BL again")

    def test_a_second_match_created_meanwhile_is_seen(self):
        ref = self.ref("twin")
        self._make_company("BL twin", ref)
        status, body = self.batch(
            [
                op("create_data", {"payload": {"name": "BL twin 2", "ref": ref}}),
                update(ref, comment="which one?"),
            ]
        )
        self.assertApiError((status, body), 409, "Operation 1", "2 records")
        self.assertEqual(len(self.with_ref(ref)), 1)

    @mute_logger(SERVICE_LOGGER, "odoo.sql_db")
    def test_non_atomic_failure_undone_is_not_seen(self):
        ref = self.ref("undone")
        entries = self.ok(
            [
                upsert(ref, name="BL kept", ref=ref),
                # Renames the record, then fails (a contact needs a name):
                # its savepoint is undone.
                update(ref, ref=f"{ref}-x", name=False),
                upsert(ref, name="BL kept again", ref=ref),
            ],
            atomic=False,
        )
        self.assertEqual(
            [e["status"] for e in entries], [200, 400, 200], self.messages(entries)
        )
        self.assertEqual(self.messages(entries)[2], "Updated")
        self.assertEqual(self.with_ref(ref).name, "BL kept again")

    # -- failures are named by the operation that caused them ----------------
    @mute_logger(SERVICE_LOGGER, "odoo.sql_db")
    def test_a_constraint_failing_at_the_flush_names_its_operation(self):
        """Not flushed after each operation: the name set to NULL on
        operation 1 reaches the database at the batch's end (or at the
        search of operation 2); the answer still names operation 1."""
        ref = self.ref("noname")
        partner = self._make_company("BL named", ref)
        other = self._make_company("BL other", self.ref("other"))
        search = op(
            "search_data",
            {"payload": {"search_domain": [["name", "=", "BL named"]]}},
        )
        for last in (op("create_data", {"payload": {"name": "BL last"}}), search):
            with self.subTest(last=last["route"]):
                status, body = self.batch(
                    [
                        update(other.ref, comment="kept? no"),
                        update(ref, name=False),
                        last,
                    ]
                )
                self.assertApiError((status, body), 400, "Operation 1", "name")
                result = body["result"]["result"]
                self.assertEqual(result["failed_operation"], 1)
                self.assertEqual(len(result["operations"]), 2)
                self.assertEqual(partner.name, "BL named")
                self.assertFalse(other.comment)
                self.assertFalse(self.Partner.search([("name", "=", "BL last")]))

    @mute_logger(SERVICE_LOGGER, "odoo.sql_db")
    def test_a_key_the_database_refuses_fails_its_operation_only(self):
        """The lookups made before the first operation meet an id out of
        range: left to that operation, which fails as it would alone."""
        status, body = self.batch(
            [
                op("create_data", {"payload": {"name": "BL before"}}),
                op(
                    "update_data",
                    {"search_key": {"id": 10**12}, "payload": {"name": "x"}},
                ),
            ]
        )
        self.assertEqual(status // 100, 4, body)
        self.assertIn("Operation 1", body["result"]["messages"])
        self.assertFalse(self.Partner.search([("name", "=", "BL before")]))

    # -- and it costs less ---------------------------------------------------
    def test_one_search_for_every_key_and_one_update(self):
        refs = [self.ref(f"q{i}") for i in range(20)]
        self.Partner.create([{"name": f"BL q {r}", "ref": r} for r in refs])
        with self.sql() as statements:
            entries = self.ok([upsert(r, comment=f"c {r}") for r in refs])
        self.assertEqual(self.messages(entries), ["Updated"] * 20)
        lookups = [s for s in statements if re.search(r'"res_partner"\."ref" IN', s)]
        updates = [s for s in statements if re.match(r'\s*UPDATE "res_partner"', s)]
        self.assertEqual(len(lookups), 1, lookups)
        self.assertEqual(len(updates), 1, updates)
        self.assertEqual(
            {(p.ref, p.comment) for p in self.Partner.search([("ref", "in", refs)])},
            {(r, f"<p>c {r}</p>") for r in refs},
        )
