# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The parameter webhook.outbound_allowed_hosts moved to
webhook_fastapi_outbound: hand its record over before this module's data
is loaded, so that the update does not delete the admin's value."""


def migrate(cr, version):
    cr.execute(
        """UPDATE ir_model_data SET module = 'webhook_fastapi_outbound'
            WHERE module = 'webhook_fastapi' AND name = 'param_outbound_allowed_hosts'
              AND EXISTS (SELECT 1 FROM ir_module_module
                           WHERE name = 'webhook_fastapi_outbound'
                             AND state IN ('installed', 'to upgrade'))"""
    )
