"""The standing authorization matrix: every route of the app (from its url_map) and every
Socket.IO event (from its event table), played by every kind of actor (tests/api/hardening/
world.py), with the answer each must get. A route or event without a row fails the suite, so a
new one cannot ship without saying who may use it.

HTTP cells are statuses: 401 no session, 403 role or profile too weak, 404 not a member (or
another organization's), 200/201 done (the workspace writes, played whole with their log entry),
400 authorized but the (deliberately incomplete) body of another route refused.
Event cells are `ok` or the acknowledgement's error code.
"""

from __future__ import annotations

import pytest

from tests.api.hardening.matrix_cells import http_routes, play_event, play_http, socket_events
from tests.api.hardening.world import ACTORS, World, build_world

HTTP_MATRIX = {
    # anonymous outsider reader contributor manager owner org_admin revoked removed
    # other_admin other_member
    "GET /api/drop/{drop_link_id}":
        "200 200 200 200 200 200 200 200 200 200 200",
    "POST /api/drop/{drop_link_id}/email":
        "400 400 400 400 400 400 400 400 400 400 400",
    "POST /api/drop/{drop_link_id}/email/confirm":
        "400 400 400 400 400 400 400 400 400 400 400",
    "POST /api/drop/{drop_link_id}/deposits":
        "400 400 400 400 400 400 400 400 400 400 400",
    "POST /api/drop/{drop_link_id}/deposits/{deposit_id}/blocks":
        "404 404 404 404 404 404 404 404 404 404 404",
    "POST /api/drop/{drop_link_id}/deposits/{deposit_id}/complete":
        "404 404 404 404 404 404 404 404 404 404 404",
    "POST /api/workspaces/{workspace_id}/dropboxes":
        "401 404 403 400 400 400 404 401 404 404 404",
    "GET /api/workspaces/{workspace_id}/dropboxes":
        "401 404 200 200 200 200 404 401 404 404 404",
    "PUT /api/workspaces/{workspace_id}/dropboxes/{drop_link_id}":
        "401 404 403 400 400 400 404 401 404 404 404",
    "DELETE /api/workspaces/{workspace_id}/dropboxes/{drop_link_id}":
        "401 404 403 200 200 200 404 401 404 404 404",
    "GET /api/workspaces/{workspace_id}/deposits":
        "401 404 200 200 200 200 404 401 404 404 404",
    "POST /api/workspaces/{workspace_id}/deposits/{deposit_id}/filed":
        "401 404 403 404 404 404 404 401 404 404 404",
    "DELETE /api/invitations/{invitation_id}":
        "401 403 403 403 403 200 200 401 403 404 403",
    "DELETE /api/partner-sites/{site_id}":
        "401 403 403 403 403 200 200 401 403 404 403",
    "DELETE /api/partner-sites/{site_id}/contacts/{user_id}":
        "401 403 403 403 403 404 404 401 403 404 403",
    "DELETE /api/passkeys/{passkey_id}":
        "401 404 404 404 404 404 404 401 404 404 404",
    "DELETE /api/workspaces/{workspace_id}/members/{user_id}":
        "401 404 403 403 200 200 404 401 404 404 404",
    "GET /":
        "200 200 200 200 200 200 200 200 200 200 200",
    "GET /api/bootstrap/{token}":
        "410 410 410 410 410 410 410 410 410 410 410",
    "GET /api/directory":
        "401 200 200 200 200 200 200 401 200 200 200",
    "GET /api/health":
        "200 200 200 200 200 200 200 200 200 200 200",
    "GET /api/invitations":
        "401 403 403 403 403 200 200 401 403 200 403",
    "GET /api/invitations/{invitation_id}":
        "401 403 403 403 403 200 200 401 403 404 403",
    "GET /api/join/{token}":
        "200 200 200 200 200 200 200 200 200 200 200",
    "GET /api/notifications":
        "401 200 200 200 200 200 200 401 200 200 200",
    "GET /api/notifications/preferences":
        "401 200 200 200 200 200 200 401 200 200 200",
    "GET /api/openapi.json":
        "200 200 200 200 200 200 200 200 200 200 200",
    "GET /api/partner-sites":
        "401 403 403 403 403 200 200 401 403 200 403",
    "GET /api/passkeys":
        "401 200 200 200 200 200 200 401 200 200 200",
    "GET /api/session":
        "200 200 200 200 200 200 200 200 200 200 200",
    "GET /api/workspaces":
        "401 200 200 200 200 200 200 401 200 200 200",
    "GET /api/workspaces/{workspace_id}":
        "401 404 200 200 200 200 404 401 404 404 404",
    "GET /api/workspaces/{workspace_id}/documents":
        "401 404 200 200 200 200 404 401 404 404 404",
    "GET /api/workspaces/{workspace_id}/documents/{document_id}/versions":
        "401 404 200 200 200 200 404 401 404 404 404",
    "GET /api/workspaces/{workspace_id}/documents/{document_id}/versions/{version}":
        "401 404 200 200 200 200 404 401 404 404 404",
    "GET /api/workspaces/{workspace_id}/log":
        "401 404 200 200 200 200 404 401 404 404 404",
    "GET /api/workspaces/{workspace_id}/my-state":
        "401 404 200 200 200 200 404 401 404 404 404",
    "GET /assets/{release}/{logical}":
        "200 200 200 200 200 200 200 200 200 200 200",
    "GET /downloads/service-worker.js":
        "200 200 200 200 200 200 200 200 200 200 200",
    "PATCH /api/partner-sites/{site_id}":
        "401 403 403 403 403 400 400 401 403 404 403",
    "PATCH /api/passkeys/{passkey_id}":
        "401 400 400 400 400 400 400 401 400 400 400",
    "POST /api/bootstrap/{token}/complete":
        "410 410 410 410 410 410 410 410 410 410 410",
    "POST /api/bootstrap/{token}/options":
        "410 410 410 410 410 410 410 410 410 410 410",
    "POST /api/invitations":
        "401 403 403 403 403 400 400 401 403 400 403",
    "POST /api/invitations/{invitation_id}/complete":
        "401 403 403 403 403 409 409 401 403 404 403",
    "POST /api/invitations/{invitation_id}/resend":
        "401 403 403 403 403 200 200 401 403 404 403",
    "POST /api/join/{token}/restart":
        "409 409 409 409 409 409 409 409 409 409 409",
    "POST /api/join/{token}/finish":
        "409 409 409 409 409 409 409 409 409 409 409",
    "POST /api/join/{token}/options":
        "200 200 200 200 200 200 200 200 200 200 200",
    "POST /api/join/{token}/register":
        "400 400 400 400 400 400 400 400 400 400 400",
    "POST /api/login":
        "400 400 400 400 400 400 400 400 400 400 400",
    "POST /api/login/options":
        "200 200 200 200 200 200 200 200 200 200 200",
    "POST /api/login/recovery":
        "400 400 400 400 400 400 400 400 400 400 400",
    "POST /api/logout":
        "200 200 200 200 200 200 200 200 200 200 200",
    "POST /api/session/resume":
        "401 400 400 400 400 400 400 401 400 400 400",
    "POST /api/session/suspend":
        "401 200 200 200 200 200 200 401 200 200 200",
    "POST /api/notifications/read":
        "401 400 400 400 400 400 400 401 400 400 400",
    "POST /api/partner-sites":
        "401 403 403 403 403 400 400 401 403 400 403",
    "POST /api/partner-sites/{site_id}/contacts":
        "401 403 403 403 403 400 400 401 403 404 403",
    "POST /api/passkeys":
        "401 400 400 400 400 400 400 401 400 400 400",
    "POST /api/passkeys/options":
        "401 200 200 200 200 200 200 401 200 200 200",
    "POST /api/users/{user_id}/revoke":
        "401 403 403 403 403 400 400 401 403 404 403",
    "POST /api/workspaces":
        "401 201 201 201 201 201 201 401 201 201 201",
    "POST /api/workspaces/{workspace_id}/blocks":
        "401 404 403 400 400 400 404 401 404 404 404",
    "POST /api/workspaces/{workspace_id}/blocks/stream":
        "401 404 400 400 400 400 404 401 404 404 404",
    "POST /api/workspaces/{workspace_id}/log":
        "401 404 403 201 201 201 404 401 404 404 404",
    "POST /api/workspaces/{workspace_id}/members":
        "401 404 403 403 200 200 404 401 404 404 404",
    "POST /api/workspaces/{workspace_id}/notifications":
        "401 404 400 400 400 400 404 401 404 404 404",
    "PUT /api/partner-sites/{site_id}/space":
        "401 403 403 403 403 400 400 401 403 404 403",
    "PUT /api/recovery":
        "401 400 400 400 400 400 400 401 400 400 400",
    "PUT /api/notifications/preferences":
        "401 400 400 400 400 400 400 401 400 400 400",
    "PUT /api/workspaces/{workspace_id}/documents/{document_id}":
        "401 404 403 201 201 201 404 401 404 404 404",
    "PUT /api/workspaces/{workspace_id}/my-state":
        "401 404 400 400 400 400 404 401 404 404 404",
    "GET /api/policy":
        "401 200 200 200 200 200 200 401 200 200 200",
    "PUT /api/policy":
        "401 403 403 403 403 400 400 401 403 400 403",
    "GET /api/workspaces/{workspace_id}/deliveries":
        "401 404 409 409 409 409 404 401 404 404 404",
    "GET /api/workspaces/{workspace_id}/escalation":
        "401 404 409 409 409 409 404 401 404 404 404",
    "PUT /api/workspaces/{workspace_id}/escalation":
        "401 404 403 403 409 409 404 401 404 404 404",
    "GET /api/workspaces/{workspace_id}/policy":
        "401 404 200 200 200 200 404 401 404 404 404",
    "PUT /api/workspaces/{workspace_id}/policy":
        "401 404 403 403 403 400 404 401 404 404 404",
    "POST /api/workspaces/{workspace_id}/share-links":
        "401 404 403 400 400 400 404 401 404 404 404",
    "GET /api/workspaces/{workspace_id}/share-links":
        "401 404 200 200 200 200 404 401 404 404 404",
    "DELETE /api/workspaces/{workspace_id}/share-links/{link_id}":
        "401 404 404 404 404 404 404 401 404 404 404",
    "GET /api/share-links/{link_id}":
        "404 404 404 404 404 404 404 404 404 404 404",
    "POST /api/share-links/{link_id}/open":
        "404 404 404 404 404 404 404 404 404 404 404",
    "POST /api/share-links/{link_id}/downloads":
        "404 404 404 404 404 404 404 404 404 404 404",
    "POST /api/share-links/{link_id}/blocks/stream":
        "404 404 404 404 404 404 404 404 404 404 404",
}
EVENT_MATRIX = {
    "freshness:answer": (
        "not_found not_found ok ok ok ok "
        "not_found not_found not_found not_found not_found"),
    "freshness:ask": (
        "not_found not_found ok ok ok ok "
        "not_found not_found not_found not_found not_found"),
    "invitation:abort": (
        "not_joined not_joined not_joined not_joined not_joined ok "
        "ok not_joined not_joined not_joined not_joined"),
    "invitation:join": (
        "forbidden forbidden forbidden forbidden forbidden ok "
        "ok forbidden forbidden not_found forbidden"),
    "invitation:mismatch": (
        "not_joined not_joined not_joined not_joined not_joined ok "
        "ok not_joined not_joined not_joined not_joined"),
    "invitation:relay": (
        "not_joined not_joined not_joined not_joined not_joined ok "
        "ok not_joined not_joined not_joined not_joined"),
    "presence:typing": (
        "not_found not_found ok ok ok ok "
        "not_found not_found not_found not_found not_found"),
    "presence:view": (
        "not_found not_found ok ok ok ok "
        "not_found not_found not_found not_found not_found"),
    "server_info": (
        "ok ok ok ok ok ok "
        "ok ok ok ok ok"),
}


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> World:
    return build_world(tmp_path_factory.mktemp("matrix"))


