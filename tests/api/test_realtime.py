"""Socket.IO: answers clients (the real server's WebSocket is tested in test_serving.py)."""

from __future__ import annotations

from api import socketio_of


def test_realtime_server_info_acks_version_and_release(app):
    client = socketio_of(app).test_client(app)
    assert client.is_connected()
    reply = client.emit("server_info", callback=True)
    assert reply == {"version": "0.1.0", "release": app.extensions["paravent_assets"].release}
