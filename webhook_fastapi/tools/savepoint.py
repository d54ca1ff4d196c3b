# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The savepoint of one API call."""

from odoo.sql_db import Savepoint
from odoo.tools import SQL


class CallSavepoint(Savepoint):
    """Odoo's flushing savepoint (``cr.savepoint()``), whose RELEASE after
    a success can ride on the call's next statement, the INSERT of its log
    entry: one round trip less on every call.

    ``keep()`` closes it keeping the work: the ORM is flushed at once (a
    failing flush rolls the savepoint back and raises, as ``close(rollback=
    False)`` does), the RELEASE is left pending. ``take_release()`` hands
    the pending RELEASE to a statement (once), ``release()`` sends it alone
    if none took it. Until then the call's work is inside the savepoint,
    which changes nothing for the transaction: it keeps what the savepoint
    kept."""

    def __init__(self, cr):
        cr.flush()
        super().__init__(cr)
        self._pending = False

    def rollback(self):
        self._cr.clear()
        super().rollback()

    def _close(self, rollback):
        try:
            if not rollback:
                self._cr.flush()
        except Exception:
            rollback = True
            raise
        finally:
            super()._close(rollback)

    def keep(self):
        if self.closed:
            return
        try:
            self._cr.flush()
        except Exception:
            super()._close(True)
            raise
        self.closed = True
        self._pending = True

    def take_release(self):
        """The pending ``RELEASE SAVEPOINT`` (an SQL), or None; once."""
        if not self._pending:
            return None
        self._pending = False
        return SQL("RELEASE SAVEPOINT %s", SQL.identifier(self.name))

    def release(self):
        """Send the pending RELEASE, if no statement took it."""
        release = self.take_release()
        if release is not None:
            self._cr.execute(release)
