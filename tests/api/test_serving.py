"""The production server (`python app.py`): WebSockets, timeouts, graceful stop, access logs."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from e2e.harness.server import ServerProcess

UPGRADE = (
    "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n"
    "Host: localhost:{port}\r\nOrigin: {origin}\r\n"
    "Upgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
)


@pytest.fixture
def server(tmp_path):
    process = ServerProcess(tmp_path / "data", flags=("--idle-timeout", "1")).start()
    yield process
    process.stop()


def _first_line(port: int, request: str) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(request.encode())
        return connection.recv(1024).split(b"\r\n", 1)[0]


def test_serving_upgrades_our_origin_to_websocket_and_refuses_others(server):
    ours = UPGRADE.format(port=server.port, origin=server.url.rstrip("/"))
    theirs = UPGRADE.format(port=server.port, origin="https://evil.example")
    assert _first_line(server.port, ours) == b"HTTP/1.1 101 Switching Protocols"
    assert _first_line(server.port, theirs).startswith(b"HTTP/1.1 400")


def test_serving_refuses_long_polling(server):
    polling = (f"GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: localhost:{server.port}"
               f"\r\nOrigin: {server.url.rstrip('/')}\r\n\r\n")
    assert _first_line(server.port, polling).startswith(b"HTTP/1.1 400")


def test_serving_closes_a_connection_that_sends_nothing(server):
    with socket.create_connection(("127.0.0.1", server.port), timeout=20) as connection:
        assert connection.recv(1024) == b""  # closed by the server, long before our own timeout


def test_serving_access_log_has_no_token_nor_query_string(server):
    token = "Zq8" * 10
    for path in (f"api/join/{token}", f"api/health?secret={token}"):
        try:
            urllib.request.urlopen(f"{server.url}{path}", timeout=10)
        except urllib.error.HTTPError as error:
            assert error.code == 404
    server.stop()
    log = server.log_text(whole=True)
    assert '"GET /api/join/<token>" 404' in log
    assert '"GET /api/health" 200' in log
    assert token not in log


def test_serving_stops_gracefully_on_sigterm(server):
    server.process.send_signal(signal.SIGTERM)
    assert server.process.wait(timeout=20) == 0
    log = server.log_text(whole=True)
    assert "Paravent stopped" in log
    assert "development server" not in log


BLOCKING_WHILE_OTHERS_RUN = """
from gevent import monkey; monkey.patch_all()
import ctypes, os, gevent
from api.storage.blocking import off_hub

ticks = []
def other_request():
    for _ in range(50):
        ticks.append(1)
        gevent.sleep(0.01)
gevent.spawn(other_request)
gevent.sleep(0)
off_hub(ctypes.CDLL(None).usleep, 300_000)  # a native call that blocks, as an fsync does
try:
    off_hub(os.fsync, 987_654)  # no such descriptor
except OSError:
    print(len(ticks), "raised")
"""


def test_serving_keeps_other_requests_moving_while_one_waits_on_the_disk():
    """Under gevent, a blocking disk call (an fsync) runs in a native thread: the other
    greenlets (requests) go on meanwhile, and its errors reach the caller, and only the caller
    (no traceback printed for an error the request turns into a 503 or 507)."""
    result = subprocess.run([sys.executable, "-c", BLOCKING_WHILE_OTHERS_RUN],
                            capture_output=True, text=True, timeout=60, check=True,
                            cwd=Path(__file__).resolve().parents[2])
    ticks, raised = result.stdout.split()
    assert int(ticks) >= 10 and raised == "raised"
    assert "Traceback" not in result.stderr
