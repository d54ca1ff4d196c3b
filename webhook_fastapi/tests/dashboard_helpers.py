# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Test helper: run a dashboard action's graph and pivot views the way the
web client does (the groupbys and measures their arch and the action's
context name, each measure with the aggregator ``fields_get`` reports), so
that a view naming a field that cannot be grouped or aggregated fails.

Not a test case itself: webhook_fastapi_outbound's tests import it too."""

from lxml import etree

from odoo.tools.safe_eval import safe_eval


class DashboardMixin:
    def dashboard(self, xmlid):
        """The action's dict, the arch of its graph and pivot views (parsed)
        and the fields' descriptions, all from ``get_views`` as the client
        gets them."""
        action = self.env.ref(xmlid)
        views = [list(view) for view in action.views]
        search = [action.search_view_id.id or False, "search"]
        answer = self.env[action.res_model].get_views(views + [search])
        archs = {
            mode: etree.fromstring(answer["views"][mode]["arch"])
            for mode in ("graph", "pivot", "search")
        }
        fields = answer["models"][action.res_model]["fields"]
        context = safe_eval(action.context or "{}")
        return action, archs, fields, context

    def graph_by_day_and_state(self, xmlid, expected):
        """The dashboard's graph counts entries per day and state: checks
        its spec and ``expected`` ([(state, count)]); returns its groups."""
        action, archs, fields_info, __ = self.dashboard(xmlid)
        groupby, measure = self.graph_spec(archs["graph"])
        self.assertEqual((groupby, measure), (["date:day", "state"], "__count"))
        groups = self.aggregate(action, fields_info, self.domain, [measure], groupby)
        self.assertEqual(
            sorted((state, v["__count"]) for (__, state), v in groups.items()),
            expected,
        )
        return groups

    def graph_spec(self, arch):
        """(groupbys, measure) of a graph arch, as graph_arch_parser.js reads it."""
        groupbys, measure = [], "__count"
        for node in arch.iter("field"):
            if node.get("type") == "measure":
                measure = node.get("name")
            elif node.get("invisible") not in ("1", "True"):
                interval = node.get("interval")
                groupbys.append(node.get("name") + (f":{interval}" if interval else ""))
        return groupbys, measure

    def pivot_spec(self, arch, context):
        """(row groupbys, measures) of a pivot arch, the action's
        ``pivot_measures`` first (pivot_model.js's order)."""
        rows = [n.get("name") for n in arch.iter("field") if n.get("type") == "row"]
        measures = [
            n.get("name") for n in arch.iter("field") if n.get("type") == "measure"
        ]
        return rows, context.get("pivot_measures") or measures or ["__count"]

    def aggregate(self, action, fields, domain, measures, groupby):
        """``read_group`` within the action's domain, each measure with its
        reported aggregator (as "name:aggregator", what the client sends);
        {group key tuple: {measure: value}}."""
        specs = []
        for measure in measures:
            if measure == "__count":
                continue
            aggregator = fields[measure].get("aggregator")
            self.assertTrue(aggregator, f"{measure} is not offered as a measure")
            specs.append(f"{measure}:{aggregator}")
        full_domain = safe_eval(action.domain or "[]") + domain
        groups = self.env[action.res_model].read_group(
            full_domain, specs, groupby, lazy=False
        )
        result = {}
        for group in groups:
            key = tuple(_plain(group[spec]) for spec in groupby)
            result[key] = {m: group[m] for m in measures if m != "__count"}
            result[key]["__count"] = group["__count"]
        return result

    def search_groupbys(self, search_arch):
        """{filter name: group_by} of the search view's group-by filters."""
        return {
            node.get("name"): safe_eval(node.get("context"))["group_by"]
            for node in search_arch.iter("filter")
            if "group_by" in (node.get("context") or "")
        }


def _plain(value):
    # A many2one group comes as (id, label): the id is the key.
    return value[0] if isinstance(value, tuple) else value
