# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Transitions that do not come from a write() of the domain's fields:
recomputes of stored computed fields (also from other records), deletion,
archiving."""

import json

from odoo.tests import tagged

from .common import OutboundCase


@tagged("post_install", "-at_install")
class TestTransitions(OutboundCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.Partner.create({"name": "Acme Co", "is_company": True})
        cls.contacts = cls.Partner.create(
            [{"name": f"Contact {i}", "parent_id": cls.company.id} for i in range(2)]
        )
        cls.env.flush_all()

    def renamed_rule(self, **vals):
        return self.make_rule(
            name="Renamed company",
            domain="[('complete_name', 'ilike', 'Renamed Co,')]",
            payload_fields='["complete_name"]',
            **vals,
        )

    def test_recompute_from_another_record_fires(self):
        """A contact's complete_name is recomputed when its company is
        renamed: each contact enters the domain once; the same name again,
        or an unrelated field, fires nothing; leaving and coming back does."""
        rule = self.renamed_rule()
        self.commit_writes(self.company, {"name": "Renamed Co"})
        deliveries = self.deliveries(rule)
        self.assertEqual(sorted(deliveries.mapped("res_id")), sorted(self.contacts.ids))
        self.assertEqual(
            sorted(json.loads(d.payload_json)["complete_name"] for d in deliveries),
            ["Renamed Co, Contact 0", "Renamed Co, Contact 1"],
        )
        self.company.write({"name": "Renamed Co"})
        self.company.write({"phone": "+66 1"})
        self.contacts.write({"name": "Same"})
        self.contacts.write({"name": "Same"})
        self.commit_hooks()
        self.assertEqual(len(self.deliveries(rule)), 2)
        self.commit_writes(self.company, {"name": "Other Co"}, {"name": "Renamed Co"})
        self.assertEqual(len(self.deliveries(rule)), 4)
        # A contact's second delivery waits until its first is sent.
        self.send()
        self.assertEqual(len(self.receiver.requests), 2)
        self.send()
        self.assertEqual(len(self.receiver.requests), 4)

    def test_first_compute_of_created_record_is_no_transition(self):
        """A created record gets its computed values for the first time:
        that is its creation ("Also on Creation"), not a transition; later
        recomputes in the same transaction are."""
        rule = self.renamed_rule()
        self.commit_writes(self.company, {"name": "Renamed Co"})
        born = self.Partner.create({"name": "Born", "parent_id": self.company.id})
        self.commit_hooks()
        self.assertNotIn(born.id, self.deliveries(rule).mapped("res_id"))
        self.commit_writes(self.company, {"name": "Gone Co"}, {"name": "Renamed Co"})
        self.assertEqual(
            self.deliveries(rule)
            .filtered(lambda d: d.res_id == born.id)
            .mapped("res_id"),
            [born.id],
        )
        rule.trigger_on_create = True
        twin = self.Partner.create({"name": "Twin", "parent_id": self.company.id})
        self.commit_hooks()
        self.assertEqual(
            self.deliveries(rule).filtered(lambda d: d.res_id == twin.id).res_id,
            twin.id,
        )

    def test_deletion_delivers_payload_built_before(self):
        rule = self.make_rule(
            domain="[('type', '=', 'invoice')]",
            payload_fields='["name", "email"]',
            trigger_on_unlink=True,
        )
        quiet = self.make_rule(name="No deletion", domain="[('type', '=', 'invoice')]")
        doomed = self.Partner.create(
            {"name": "Doomed", "email": "doomed@example.com", "type": "invoice"}
        )
        other = self.Partner.create({"name": "Not matching", "type": "contact"})
        doomed_id = doomed.id
        self.commit_hooks()
        (doomed | other).unlink()
        self.commit_hooks()
        delivery = self.deliveries(rule)
        self.assertEqual(delivery.mapped("res_id"), [doomed_id])
        self.assertEqual(
            json.loads(delivery.payload_json),
            {"name": "Doomed", "email": "doomed@example.com"},
        )
        self.assertFalse(self.deliveries(quiet))
        self.send()
        self.assertEqual(
            [json.loads(r["body"]) for r in self.receiver.requests],
            [{"name": "Doomed", "email": "doomed@example.com"}],
        )

    def test_deletion_rolled_back_announces_nothing(self):
        rule = self.make_rule(trigger_on_unlink=True)
        kept = self.Partner.create({"name": "Kept", "type": "invoice"})
        self.env.flush_all()
        savepoint = self.env.cr.savepoint(flush=False)
        kept.unlink()
        savepoint.close(rollback=True)
        self.env.invalidate_all()
        self.commit_hooks()
        self.assertTrue(kept.exists())
        self.assertFalse(self.deliveries(rule))

    def test_archiving_is_a_transition_on_active(self):
        rule = self.make_rule(name="Archived", domain="[('active', '=', False)]")
        self.contacts[0].action_archive()
        self.commit_hooks()
        self.assertEqual(self.deliveries(rule).mapped("res_id"), [self.contacts[0].id])
        self.contacts[0].action_archive()
        self.commit_hooks()
        self.assertEqual(len(self.deliveries(rule)), 1)
