# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The savepoint of one API call."""

import uuid

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
    kept.

    ``lazy``: the ``SAVEPOINT`` (and ``before``) is not sent yet either:
    ``take_opening()`` hands it to the call's first statement, a read (the
    API key's query), so that it rides on that round trip too; ``open()``
    sends it alone if none took it. Every other use opens it first."""

    def __init__(self, cr, before=None, lazy=False):
        """``before``: an SQL statement sent with ``SAVEPOINT`` (first), in
        the same round trip: a setting of the call's transaction that its
        rollback must not undo."""
        cr.flush()
        # Savepoint.__init__, the statement sent with ``before``.
        self.name = str(uuid.uuid1())
        self._cr = cr
        self.closed = False
        self._pending = False
        query = SQL("SAVEPOINT %s", SQL.identifier(self.name))
        self._opening = query if before is None else SQL("%s; %s", before, query)
        if not lazy:
            self.open()

    def take_opening(self):
        """The ``SAVEPOINT`` statement not sent yet (an SQL), or None; once:
        whoever takes it sends it before anything written."""
        opening, self._opening = self._opening, None
        return opening

    def open(self):
        """Send the ``SAVEPOINT`` if no statement took it."""
        opening = self.take_opening()
        if opening is not None:
            self._cr.execute(opening)

    def rollback(self):
        self.open()
        self._cr.clear()
        return super().rollback()

    def _close(self, rollback):
        self.open()
        # As Odoo's flushing savepoint: a failing flush rolls back, raises.
        if not rollback:
            try:
                self._cr.flush()
            except Exception:
                super()._close(True)
                raise
        return super()._close(rollback)

    def keep(self):
        if self.closed:
            return
        self.open()
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
