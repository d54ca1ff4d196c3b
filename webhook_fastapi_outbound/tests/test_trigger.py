# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.exceptions import ValidationError
from odoo.tests import new_test_user, tagged

from .common import OutboundCase


@tagged("post_install", "-at_install")
class TestTrigger(OutboundCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.partner = cls.Partner.create({"name": "Buyer", "type": "contact"})

    def test_true_transition_fires_once(self):
        rule = self.make_rule()
        self.commit_writes(self.partner, {"type": "invoice"})
        self.assertEqual(len(self.deliveries(rule)), 1)
        # Same state again, and unrelated fields on a matching record: nothing.
        self.partner.write({"type": "invoice"})
        self.partner.write({"phone": "+66 1234", "name": "Buyer 2"})
        self.commit_hooks()
        self.assertEqual(len(self.deliveries(rule)), 1)
        # Leaving then entering again is a new transition.
        self.commit_writes(self.partner, {"type": "contact"}, {"type": "invoice"})
        self.assertEqual(len(self.deliveries(rule)), 2)
        self.assertEqual(self.deliveries(rule).mapped("res_id"), [self.partner.id] * 2)

    def test_one_delivery_per_record_and_commit(self):
        rule = self.make_rule()
        others = self.Partner.create([{"name": f"P{i}"} for i in range(3)])
        (self.partner | others).write({"type": "invoice"})
        others.write({"type": "contact"})
        others[0].write({"type": "invoice"})
        self.commit_hooks()
        # others[1:] left the domain before the commit: not announced.
        self.assertEqual(
            sorted(self.deliveries(rule).mapped("res_id")),
            sorted([self.partner.id, others[0].id]),
        )

    def test_rolled_back_change_never_announced(self):
        rule = self.make_rule()
        with self.assertRaises(ZeroDivisionError), self.env.cr.savepoint():
            self.partner.write({"type": "invoice"})
            raise ZeroDivisionError("the change fails after the write")
        self.commit_hooks()
        self.assertFalse(self.deliveries(rule))
        self.send()
        self.assertEqual(self.receiver.requests, [])

    def test_unflushed_savepoint_rollback_rechecked(self):
        """A savepoint that does not clear the hooks: the domain is checked
        again at commit time."""
        rule = self.make_rule()
        self.env.flush_all()
        savepoint = self.env.cr.savepoint(flush=False)
        self.partner.write({"type": "invoice"})
        self.env.flush_all()
        savepoint.close(rollback=True)
        self.env.invalidate_all()
        self.commit_hooks()
        self.assertFalse(self.deliveries(rule))

    def test_transition_undone_after_savepoint_not_announced(self):
        """Odoo runs the pre-commit hooks at every savepoint, so the event is
        queued there; the record leaves the domain before the commit. The
        job checks the committed record again: nothing is announced."""
        rule = self.make_rule()
        self.partner.write({"type": "invoice"})
        with self.env.cr.savepoint():  # flushes: the event is in the table
            pass
        Event = self.env["webhook.outbound.event"]
        self.assertEqual(
            Event.search([("rule_id", "=", rule.id)]).res_id, self.partner.id
        )
        self.partner.write({"type": "contact"})
        self.commit_hooks()
        self.assertFalse(self.deliveries(rule))
        self.assertFalse(Event.search([]), "the job consumed the event")

    def test_domain_checked_again_as_the_writer(self):
        """The job checks the domain as the user who made the change (uid in
        the domain), not as the job's own user."""
        user = new_test_user(
            self.env, login="webhook_writer", groups="base.group_partner_manager"
        )
        rule = self.make_rule(
            domain="[('type', '=', 'invoice'), ('user_id', '=', uid)]"
        )
        self.partner.user_id = user
        self.partner.with_user(user).write({"type": "invoice"})
        self.commit_hooks()
        self.assertEqual(self.deliveries(rule).mapped("res_id"), [self.partner.id])

    def test_wake_up_survives_a_rolled_back_savepoint(self):
        """A savepoint rolled back takes its events and its trigger row back;
        the next firing flush of the transaction writes a trigger again."""
        self.make_rule()
        cron = self.env.ref("webhook_fastapi_outbound.ir_cron_webhook_outbound_send")
        Trigger = self.env["ir.cron.trigger"]
        before = Trigger.search([("cron_id", "=", cron.id)])
        other = self.Partner.create({"name": "Other"})
        with self.assertRaises(ZeroDivisionError), self.env.cr.savepoint():
            self.partner.write({"type": "invoice"})
            with self.env.cr.savepoint():  # flushes: event and trigger written
                pass
            raise ZeroDivisionError
        other.write({"type": "invoice"})
        self.env.cr.flush()
        self.assertTrue(Trigger.search([("cron_id", "=", cron.id)]) - before)
        events = self.env["webhook.outbound.event"].search([])
        self.assertEqual(events.mapped("res_id"), [other.id])

    def test_record_deleted_before_job(self):
        rule = self.make_rule()
        doomed = self.Partner.create({"name": "Doomed"})
        (self.partner | doomed).write({"type": "invoice"})
        self.env.cr.flush()
        doomed.unlink()
        self.commit_hooks()
        self.assertEqual(self.deliveries(rule).mapped("res_id"), [self.partner.id])

    def test_firing_write_only_queues(self):
        """The transaction that fires a rule inserts its events and one cron
        trigger, in one query, and builds nothing: one query more than the
        same write that does not fire, for 1 or 20 records."""
        Event = self.env["webhook.outbound.event"]

        def queries(records, value):
            records.write({"type": "contact"})
            self.env.cr.flush()
            self.env.cr.postcommit.clear()  # as a commit does
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            records.write({"type": value})
            self.env.cr.flush()  # what the commit runs first
            return self.env.cr.sql_log_count - before

        one = self.partner
        many = self.Partner.create([{"name": f"M{i}"} for i in range(20)])
        rule = self.make_rule()
        queries(one | many, "invoice")  # fills the rule cache
        Event.search([]).unlink()
        extra = {
            n: queries(records, "invoice") - queries(records, "delivery")
            for n, records in ((1, one), (20, many))
        }
        self.assertEqual(extra, {1: 1, 20: 1})
        self.assertEqual(len(Event.search([("rule_id", "=", rule.id)])), 21)
        self.assertFalse(self.deliveries(rule), "payloads are built by the job")
        # The job checks the domain again: the records are back in it, and
        # one delivery per record, whatever the number of its events.
        (one | many).write({"type": "invoice"})
        self.commit_hooks()
        self.assertEqual(len(self.deliveries(rule)), 21)

    def test_payload_that_cannot_be_built_fails_visibly(self):
        rule = self.make_rule(payload_fields='["name"]')
        # A rule saved before a field was removed: the constraint cannot
        # see it, the job must not stall on it.
        self.env.cr.execute(
            "UPDATE webhook_outbound_rule SET payload_fields = %s WHERE id = %s",
            ['["name", "gone_field"]', rule.id],
        )
        rule.invalidate_recordset()
        other = self.make_rule(name="Other rule")
        self.partner.write({"type": "invoice"})
        logger = "odoo.addons.webhook_fastapi_outbound.models.webhook_outbound_trigger"
        with self.assertLogs(logger, "ERROR"):
            self.commit_hooks()
        failed = self.deliveries(rule)
        self.assertEqual(failed.mapped("state"), ["failed"])
        self.assertIn("gone_field", failed.error_message)
        self.assertEqual(self.deliveries(other).mapped("state"), ["pending"])
        self.assertFalse(self.env["webhook.outbound.event"].search([]))

    def test_creation_option(self):
        rule = self.make_rule()
        self.Partner.create({"name": "Born invoice", "type": "invoice"})
        self.commit_hooks()
        self.assertFalse(self.deliveries(rule))
        rule.trigger_on_create = True
        created = self.Partner.create(
            [{"name": "Born invoice", "type": "invoice"}, {"name": "Other"}]
        )
        self.commit_hooks()
        self.assertEqual(self.deliveries(rule).mapped("res_id"), [created[0].id])

    def test_model_without_mixin_and_other_model(self):
        """res.partner.category has no mixin and no code: the rule alone
        patches it; an archived rule stops firing."""
        category_model = self.env["ir.model"]._get("res.partner.category")
        rule = self.make_rule(
            model_id=category_model.id,
            domain="[('color', '=', 5)]",
            payload_fields='["name", "color"]',
        )
        self.assertNotIn("callback_url", self.env["res.partner.category"]._fields)
        tag = self.env["res.partner.category"].create({"name": "VIP", "color": 0})
        tag.write({"color": 5})
        self.commit_hooks()
        delivery = self.deliveries(rule)
        self.assertEqual(len(delivery), 1)
        self.assertEqual(delivery.payload_json, '{"name":"VIP","color":5}')
        rule.active = False
        tag.write({"color": 1})
        tag.write({"color": 5})
        self.commit_hooks()
        self.assertEqual(len(self.deliveries(rule)), 1)

    def test_company_restriction(self):
        company2 = self.env["res.company"].create({"name": "Other Co"})
        rule = self.make_rule(company_id=company2.id)
        self.partner.company_id = self.env.company
        self.partner.write({"type": "invoice"})
        mine = self.Partner.create({"name": "Mine", "company_id": company2.id})
        mine.write({"type": "invoice"})
        self.commit_hooks()
        self.assertEqual(self.deliveries(rule).mapped("res_id"), [mine.id])

    def test_write_overhead_without_matching_field(self):
        """A write that touches no field of any rule's domain costs no query."""
        partner = self.partner

        def queries(value):
            self.env.flush_all()
            before = self.env.cr.sql_log_count
            partner.write({"phone": value})
            self.env.flush_all()
            return self.env.cr.sql_log_count - before

        queries("1")
        baseline = queries("2")
        self.make_rule()
        queries("3")  # fills the rule cache
        self.assertEqual(queries("4"), baseline)

    def test_invalid_rules_refused(self):
        with self.assertRaisesRegex(
            ValidationError, "invalid trigger domain.*no_such_field"
        ):
            self.make_rule(domain="[('no_such_field', '=', 1)]")
        with self.assertRaisesRegex(ValidationError, "invalid trigger domain"):
            self.make_rule(domain="[('type', '=', ")
        with self.assertRaisesRegex(ValidationError, "Unknown field 'country_id.nope'"):
            self.make_rule(payload_fields='["name", "country_id{nope}"]')
        with self.assertRaisesRegex(ValidationError, "cannot be expanded"):
            self.make_rule(payload_fields='["name{x}"]')
        with self.assertRaisesRegex(ValidationError, "not valid JSON"):
            self.make_rule(payload_fields='["name",')
        with self.assertRaisesRegex(
            ValidationError, "JSON list of field names or a JSON object"
        ):
            self.make_rule(payload_fields='"name"')
        with self.assertRaisesRegex(ValidationError, "Endpoint URL is required"):
            self.make_rule(endpoint_url=False)
        with self.assertRaisesRegex(ValidationError, "http:// or https://"):
            self.make_rule(endpoint_url="ftp://example.com/x")
        with self.assertRaisesRegex(ValidationError, "cannot watch"):
            self.make_rule(
                model_id=self.env["ir.model"]._get("webhook.log").id, domain="[]"
            )
        rule = self.make_rule()
        with self.assertRaisesRegex(ValidationError, "no_such_field"):
            rule.domain = "[('no_such_field', '=', 1)]"

    def test_survives_base_automation_unregister(self):
        """base_automation's _unregister_hook (run whenever one of its rules
        is saved) deletes these attributes from every model class; our
        hooks are not among them: the rule keeps firing, once."""
        rule = self.make_rule()
        names = ("create", "write", "_compute_field_value", "unlink")
        for model_class in self.env.registry.values():
            for name in names:
                if name in model_class.__dict__:
                    delattr(model_class, name)
        self.commit_writes(self.partner, {"type": "invoice"})
        self.assertEqual(self.deliveries(rule).mapped("res_id"), [self.partner.id])
