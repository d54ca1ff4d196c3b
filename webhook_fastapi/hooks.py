# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Install on a database where the original addon (usability_webhooks) is
installed: it made system parameters with some of our keys, and creating
ours would fail on the key's unique constraint. Ours adopt them instead
(our external ids on the same records, so that they also survive the
original's uninstall), keeping the values an administrator may have set:
the install writes our defaults over adopted records, so they are put back."""

from lxml import etree

from odoo.tools import SQL, file_open

DATA_FILE = "webhook_fastapi/data/ir_config_parameter.xml"
KEPT = "webhook_fastapi_kept_params"


def _our_params():
    """{key: external id} of the parameters our data file creates: the one
    list of them."""
    with file_open(DATA_FILE, "rb") as data:
        tree = etree.parse(data)
    return {
        record.findtext("field[@name='key']"): "webhook_fastapi." + record.get("id")
        for record in tree.iterfind("//record[@model='ir.config_parameter']")
    }


def pre_init_hook(env):
    xmlids = _our_params()
    keys = list(xmlids)
    params = env["ir.config_parameter"].sudo().search([("key", "in", keys)])
    if not params:
        return
    env["ir.model.data"]._update_xmlids(
        [
            {
                "xml_id": xmlids[param.key],
                "record": param,
                "noupdate": True,
            }
            for param in params
        ]
    )
    env.cr.execute(
        SQL(
            "CREATE TEMP TABLE %s AS SELECT key, value FROM ir_config_parameter"
            " WHERE key = ANY(%s)",
            SQL.identifier(KEPT),
            keys,
        )
    )


def post_init_hook(env):
    env.cr.execute(SQL("SELECT to_regclass(%s)", "pg_temp." + KEPT))
    if not env.cr.fetchone()[0]:
        return
    env.cr.execute(
        SQL(
            "UPDATE ir_config_parameter p SET value = k.value FROM %s k"
            " WHERE p.key = k.key",
            SQL.identifier(KEPT),
        )
    )
    env.cr.execute(SQL("DROP TABLE %s", SQL.identifier(KEPT)))
    env["ir.config_parameter"].invalidate_model()
    env.registry.clear_cache()
