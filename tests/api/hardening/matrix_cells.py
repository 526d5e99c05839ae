"""How the authorization matrix plays one cell: the request (or Socket.IO event) a route (or
event) gets from an actor, and the answer it observes (an HTTP status, or `ok` / the error code
of an acknowledgement).

The workspace writes that carry a log entry are played whole, as the actor's browser would make
them (`WRITES`: a new workspace, dossier, comment or member, a member's removal, each with a
valid entry following the log), so that an allowed actor's write succeeds and a refusal can only
come from authorization. Actors without keys (anonymous) send the owner's keys with no session."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from werkzeug.test import TestResponse

from api.realtime.channel import socketio_of
from api.realtime.socket_events import event_table
from api.serving.openapi import openapi_path
from tests.api.hardening.world import World, new_drop_link
from tests.api.workspaces.conftest import Member, creation, new_document_id

# Bodies of the other routes: they pass the checks made before authorization and fail those
# made after it, so that no cell changes anything another cell sees.
BODIES: dict[str, Any] = {
    "POST /api/workspaces/{workspace_id}/blocks": b"",
    "POST /api/drop/{drop_link_id}/deposits/{deposit_id}/blocks": b"",
}
# Cells that would use up what they touch get a fresh invitation each.
FRESH_INVITATION = {"DELETE /api/invitations/{invitation_id}",
                    "POST /api/invitations/{invitation_id}/resend"}
FRESH_PARTNER_SITE = {"DELETE /api/partner-sites/{site_id}"}
FRESH_DROP_LINK = {"DELETE /api/workspaces/{workspace_id}/dropboxes/{drop_link_id}"}
NO_SESSION_TO_RESTORE = ("anonymous", "revoked")


def http_routes(world: World) -> list[str]:
    """Every route of the app and each of its methods, as 'METHOD /path/{parameter}'."""
    return sorted({f"{method} {openapi_path(rule)}" for rule in world.app.url_map.iter_rules()
                   for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}})


def socket_events(world: World) -> list[str]:
    return event_table(socketio_of(world.app))


def _url(world: World, route: str) -> str:
    path = route.split(" ", 1)[1]
    people = world.people
    user_id = (people["contributor"] if "/members/" in path else people["outsider"]).user_id
    token = (world.organization.bootstrap_token if path.startswith("/api/bootstrap/")
             else world.invitation_token)
    invitation_id = (world.fresh_invitation()[1] if route in FRESH_INVITATION
                     else world.invitation_id)
    values = {
        "workspace_id": world.workspace.workspace_id, "document_id": world.dossier_id,
        "dossier_id": world.dossier_id, "version": "1", "user_id": user_id, "token": token,
        "invitation_id": invitation_id, "passkey_id": "AAAAAAAA", "link_id": f"l-{'0' * 24}",
        "site_id": (world.fresh_partner_site() if route in FRESH_PARTNER_SITE
                    else world.partner_site_id),
        "release": world.app.extensions["paravent_assets"].release, "logical": "web/app.js",
        "drop_link_id": (new_drop_link(world.workspace) if route in FRESH_DROP_LINK
                         else world.drop_link_id), "deposit_id": f"d-{'0' * 24}",
    }
    for name, value in values.items():
        path = path.replace(f"{{{name}}}", value)
    return path


def _actor(world: World, actor: str) -> Member:
    """The actor as a member writing with their own keys (the owner's, for one without)."""
    person = world.people[actor]
    if person.bundle is None:
        person = replace(person, bundle=world.workspace.owner.person.bundle)
    return Member(person)


def _create_workspace(world: World, actor: str) -> TestResponse:
    member = _actor(world, actor)
    organization = world.other if actor.startswith("other_") else world.organization
    _, body = creation(organization, member.person)
    return member.person.client.post("/api/workspaces", json=body)


def _put_dossier(world: World, actor: str) -> TestResponse:
    return world.workspace.put(_actor(world, actor), new_document_id(), 1, {"title": "Matrice"})


def _comment(world: World, actor: str) -> TestResponse:
    member = _actor(world, actor)
    return member.person.client.post(f"{world.workspace.url}/log", json=world.workspace.entry(
        member, "comment", content={"dossier_id": world.dossier_id, "text": "Avis"}))


def _add_member(world: World, actor: str) -> TestResponse:
    newcomer = Member(world.organization.member())
    return world.workspace.share(newcomer, "reader", by=_actor(world, actor))


def _remove_member(world: World, actor: str) -> TestResponse:
    """The actor removes a reader the owner has just added, so that every cell has one."""
    return world.workspace.unshare(world.workspace.add("reader"), by=_actor(world, actor))


# Routes after which the actor's session must be opened again for the other cells.
SESSION_ENDERS = ("POST /api/logout", "POST /api/session/suspend")

WRITES: dict[str, Callable[[World, str], TestResponse]] = {
    "POST /api/workspaces": _create_workspace,
    "PUT /api/workspaces/{workspace_id}/documents/{document_id}": _put_dossier,
    "POST /api/workspaces/{workspace_id}/log": _comment,
    "POST /api/workspaces/{workspace_id}/members": _add_member,
    "DELETE /api/workspaces/{workspace_id}/members/{user_id}": _remove_member,
}


def play_http(world: World, route: str, actor: str) -> int:
    if route in WRITES:
        return WRITES[route](world, actor).status_code
    method = route.split(" ", 1)[0]
    person = world.people[actor]
    body = BODIES.get(route, {} if method in ("POST", "PUT", "PATCH", "DELETE") else None)
    url = _url(world, route)
    if isinstance(body, bytes):
        response = person.client.open(url, method=method, data=body,
                                      content_type="application/octet-stream")
    else:
        response = person.client.open(url, method=method, json=body)
    if route in SESSION_ENDERS and actor not in NO_SESSION_TO_RESTORE:
        assert person.login().status_code == 200  # the other cells need the session back
    return response.status_code


def _answer(reply: Any) -> str:
    if not isinstance(reply, dict):
        return f"no answer: {reply!r}"
    if reply.get("ok", True) is not False:
        return "ok"
    return reply["error"]["code"]


def play_event(world: World, event: str, actor: str) -> str:
    person = world.people[actor]
    socket = socketio_of(world.app).test_client(world.app, flask_test_client=person.client)
    place = {"workspace_id": world.workspace.workspace_id, "dossier_id": world.dossier_id}
    try:
        if event.startswith("presence:") and event != "presence:view":
            socket.emit("presence:view", place, callback=True)
        if event.startswith("invitation:") and event != "invitation:join":
            socket.emit("invitation:join", {"role": "greeter",
                                            "invitation_id": world.fresh_invitation()[1]},
                        callback=True)
        arguments = {
            "server_info": (),
            "presence:view": (place,),
            "presence:typing": ({"dossier_id": world.dossier_id},),
            "invitation:join": ({"role": "greeter",
                                 "invitation_id": world.fresh_invitation()[1]},),
            "invitation:relay": ({"payload": {"step": "hello"}},),
            "invitation:abort": ({"reason": "matrix"},),
            "freshness:ask": ({**place, "nonce": "n" * 44},),
            "freshness:answer": ({**place, "asker": world.people["owner"].user_id,
                                  "answer": "a" * 100},),
        }.get(event, ({},))
        return _answer(socket.emit(event, *arguments, callback=True))
    finally:
        if socket.is_connected():
            socket.disconnect()
