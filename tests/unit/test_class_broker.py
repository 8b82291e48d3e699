"""One contract for both brokers of class sessions: in the process, and on a real redis-server."""
from __future__ import annotations

import asyncio
import time

import pytest

from app.classroom.broker import Broker, BrokerUnavailable, InProcessBroker
from tests.run_async import own_loop


@pytest.fixture(params=["in-process", "redis"])
def broker_kind(request):
    return request.param


@pytest.fixture()
def make_broker(broker_kind, request):
    """A factory, so a test can have two brokers on one Redis (two processes' views)."""
    if broker_kind == "redis":
        from app.classroom.redis_broker import RedisBroker

        server = request.getfixturevalue("redis_server")

        def make() -> Broker:
            return RedisBroker(server.url)
    else:
        shared = InProcessBroker()

        def make() -> Broker:
            return shared
    return make     # each test closes what it made, inside its own event loop


@own_loop
async def test_values_live_for_their_ttl(make_broker):
    b = make_broker()
    try:
        assert await b.put("k", "v", ttl=0.3)
        assert await b.get("k") == "v"
        assert not await b.put("k", "w", ttl=5, only_new=True)
        assert await b.get("k") == "v"
        await asyncio.sleep(0.45)
        assert await b.get("k") is None
        assert await b.put("k", "w", ttl=5, only_new=True)
        await b.delete("k", "missing")
        assert await b.get("k") is None
    finally:
        await b.close()


@own_loop
async def test_expire_renews_existing_keys_only(make_broker):
    b = make_broker()
    try:
        await b.put("a", "1", ttl=0.3)
        await b.hincr("h", "f", 1, ttl=0.3)
        await b.expire(["a", "h", "never-made"], ttl=5)
        await asyncio.sleep(0.45)
        assert await b.get("a") == "1" and await b.hgetall("h") == {"f": 1}
        assert await b.get("never-made") is None
    finally:
        await b.close()


@own_loop
async def test_a_counter_keeps_its_first_window(make_broker):
    b = make_broker()
    try:
        assert await b.incr("c", ttl=0.4) == 1
        await asyncio.sleep(0.2)
        assert await b.incr("c", ttl=0.4, by=2) == 3     # the second call does not push the window back
        assert await b.get("c") == "3"
        await asyncio.sleep(0.3)
        assert await b.incr("c", ttl=0.4) == 1
    finally:
        await b.close()


@own_loop
async def test_hash_counters(make_broker):
    b = make_broker()
    try:
        assert await b.hgetall("h") == {}
        assert await b.hincr("h", "3", 1, ttl=5) == 1
        assert await b.hincr("h", "3", 1, ttl=5) == 2
        assert await b.hincr("h", "followers", -1, ttl=5) == -1
        assert await b.hgetall("h") == {"3": 2, "followers": -1}
    finally:
        await b.close()


@own_loop
async def test_members_count_until_their_time(make_broker):
    b = make_broker()
    try:
        now = time.time()
        await b.add_member("live", "A", now + 0.3)
        await b.add_member("live", "B", now + 10)
        await b.add_member("live", "C", now + 10)
        assert await b.count_members("live") == 3
        await b.remove_member("live", "C")
        await asyncio.sleep(0.45)
        assert await b.count_members("live") == 1
        await b.add_member("live", "B", time.time() - 1)     # renewed into the past: gone
        assert await b.count_members("live") == 0
    finally:
        await b.close()


@own_loop
async def test_published_messages_reach_the_subscriber_in_order(make_broker):
    publisher, subscriber = make_broker(), make_broker()
    got: list[str] = []
    arrived = asyncio.Event()

    def deliver(message: str) -> None:
        got.append(message)
        if len(got) == 50:
            arrived.set()
    try:
        await subscriber.subscribe("chan", deliver)
        await asyncio.sleep(0.05)      # Redis: the SUBSCRIBE is on its way
        for i in range(50):
            await publisher.publish("chan", f"m{i}")
        await publisher.publish("other", "not for us")
        await asyncio.wait_for(arrived.wait(), 5)
        assert got == [f"m{i}" for i in range(50)]
        await subscriber.unsubscribe("chan")
        await asyncio.sleep(0.05)
        await publisher.publish("chan", "late")
        await asyncio.sleep(0.1)
        assert got[-1] == "m49"
    finally:
        await publisher.close()
        if subscriber is not publisher:
            await subscriber.close()


@own_loop
async def test_an_unreachable_redis_is_reported_as_unavailable():
    from app.classroom.redis_broker import RedisBroker
    from tests.live_server import free_port

    b = RedisBroker(f"redis://127.0.0.1:{free_port()}/0")
    try:
        with pytest.raises(BrokerUnavailable, match="Redis is unavailable"):
            await b.get("k")
    finally:
        await b.close()
