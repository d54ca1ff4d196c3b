# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from contextlib import contextmanager

from extendable import context

from odoo.addons.extendable.registry import _extendable_registries_database


@contextmanager
def extendable_registry(dbname):
    """Make the database's extendable schemas (with other addons' fields)
    usable outside a request that set them up: in-process calls of the
    service, as tests and server-side code make them."""
    if context.extendable_registry.get() is not None:
        yield
        return
    token = context.extendable_registry.set(
        _extendable_registries_database.get(dbname, {})
    )
    try:
        yield
    finally:
        context.extendable_registry.reset(token)
