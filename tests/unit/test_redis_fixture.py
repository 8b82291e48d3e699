"""The redis-server fixture the Redis-backed tests rely on: it answers, and it really goes away."""
from __future__ import annotations

import socket

from tests.redis_server import _answers_ping


def test_redis_server_answers_and_stops(redis_server) -> None:
    assert _answers_ping(redis_server.port)
    redis_server.stop()
    assert not _answers_ping(redis_server.port)
    with socket.socket() as s:   # the port is free again
        s.bind(("127.0.0.1", redis_server.port))
