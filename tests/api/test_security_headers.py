"""Every response carries the security headers; the CSP allows only our own origin's code."""

from __future__ import annotations

import pytest

EXPECTED = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}


def parse_policy(header: str) -> dict[str, list[str]]:
    directives = [part.strip().split() for part in header.split(";") if part.strip()]
    return {name: values for name, *values in directives}


def _paths(app):
    release = app.extensions["paravent_assets"].release
    return ["/", "/api/health", "/api/missing", f"/assets/{release}/web/app.js"]


@pytest.mark.parametrize("which", range(4))
def test_security_headers_on_every_response(app, client, which):
    response = client.get(_paths(app)[which])
    for name, value in EXPECTED.items():
        assert response.headers[name] == value
    policy = parse_policy(response.headers["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    for directive in ("script-src", "connect-src", "worker-src", "style-src"):
        values = policy[directive]
        assert "'unsafe-inline'" not in values and "'unsafe-eval'" not in values
        assert not [value for value in values if "://" in value or value.endswith(":")]


def test_security_headers_only_the_index_allows_its_import_map(client):
    index_policy = parse_policy(client.get("/").headers["Content-Security-Policy"])
    api_policy = parse_policy(client.get("/api/health").headers["Content-Security-Policy"])
    assert api_policy["script-src"] == ["'self'", "'wasm-unsafe-eval'"]
    assert len(index_policy["script-src"]) == 3
    assert index_policy["script-src"][2].startswith("'sha256-")
