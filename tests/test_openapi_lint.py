"""Redocly CLI's recommended rules on the served /api/openapi.json, offline.

scripts/redocly.sh installs the pinned CLI into .state/redocly (npm, once)
and runs ``redocly lint --extends recommended`` with its telemetry and
update check off; here it runs with no network at all where the test can
make that (``unshare -n``, as root): the lint needs nothing but the file.
No error and no warning is accepted.
"""

import json
import os
import shutil
import subprocess
import uuid
from pathlib import Path

from helpers.checks import partner_invoice_rule

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "redocly.sh"


def _offline_prefix():
    """``unshare -n --`` when this process may drop the network, else []."""
    unshare = shutil.which("unshare")
    if not unshare or os.geteuid() != 0:
        return []
    probe = subprocess.run(
        [unshare, "-n", "--", "true"], capture_output=True, check=False
    )
    return [unshare, "-n", "--"] if probe.returncode == 0 else []


def _redocly(*args, prefix=()):
    return subprocess.run(
        [*prefix, "bash", str(SCRIPT), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def _served_schema_with_a_webhook(odoo, spec):
    """The served schema while an outbound rule is active (its ``webhooks``
    entry is linted too), written to ``spec``."""
    name = f"Lint {uuid.uuid4().hex[:8]}"
    rule_id, _secret = partner_invoice_rule(odoo, name, "http://127.0.0.1:9/hook")
    try:
        response = odoo.get("/api/openapi.json")
    finally:
        odoo.rpc("webhook.outbound.rule", "unlink", [rule_id])
    assert response.status_code == 200, response.text
    assert any(
        op["post"]["summary"] == name for op in response.json()["webhooks"].values()
    )
    spec.write_text(response.text, encoding="utf-8")


def test_served_schema_passes_redocly_recommended(odoo, tmp_path):
    installed = _redocly("install")
    assert installed.returncode == 0, installed.stderr
    spec = tmp_path / "openapi.json"
    _served_schema_with_a_webhook(odoo, spec)
    result = _redocly("lint", str(spec), "--format=json", prefix=_offline_prefix())
    report = json.loads(result.stdout)
    problems = [
        f"{p.get('severity')} {p.get('ruleId')}: {p.get('message')} "
        f"({[loc.get('pointer') for loc in p.get('location', [])]})"
        for p in report["problems"]
    ]
    assert report["totals"] == {"errors": 0, "warnings": 0, "ignored": 0}, problems
    assert result.returncode == 0, result.stderr


def test_redocly_finds_what_is_wrong(odoo, tmp_path):
    # The lint can fail: an example that contradicts its schema, an
    # operation without an id.
    schema = odoo.get("/api/openapi.json").json()
    responses = schema["paths"]["/create_data"]["post"]["responses"]
    examples = responses["400"]["content"]["application/json"]["examples"]
    next(iter(examples.values()))["value"]["result"]["is_success"] = "no"
    del schema["paths"]["/search_data"]["post"]["operationId"]
    spec = tmp_path / "broken.json"
    spec.write_text(json.dumps(schema), encoding="utf-8")
    result = _redocly("lint", str(spec), "--format=json", prefix=_offline_prefix())
    report = json.loads(result.stdout)
    rules = {p["ruleId"] for p in report["problems"]}
    assert {"no-invalid-media-type-examples", "operation-operationId"} <= rules
    assert report["totals"]["warnings"] + report["totals"]["errors"] >= 2
