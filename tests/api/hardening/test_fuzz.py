"""Property-based fuzzing (Hypothesis) of every JSON route of /api/openapi.json and every
Socket.IO event, on SQLite and on PostgreSQL: whatever arrives (odd JSON, deep nesting, lone
surrogates, NUL in any string, huge numbers, odd path and query values, bytes that are not JSON),
the answer is never a 5xx nor an unanswered event, and comes within a few seconds. Every input
is played (about 8,000 per engine) and the 5xx are counted, so a failure lists them all.

The actor is the workspace's owner and admin (the most checks run for them), on the world of the
authorization matrix; body field names are those the API reads, taken from its source.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.config import REPO_ROOT
from api.realtime.channel import socketio_of
from api.realtime.socket_events import event_table
from e2e.harness.services.postgresql import create_database, drop_database
from tests.api.hardening.world import World, build_world

EXAMPLES = 140
ANSWER_SECONDS = 10
FIELD_READ = re.compile(r"""(?:\w+\(\w+, |\.get\()["'](\w+)["']""")
WORD_LITERAL = re.compile(r"""["']([a-z][a-z_:]{2,24})["']""")
ODD_TEXT = st.sampled_from(["\ud800", "\udfff", "a\u202eb", "\x00", "a\x00b", "AAAA\x00", "²",
                            "9" * 40, "", " ", "-1", "true", "w-" + "0" * 24, "AAAA", "!!!!",
                            "../..", "%00"])
SCALARS = (st.none() | st.booleans() | st.integers() | st.integers(min_value=2**62)
           | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=12) | ODD_TEXT)
POOL = ThreadPoolExecutor(max_workers=1)


def _api_sources() -> list[str]:
    return [path.read_text() for path in sorted((REPO_ROOT / "api").rglob("*.py"))]


def api_field_names() -> list[str]:
    """The body fields the API reads (text(body, "name"), body.get("name"), ...)."""
    return sorted({name for source in _api_sources() for name in FIELD_READ.findall(source)})


def api_words() -> list[str]:
    """Word literals of the API's source ("file", "comment", "greeter", ...), so that fuzzed
    values pass the first checks now and then and reach the later ones."""
    return sorted({word for source in _api_sources() for word in WORD_LITERAL.findall(source)})


def json_values(names: list[str]) -> st.SearchStrategy[Any]:
    keys = st.sampled_from(names) | st.text(max_size=8) | ODD_TEXT
    scalars = SCALARS | st.sampled_from(api_words()) | st.integers(min_value=0, max_value=3)
    return st.recursive(scalars, lambda children: st.lists(children, max_size=4)
                        | st.dictionaries(keys, children, max_size=6), max_leaves=16)


def bodies(names: list[str]) -> st.SearchStrategy[bytes]:
    values = json_values(names)
    objects = st.dictionaries(st.sampled_from(names), values, max_size=8)
    deep = st.integers(min_value=30, max_value=100_000).map(lambda n: "[" * n + "]" * n)
    return st.one_of(
        objects.map(lambda v: json.dumps(v).encode("utf-8", "surrogatepass")),
        values.map(lambda v: json.dumps(v).encode("utf-8", "surrogatepass")),
        deep.map(str.encode), st.binary(max_size=64))


def answered_in_time(call: Any) -> Any:
    return POOL.submit(call).result(timeout=ANSWER_SECONDS)


@dataclass
class Tally:
    """Inputs played and the 5xx (or unanswered, or `internal_error`) among them."""

    played: int = 0
    failures: list[str] = field(default_factory=list)

    def record(self, failure: str | None) -> None:
        self.played += 1
        if failure is not None:
            self.failures.append(failure)

    def assert_none_failed(self) -> None:
        assert self.failures == [], (
            f"{len(self.failures)} of {self.played} inputs failed:\n" + "\n".join(
                self.failures[:40]))


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(request: pytest.FixtureRequest, tmp_path_factory) -> Iterator[World]:
    if request.param == "sqlite":
        yield build_world(tmp_path_factory.mktemp("fuzz"))
        return
    server = request.getfixturevalue("postgres_server")
    name = f"fuzz_{uuid.uuid4().hex}"
    world = build_world(tmp_path_factory.mktemp("fuzz"), create_database(server, name))
    yield world
    world.app.extensions["paravent_store_pool"].close_idle()
    drop_database(server, name)


def _operations(world: World) -> list[tuple[str, str, dict[str, Any]]]:
    spec = world.people["owner"].client.get("/api/openapi.json").json
    return [(path, method, operation) for path, item in sorted(spec["paths"].items())
            for method, operation in sorted(item.items())]


def _known_values(world: World) -> dict[str, str]:
    return {"workspace_id": world.workspace.workspace_id, "document_id": world.dossier_id,
            "dossier_id": world.dossier_id, "version": "1", "token": world.invitation_token,
            "invitation_id": world.invitation_id, "user_id": world.people["reader"].user_id}


def _keep_signed_in(world: World) -> None:
    owner = world.people["owner"]
    if owner.session_user() is None:
        assert owner.login().status_code == 200


FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))


