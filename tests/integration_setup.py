"""Make an integration and its key on a running server, as an administrator
would in the UI (shared by the integration e2e suites)."""


def make_integration(server, name, scopes=(), **vals):
    """Create ``webhook.integration`` ``name`` acting as the server's API
    user with ``scopes`` ({"model": ..., "allow_create": True, "write_fields":
    [...], "read_fields": [...], ...}); return (id, key in clear)."""
    lines = [_scope_line(server, scope) for scope in scopes]
    integration_id = server.rpc(
        "webhook.integration",
        "create",
        {"name": name, "user_id": server.api_uid, "scope_ids": lines, **vals},
    )
    wizard = server.rpc(
        "webhook.integration.key.wizard",
        "create",
        {"integration_id": integration_id, "name": name},
    )
    action = server.rpc("webhook.integration.key.wizard", "action_generate", [wizard])
    return integration_id, action["context"]["default_key"]


def _scope_line(server, scope):
    scope = dict(scope)
    model = scope.pop("model")
    [model_id] = server.rpc("ir.model", "search", [("model", "=", model)])
    for kind in ("write", "read"):
        names = scope.pop(f"{kind}_fields", None)
        if names:
            ids = server.rpc(
                "ir.model.fields",
                "search",
                [("model", "=", model), ("name", "in", list(names))],
            )
            scope[f"{kind}_field_ids"] = [(6, 0, ids)]
    return (0, 0, {"model_id": model_id, **scope})
