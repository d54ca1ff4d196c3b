"""Fed to `odoo-bin shell`: uninstall the addons (dependants first) and
say what is left. scripts/test.sh checks the log for warnings and errors."""

# ruff: noqa: F821 - `env` is given by odoo-bin shell
import os

addons = [a for a in os.environ["ADDONS"].split(",") if a][::-1]
for name in addons:
    module = env["ir.module.module"].search([("name", "=", name)])
    module.button_immediate_uninstall()
    env.cr.commit()
modules = env["ir.module.module"].search([("name", "in", addons)])
states = {m.name: m.state for m in modules}
left = env["ir.model"].search_count([("model", "=like", "webhook.%")])
print(f"UNINSTALL states={states} webhook_models_left={left}")
ok = all(state == "uninstalled" for state in states.values()) and not left
print("UNINSTALL " + ("OK" if ok else "FAILED"))
