"""Flask-SocketIO's Redis message queue, made to resume quickly after a Redis outage.

python-socketio's `RedisManager` keeps listening through an outage, but waits 1, 2, 4… up to 60
seconds between attempts to subscribe again: after an outage of a minute, events from other
processes stayed lost for up to another minute. This one tries again every
`RESUBSCRIBE_SECONDS`, with the connection timeouts of api/realtime/shared_state.py. Events
published while Redis was away are lost (Redis keeps none): the pages that need a state again
(presence) are told it anew (api/workspaces/presence.py). Emitting while Redis is away reaches
this process's sockets and never fails the request; that the other processes were not told is
logged once per outage (python-socketio logs two errors per event).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from redis import RedisError
from socketio import RedisManager

from api.realtime.shared_state import CONNECTION_OPTIONS

RESUBSCRIBE_SECONDS = 1.0


class ResumingRedisManager(RedisManager):  # type: ignore[misc]
    def __init__(self, url: str) -> None:
        super().__init__(url, channel="flask-socketio", redis_options=dict(CONNECTION_OPTIONS))
        self._publishing = True

    def _publish(self, data: Any) -> Any:
        try:
            if not self.connected:
                self._redis_connect()
            sent = self.redis.publish(self.channel, self.json.dumps(data))
        except RedisError as error:
            self.connected = False
            if self._publishing:
                self._get_logger().warning("message queue unreachable (%s): events reach this "
                                           "process's sockets only until it is back", error)
            self._publishing = False
            return None
        if not self._publishing:
            self._get_logger().warning("message queue is back: events reach every process")
        self._publishing = True
        return sent

    def _redis_listen_with_retries(self) -> Iterator[Any]:
        while True:
            try:
                self._redis_connect()
                self.pubsub.subscribe(self.channel)
                yield from self.pubsub.listen()
            except Exception as error:  # whatever the client raises, listen again
                self._get_logger().warning("message queue unreachable (%s): listening again "
                                           "in %s s", error, RESUBSCRIBE_SECONDS)
                time.sleep(RESUBSCRIBE_SECONDS)
