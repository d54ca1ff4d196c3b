"""End-to-end fixtures: real Odoo servers on free ports, and a webhook
receiver. The support code lives in tests/helpers/ (server.py: the servers,
their databases and API keys; receiver.py: the receiver and the signature
check with ``standardwebhooks``; checks.py: shared assertions).

The database comes from ``scripts/db.sh addons-db``: a copy of the test
template with the repository's addons installed (no demo data), kept between
runs and remade when the addons change. Each session works on a fresh copy
of it, so tests may write freely.

A suite that needs more modules asks for its own server::

    @pytest.fixture(scope="session")
    def odoo_sale(odoo_servers):
        return odoo_servers(modules=("sale_management",))

Every server's database also has an API user (``server.api_login``,
``server.api_password``, ``server.api_key``, made by tests/helpers/api_user.py
before the server starts). ``server.api(route, params)`` calls the API with
the key, ``server.rpc(model, method, ...)`` calls JSON-RPC as admin, and
``server.sql(query)`` reads the database directly.
"""

import pytest
from helpers.receiver import Receiver
from helpers.server import start_server


@pytest.fixture(scope="session")
def odoo_servers():
    """Factory: ``odoo_servers(modules=(...))`` gives a running server whose
    database has the repository's addons plus ``modules``; one per set (and
    per ``name``, for a server of its own; ``extra_args`` are added to
    odoo-bin's, e.g. ``("--workers", "2")``)."""
    servers = {}

    def get(modules=(), name="", extra_args=()):
        key = (tuple(sorted(set(modules))), name)
        if key not in servers:
            servers[key] = start_server(key[0], name=name, extra_args=extra_args)
        return servers[key]

    yield get
    for server in servers.values():
        server.stop()


@pytest.fixture(scope="session")
def odoo(odoo_servers):
    """Odoo with the repository's addons only."""
    return odoo_servers()


@pytest.fixture
def receiver():
    """A webhook receiver of the test's own (see helpers/receiver.py)."""
    with Receiver() as receiver:
        yield receiver
