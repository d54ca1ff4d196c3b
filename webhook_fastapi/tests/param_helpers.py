# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Test helper: a malformed system parameter, stored as the readers can
still meet one although it is refused on save."""


def store_unchecked_param(env, key, value):
    """Store ``value`` under ``key`` as an older version of the addon or an
    SQL statement could have left it: past the check on save, so that the
    readers' leniency (the default, and a warning) can be tested."""
    ICP = env["ir.config_parameter"]
    ICP.flush_model()
    env.cr.execute(
        """INSERT INTO ir_config_parameter (key, value) VALUES (%s, %s)
           ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value""",
        [key, value],
    )
    ICP.invalidate_model(["value"])
    env.registry.clear_cache()  # get_param's cache
