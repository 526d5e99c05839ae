"""Background tasks (mails, escalations, the socket sweep) outlive a failure they did not
expect, and end with their app."""

from __future__ import annotations

import threading
import time

from api.realtime.background import start_task_once, stop_background_tasks


def _wait_until(condition, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def test_a_task_that_fails_unexpectedly_starts_again_and_its_flag_stays_honest(app, caplog):
    rounds: list[int] = []

    def task(app, sleep) -> None:
        sleep(0.01)
        rounds.append(len(rounds))
        if len(rounds) == 1:
            raise RuntimeError("a row nobody expected")
        app.extensions["test-task"] = False

    start_task_once(app, "test-task", task)
    assert _wait_until(lambda: len(rounds) == 2 and not app.extensions["test-task"])
    assert "background task task failed; starting it again" in caplog.text
    start_task_once(app, "test-task", task)
    assert _wait_until(lambda: len(rounds) == 3)


def test_stopping_the_app_ends_its_tasks_and_none_starts_after(app):
    ticks: list[float] = []
    ended = threading.Event()

    def task(_app, sleep) -> None:
        try:
            while True:
                sleep(0.01)
                ticks.append(time.monotonic())
        finally:
            ended.set()

    start_task_once(app, "test-loop", task)
    assert _wait_until(lambda: len(ticks) >= 3)
    stop_background_tasks(app)
    assert ended.wait(5)
    app.extensions["test-loop"] = False
    start_task_once(app, "test-loop", task)
    count = len(ticks)
    time.sleep(0.1)
    assert len(ticks) == count
