"""The app and the benchmark pages on one loopback origin, served in-process.

The benchmark pages (bench/pages/) are added to a normal Paravent app, so they load the very same
asset URLs, headers and CSP as the product; only their own HTML and JS differ.
"""

from __future__ import annotations

import logging
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, Flask, Response, send_from_directory
from werkzeug.serving import make_server

from api import create_app
from api.assets import AssetManifest
from api.config import Config
from e2e.harness.server import free_port

PAGES = Path(__file__).resolve().parent / "pages"


@dataclass(frozen=True)
class BenchServer:
    url: str
    manifest: AssetManifest

    @property
    def wheel(self) -> str:
        return next(name for name in self.manifest.files if name.startswith("wheels/"))


def _with_bench_pages(app: Flask) -> Flask:
    pages = Blueprint("bench_pages", __name__)

    @pages.get("/bench/<path:name>")
    def page(name: str) -> Response:
        return send_from_directory(PAGES, name, max_age=0)

    app.register_blueprint(pages)
    return app


@contextmanager
def bench_server() -> Iterator[BenchServer]:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="paravent-bench-") as data:
        app = _with_bench_pages(create_app(Config(data_dir=Path(data))))
        port = free_port()
        server = make_server("127.0.0.1", port, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield BenchServer(f"http://127.0.0.1:{port}/", app.extensions["paravent_assets"])
        finally:
            server.shutdown()
