"""Security headers on every response, with a strict Content-Security-Policy.

Scripts come only from our own origin; `'wasm-unsafe-eval'` is there because Pyodide and
libsodium compile WebAssembly. Frames may show `blob:` URLs (the in-memory previews of decrypted
PDFs; a blob: URL can only be made by a script of this origin) and our own origin (the hidden
frame through which the downloads service worker streams a file). A view may allow one more
inline script by hash (the index page's import map) with `allow_script_hash`, for that response
only.
"""

from __future__ import annotations

import base64
import hashlib

from flask import Flask, Response, g

_FIXED_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}


def content_security_policy(script_hashes: list[str]) -> str:
    script_src = " ".join(["'self'", "'wasm-unsafe-eval'", *script_hashes])
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {script_src}",
            "worker-src 'self'",
            "connect-src 'self'",
            "img-src 'self' data: blob:",
            "frame-src 'self' blob:",
            "style-src 'self'",
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def allow_script_hash(script_text: str) -> None:
    """Let this response's page run one inline script whose text is exactly `script_text`."""
    digest = base64.b64encode(hashlib.sha256(script_text.encode("utf-8")).digest()).decode()
    g.setdefault("csp_script_hashes", []).append(f"'sha256-{digest}'")


def init_security_headers(app: Flask) -> None:
    @app.after_request
    def _add_headers(response: Response) -> Response:
        response.headers["Content-Security-Policy"] = content_security_policy(
            g.get("csp_script_hashes", [])
        )
        response.headers.update(_FIXED_HEADERS)
        return response
