"""Paravent's server: a strict relay that stores ciphertext and never sees plaintext.

`create_app(config)` builds the Flask app with its extensions: storage, security headers,
versioned assets, the health endpoint, JSON errors and Socket.IO.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask_socketio import SocketIO
from jinja2 import FileSystemLoader

from api import health
from api.assets import init_assets
from api.config import Config
from api.errors import init_errors
from api.realtime import init_realtime
from api.security_headers import init_security_headers
from api.store import init_store

TEMPLATES = Path(__file__).resolve().parent / "templates"


def create_app(config: Config) -> Flask:
    app = Flask(__name__, static_folder=None)
    app.config.update(
        PARAVENT=config,
        SECRET_KEY=config.load_secret_key(),
        MAX_CONTENT_LENGTH=config.max_request_bytes,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
    )
    app.jinja_loader = FileSystemLoader([config.web_dir, TEMPLATES])
    init_store(app)
    init_errors(app)
    init_security_headers(app)
    init_assets(app)
    app.register_blueprint(health.blueprint)
    init_realtime(app)
    return app


def socketio_of(app: Flask) -> SocketIO:
    """The app's Socket.IO server."""
    return app.extensions["paravent_socketio"]