def test_matrix_has_a_row_for_every_route_and_event(world):
    assert sorted(HTTP_MATRIX) == http_routes(world), "add the new route's row to HTTP_MATRIX"
    assert sorted(EVENT_MATRIX) == socket_events(world), "add the new event's row to EVENT_MATRIX"
    assert all(len(row.split()) == len(ACTORS)
               for row in [*HTTP_MATRIX.values(), *EVENT_MATRIX.values()])


def _differences(expected: str, observed: list[str]) -> list[str]:
    return [f"{actor}: expected {want}, got {got}"
            for actor, want, got in zip(ACTORS, expected.split(), observed, strict=True)
            if want != got]


@pytest.mark.parametrize("route", sorted(HTTP_MATRIX))
def test_matrix_http(world, route):
    observed = [str(play_http(world, route, actor)) for actor in ACTORS]
    assert not _differences(HTTP_MATRIX[route], observed), _differences(HTTP_MATRIX[route],
                                                                         observed)


@pytest.mark.parametrize("event", sorted(EVENT_MATRIX))
def test_matrix_socket_event(world, event):
    observed = [play_event(world, event, actor) for actor in ACTORS]
    assert not _differences(EVENT_MATRIX[event], observed), _differences(EVENT_MATRIX[event],
                                                                         observed)
