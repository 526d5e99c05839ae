"""Sessions: an HttpOnly, SameSite=Strict cookie; they end when idle, after their absolute
lifetime, and on sign-out. Ceremony endpoints are rate limited per client address."""

from __future__ import annotations

import time

import pytest

from tests.api.conftest import same_origin_client
from tests.api.identity.conftest import bootstrap, make_app, recovery_digest


def _error(response):
    return response.status_code, response.json["error"]["code"]


def test_session_cookie_is_httponly_strict(organization):
    response = organization.admin.login()
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("paravent_session=")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # plain-http origin in tests


@pytest.mark.parametrize("limit", ["session_idle_seconds", "session_absolute_seconds"])
def test_session_expires(config, monkeypatch, limit):
    organization = bootstrap(make_app(config, **{limit: 60}))
    client = organization.admin.client
    assert client.get("/api/session").json["user"] is not None
    later = time.time() + 120
    monkeypatch.setattr(time, "time", lambda: later)
    assert client.get("/api/session").json == {"user": None}
    assert _error(client.get("/api/passkeys")) == (401, "unauthenticated")


def test_session_activity_keeps_it_alive(config, monkeypatch):
    organization = bootstrap(make_app(config, session_idle_seconds=300))
    client = organization.admin.client
    start = time.time()
    for minutes in (4, 8, 12):
        monkeypatch.setattr(time, "time", lambda minutes=minutes: start + minutes * 60)
        assert client.get("/api/session").json["user"] is not None, minutes


def test_session_forged_cookie_is_unauthenticated(organization):
    client = organization.person().client
    client.set_cookie("paravent_session", "forged-token")
    assert client.get("/api/session").json == {"user": None}
    assert _error(client.get("/api/directory")) == (401, "unauthenticated")


def test_session_logout_ends_only_that_session(organization):
    admin = organization.admin
    other_browser = organization.person()
    other_browser.authenticator = admin.authenticator
    assert other_browser.login().status_code == 200
    admin.client.post("/api/logout")
    assert _error(admin.client.get("/api/directory")) == (401, "unauthenticated")
    assert other_browser.client.get("/api/directory").status_code == 200


def test_rate_limit_refuses_the_fourth_login_options(config):
    organization = bootstrap(make_app(config, ceremony_requests_per_minute=3))
    client = organization.person().client
    statuses = [client.post("/api/login/options").status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    assert _error(client.post("/api/login/options")) == (429, "rate_limited")
    recovery = client.post("/api/login/recovery", json={
        "login_token_digest": recovery_digest(organization.admin.recovery)})
    assert _error(recovery) == (429, "rate_limited")


def test_rate_limit_window_slides(config, monkeypatch):
    organization = bootstrap(make_app(config, ceremony_requests_per_minute=3))
    client = organization.person().client
    for _ in range(3):
        client.post("/api/login/options")
    assert client.post("/api/login/options").status_code == 429
    later = time.monotonic() + 61
    monkeypatch.setattr(time, "monotonic", lambda: later)
    assert client.post("/api/login/options").status_code == 200


def test_rate_limit_applies_to_join_links(config):
    organization = bootstrap(make_app(config, ceremony_requests_per_minute=3))
    client = organization.person().client
    for _ in range(3):
        assert client.get("/api/join/guess").status_code == 404
    assert _error(client.get("/api/join/guess")) == (429, "rate_limited")


def test_rate_limit_holds_across_processes_sharing_a_message_queue(config, redis_url):
    first, second = (make_app(config, ceremony_requests_per_minute=3, message_queue=redis_url)
                     for _ in range(2))
    organization = bootstrap(first)
    on_first, on_second = organization.person().client, same_origin_client(second)
    assert [client.post("/api/login/options").status_code
            for client in (on_first, on_second, on_first)] == [200, 200, 200]
    assert _error(on_second.post("/api/login/options")) == (429, "rate_limited")
    assert _error(on_first.post("/api/login/options")) == (429, "rate_limited")
