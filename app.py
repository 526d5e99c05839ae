"""Paravent's command line: `python app.py` serves the app (later issues add admin commands).

    python app.py [--host 127.0.0.1] [--port 8000] [--data ./var]

with PARAVENT_HOST, PARAVENT_PORT and PARAVENT_DATA as environment equivalents.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
from collections.abc import Sequence
from types import FrameType

from api import create_app, socketio_of
from api.config import parse_config


def _stop(_signal: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def serve(argv: Sequence[str]) -> int:
    config = parse_config(argv, os.environ)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    app = create_app(config)
    signal.signal(signal.SIGTERM, _stop)
    print(f"Paravent serving on http://{config.host}:{config.port}/ (data in {config.data_dir})",
          flush=True)
    try:
        socketio_of(app).run(
            app, host=config.host, port=config.port, allow_unsafe_werkzeug=True, log_output=False
        )
    except KeyboardInterrupt:
        print("Paravent stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(serve(sys.argv[1:]))
