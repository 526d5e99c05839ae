"""Every API failure is a JSON error with a machine-readable code, never an HTML page or a 500."""

from __future__ import annotations

import pytest
from flask import request

from tests.api.conftest import same_origin_client


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("get", "/api/nothing-here", 404, "not_found"),
        ("post", "/api/health", 405, "method_not_allowed"),
        ("get", "/assets/0000000000000000/web/app.js", 404, "unknown_release"),
    ],
)
def test_errors_have_json_shape(client, method, path, status, code):
    response = getattr(client, method)(path)
    assert response.status_code == status
    assert response.json["error"]["code"] == code
    assert response.json["error"]["message"]


@pytest.fixture
def json_echo(app):
    @app.post("/api/echo")
    def echo():
        return {"received": request.get_json()}

    return same_origin_client(app)


def test_errors_oversize_request_is_413(json_echo):
    response = json_echo.post("/api/echo", json={"blob": "x" * 2048})
    assert response.status_code == 413
    assert response.json["error"]["code"] == "too_large"


def test_errors_malformed_json_is_400(json_echo):
    response = json_echo.post("/api/echo", data=b"{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json["error"]["code"] == "bad_request"


def test_errors_unexpected_failure_hides_internals(app):
    @app.get("/api/boom")
    def boom():
        raise RuntimeError("secret internal detail")

    response = app.test_client().get("/api/boom")
    assert response.status_code == 500
    assert response.json == {
        "error": {"code": "internal_error", "message": "the server failed; try again later"}
    }


def test_errors_state_change_from_another_origin_is_403(app):
    client = app.test_client()
    response = client.post("/api/logout", headers={"Origin": "https://evil.example"})
    assert response.status_code == 403
    assert response.json["error"]["code"] == "bad_origin"
    assert app.test_client().post("/api/logout").status_code == 403