def fuzz_operation(world: World, path: str, method: str, operation: dict[str, Any],
                   names: list[str], tally: Tally) -> None:
    """Run EXAMPLES requests at one operation, as the owner."""
    known = _known_values(world)
    client = world.people["owner"].client
    parameters = [p["name"] for p in operation["parameters"] if p["in"] == "path"]
    queries = [p["name"] for p in operation["parameters"] if p["in"] == "query"] or ["q"]
    content = operation.get("requestBody", {}).get("content", {})
    media = "application/json" if "application/json" in content else "application/octet-stream"

    @FUZZ
    @given(path_values=st.fixed_dictionaries({
               name: st.just(known.get(name, "x")) | st.text(max_size=30) | ODD_TEXT
               for name in parameters}),
           query=st.dictionaries(st.sampled_from(queries), st.text(max_size=20) | ODD_TEXT,
                                 max_size=3),
           body=bodies(names))
    def check(path_values: dict[str, str], query: dict[str, str], body: bytes) -> None:
        url = path
        for name, value in path_values.items():
            url = url.replace(f"{{{name}}}", quote(value.encode("utf-8", "surrogatepass"),
                                                   safe=""))
        response = answered_in_time(lambda: client.open(
            url, method=method.upper(), data=body if content else None,
            content_type=media if content else None,
            query_string={k: v.encode("utf-8", "surrogatepass") for k, v in query.items()}))
        failed = response.status_code >= 500 or (
            response.status_code >= 400 and set(response.json["error"]) != {"code", "message"})
        tally.record(repr((method, url, body[:200], response.status_code, response.json))
                     if failed else None)
        _keep_signed_in(world)

    check()


def test_fuzz_no_route_answers_5xx(world):
    names = api_field_names()
    operations = _operations(world)
    assert len(operations) > 30
    tally = Tally()
    for path, method, operation in operations:
        fuzz_operation(world, path, method, operation, names, tally)
    assert tally.played >= EXAMPLES * len(operations) * 0.9
    tally.assert_none_failed()


def fuzz_event(world: World, socket: Any, event: str, values: st.SearchStrategy[Any],
               tally: Tally) -> None:
    """Emit EXAMPLES packets of `event` with odd arguments; each must be acknowledged."""

    @FUZZ
    @given(arguments=st.lists(values, max_size=3))
    def check(arguments: list[Any]) -> None:
        text = json.dumps([event, *arguments])
        socket.callback_counter += 1
        packet = f"2{socket.callback_counter}{text}"
        answered_in_time(lambda: socket.socketio.server._handle_eio_message(socket.eio_sid,
                                                                            packet))
        ack, socket.acks = socket.acks, None
        reply = ack["args"][0] if ack is not None else None
        answered = isinstance(reply, dict) and reply.get("error", {}).get(
            "code") != "internal_error"
        tally.record(None if answered else repr((event, text[:200], reply)))

    check()


def test_fuzz_every_event_is_answered(world):
    values = json_values(api_field_names())
    socketio = socketio_of(world.app)
    socket = socketio.test_client(world.app, flask_test_client=world.people["owner"].client)
    events = event_table(socketio)
    assert len(events) >= 6
    tally = Tally()
    for event in events:
        fuzz_event(world, socket, event, values, tally)
    tally.assert_none_failed()


def test_fuzz_field_names_come_from_the_api():
    names = api_field_names()
    assert {"kind", "seq", "manifest", "credential", "block_ids", "display_name",
            "log_entry"} <= set(names)
