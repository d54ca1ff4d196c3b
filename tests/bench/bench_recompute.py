"""Benchmark 7 (a mixin of bench.Bench): what outbound rules watching stored
computed fields cost a business flow whose work is mostly recomputes:
validating a 10-line delivery (``stock.picking.button_validate``), which
recomputes the picking's ``state`` and the order's ``delivery_status``.

Each validation needs a picking that is ready: they are prepared before the
timing (order confirmed, quantities set and picked), and only the
``button_validate`` call is timed. Rules are switched in blocks (none, 10,
none), each after one warm-up validation, since switching rules clears the
rule cache of every worker."""

import statistics
import time

RULE = "webhook.outbound.rule"
LINES = 10


class RecomputeBenchmarks:
    """``bench_recompute``; expects ``self.c``, ``self.rounds``, ``self.row()``
    and ``self.notes`` from Bench."""

    def bench_recompute(self):
        c = self.c
        if not c.execute_kw("ir.model", "search", [[("model", "=", "stock.picking")]]):
            self.notes.append("7. skipped: stock (sale_stock) is not installed")
            return
        products = self._recompute_products()
        rules = c.execute_kw(RULE, "create", [self._watching_rules()])
        c.execute_kw(RULE, "write", [rules, {"active": False}])
        try:
            before = self._validations(products, self.rounds)
            c.execute_kw(RULE, "write", [rules, {"active": True}])
            with_rules = self._validations(products, self.rounds)
            c.execute_kw(RULE, "write", [rules, {"active": False}])
            after = self._validations(products, self.rounds)
        finally:
            c.execute_kw(RULE, "unlink", [rules])
        self.row(
            f"7. validate a {LINES}-line delivery (recomputes), 10 rules watching "
            "computed fields (picking state, order delivery_status), none matching",
            "no rule (before and after)",
            with_rules,
            (before + after) / 2,
            None,
            None,
            "ratio <= 1.10",
        )

    def _watching_rules(self):
        """5 rules on the picking's ``state``, 5 on the order's
        ``delivery_status`` (computed from its pickings): every validation
        evaluates all 10; an ``origin``/``client_order_ref`` nobody uses keeps
        them from matching, so only the evaluation is measured."""
        ids = {
            m: self.c.execute_kw("ir.model", "search", [[("model", "=", m)]])[0]
            for m in ("stock.picking", "sale.order")
        }
        rules = []
        for i in range(5):
            rules.append(
                {
                    "name": f"bench picking {i}",
                    "model_id": ids["stock.picking"],
                    "domain": f"[('state', '=', 'done'), ('origin', '=', 'NEVER-{i}')]",
                }
            )
            rules.append(
                {
                    "name": f"bench order {i}",
                    "model_id": ids["sale.order"],
                    "domain": "[('delivery_status', '=', 'full'), "
                    f"('client_order_ref', '=', 'NEVER-{i}')]",
                }
            )
        base = {"endpoint_source": "static", "endpoint_url": "http://127.0.0.1:9/"}
        return [{**base, **rule} for rule in rules]

    def _recompute_products(self):
        """Goods (not services) that need no stock to be delivered."""
        c = self.c
        names = [f"bench goods {i}" for i in range(LINES)]
        found = c.execute_kw("product.product", "search", [[("name", "in", names)]])
        if len(found) < LINES:
            vals = [{"name": n, "type": "consu"} for n in names]
            c.execute_kw("product.product", "unlink", [found])
            found = c.execute_kw("product.product", "create", [vals])
        return found

    def _ready_picking(self, products):
        """A confirmed order's delivery with every quantity set and picked."""
        c = self.c
        lines = [(0, 0, {"product_id": p, "product_uom_qty": 2}) for p in products]
        vals = {"partner_id": self.partner_id, "order_line": lines}
        order = c.execute_kw("sale.order", "create", [vals])
        c.execute_kw("sale.order", "action_confirm", [[order]])
        picking = c.execute_kw("sale.order", "read", [[order], ["picking_ids"]])
        picking = picking[0]["picking_ids"][0]
        moves = c.execute_kw(
            "stock.move",
            "search_read",
            [[("picking_id", "=", picking)]],
            {"fields": ["product_uom_qty"]},
        )
        for move in moves:
            qty = {"quantity": move["product_uom_qty"], "picked": True}
            c.execute_kw("stock.move", "write", [[move["id"]], qty])
        return picking

    def _validations(self, products, count):
        """Median time of ``count`` validations, after one to warm up."""
        pickings = [self._ready_picking(products) for _ in range(count + 1)]
        self.c.execute_kw("stock.picking", "button_validate", [pickings[:1]])
        values = []
        for picking in pickings[1:]:
            started = time.perf_counter()
            self.c.execute_kw("stock.picking", "button_validate", [[picking]])
            values.append(time.perf_counter() - started)
        return statistics.median(values)
