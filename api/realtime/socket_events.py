"""Socket.IO events that always answer: every event a client emits with an acknowledgement gets
one, `{"ok": false, "error": {"code", "message"}}` when it was refused, whatever went wrong.

`AnsweringSocketIO.on` wraps each handler in one place: a payload that is not strict JSON (too
deep, lone surrogates, numbers past 64 bits; see api/http/strict_json.py) or the wrong number of
arguments is a `bad_request`, an `ApiError` keeps its code, per-user rate limits apply
(api/limits/user_limits.py), and anything unexpected is logged
and answered as `internal_error`.
`PacketJson` is the JSON codec given to python-socketio: a packet whose arguments are not strict
JSON still reaches its event's handler (as a `MalformedPayload`), so that it is answered too.
"""

from __future__ import annotations

import inspect
import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from flask_socketio import SocketIO

from api.http.errors import INPUT_ERRORS, ApiError
from api.http.strict_json import MalformedJson
from api.http.strict_json import loads as strict_loads
from api.limits.user_limits import check_event_limit

logger = logging.getLogger(__name__)
LIFECYCLE_EVENTS = ("connect", "disconnect")
EVENT_NAME = re.compile(r'\[\s*"([A-Za-z0-9:_-]{1,100})"')


@dataclass(frozen=True)
class MalformedPayload:
    """Stands for the arguments of an event packet that could not be read."""

    reason: str


class PacketJson:
    """python-socketio's JSON codec: strict parsing, and a readable event name kept when the
    arguments are not strict JSON."""

    @staticmethod
    def dumps(value: Any, **options: Any) -> str:
        return json.dumps(value, **options)

    @staticmethod
    def loads(text: str | bytes, **_options: Any) -> Any:
        try:
            return strict_loads(text)
        except MalformedJson as error:
            name = EVENT_NAME.match(text if isinstance(text, str) else text.decode("latin-1"))
            if name is None:
                raise
            return [name.group(1), MalformedPayload(str(error))]


def refusal(code: str, message: str) -> dict[str, Any]:
    return {"ok": False, "error": {"code": code, "message": message}}


def _answered(event: str, handler: Callable[..., Any]) -> Callable[..., Any]:
    signature = inspect.signature(handler)

    @wraps(handler)
    def answer(*args: Any) -> Any:
        malformed = [arg for arg in args if isinstance(arg, MalformedPayload)]
        if malformed:
            return refusal("bad_request", malformed[0].reason)
        try:
            signature.bind(*args)
        except TypeError:
            return refusal("bad_request", f"'{event}' does not take {len(args)} argument(s)")
        try:
            check_event_limit(event)
            return handler(*args)
        except ApiError as error:
            return refusal(error.code, error.message)
        except INPUT_ERRORS as error:
            logger.warning("refused input on event %s: %s", event, type(error).__name__)
            return refusal("bad_request", "the event holds a value the server cannot handle")
        except Exception:
            logger.exception("unexpected error on event %s", event)
            return refusal("internal_error", "the server failed; try again later")

    return answer


class AnsweringSocketIO(SocketIO):
    """Flask-SocketIO whose event handlers always answer (see the module's docstring)."""

    def on(self, message: str, namespace: str | None = None) -> Callable[..., Any]:
        register = super().on(message, namespace)
        if message in LIFECYCLE_EVENTS:
            return register

        def decorator(handler: Callable[..., Any]) -> Callable[..., Any]:
            return register(_answered(message, handler))

        return decorator


def event_table(socketio: SocketIO, namespace: str = "/") -> list[str]:
    """The events a client may emit (connection events aside), as registered."""
    handlers = socketio.server.handlers.get(namespace, {})
    return sorted(name for name in handlers if name not in LIFECYCLE_EVENTS)
