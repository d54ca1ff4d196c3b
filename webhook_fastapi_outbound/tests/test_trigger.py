# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import OutboundCase


@tagged("post_install", "-at_install")
class TestTrigger(OutboundCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.partner = cls.Partner.create({"name": "Buyer", "type": "contact"})

    def test_true_transition_fires_once(self):
        rule = self.make_rule()
        self.partner.write({"type": "invoice"})
        self.commit_hooks()
        self.assertEqual(len(self.deliveries(rule)), 1)
        # Same state again, and unrelated fields on a matching record: nothing.
        self.partner.write({"type": "invoice"})
        self.partner.write({"phone": "+66 1234", "name": "Buyer 2"})
        self.commit_hooks()
        self.assertEqual(len(self.deliveries(rule)), 1)
        # Leaving then entering again is a new transition.
        self.partner.write({"type": "contact"})
        self.commit_hooks()
        self.partner.write({"type": "invoice"})
        self.commit_hooks()
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

    def test_patch_follows_rules(self):
        """Creating the first rule patches the model class, deleting the last
        one removes our patch (and only ours)."""
        partner_class = self.env.registry["res.partner"]
        self.assertNotIn("write", partner_class.__dict__)
        rule = self.make_rule()
        self.assertTrue(
            getattr(
                partner_class.__dict__.get("write"), "_webhook_outbound_patch", False
            )
        )
        self.assertNotIn("create", partner_class.__dict__)
        rule.trigger_on_create = True
        self.assertIn("create", partner_class.__dict__)
        rule.unlink()
        self.assertNotIn("write", partner_class.__dict__)
        self.assertNotIn("create", partner_class.__dict__)
