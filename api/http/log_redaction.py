"""Keeps one-time link tokens out of the logs: access-log lines name the route, not the token."""

from __future__ import annotations

import logging
import re

ACCESS_LOGGER = "paravent.access"
_TOKEN_IN_PATH = re.compile(r"(/api/(?:bootstrap|join)/)[A-Za-z0-9_-]{16,}")


class RedactTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = _TOKEN_IN_PATH.sub(r"\1<token>", message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def redact_access_logs() -> None:
    """Filter the production server's access log, and Werkzeug's (tests and benchmarks)."""
    for name in (ACCESS_LOGGER, "werkzeug"):
        logging.getLogger(name).addFilter(RedactTokens())
