"""Versioned assets: the page names every script with an integrity the served bytes match."""

from __future__ import annotations

import base64
import hashlib
import json
import re

import pytest

from api import create_app
from api.serving.assets import sri
from tests.api.conftest import make_static
from tests.api.test_security_headers import parse_policy


def _tags(html: str, tag: str) -> list[dict[str, str]]:
    return [dict(re.findall(r'([\w-]+)="([^"]*)"', match)) for match in
            re.findall(rf"<{tag}\b([^>]*)>", html)]


def test_assets_index_integrities_match_served_bytes(client):
    html = client.get("/").get_data(as_text=True)
    referenced = [tag for tag in _tags(html, "script") + _tags(html, "link") if "integrity" in tag]
    assert len(referenced) >= 8
    for tag in referenced:
        url = tag.get("src") or tag["href"]
        body = client.get(url).data
        assert tag["integrity"] == sri(body), url


def test_assets_import_map_hash_is_the_one_the_csp_allows(client):
    response = client.get("/")
    html = response.get_data(as_text=True)
    importmap = re.search(r'<script type="importmap">(.*?)</script>', html, re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(importmap.encode()).digest()).decode()
    policy = parse_policy(response.headers["Content-Security-Policy"])
    assert f"'sha256-{digest}'" in policy["script-src"]
    integrity = json.loads(importmap)["integrity"]
    for url, expected in integrity.items():
        assert sri(client.get(url).data) == expected


def test_assets_manifest_lists_every_script_and_wasm_with_sri(client, app):
    html = client.get("/").get_data(as_text=True)
    body = re.search(r'<body([^>]*)>', html).group(1)
    attributes = dict(re.findall(r'([\w-]+)="([^"]*)"', body))
    response = client.get(attributes["data-manifest-url"])
    assert sri(response.data) == attributes["data-manifest-sri"]
    files = response.json["files"]
    assert files["vendor/pyodide/pyodide.asm.wasm"]["sri"].startswith("sha384-")
    assert "web/worker/crypto-worker.js" in files
    assert "web/index.html" not in files
    release = app.extensions["paravent_assets"].release
    for name, entry in files.items():
        assert sri(client.get(f"/assets/{release}/{name}").data) == entry["sri"]


@pytest.mark.parametrize(
    ("name", "mimetype"),
    [
        ("web/app.js", "text/javascript"),
        ("vendor/pyodide/pyodide.mjs", "text/javascript"),
        ("vendor/pyodide/pyodide.asm.wasm", "application/wasm"),
        ("web/styles.css", "text/css"),
        ("wheels/pycrypto_wasm-0.1.0-py3-none-any.whl", "application/zip"),
    ],
)
def test_assets_served_immutable_with_mime_type(client, app, name, mimetype):
    release = app.extensions["paravent_assets"].release
    response = client.get(f"/assets/{release}/{name}")
    assert response.status_code == 200
    assert response.mimetype == mimetype
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    etag = response.headers["ETag"]
    again = client.get(f"/assets/{release}/{name}", headers={"If-None-Match": etag})
    assert again.status_code == 304


@pytest.mark.parametrize(
    "path", ["web/../api/config.py", "web/index.html", "vendor/.installed", "../pyproject.toml"]
)
def test_assets_outside_the_manifest_are_404(client, app, path):
    release = app.extensions["paravent_assets"].release
    response = client.get(f"/assets/{release}/{path}")
    assert response.status_code == 404


def test_assets_release_changes_when_a_file_changes(config, tmp_path):
    first = create_app(config).extensions["paravent_assets"].release
    make_static(config.static_dir, {"vendor/pyodide/pyodide.mjs": b"export const x = 2;\n"})
    assert create_app(config).extensions["paravent_assets"].release != first


def test_assets_missing_vendor_gives_503_page_but_api_works(config, tmp_path):
    bare = type(config)(data_dir=config.data_dir, web_dir=config.web_dir,
                        static_dir=tmp_path / "empty")
    client = create_app(bare).test_client()
    response = client.get("/")
    assert response.status_code == 503
    assert "make run" in response.get_data(as_text=True)
    assert client.get("/api/health").json["release"] is None
