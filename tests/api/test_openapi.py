"""GET /api/v1/openapi.json: public, OpenAPI 3.1, and documenting every /api/v1 route the app serves."""

from __future__ import annotations

import re

from uof.domain import vocabulary as v
from uof.domain.validation import FIELDS

PREFIX = "/api/v1"


def test_the_document_is_public_json(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    document = response.get_json()
    assert document["openapi"] == "3.1.0"
    assert document["info"]["title"]
    assert document["info"]["version"]
    assert document["servers"] == [{"url": PREFIX}]
    assert document["paths"]
    for path, operations in document["paths"].items():
        assert path.startswith("/"), path
        for method, operation in operations.items():
            assert method in {"get", "post", "put", "patch", "delete"}, (path, method)
            assert operation["responses"], (path, method)
            for status in operation["responses"]:
                assert re.fullmatch(r"[1-5]\d\d", status), (path, method, status)


def test_every_api_route_is_documented(app, client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    served = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(PREFIX + "/"):
            continue
        path = re.sub(r"<(?:[a-z]+:)?(\w+)>", r"{\1}", rule.rule[len(PREFIX):])
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            served.add((path, method.lower()))
    assert served
    documented = {(path, method) for path, operations in paths.items() for method in operations}
    missing = sorted(served - documented)
    assert not missing, f"routes missing from the OpenAPI document: {missing}"
    stale = sorted(documented - served)
    assert not stale, f"documented but not served: {stale}"


def test_path_parameters_are_declared(client):
    document = client.get("/api/v1/openapi.json").get_json()
    for path, operations in document["paths"].items():
        names = set(re.findall(r"{(\w+)}", path))
        for method, operation in operations.items():
            declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert declared == names, (path, method)


def test_state_changing_operations_document_csrf_and_errors(client):
    document = client.get("/api/v1/openapi.json").get_json()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method == "get":
                continue
            headers = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
            assert "X-CSRFToken" in headers, (path, method)
            assert {"400", "401", "413"} <= set(operation["responses"]), (path, method)


def test_the_report_schema_matches_validation(client):
    schema = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]["ReportBody"]
    assert set(schema["properties"]) == set(FIELDS)
    assert schema["additionalProperties"] is False
    assert schema["properties"]["tactics"]["items"]["properties"]["code"]["enum"] == v.TACTICS.codes()
    assert schema["properties"]["subject"]["properties"]["ethnicity"]["enum"] == v.ETHNICITIES.codes()
    assert "chinese" not in schema["properties"]["subject"]["properties"]["ethnicity"]["enum"]


def test_refs_resolve(client):
    document = client.get("/api/v1/openapi.json").get_json()
    text = str(document)
    for name in set(re.findall(r"#/components/schemas/(\w+)", text)):
        assert name in document["components"]["schemas"], name
