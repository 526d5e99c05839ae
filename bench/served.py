"""The app and the benchmark pages on one loopback origin, served in-process.

The benchmark pages (bench/pages/) are added to a normal Paravent app, so they load the very same
asset URLs, headers and CSP as the product; only their own HTML and JS differ. The baseline for
transfers (`/bench/plain/<n>`) stores unencrypted chunks through the same block store.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, Flask, Response, request, send_from_directory

from api import create_app
from api.assets import AssetManifest
from api.config import Config
from e2e.harness.server import free_port, serving_in_thread

PAGES = Path(__file__).resolve().parent / "pages"


@dataclass(frozen=True)
class BenchServer:
    url: str
    manifest: AssetManifest
    config: Config

    @property
    def wheel(self) -> str:
        return next(name for name in self.manifest.files if name.startswith("wheels/"))


def _with_bench_pages(app: Flask) -> Flask:
    pages = Blueprint("bench_pages", __name__)

    @pages.get("/bench/<path:name>")
    def page(name: str) -> Response:
        return send_from_directory(PAGES, name, max_age=0)

    @pages.put("/bench/plain/<int:index>")
    def plain_upload(index: int) -> Response:
        """The baseline: the same bytes, unencrypted, stored the same way as a block."""
        app.extensions["paravent_blocks"].put("plain", f"{index:064x}", request.get_data())
        return Response(status=201)

    @pages.get("/bench/plain/<int:index>")
    def plain_download(index: int) -> Response:
        data = app.extensions["paravent_blocks"].get("plain", f"{index:064x}")
        return Response(data, mimetype="application/octet-stream")

    app.register_blueprint(pages)
    return app


@contextmanager
def bench_server() -> Iterator[BenchServer]:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="paravent-bench-") as data:
        port = free_port()
        config = Config(data_dir=Path(data), port=port)
        app = _with_bench_pages(create_app(config))
        with serving_in_thread(app, port):
            yield BenchServer(f"{config.public_origin}/", app.extensions["paravent_assets"],
                              config)
