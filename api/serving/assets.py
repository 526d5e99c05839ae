"""The browser assets of one release, and the page that loads them with Subresource Integrity.

At start-up the server lists every file the browser may load (our `web/` sources, the vendored
`static/vendor/` packages, the `static/wheels/` wheel, the crypto worker's Pyodide memory
snapshot in `static/snapshots/`) with its SHA-384. The release id is a hash
of that manifest, and every asset is served under `/assets/<release>/<path>` with immutable cache
headers: a new release is a new URL, so nothing stale is ever used. The index page names each
script with its SRI, lists module integrities in an import map, and points the crypto worker at
the manifest, which the worker checks its own downloads against.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, Flask, Response, current_app, render_template, request

from api.http.errors import ApiError
from api.http.security_headers import allow_script_hash

MANIFEST_NAME = "asset-manifest.json"
IMMUTABLE = "public, max-age=31536000, immutable"
MIME_TYPES = {
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".wasm": "application/wasm",
    ".json": "application/json",
    ".css": "text/css",
    ".zip": "application/zip",
    ".whl": "application/zip",
    ".bin": "application/octet-stream",
    ".html": "text/html; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}
WORKER_FOLDERS = ("web/worker/", "web/service-worker/")
DOWNLOADS_SERVICE_WORKER = "web/service-worker/downloads.js"
REQUIRED_ASSETS = ("vendor/pyodide/pyodide.mjs", "vendor/libsodium/libsodium-wrappers.mjs")


def sri(data: bytes) -> str:
    """The Subresource Integrity string of `data`."""
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode("ascii")


@dataclass(frozen=True)
class AssetFile:
    path: Path
    sri: str
    size: int


@dataclass(frozen=True)
class AssetManifest:
    """The files of one release, by logical path (`web/app.js`, `vendor/pyodide/…`)."""

    release: str
    files: dict[str, AssetFile]
    document: bytes

    @property
    def base(self) -> str:
        return f"/assets/{self.release}/"

    @property
    def complete(self) -> bool:
        """Whether the vendored packages and the wheel are installed (`make assets`)."""
        has_wheel = any(name.startswith("wheels/") for name in self.files)
        return has_wheel and all(name in self.files for name in REQUIRED_ASSETS)

    def url(self, logical: str) -> str:
        if logical not in self.files:
            raise KeyError(f"{logical} is not a release asset")
        return self.base + logical

    def preload_modules(self) -> list[str]:
        """Modules the page itself imports: ours outside the worker, and socket.io-client."""
        return sorted(
            name
            for name in self.files
            if (name.startswith("web/") and not name.startswith(WORKER_FOLDERS)
                and name.endswith(".js"))
            or (name.startswith("vendor/socket.io/") and name.endswith(".js"))
        )


def _collect(folder: Path, prefix: str, files: dict[str, AssetFile]) -> None:
    if not folder.is_dir():
        return
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if not path.is_file() or any(part.startswith(".") for part in relative.parts):
            continue
        data = path.read_bytes()
        files[f"{prefix}{relative.as_posix()}"] = AssetFile(path, sri(data), len(data))


def build_manifest(web_dir: Path, static_dir: Path) -> AssetManifest:
    files: dict[str, AssetFile] = {}
    _collect(web_dir, "web/", files)
    files.pop("web/index.html", None)
    _collect(static_dir / "vendor", "vendor/", files)
    _collect(static_dir / "wheels", "wheels/", files)
    _collect(static_dir / "snapshots", "snapshots/", files)
    listing = {name: {"sri": entry.sri, "size": entry.size} for name, entry in files.items()}
    release = hashlib.sha384(json.dumps(listing, sort_keys=True).encode()).hexdigest()[:16]
    document = json.dumps({"release": release, "files": listing}, sort_keys=True, indent=1)
    return AssetManifest(release, files, document.encode("utf-8"))


blueprint = Blueprint("assets", __name__)


def _manifest() -> AssetManifest:
    return current_app.extensions["paravent_assets"]


@blueprint.get("/assets/<release>/<path:logical>")
def asset(release: str, logical: str) -> Response:
    manifest = _manifest()
    if release != manifest.release:
        raise ApiError(404, "unknown_release", "this release is not served; reload the page")
    if logical == MANIFEST_NAME:
        body, mimetype, etag = manifest.document, "application/json", sri(manifest.document)
    elif logical in manifest.files:
        entry = manifest.files[logical]
        body, etag = entry.path.read_bytes(), entry.sri
        mimetype = MIME_TYPES.get(entry.path.suffix, "application/octet-stream")
    else:
        raise ApiError(404, "not_found", f"no asset {logical!r} in this release")
    response = Response(body, mimetype=mimetype)
    response.headers["Cache-Control"] = IMMUTABLE
    response.set_etag(etag)
    return response.make_conditional(request)


@blueprint.get("/downloads/service-worker.js")
def downloads_service_worker() -> Response:
    """The service worker streaming downloads, at a fixed URL so browsers can update it."""
    entry = _manifest().files[DOWNLOADS_SERVICE_WORKER]
    return Response(entry.path.read_bytes(), mimetype="text/javascript",
                    headers={"Cache-Control": "no-cache"})


# Modules the page imports only when it needs them (not preloaded), still checked by integrity.
LAZY_MODULES = ("vendor/pdf-lib/pdf-lib.esm.min.js",)


@blueprint.get("/")
def index() -> Response | tuple[str, int, dict[str, str]]:
    manifest = _manifest()
    no_store = {"Cache-Control": "no-store"}
    if not manifest.complete:
        return render_template("assets_missing.html"), 503, no_store
    modules = manifest.preload_modules()
    importmap = json.dumps(
        {
            "imports": {},
            "integrity": {
                manifest.url(name): manifest.files[name].sri
                for name in [*modules, "web/app.js", *LAZY_MODULES] if name in manifest.files
            },
        },
        sort_keys=True,
    )
    allow_script_hash(importmap)
    page = render_template(
        "index.html",
        asset=manifest.url,
        sri=lambda name: manifest.files[name].sri,
        asset_base=manifest.base,
        manifest_url=manifest.base + MANIFEST_NAME,
        manifest_sri=sri(manifest.document),
        preload_modules=[name for name in modules if name != "web/app.js"],
        importmap_json=importmap,
    )
    return Response(page, mimetype="text/html", headers=no_store)


def init_assets(app: Flask) -> AssetManifest:
    config = app.config["PARAVENT"]
    manifest = build_manifest(config.web_dir, config.static_dir)
    app.extensions["paravent_assets"] = manifest
    app.register_blueprint(blueprint)
    return manifest
