"""`GET /api/openapi.json`: an OpenAPI 3.1 description of the HTTP API, generated from the code.

Paths and methods come from the app's url_map; each operation's summary and description from its
view's docstring (else its name), its tag and the tag's description from its blueprint's module
docstring. What the view's source shows is described too: a JSON body (`json_body()`), a raw body
(`binary_body`), query parameters (`query_whole_number`, `request.args.get`, paging),
whether a session is needed (`@login_required`, `@admin_required`), a rate limit, and the log
entry a workspace write carries (`log_row`: a `log_entry` field, or the body itself for the
committee's entries; 409 `stale_log`) or the other conflicts it raises (409, by code). Every
error is `{error: {code, message}}`.
"""

from __future__ import annotations

import inspect
import re
import sys
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify
from werkzeug.routing import Rule

from api.http.paging import MAX_LIMIT
from api.http.strict_json import MAX_INTEGER
from api.serving.version import server_version

blueprint = Blueprint("openapi", __name__)
BODY_METHODS = ("POST", "PUT", "PATCH", "DELETE")
URL_ARGUMENT = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
STALE_LOG = ("stale_log: the write's named head is before an entry changing membership, keys "
             "or settings (or an older entry does not follow the log); read it and retry")
CONFLICT = re.compile(r'ApiError\(409, "(\w+)"')
QUERY_ARGUMENT = re.compile(r"""(?:query_whole_number|request\.args\.get)\(["'](\w+)["']""")
ERROR_SCHEMA = {
    "type": "object", "required": ["error"],
    "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {
        "code": {"type": "string", "description": "machine-readable, e.g. bad_request"},
        "message": {"type": "string", "description": "for people"}}}},
}
LOG_ENTRY_SCHEMA = {
    "type": "object", "required": ["kind", "entry"],
    "description": "the signed log entry that records the write, as the writer's crypto worker "
                   "sealed it: a write (format 4) naming the head its writer verified, which "
                   "the server places after the log's last entry in the write's transaction; or "
                   "an older client's entry (formats 2, 3) with its seq",
    "properties": {
        "head": {"type": "integer", "minimum": 0, "maximum": MAX_INTEGER,
                 "description": "format 4: the head its writer verified (informative: the "
                                "server reads it from the signed write)"},
        "seq": {"type": "integer", "minimum": 1, "maximum": MAX_INTEGER,
                "description": "formats 2 and 3 only: the log's length + 1"},
        "kind": {"type": "string"},
        "entry": {"type": "string", "contentEncoding": "base64url"}},
}
LOG_ENTRY = {"$ref": "#/components/schemas/LogEntry"}
PAGING_PARAMETERS = [
    {"name": "limit", "in": "query", "required": False,
     "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}},
    {"name": "cursor", "in": "query", "required": False,
     "schema": {"type": "string"}, "description": "the `next` of the previous page"},
]


def openapi_path(rule: Rule) -> str:
    return URL_ARGUMENT.sub(r"{\2}", rule.rule)


def _source(view: Callable[..., Any]) -> str:
    try:
        return inspect.getsource(inspect.unwrap(view))
    except (OSError, TypeError):
        return ""


def _parameters(rule: Rule, source: str) -> list[dict[str, Any]]:
    parameters = [
        {"name": name, "in": "path", "required": True,
         "schema": {"type": "integer", "minimum": 0} if converter == "int" else {"type": "string"}}
        for converter, name in URL_ARGUMENT.findall(rule.rule)
    ]
    parameters += [{"name": name, "in": "query", "required": False, "schema": {"type": "string"}}
                   for name in dict.fromkeys(QUERY_ARGUMENT.findall(source))]
    if "paged(" in source:
        parameters += PAGING_PARAMETERS
    return parameters


def _body_schema(source: str) -> dict[str, Any]:
    if 'log_row({"log_entry": body}' in source:
        return LOG_ENTRY
    if "log_row(body" in source:
        return {"type": "object", "required": ["log_entry"],
                "properties": {"log_entry": LOG_ENTRY}}
    return {"type": "object"}


def _operation(rule: Rule, method: str, view: Callable[..., Any]) -> dict[str, Any]:
    source = _source(view)
    doc = inspect.getdoc(inspect.unwrap(view)) or ""
    name = rule.endpoint.split(".")[-1]
    operation: dict[str, Any] = {
        "operationId": f"{rule.endpoint}.{method.lower()}",
        "tags": [rule.endpoint.split(".")[0]],
        "summary": doc.split("\n\n")[0].replace("\n", " ") or name.replace("_", " ").capitalize(),
        "parameters": _parameters(rule, source),
        "responses": {
            "2XX": {"description": "done"},
            "4XX": {"description": "refused", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Error"}}}},
        },
    }
    if doc:
        operation["description"] = doc
    if method in BODY_METHODS and "json_body()" in source:
        operation["requestBody"] = {"required": True, "content": {
            "application/json": {"schema": _body_schema(source)}}}
    elif method in BODY_METHODS and "binary_body()" in source:
        operation["requestBody"] = {"required": True, "content": {
            "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}
    if "@login_required" in source or "@admin_required" in source:
        operation["security"] = [{"session": []}]
    conflicts = [STALE_LOG] if "log_row(" in source else []
    conflicts += CONFLICT.findall(source)
    if conflicts:
        operation["responses"]["409"] = {"description": "; ".join(dict.fromkeys(conflicts))}
    if "@rate_limited" in source:
        operation["responses"]["429"] = {"description": "too many requests from this address"}
    return operation


def describe(app: Flask) -> dict[str, Any]:
    """The OpenAPI document of `app`'s `/api/` routes."""
    paths: dict[str, dict[str, Any]] = {}
    tags: dict[str, str] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        if not rule.rule.startswith("/api/"):
            continue
        view = app.view_functions[rule.endpoint]
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            paths.setdefault(openapi_path(rule), {})[method.lower()] = _operation(rule, method,
                                                                                   view)
        module = sys.modules.get(inspect.unwrap(view).__module__)
        tags.setdefault(rule.endpoint.split(".")[0], inspect.getdoc(module) or "")
    return {
        "openapi": "3.1.0",
        "info": {"title": "Paravent", "version": server_version(),
                 "description": "The server stores and relays ciphertext only. State-changing "
                                "requests must carry the page's own Origin."},
        "tags": [{"name": name, "description": text} for name, text in sorted(tags.items())],
        "paths": paths,
        "components": {
            "schemas": {"Error": ERROR_SCHEMA, "LogEntry": LOG_ENTRY_SCHEMA},
            "securitySchemes": {"session": {"type": "apiKey", "in": "cookie",
                                            "name": "paravent_session"}},
        },
    }


@blueprint.get("/api/openapi.json")
def openapi() -> Response:
    """This description of the HTTP API."""
    extensions = current_app.extensions
    if "paravent_openapi" not in extensions:
        extensions["paravent_openapi"] = describe(current_app)  # type: ignore[arg-type]
    return jsonify(extensions["paravent_openapi"])
