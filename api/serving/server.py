"""The production server: gevent's WSGI server, one greenlet per connection, WebSockets included.

Chosen over gunicorn's threaded worker because an open tab holds its WebSocket for hours: a
greenlet costs a few kilobytes where a thread costs a stack and a share of the GIL, and a
client that trickles its request holds nothing but a greenlet until a timeout closes it.

The process must be monkey-patched (`gevent.monkey.patch_all()`) before anything else is
imported (`app.py` does it first thing), so that locks, sockets and sleeps yield to other
greenlets. Limits:
- at most `max_connections` open connections (WebSockets included); past that the server stops
  accepting and new clients wait in the kernel's queue;
- `idle_timeout_seconds` of silence between two requests on a kept-alive connection closes it;
- `request_timeout_seconds` of silence while a request is read or its response written closes
  it (a WebSocket is kept alive by Socket.IO's pings, well inside that);
- each response is sent as soon as it is written (TCP_NODELAY), not held back by Nagle's
  algorithm behind the client's delayed acknowledgement;
- SIGTERM (and SIGINT) stops accepting, lets running requests finish for up to
  `GRACEFUL_STOP_SECONDS`, then closes what is left.
Access-log lines carry the method, the path without its query string (tokens in one-time links'
paths are redacted, see `log_redaction`), the status, the size and the time taken.
"""

from __future__ import annotations

import logging
import signal
import socket
import time
from collections.abc import Callable

import gevent
from flask import Flask
from gevent.pool import Pool
from gevent.pywsgi import WSGIHandler, WSGIServer

from api.config import Config
from api.http.log_redaction import ACCESS_LOGGER

GRACEFUL_STOP_SECONDS = 10.0
LISTEN_BACKLOG = 1024


class _TimedHandler(WSGIHandler):
    """A connection: idle timeout while waiting for a request, request timeout within one; its
    writes sent at once (TCP_NODELAY)."""

    idle_timeout: float
    request_timeout: float

    def handle(self) -> None:
        # A response goes out in more than one write (headers, body). With Nagle's algorithm on,
        # a write waits for the acknowledgement of the one before, which the client delays by up
        # to 40 ms: every request after the first on a kept-alive connection took 44 ms more.
        if self.socket.family in (socket.AF_INET, socket.AF_INET6):
            self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().handle()

    def read_requestline(self) -> str:
        self.socket.settimeout(self.idle_timeout)
        line = super().read_requestline()
        self.socket.settimeout(self.request_timeout)
        return line

    def _upgraded_status(self) -> str:
        """A WebSocket answers its own handshake, out of pywsgi's sight."""
        upgraded = getattr(self, "environ", {}).get("HTTP_UPGRADE", "").lower() == "websocket"
        return "101" if upgraded else "000"

    def format_request(self) -> str:
        method, _, rest = (self.requestline or "").partition(" ")
        path = rest.rsplit(" ", 1)[0].split("?", 1)[0]
        status = (self._orig_status or self.status or self._upgraded_status()).split()[0]
        elapsed = (self.time_finish or time.time()) - self.time_start
        client = self.client_address[0] if isinstance(self.client_address, tuple) else "-"
        return (f'{client} "{method} {path}" {status} {self.response_length or "-"}'
                f" {elapsed * 1000:.1f}ms")


def production_server(app: Flask, config: Config) -> WSGIServer:
    """The server for `app` on `config`'s address and limits (bound, not yet serving)."""
    handler = type("Handler", (_TimedHandler,), {
        "idle_timeout": float(config.idle_timeout_seconds),
        "request_timeout": float(config.request_timeout_seconds),
    })
    return WSGIServer((config.host, config.port), app, backlog=LISTEN_BACKLOG,
                      spawn=Pool(config.max_connections), handler_class=handler,
                      log=logging.getLogger(ACCESS_LOGGER),
                      error_log=logging.getLogger("paravent.server"))


def serve_until_stopped(server: WSGIServer, on_stop: Callable[[], None]) -> None:
    """Serve until SIGTERM or SIGINT, then stop gracefully and call `on_stop`."""

    def stop() -> None:
        server.stop(timeout=GRACEFUL_STOP_SECONDS)

    for signal_number in (signal.SIGTERM, signal.SIGINT):
        gevent.signal_handler(signal_number, stop)
    server.serve_forever()
    on_stop()
