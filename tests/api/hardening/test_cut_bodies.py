"""A request body the client cuts short or stops sending, against the real server (gevent, whose
input raises where a short read was expected): the answer is a 400 or a quiet close, and the
server's log holds no error."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest

from e2e.harness.server import ServerProcess
from tests.api.identity.conftest import bootstrap, make_app
from tests.api.workspaces.conftest import Workspace, create_workspace

REQUEST_TIMEOUT_SECONDS = 2
ANNOUNCED = 1_000_000


@pytest.fixture
def served(config) -> Iterator[tuple[Workspace, ServerProcess]]:
    """A workspace made in this process, and the production server on the same data."""
    team = create_workspace(bootstrap(make_app(config, max_request_bytes=2 * ANNOUNCED)))
    database = ("--database", config.database) if config.database else ()
    server = ServerProcess(config.data_dir, port=config.port, flags=(
        "--request-timeout", str(REQUEST_TIMEOUT_SECONDS), *database)).start()
    try:
        yield team, server
    finally:
        server.stop()


def _head(team: Workspace, server: ServerProcess, path: str, content_type: str) -> bytes:
    cookie = team.owner.person.client.get_cookie("paravent_session").value
    return (f"POST {path} HTTP/1.1\r\nHost: localhost:{server.port}\r\n"
            f"Origin: http://localhost:{server.port}\r\nCookie: paravent_session={cookie}\r\n"
            f"Content-Type: {content_type}\r\nContent-Length: {ANNOUNCED}\r\n\r\n").encode()


def _answer(connection: socket.socket) -> bytes:
    """What the server sent before closing (nothing, for a quiet close)."""
    received = b""
    while chunk := connection.recv(65536):
        received += chunk
    return received


def _errors(server: ServerProcess) -> list[str]:
    return [line for line in server.log_text(whole=True).splitlines()
            if "ERROR" in line or "Traceback" in line or "Error:" in line]


UPLOADS = [("/blocks", "application/octet-stream"), ("/blocks/stream", "application/json")]


@pytest.mark.parametrize(("route", "content_type"), UPLOADS)
def test_a_body_cut_short_is_a_400_or_a_quiet_close_and_no_error(served, route, content_type):
    team, server = served
    with socket.create_connection(("127.0.0.1", server.port), timeout=20) as connection:
        connection.sendall(_head(team, server, team.url + route, content_type) + b"x" * 1000)
        connection.shutdown(socket.SHUT_WR)
        answer = _answer(connection)
    assert answer == b"" or answer.startswith(b"HTTP/1.1 400"), answer[:200]
    time.sleep(0.5)
    assert _errors(server) == []
    assert server.healthy()


@pytest.mark.parametrize(("route", "content_type"), UPLOADS)
def test_a_stalled_body_is_a_400_or_a_quiet_close_and_no_error(served, route, content_type):
    team, server = served
    with socket.create_connection(("127.0.0.1", server.port), timeout=20) as connection:
        connection.sendall(_head(team, server, team.url + route, content_type) + b"x" * 1000)
        started = time.monotonic()
        answer = _answer(connection)
    assert answer == b"" or answer.startswith(b"HTTP/1.1 400"), answer[:200]
    assert time.monotonic() - started < REQUEST_TIMEOUT_SECONDS + 5
    time.sleep(0.5)
    assert _errors(server) == []
    assert server.healthy()
