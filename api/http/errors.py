"""API errors: every failure is JSON `{"error": {"code", "message"}}` with a 4xx or 5xx status.

Routes raise `ApiError` with a machine-readable code; HTTP errors raised by Flask itself
(404, 405, 413, malformed JSON) get the same shape. Input that slips past the checks of
api/http/inputs.py and would fail deep inside (too deep to parse, text no database can store, a
number past 64 bits) is still the client's fault: 400 `bad_request`, never a 500. Internals never
reach the client. URL integers (`<int:...>`) stop at 2^63 - 1, so an over-large version is a 404.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from api.http.strict_json import MAX_INTEGER

logger = logging.getLogger(__name__)

_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}


# Input errors raised where a bad value meets Python or SQLite, whatever the route.
INPUT_ERRORS = (RecursionError, UnicodeError, OverflowError)


class SqliteIntegerConverter(IntegerConverter):
    """`<int:...>` within SQLite's signed 64 bits."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("max", MAX_INTEGER)
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]


class ApiError(Exception):
    """A failure the client should be told about, with its HTTP status and code."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def error_response(status: int, code: str, message: str) -> Response:
    response = jsonify({"error": {"code": code, "message": message}})
    response.status_code = status
    return response


def _wants_json() -> bool:
    return request.path.startswith(("/api/", "/assets/", "/socket.io/"))


def init_errors(app: Flask) -> None:
    app.url_map.converters["int"] = SqliteIntegerConverter

    @app.errorhandler(ApiError)
    def _api_error(error: ApiError) -> Response:
        return error_response(error.status, error.code, error.message)

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Response | HTTPException:
        status = error.code or 500
        if not _wants_json():
            return error
        return error_response(status, _CODES.get(status, "http_error"), error.description or "")

    def _bad_input(error: Exception) -> Response:
        logger.warning("refused input on %s %s: %s", request.method, request.path,
                       type(error).__name__)
        return error_response(400, "bad_request", "the request holds a value the server cannot "
                              "store (too deep, not valid Unicode, or a number past 64 bits)")

    for input_error in INPUT_ERRORS:
        app.register_error_handler(input_error, _bad_input)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response:
        logger.exception("unexpected error on %s %s", request.method, request.path)
        return error_response(500, "internal_error", "the server failed; try again later")
