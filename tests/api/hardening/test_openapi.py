"""The OpenAPI description at /api/openapi.json is generated from the app: every /api/ route and
method is in it, with its path parameters, body (with the log entry of a workspace write) and
errors in the API's one error shape."""

from __future__ import annotations

from api.serving.openapi import openapi_path


def test_openapi_lists_every_api_route_and_method(app, client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    spec = response.json
    assert spec["openapi"].startswith("3.")
    expected = {(openapi_path(rule), method.lower())
                for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/")
                for method in rule.methods - {"HEAD", "OPTIONS"}}
    described = {(path, method) for path, item in spec["paths"].items() for method in item}
    assert described == expected
    operation_ids = [op["operationId"] for item in spec["paths"].values() for op in item.values()]
    assert len(operation_ids) == len(set(operation_ids))


def test_openapi_describes_parameters_bodies_sessions_and_errors(client):
    spec = client.get("/api/openapi.json").json
    version = spec["paths"][
        "/api/workspaces/{workspace_id}/documents/{document_id}/versions/{version}"]["get"]
    assert [(p["name"], p["schema"]["type"]) for p in version["parameters"]] == [
        ("workspace_id", "string"), ("document_id", "string"), ("version", "integer")]
    assert version["security"] == [{"session": []}]
    put = spec["paths"]["/api/workspaces/{workspace_id}/documents/{document_id}"]["put"]
    assert "application/json" in put["requestBody"]["content"]
    upload = spec["paths"]["/api/workspaces/{workspace_id}/blocks"]["post"]
    assert "application/octet-stream" in upload["requestBody"]["content"]
    log = spec["paths"]["/api/workspaces/{workspace_id}/log"]["get"]
    assert {"after", "limit", "cursor"} <= {p["name"] for p in log["parameters"]}
    assert "429" in spec["paths"]["/api/login"]["post"]["responses"]
    assert "security" not in spec["paths"]["/api/health"]["get"]
    error = spec["components"]["schemas"]["Error"]
    assert error["properties"]["error"]["required"] == ["code", "message"]
    assert all(op["responses"]["4XX"]["content"]["application/json"]["schema"]["$ref"]
               == "#/components/schemas/Error"
               for item in spec["paths"].values() for op in item.values())


def test_openapi_describes_the_log_entry_of_every_workspace_write(client):
    paths = client.get("/api/openapi.json").json["paths"]
    writes = [paths["/api/workspaces"]["post"],
              paths["/api/workspaces/{workspace_id}/members"]["post"],
              paths["/api/workspaces/{workspace_id}/members/{user_id}"]["delete"],
              paths["/api/workspaces/{workspace_id}/documents/{document_id}"]["put"]]
    for write in writes:
        schema = write["requestBody"]["content"]["application/json"]["schema"]
        assert schema["required"] == ["log_entry"], write["operationId"]
        assert schema["properties"]["log_entry"] == {"$ref": "#/components/schemas/LogEntry"}
        assert "409" in write["responses"]
    committee = paths["/api/workspaces/{workspace_id}/log"]["post"]
    assert committee["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/LogEntry"}
    own_state = paths["/api/workspaces/{workspace_id}/my-state"]["put"]
    assert own_state["requestBody"]["content"]["application/json"]["schema"] == {"type": "object"}
    assert own_state["responses"]["409"] == {"description": "stale_state"}
