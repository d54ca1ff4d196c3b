"""The API is served: its OpenAPI schema and its Swagger page answer."""


def test_openapi_schema(odoo):
    response = odoo.get("/api/openapi.json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"]


def test_swagger_page(odoo):
    response = odoo.get("/api/docs")
    assert response.status_code == 200
    assert "swagger" in response.text.lower()
