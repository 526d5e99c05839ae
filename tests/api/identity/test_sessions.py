"""Sessions expire when idle and after their absolute lifetime; ceremony endpoints are rate
limited; the cookie is HttpOnly and SameSite=Strict."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest

from api import create_app
from tests.api.identity.conftest import bootstrap


def _app(config, **changes):
    return create_app(replace(config, **changes))


def test_session_cookie_is_httponly_strict(config):
    organization = bootstrap(_app(config))
    response = organization.admin.login()
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie


@pytest.mark.parametrize("limit", ["session_idle_seconds", "session_absolute_seconds"])
def test_session_expires(config, monkeypatch, limit):
    organization = bootstrap(_app(config, **{limit: 60}))
    client = organization.admin.client
    assert client.get("/api/session").json["user"] is not None
    later = time.time() + 120
    monkeypatch.setattr(time, "time", lambda: later)
    assert client.get("/api/session").json == {"user": None}
    response = client.get("/api/passkeys")
    assert (response.status_code, response.json["error"]["code"]) == (401, "unauthenticated")


def test_session_logout_ends_it(config):
    organization = bootstrap(_app(config))
    client = organization.admin.client
    client.post("/api/logout")
    assert client.get("/api/directory").status_code == 401


def test_rate_limit_refuses_the_fourth_ceremony_in_a_minute(config):
    organization = bootstrap(_app(config, ceremony_requests_per_minute=3))
    client = organization.person().client
    statuses = [client.post("/api/login/options").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert client.post("/api/login/options").json["error"]["code"] == "rate_limited"
