"""Socket.IO: the realtime channel to browsers (WebSocket transport, same origin only).

For now it answers `server_info`; later issues authenticate sockets with the session and fan
out change notifications per workspace.
"""

from __future__ import annotations

from flask import Flask, current_app
from flask_socketio import SocketIO

from api.version import server_version


def init_realtime(app: Flask) -> SocketIO:
    # cors_allowed_origins=None keeps python-socketio's default: same origin only.
    socketio = SocketIO(app, async_mode="threading", cors_allowed_origins=None)

    @socketio.on("server_info")
    def _server_info() -> dict[str, str | None]:
        manifest = current_app.extensions["paravent_assets"]
        return {"version": server_version(), "release": manifest.release}

    app.extensions["paravent_socketio"] = socketio
    return socketio
