"""A real generated client: openapi-python-client (pinned in
requirements-test.txt) generates a Python client from the served
/api/openapi.json, as an integrator would; the generation must print no
warning, the results of create, upsert, search and call must be typed (not
``Any``), and the client must work against the server: its answers parsed
into its models, the data in the database.
"""

import importlib
import os
import re
import subprocess
import sys
from pathlib import Path

import attrs
import pytest

PACKAGE = "odoo_webhook_client"
# The generated models of each route's success answer, and of its result.
RESULTS = {
    "create_data": ("CreateDataResponse", "RecordWebhookResult"),
    "create_update_data": ("CreateUpdateDataResponse", "RecordWebhookResult"),
    "search_data": ("SearchDataResponse", "SearchWebhookResult"),
    "call_function": ("CallFunctionResponse", "CallWebhookResult"),
}


@pytest.fixture(scope="module")
def client_package(odoo, tmp_path_factory):
    """The generated package, imported (its generation's output too)."""
    root = tmp_path_factory.mktemp("client")
    spec = root / "openapi.json"
    response = odoo.get("/api/openapi.json")
    assert response.status_code == 200, response.text
    spec.write_text(response.text, encoding="utf-8")
    bin_dir = Path(sys.executable).parent
    generator = bin_dir / "openapi-python-client"
    assert (
        generator.exists()
    ), f"{generator} is missing: run 'make bootstrap' (requirements-test.txt)"
    env = dict(os.environ, NO_COLOR="1")
    # Its post hooks run ruff: the venv's own, pinned.
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    result = subprocess.run(
        [
            str(generator),
            "generate",
            "--path",
            str(spec),
            "--output-path",
            str(root / PACKAGE),
            "--meta",
            "none",
            "--fail-on-warning",
        ],  # fmt: skip
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = result.stdout + result.stderr
    sys.path.insert(0, str(root))
    try:
        yield root / PACKAGE, result.returncode, output
    finally:
        sys.path.remove(str(root))
        for name in [m for m in sys.modules if m.split(".")[0] == PACKAGE]:
            del sys.modules[name]


@pytest.fixture(scope="module")
def client(client_package, odoo):
    path, returncode, output = client_package
    assert returncode == 0, output
    package = importlib.import_module(PACKAGE)
    return package.AuthenticatedClient(base_url=f"{odoo.url}/api", token=odoo.api_key)


def models():
    return importlib.import_module(f"{PACKAGE}.models")


def route(name):
    return importlib.import_module(f"{PACKAGE}.api.webhook.{name}")


def test_generation_prints_no_warning(client_package):
    path, returncode, output = client_package
    assert returncode == 0, output
    assert not re.search(r"warning|error", output, re.IGNORECASE), output
    assert (path / "api" / "webhook" / "create_data.py").exists()


def _typed(annotation):
    """The parts of a generated annotation (a string, as the generated
    modules postpone them) other than None and Unset."""
    parts = {part.strip() for part in annotation.split("|")}
    return parts - {"None", "Unset"}


def test_results_are_typed(client, client_package):
    path = client_package[0]
    mods = models()
    for name, (response_model, result_model) in RESULTS.items():
        # The method of each route is named after it (its operationId).
        assert hasattr(route(name), "sync_detailed"), name
        response_fields = {
            f.name: f.type for f in attrs.fields(getattr(mods, response_model))
        }
        assert _typed(response_fields["result"]) == {result_model}, name
        result_fields = {
            f.name: f.type for f in attrs.fields(getattr(mods, result_model))
        }
        typed = _typed(result_fields["result"])
        assert typed and "Any" not in typed, (name, result_fields["result"])
    # What each result is, in the generated code itself.
    record = (path / "models" / "record_webhook_result.py").read_text()
    assert "result: None | RecordResult | Unset" in record
    search = (path / "models" / "search_webhook_result.py").read_text()
    assert "list[RecordResult]" in search
    call = (path / "models" / "call_webhook_result.py").read_text()
    assert re.search(r"result: .*\bbool\b.*\bstr\b", call), call
    record_result = {f.name: f.type for f in attrs.fields(mods.RecordResult)}
    assert record_result["id"] == "int"


def _ok(response, model):
    assert response.status_code == 200, response.content
    assert isinstance(response.parsed, getattr(models(), model)), response.parsed
    result = response.parsed.result
    assert result.is_success is True, result.messages
    return result


def test_client_creates_upserts_searches_and_calls(client, odoo):
    mods = models()
    company_id = _create_company(client, odoo, mods)
    contact_id = _upsert_contact_twice(client, odoo, mods, company_id)
    _search_company(client, mods, company_id)
    _call_address_get(client, odoo, mods, company_id, contact_id)


def _create_company(client, odoo, mods):
    # create_data: a company with a looked-up country and a tag created on
    # the way (the shared Payload, Lookup and X2ManyCommand types).
    payload = mods.Payload.from_dict(
        {
            "name": "Generated Client Ltd",
            "is_company": True,
            "country_id": {"code": "TH"},
            "category_id": {"mode": "add", "records": [{"name": "From client"}]},
        }
    )
    assert isinstance(payload["category_id"], mods.X2ManyCommand)
    body = mods.CreateDataRequest(
        params=mods.CreateDataParams(
            model="res.partner",
            vals=mods.CreateDataVals(
                payload=payload,
                auto_create=mods.AutoCreate.from_dict({"category_id": {}}),
                result_field=["name", "category_id{name}"],
            ),
        ),
        id="gen-1",
    )
    response = route("create_data").sync_detailed(client=client, body=body)
    result = _ok(response, "CreateDataResponse")
    assert response.parsed.id == "gen-1"
    record = result.result
    assert isinstance(record, mods.RecordResult)
    company_id = record.id
    assert record["name"] == "Generated Client Ltd"
    assert record["category_id"] == [{"name": "From client"}]
    [(name, country)] = odoo.sql(
        "SELECT p.name, c.code FROM res_partner p JOIN res_country c "
        "ON c.id = p.country_id WHERE p.id = %s",
        [company_id],
    )
    assert (name, country) == ("Generated Client Ltd", "TH")
    return company_id


def _upsert_contact_twice(client, odoo, mods, company_id):
    # create_update_data: created once, then updated, with an Idempotency-Key.
    def upsert(email, key):
        vals = mods.CreateUpdateDataVals(
            search_key=mods.Lookup.from_dict({"ref": "GEN-CLIENT-1"}),
            payload=mods.Payload.from_dict(
                {
                    "name": "Generated Contact",
                    "ref": "GEN-CLIENT-1",
                    "email": email,
                    "parent_id": company_id,
                    "type": "delivery",
                }
            ),
            result_field=["email"],
        )
        body = mods.CreateUpdateDataRequest(
            params=mods.CreateUpdateDataParams(model="res.partner", vals=vals)
        )
        response = route("create_update_data").sync_detailed(
            client=client, body=body, idempotency_key=key
        )
        return _ok(response, "CreateUpdateDataResponse").result

    first = upsert("first@example.com", "gen-client-upsert-1")
    second = upsert("second@example.com", "gen-client-upsert-2")
    assert first.id == second.id
    assert second["email"] == "second@example.com"
    assert odoo.sql(
        "SELECT email, parent_id FROM res_partner WHERE ref = 'GEN-CLIENT-1'"
    ) == [("second@example.com", company_id)]
    return first.id


def _search_company(client, mods, company_id):
    # search_data: the page as a list of RecordResult, with the count.
    search = mods.SearchDataRequest(
        params=mods.SearchDataParams(
            model="res.partner",
            vals=mods.SearchDataVals(
                payload=mods.SearchDataPayload(
                    search_field=["name", "child_ids{email}"],
                    search_domain=[["id", "=", company_id]],
                    count=True,
                )
            ),
        )
    )
    response = route("search_data").sync_detailed(client=client, body=search)
    page = _ok(response, "SearchDataResponse")
    assert page.count == 1 and page.has_more is False
    [found] = page.result
    assert isinstance(found, mods.RecordResult)
    assert found.id == company_id
    assert found["child_ids"] == [{"email": "second@example.com"}]


def _call_address_get(client, odoo, mods, company_id, contact_id):
    # call_function: a public method, its answer as the method returned it.
    call = mods.CallFunctionRequest(
        params=mods.CallFunctionParams(
            model="res.partner",
            vals=mods.CallFunctionVals(
                search_key=mods.Lookup.from_dict({"id": company_id}),
                payload=mods.CallFunctionPayload(
                    method="address_get",
                    parameter=mods.CallFunctionPayloadParameterType0.from_dict(
                        {"adr_pref": ["delivery"]}
                    ),
                ),
            ),
        )
    )
    response = route("call_function").sync_detailed(client=client, body=call)
    called = _ok(response, "CallFunctionResponse").result
    # address_get always adds the partner itself as its contact.
    expected = {"contact": company_id, "delivery": contact_id}
    assert called.to_dict() == expected
    assert (
        odoo.rpc("res.partner", "address_get", [company_id], ["delivery"]) == expected
    )


def test_client_parses_a_documented_failure(client, odoo):
    mods = models()
    vals = mods.UpdateDataVals(
        search_key=mods.Lookup.from_dict({"ref": "GEN-CLIENT-NONE"}),
        payload=mods.Payload.from_dict({"name": "x"}),
    )
    body = mods.UpdateDataRequest(
        params=mods.UpdateDataParams(model="res.partner", vals=vals)
    )
    response = route("update_data").sync_detailed(client=client, body=body)
    assert response.status_code == 404
    assert isinstance(response.parsed, mods.ErrorResponse), response.content
    assert response.parsed.result.is_success is False
    assert "GEN-CLIENT-NONE" in response.parsed.result.messages
