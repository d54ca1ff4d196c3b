"""Make the demo database's integration user and its API key.

Run with the project's virtualenv, after the addons are installed:

    python scripts/demo_setup.py <odoo options> -d DB

The key to keep is read from the DEMO_API_KEY environment variable: it is
kept when it still logs in as the integration user, otherwise a new one is
made. The key is printed alone on stdout; Odoo's log goes to stderr.
"""

import os
import sys

import odoo
from odoo.tools import config

LOGIN = "api_integration"
GROUPS = ("base.group_user", "base.group_partner_manager")
KEY_NAME = "demo key"


def ensure_user(env):
    groups = [env.ref(xmlid).id for xmlid in GROUPS]
    users = env["res.users"].with_context(active_test=False)
    user = users.search([("login", "=", LOGIN)], limit=1)
    if not user:
        user = users.with_context(no_reset_password=True).create(
            {
                "name": "API Integration",
                "login": LOGIN,
                "email": "api_integration@example.com",
                "groups_id": [odoo.Command.set(groups)],
            }
        )
    else:
        missing = [g for g in groups if g not in user.groups_id.ids]
        user.write(
            {"active": True, "groups_id": [odoo.Command.link(g) for g in missing]}
        )
    return user


def ensure_key(env, user, key):
    apikeys = env["res.users.apikeys"]
    if key and apikeys._check_credentials(scope="rpc", key=key) == user.id:
        return key
    # Drop the demo keys that nobody can use any more, then make one.
    apikeys.search([("user_id", "=", user.id), ("name", "=", KEY_NAME)]).unlink()
    # sudo: a key without expiration date needs a system environment; with_user
    # makes the key belong to the integration user.
    return apikeys.with_user(user).sudo()._generate(None, KEY_NAME, None)


def main(argv):
    config.parse_config(argv)
    dbname = config["db_name"]
    if isinstance(dbname, list):  # a list in later Odoo versions
        dbname = dbname[0]
    registry = odoo.modules.registry.Registry(dbname)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        user = ensure_user(env)
        key = ensure_key(env, user, os.environ.get("DEMO_API_KEY", "").strip())
    # The cursor commits on leaving the block.
    sys.stdout.write(key + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
