"""This process's background tasks (notification mails, escalations, the socket session sweep):
started once, started again after a failure they did not expect (a database outage they wait out
themselves), and stopped with their app (`stop_background_tasks`: a test's app, whose database
is gone once the test ends, must not keep polling it for the rest of the run)."""

from __future__ import annotations

import logging
from collections.abc import Callable, MutableMapping
from typing import Any

from flask import Flask

logger = logging.getLogger(__name__)
STOPPED = "paravent_background_stopped"

Sleep = Callable[[float], None]


class TaskStopped(Exception):
    """Raised by a stoppable sleep once its app's tasks are told to stop."""


def stoppable_sleep(app: Flask, sleep: Sleep) -> Sleep:
    """`sleep`, then `TaskStopped` if the app's tasks were told to stop meanwhile (it holds the
    app's extensions, not the app, so that a task holding only a weak reference lets it go)."""
    extensions: MutableMapping[str, Any] = app.extensions

    def sleep_unless_stopped(seconds: float) -> None:
        sleep(seconds)
        if extensions.get(STOPPED):
            raise TaskStopped

    return sleep_unless_stopped


def stop_background_tasks(app: Flask) -> None:
    """Every background task of `app` ends at its next wake-up; so does its presence heartbeat."""
    app.extensions[STOPPED] = True
    presence = app.extensions.get("paravent_presence")
    if presence is not None:
        presence.stop()


def run_until_done(task: Callable[..., None], *args: Any) -> None:
    """`task(*args)` until it returns or its app stops it; a failure it did not expect is logged
    with its traceback and the task starts again (its loop sleeps before each round), so that
    mails and escalations never stop for good behind one bad row."""
    while True:
        try:
            task(*args)
            return
        except TaskStopped:
            return
        except Exception:
            logger.exception("background task %s failed; starting it again", task.__name__)


def start_task_once(app: Flask, flag: str, task: Callable[[Flask, Sleep], None]) -> None:
    """Start `task(app, sleep)` in this process's background, unless `app.extensions[flag]` says
    it runs already (the task clears the flag when it stops); `app` may be `current_app`."""
    app = getattr(app, "_get_current_object", lambda: app)()
    if app.extensions.get(flag) or app.extensions.get(STOPPED):
        return
    app.extensions[flag] = True
    socketio = app.extensions["paravent_socketio"]
    socketio.start_background_task(run_until_done, task, app,
                                   stoppable_sleep(app, socketio.sleep))
