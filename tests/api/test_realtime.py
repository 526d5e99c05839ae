"""Socket.IO: answers clients, and the real server upgrades to a WebSocket."""

from __future__ import annotations

import socket

import pytest

from api import socketio_of
from e2e.harness.server import ServerProcess


def test_realtime_server_info_acks_version_and_release(app):
    client = socketio_of(app).test_client(app)
    assert client.is_connected()
    reply = client.emit("server_info", callback=True)
    assert reply == {"version": "0.1.0", "release": app.extensions["paravent_assets"].release}


@pytest.fixture
def real_server(tmp_path):
    process = ServerProcess(tmp_path / "data").start()
    yield process
    process.stop()


def test_realtime_real_server_upgrades_to_websocket(real_server):
    request = (
        "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{real_server.port}\r\n"
        f"Origin: http://127.0.0.1:{real_server.port}\r\n"
        "Upgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", real_server.port), timeout=5) as connection:
        connection.sendall(request.encode())
        status_line = connection.recv(1024).split(b"\r\n", 1)[0]
    assert status_line == b"HTTP/1.1 101 Switching Protocols"


def test_realtime_real_server_refuses_other_origins(real_server):
    request = (
        "GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{real_server.port}\r\n"
        "Origin: https://evil.example\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", real_server.port), timeout=5) as connection:
        connection.sendall(request.encode())
        status_line = connection.recv(1024).split(b"\r\n", 1)[0]
    assert status_line.startswith(b"HTTP/1.1 400")
