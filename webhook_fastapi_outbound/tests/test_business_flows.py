# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Issue 13's acceptance on real business flows: each transition fires
exactly the expected deliveries. Needs sale_stock and account (test
dependencies only, not in the manifest): `make test` runs this class on a
database that has them (scripts/test.sh, step odoo-flows); elsewhere it is
skipped."""

import unittest

from odoo.tests import tagged

from .common import OutboundCase

FLOW_MODULES = ("sale_stock", "account")


@tagged("post_install", "-at_install", "webhook_business_flows")
class TestBusinessFlows(OutboundCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        installed = cls.env["ir.module.module"].search(
            [("name", "in", FLOW_MODULES), ("state", "=", "installed")]
        )
        if len(installed) < len(FLOW_MODULES):
            raise unittest.SkipTest("needs sale_stock and account installed")
        cls.buyer = cls.Partner.create({"name": "Flow Buyer"})
        cls.product = cls.env["product.product"].create(
            {"name": "Flow Thing", "type": "consu", "list_price": 10.0}
        )

    def rule_on(self, model, domain, **vals):
        return self.make_rule(
            name=f"{model} {domain}",
            model_id=self.env["ir.model"]._get(model).id,
            domain=domain,
            payload_fields='["display_name"]',
            **vals,
        )

    def count(self, rule):
        """Deliveries of ``rule`` once this transaction's events are built."""
        self.commit_hooks()
        return len(self.deliveries(rule))

    def order(self, lines=1):
        line = {"product_id": self.product.id, "product_uom_qty": 2}
        return self.env["sale.order"].create(
            {"partner_id": self.buyer.id, "order_line": [(0, 0, line)] * lines}
        )

    def validate(self, picking):
        for move in picking.move_ids:
            move.write({"quantity": move.product_uom_qty, "picked": True})
        picking.button_validate()
        self.assertEqual(picking.state, "done")

    def invoice(self):
        line = {"name": "Flow line", "quantity": 1, "price_unit": 100.0}
        return self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.buyer.id,
                "invoice_line_ids": [(0, 0, line)],
            }
        )

    def test_confirm_cancel_and_confirm_again(self):
        rule = self.rule_on("sale.order", "[('state', '=', 'sale')]")
        order = self.order()
        order.action_confirm()
        self.assertEqual(self.count(rule), 1)
        order.write({"note": "unrelated"})
        self.assertEqual(self.count(rule), 1)
        order._action_cancel()
        order.action_draft()
        order.action_confirm()
        self.assertEqual(self.count(rule), 2, "leaving and entering again fires")

    def test_validate_a_ten_line_delivery(self):
        rule = self.rule_on("stock.picking", "[('state', '=', 'done')]")
        order = self.order(lines=10)
        order.action_confirm()
        self.assertEqual(self.count(rule), 0)
        self.validate(order.picking_ids)
        self.assertEqual(self.count(rule), 1)

    def test_post_and_pay_an_invoice(self):
        # The payment's own journal entry is posted too: invoices only.
        invoices = "('move_type', '=', 'out_invoice')"
        posted = self.rule_on("account.move", f"[{invoices}, ('state', '=', 'posted')]")
        paid = self.rule_on(
            "account.move",
            f"[{invoices}, ('payment_state', 'in', ['paid', 'in_payment'])]",
        )
        invoice = self.invoice()
        invoice.action_post()
        self.assertEqual((self.count(posted), self.count(paid)), (1, 0))
        context = {"active_model": "account.move", "active_ids": invoice.ids}
        wizard = self.env["account.payment.register"].with_context(**context).create({})
        wizard.action_create_payments()
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertEqual((self.count(posted), self.count(paid)), (1, 1))
        fired = self.deliveries(posted) | self.deliveries(paid)
        self.assertEqual(set(fired.mapped("res_id")), {invoice.id})

    def test_rename_company_recomputes_contacts(self):
        company = self.Partner.create({"name": "Flow Co", "is_company": True})
        contacts = self.Partner.create(
            [{"name": f"Flow Contact {i}", "parent_id": company.id} for i in range(3)]
        )
        rule = self.rule_on(
            "res.partner", "[('complete_name', 'ilike', 'Renamed Flow')]"
        )
        company.write({"name": "Renamed Flow Co"})
        self.commit_hooks()
        fired = set(self.deliveries(rule).mapped("res_id"))
        self.assertEqual(fired, set((company | contacts).ids))

    def test_delete_and_archive(self):
        deleted = self.rule_on("product.product", "[]", trigger_on_unlink=True)
        archived = self.rule_on("product.product", "[('active', '=', False)]")
        doomed = self.env["product.product"].create({"name": "Doomed"})
        shelved = self.env["product.product"].create({"name": "Shelved"})
        shelved.action_archive()
        doomed.unlink()
        self.assertEqual((self.count(deleted), self.count(archived)), (1, 1))
        self.assertEqual(self.deliveries(deleted).res_id, doomed.id)

    def test_rolled_back_flow_delivers_nothing(self):
        rule = self.rule_on("sale.order", "[('state', '=', 'sale')]")
        order = self.order()
        with self.assertRaises(RuntimeError), self.env.cr.savepoint():
            order.action_confirm()
            self.env.cr.flush()
            raise RuntimeError("rolled back")
        self.env.invalidate_all()
        self.assertEqual(order.state, "draft")
        self.assertEqual(self.count(rule), 0)
