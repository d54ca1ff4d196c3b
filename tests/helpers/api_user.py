"""Make the end-to-end suite's API user and its API key in a database.

Run with the project's virtualenv, the server of that database stopped:

    python tests/helpers/api_user.py <odoo options> -d DB

API keys can only be made in the server (``res.users.apikeys._generate`` is
private), hence this script. It prints one JSON object on stdout: login,
password, uid and key of an internal user who may manage contacts, and
sales when the ``sale`` module is installed. Odoo's log goes to stderr.
"""

import json
import sys

import odoo
from odoo.tools import config

LOGIN = "e2e_api"
PASSWORD = "e2e_api_password"
GROUPS = (
    "base.group_user",
    "base.group_partner_manager",
    "sales_team.group_sale_manager",  # only when sale is installed
)


def main(argv):
    config.parse_config(argv)
    dbname = config["db_name"]
    if isinstance(dbname, list):
        dbname = dbname[0]
    registry = odoo.modules.registry.Registry(dbname)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        groups = [g.id for g in map(env.ref, GROUPS, [False] * len(GROUPS)) if g]
        users = env["res.users"].with_context(active_test=False, no_reset_password=True)
        user = users.search([("login", "=", LOGIN)], limit=1)
        values = {
            "name": "E2E API",
            "login": LOGIN,
            "password": PASSWORD,
            "email": "e2e_api@example.com",
            "groups_id": [odoo.Command.set(groups)],
            "tz": "UTC",
        }
        if user:
            user.write(values)
        else:
            user = users.create(values)
        key = (
            env["res.users.apikeys"].with_user(user).sudo()._generate(None, "e2e", None)
        )
        answer = {"login": LOGIN, "password": PASSWORD, "uid": user.id, "key": key}
    sys.stdout.write(json.dumps(answer) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
