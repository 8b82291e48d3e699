"""The broker on Redis (BREWSLM_REDIS_URL), through the maintained `redis` client's asyncio API.

Keys are Redis keys with a TTL in milliseconds; counters are INCRBY/HINCRBY; the set of live classes is
a sorted set scored by each member's expiry time. One pub/sub connection per process carries every
channel this process has subscribers for; a reader task hands each message to its channel's
subscriber. Redis going away surfaces as `BrokerUnavailable` (the web layer answers 503).
"""
from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from functools import wraps
from typing import Any, TypeVar

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from app.classroom.broker import Broker, BrokerUnavailable, Deliver

log = logging.getLogger("brewslm")
T = TypeVar("T")
READ_TIMEOUT_S = 1.0


def _ms(seconds: float) -> int:
    return max(1, int(seconds * 1000))


def _unavailable(method: Callable[..., Awaitable[T]]) -> Callable[..., Awaitable[T]]:
    @wraps(method)
    async def call(*args: Any, **kwargs: Any) -> T:
        try:
            return await method(*args, **kwargs)
        except (RedisError, OSError) as exc:
            raise BrokerUnavailable(f"Redis is unavailable: {exc}") from exc
    return call


class RedisBroker(Broker):
    def __init__(self, url: str) -> None:
        self._redis = aioredis.Redis.from_url(url, decode_responses=True, socket_timeout=5,
                                              socket_connect_timeout=3, health_check_interval=30)
        self._pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
        self._deliveries: dict[str, Deliver] = {}
        self._reader: asyncio.Task | None = None

    @_unavailable
    async def put(self, key: str, value: str, ttl: float, *, only_new: bool = False) -> bool:
        return bool(await self._redis.set(key, value, px=_ms(ttl), nx=only_new))

    @_unavailable
    async def get(self, key: str) -> str | None:
        return await self._redis.get(key)

    @_unavailable
    async def delete(self, *keys: str) -> None:
        if keys:
            await self._redis.delete(*keys)

    @_unavailable
    async def expire(self, keys: list[str], ttl: float) -> None:
        async with self._redis.pipeline(transaction=False) as pipe:
            for key in keys:
                pipe.pexpire(key, _ms(ttl))
            await pipe.execute()

    @_unavailable
    async def incr(self, key: str, ttl: float, by: int = 1) -> int:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incrby(key, by)
            pipe.pexpire(key, _ms(ttl), nx=True)     # only a new counter gets its window
            count, _ = await pipe.execute()
        return int(count)

    @_unavailable
    async def hincr(self, key: str, field: str, by: int, ttl: float) -> int:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hincrby(key, field, by)
            pipe.pexpire(key, _ms(ttl))
            count, _ = await pipe.execute()
        return int(count)

    @_unavailable
    async def hgetall(self, key: str) -> dict[str, int]:
        return {field: int(value) for field, value in (await self._redis.hgetall(key)).items()}

    @_unavailable
    async def add_member(self, key: str, member: str, until: float) -> None:
        await self._redis.zadd(key, {member: until})

    @_unavailable
    async def remove_member(self, key: str, member: str) -> None:
        await self._redis.zrem(key, member)

    @_unavailable
    async def count_members(self, key: str) -> int:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.zremrangebyscore(key, "-inf", time.time())
            pipe.zcard(key)
            _, count = await pipe.execute()
        return int(count)

    @_unavailable
    async def publish(self, channel: str, message: str) -> None:
        await self._redis.publish(channel, message)

    @_unavailable
    async def subscribe(self, channel: str, deliver: Deliver) -> None:
        self._deliveries[channel] = deliver
        await self._pubsub.subscribe(channel)
        if self._reader is None:
            self._reader = asyncio.create_task(self._read(), name="brewslm-class-pubsub")

    @_unavailable
    async def unsubscribe(self, channel: str) -> None:
        if self._deliveries.pop(channel, None) is not None:
            await self._pubsub.unsubscribe(channel)

    async def _read(self) -> None:
        """Hand each message to its channel's subscriber; after a lost connection, the client
        reconnects and subscribes again on its next read."""
        while True:
            try:
                message = await self._pubsub.get_message(ignore_subscribe_messages=True, timeout=READ_TIMEOUT_S)
            except asyncio.CancelledError:
                raise
            except Exception as exc:   # Redis gone: keep trying, quietly, once a second
                log.warning("class pub/sub read failed (%s); retrying", exc)
                await asyncio.sleep(1.0)
                continue
            if not message or message.get("type") != "message":
                continue
            deliver = self._deliveries.get(message["channel"])
            if deliver is None:
                continue
            try:
                result = deliver(message["data"])
                if asyncio.iscoroutine(result):
                    await result
            except Exception:
                log.exception("class message delivery failed on %s", message["channel"])

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            try:
                await self._reader
            except asyncio.CancelledError:
                pass
            self._reader = None
        try:
            await self._pubsub.aclose()
            await self._redis.aclose()
        except (RedisError, OSError):
            pass
