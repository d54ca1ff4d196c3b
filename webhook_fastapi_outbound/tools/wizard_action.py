# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The window action that shows a wizard again, with its result filled in."""


def reopen_wizard(wizard, title):
    """Keep the dialog open on ``wizard`` (one record of a transient model)
    after its button ran, titled ``title``."""
    return {
        "type": "ir.actions.act_window",
        "res_model": wizard._name,
        "res_id": wizard.id,
        "view_mode": "form",
        "target": "new",
        "name": title,
    }
