# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Replay of a logged call, as its original user."""

import json

from odoo import _, models
from odoo.exceptions import UserError

from ..route_table import ROUTES
from ..tools.redact import REDACTED, SECRET_KEY


class WebhookLog(models.Model):
    _inherit = "webhook.log"  # pylint: disable=consider-merging-classes-inherited

    def _full_request(self):
        """The logged request body as a dict: the preview when it holds the
        whole JSON, else the full-log attachment. Secrets are redacted in
        both."""
        self.ensure_one()
        text = self.request_preview or ""
        if len(text) < (self.request_size or 0):
            attachment = self.full_log_attachment_id.sudo()
            if not attachment:
                raise UserError(
                    _(
                        "The request of log entry %s was longer than its preview "
                        "and its full log is gone.",
                        self.id,
                    )
                )
            try:
                text = json.loads(attachment.raw.decode())["request"]
            except (ValueError, KeyError, TypeError, UnicodeDecodeError):
                raise UserError(
                    _("The full log of entry %s is not a valid JSON document.", self.id)
                ) from None
            if isinstance(text, dict):
                return text
        try:
            body = json.loads(text) if isinstance(text, str) else text
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise UserError(
                _(
                    "The request of log entry %s is not a JSON object: "
                    "it cannot be replayed.",
                    self.id,
                )
            )
        return body

    def action_replay(self):
        """Run the logged request again, as its original user, and open the
        new entry (linked to this one by ``replayed_from_id``)."""
        self.ensure_one()
        route, user, body = self._replay_checked()
        status, response = self.env["webhook.api.service"]._api_handle(
            route,
            body,
            {"headers": {}},
            as_uid=user.id,
            log_extra={"replayed_from_id": self.id},
        )
        replay = self.sudo().search(
            [("replayed_from_id", "=", self.id)], limit=1, order="id desc"
        )
        if not replay:
            # The route's logging is switched off: say how it went instead.
            return self._replay_notification(status, response)
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": replay.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
        }

    def _replay_checked(self):
        """(route, user, body) of a call that may be replayed; else a
        UserError saying why not."""
        if not self.env.is_system():
            raise UserError(_("Only administrators can replay API calls."))
        route = self._replay_route()
        if self.log_type != "receive" or route not in ROUTES:
            raise UserError(
                _("Only received calls of the /api/ routes can be replayed.")
            )
        user = self.user_id.sudo().with_context(active_test=False)
        if not user:
            raise UserError(
                _(
                    "Log entry %s has no user (the call was not authenticated): "
                    "there is nobody to replay it as.",
                    self.id,
                )
            )
        if not user.active:
            raise UserError(
                _(
                    "The user of this call, %s, is archived: unarchive the user "
                    "to replay the call as them.",
                    user.name,
                )
            )
        body = self._full_request()
        if _contains_redacted(body):
            raise UserError(
                _(
                    "The request held secret values (password, token, secret, "
                    "API key...) that were never stored in the log: replaying it "
                    "would send '%s' instead. Send the call again from its origin.",
                    REDACTED,
                )
            )
        return route, user, body

    def _replay_notification(self, status, response):
        result = response.get("result") or {}
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _(
                    "Call replayed (not logged: logging of %s is off)", self.route
                ),
                "message": _(
                    "HTTP %(status)s: %(message)s",
                    status=status,
                    message=result.get("messages") or "",
                ),
                "type": "success" if result.get("is_success") else "danger",
                "sticky": False,
            },
        }


def _contains_redacted(value):
    """Whether ``value`` holds a secret that redact() replaced."""
    if isinstance(value, dict):
        return any(
            (isinstance(key, str) and SECRET_KEY.search(key) and val == REDACTED)
            or _contains_redacted(val)
            for key, val in value.items()
        )
    if isinstance(value, list):
        return any(_contains_redacted(v) for v in value)
    return False
