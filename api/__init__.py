"""Paravent's server: a strict relay that stores ciphertext and never sees plaintext.

`create_app(config)` builds the Flask app with its extensions: storage, security headers,
versioned assets, the health endpoint, JSON errors, identity (passkeys, sessions, invitations,
directory), workspaces (members, key grants, encrypted documents and blocks) and Socket.IO.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from jinja2 import FileSystemLoader

from api.config import Config
from api.dropboxes import deposits as drop_deposits
from api.dropboxes import links as drop_links
from api.http.errors import init_errors
from api.http.inputs import init_input_checks
from api.http.proxies import init_trusted_proxies
from api.http.security_headers import init_security_headers
from api.identity import bootstrap, directory, invitations, login, passkeys, suspension
from api.identity.invitation_channel import init_invitation_channel
from api.identity.sessions import init_origin_check
from api.limits.identity_limits import init_rate_limits
from api.limits.redis_store import shared_rate_limits
from api.limits.user_limits import init_user_limits
from api.notifications import init_notifications
from api.partners import routes as partners
from api.partners.escalation import init_escalation
from api.policies import routes as policies
from api.realtime.channel import init_realtime, socketio_of
from api.realtime.freshness_relay import init_freshness_relay
from api.realtime.shared_state import init_shared_state
from api.serving import openapi
from api.serving.assets import init_assets
from api.serving.health import init_health
from api.share_links import public as share_links_public
from api.share_links import routes as share_links
from api.share_links.lifecycle import init_link_sweep
from api.storage.blocks.configured import open_block_store
from api.storage.faults import init_storage_faults
from api.storage.pool import init_store
from api.workspaces import blocks, documents, log, own_state
from api.workspaces import routes as workspaces
from api.workspaces.presence import init_presence

TEMPLATES = Path(__file__).resolve().parent / "templates"


def create_app(config: Config) -> Flask:
    app = Flask(__name__, static_folder=None)
    app.config.update(
        PARAVENT=config,
        SECRET_KEY=config.load_secret_key(),
        MAX_CONTENT_LENGTH=config.max_request_bytes,
    )
    app.jinja_loader = FileSystemLoader([config.web_dir, TEMPLATES])
    init_store(app)
    init_shared_state(app)
    init_errors(app)
    init_input_checks(app)
    init_storage_faults(app)
    init_security_headers(app)
    init_origin_check(app)
    init_rate_limits(app, shared_rate_limits(app))
    init_user_limits(app)
    init_assets(app)
    app.extensions["paravent_blocks"] = open_block_store(config)
    app.extensions["paravent_blocks"].prepare()
    init_health(app)
    for module in (openapi, bootstrap, login, suspension, passkeys, directory, invitations,
                   workspaces, documents, blocks, log, own_state, partners, policies, share_links,
                   share_links_public):
        app.register_blueprint(module.blueprint)
    app.register_blueprint(drop_links.blueprint)
    app.register_blueprint(drop_deposits.blueprint)
    socketio = init_realtime(app)
    init_invitation_channel(app, socketio)
    init_presence(app, socketio)
    init_freshness_relay(app, socketio)
    init_notifications(app)
    init_link_sweep(app)
    init_escalation(app)
    init_trusted_proxies(app)
    return app


__all__ = ["create_app", "socketio_of"]
