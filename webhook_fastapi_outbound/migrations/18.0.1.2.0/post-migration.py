# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Rules get a responsible user (told when an endpoint fails): their
creator, as for new rules."""


def migrate(cr, version):
    cr.execute(
        """UPDATE webhook_outbound_rule SET user_id = create_uid
            WHERE user_id IS NULL AND create_uid IS NOT NULL"""
    )
