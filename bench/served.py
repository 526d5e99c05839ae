"""The app and the benchmark pages on one loopback origin, served by the production server.

`bench_server()` serves them in a subprocess (`serve`, patched for gevent first thing, as
`python app.py` is), and reads the asset manifest from an app built (not served) here.

The benchmark pages (bench/pages/) are added to a normal Paravent app, so they load the very same
asset URLs, headers and CSP as the product; only their own HTML and JS differ. The baseline for
transfers stores unencrypted 512 KiB chunks through the same block store, received one per
request (`/bench/plain/<n>`) or as one whole file (`/bench/plain/file`), and serves them back
the same two ways.
"""

from __future__ import annotations

import json
import logging
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from flask import Blueprint, Flask, Response, request, send_from_directory

from api import create_app
from api.config import Config
from api.http.inputs import binary_body
from api.serving.assets import AssetManifest
from api.serving.server import production_server, serve_until_stopped
from e2e.harness.server import ServerProcess

PAGES = Path(__file__).resolve().parent / "pages"
CHUNK = 512 * 1024
SERVE = ("from gevent import monkey; monkey.patch_all(); import json, sys; "
         "from pathlib import Path; from bench.served import serve; "
         "serve(Path(sys.argv[1]), int(sys.argv[2]), json.loads(sys.argv[3]))")


@dataclass(frozen=True)
class BenchServer:
    url: str
    manifest: AssetManifest
    config: Config

    @property
    def wheel(self) -> str:
        return next(name for name in self.manifest.files if name.startswith("wheels/"))


def _read_fully(stream: IO[bytes], size: int) -> bytes:
    """The next `size` bytes of `stream`, fewer only at its end."""
    parts = []
    wanted = size
    while wanted and (part := stream.read(wanted)):
        parts.append(part)
        wanted -= len(part)
    return b"".join(parts)


def _with_bench_pages(app: Flask) -> Flask:
    pages = Blueprint("bench_pages", __name__)

    @pages.get("/bench/<path:name>")
    def page(name: str) -> Response:
        return send_from_directory(PAGES, name, max_age=0)

    @pages.put("/bench/plain/<int:index>")
    def plain_upload(index: int) -> Response:
        """The baseline: the same bytes, unencrypted, stored the same way as a block."""
        app.extensions["paravent_blocks"].put("plain", f"{index:064x}", binary_body())
        return Response(status=201)

    @pages.post("/bench/discard")
    def discard() -> Response:
        """A request body read and dropped: what the request path costs without a store."""
        binary_body()
        return Response(status=201)

    @pages.get("/bench/plain/<int:index>")
    def plain_chunk(index: int) -> Response:
        data = app.extensions["paravent_blocks"].get("plain", f"{index:064x}")
        return Response(data, mimetype="application/octet-stream")

    @pages.put("/bench/plain/file")
    def plain_file_upload() -> Response:
        """The whole file in one request, as a server without encryption receives a file,
        stored in chunks of `CHUNK` the way blocks are stored."""
        request.max_content_length = 2**40  # the app limits requests to 16 MiB
        blocks = app.extensions["paravent_blocks"]
        index = 0
        while chunk := _read_fully(request.stream, CHUNK):
            blocks.put("plain", f"{index:064x}", chunk)
            index += 1
        return Response(status=201)

    @pages.get("/bench/plain/file")
    def plain_file() -> Response:
        """Chunks 0..chunks-1 as one file of `size` bytes, sent as a server without
        encryption sends a file: streamed from storage to the browser's download manager."""
        chunks = request.args.get("chunks", type=int, default=0)
        blocks = app.extensions["paravent_blocks"]
        stream = (blocks.get("plain", f"{index:064x}") for index in range(chunks))
        return Response(stream, mimetype="application/octet-stream", headers={
            "Content-Disposition": 'attachment; filename="plain.bin"',
            "Content-Length": request.args.get("size", type=int, default=0)})

    app.register_blueprint(pages)
    return app


def serve(data_dir: Path, port: int, storage: dict[str, str]) -> None:
    """The bench pages and the app, in the production server, until SIGTERM; `storage` as
    `bench_server` takes it."""
    logging.basicConfig(level=logging.WARNING)
    config = Config(data_dir=data_dir, port=port, **storage)
    server = production_server(_with_bench_pages(create_app(config)), config)
    serve_until_stopped(server, lambda: None)


@contextmanager
def bench_server(**storage: str) -> Iterator[BenchServer]:
    """The app and the pages on a fresh data folder; `storage` may choose other stores
    (`blocks="s3://…", s3_endpoint=…`, `database="postgresql://…"`)."""
    with tempfile.TemporaryDirectory(prefix="paravent-bench-") as data:
        process = ServerProcess(Path(data) / "data")
        config = Config(data_dir=process.data_dir, port=process.port, **storage)
        manifest = create_app(config).extensions["paravent_assets"]
        process.start(command=["-c", SERVE, str(process.data_dir), str(process.port),
                               json.dumps(storage)])
        try:
            yield BenchServer(f"{config.public_origin}/", manifest, config)
        finally:
            process.stop()
