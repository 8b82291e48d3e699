"""What class sessions share between server processes, behind one small interface.

Two implementations: `InProcessBroker` (the default: nothing to install, one process) and
`RedisBroker` (app/classroom/redis_broker.py; several processes or machines share a class through
Redis keys with a TTL and pub/sub). The class logic (app/classroom/service.py) is written once against
this interface, and one contract suite (tests/unit/test_class_broker.py) runs against both.

Values are text (JSON made by the caller). Every key has a time to live in seconds, so a session
nobody ends still vanishes. Messages published on a channel reach the one subscriber this broker
instance holds for it (a process's hub, which fans out to its own sockets), in the order published.
"""
from __future__ import annotations

import asyncio
import time
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable

Deliver = Callable[[str], Awaitable[None] | None]


class BrokerUnavailable(RuntimeError):
    """The shared store cannot be reached (Redis down): the caller answers 503, not 500."""


class Broker(ABC):
    @abstractmethod
    async def put(self, key: str, value: str, ttl: float, *, only_new: bool = False) -> bool:
        """Store `value` for `ttl` seconds; with only_new, only when the key does not exist (→ False)."""

    @abstractmethod
    async def get(self, key: str) -> str | None: ...

    @abstractmethod
    async def delete(self, *keys: str) -> None: ...

    @abstractmethod
    async def expire(self, keys: list[str], ttl: float) -> None:
        """Give each existing key `ttl` more seconds to live."""

    @abstractmethod
    async def incr(self, key: str, ttl: float, by: int = 1) -> int:
        """Add `by` to a counter and return it; a new counter lives `ttl` seconds (a fixed window)."""

    @abstractmethod
    async def hincr(self, key: str, field: str, by: int, ttl: float) -> int:
        """Add `by` to one field of a hash of counters and return it; the hash lives `ttl` more seconds."""

    @abstractmethod
    async def hgetall(self, key: str) -> dict[str, int]: ...

    @abstractmethod
    async def add_member(self, key: str, member: str, until: float) -> None:
        """Add (or renew) `member` of a set until the wall-clock time `until` (time.time())."""

    @abstractmethod
    async def remove_member(self, key: str, member: str) -> None: ...

    @abstractmethod
    async def count_members(self, key: str) -> int:
        """Members whose time has not passed (expired ones are dropped)."""

    @abstractmethod
    async def publish(self, channel: str, message: str) -> None: ...

    @abstractmethod
    async def subscribe(self, channel: str, deliver: Deliver) -> None:
        """Call `deliver(message)` for each message published on `channel` from now on."""

    @abstractmethod
    async def unsubscribe(self, channel: str) -> None: ...

    async def close(self) -> None:
        """Release connections; the broker is not used afterwards."""


class InProcessBroker(Broker):
    """Everything in this process's memory; time to live by the monotonic clock, checked on access."""

    SWEEP_EVERY = 512   # writes between two sweeps of expired keys, so keys never read again go too

    def __init__(self) -> None:
        self._values: dict[str, tuple[object, float]] = {}   # key → (str | dict | set-dict, expires at)
        self._subscribers: dict[str, Deliver] = {}
        self._writes = 0

    def _live(self, key: str) -> object | None:
        item = self._values.get(key)
        if item is None:
            return None
        if item[1] <= time.monotonic():
            del self._values[key]
            return None
        return item[0]

    def _store(self, key: str, value: object, ttl: float) -> None:
        self._values[key] = (value, time.monotonic() + ttl)
        self._writes += 1
        if self._writes % self.SWEEP_EVERY == 0:
            now = time.monotonic()
            for stale in [k for k, (_, until) in self._values.items() if until <= now]:
                del self._values[stale]

    async def put(self, key: str, value: str, ttl: float, *, only_new: bool = False) -> bool:
        if only_new and self._live(key) is not None:
            return False
        self._store(key, value, ttl)
        return True

    async def get(self, key: str) -> str | None:
        value = self._live(key)
        if isinstance(value, int):      # a counter reads as its number, as Redis's GET gives it
            return str(value)
        return value if isinstance(value, str) else None

    async def delete(self, *keys: str) -> None:
        for key in keys:
            self._values.pop(key, None)

    async def expire(self, keys: list[str], ttl: float) -> None:
        for key in keys:
            value = self._live(key)
            if value is not None:
                self._values[key] = (value, time.monotonic() + ttl)

    async def incr(self, key: str, ttl: float, by: int = 1) -> int:
        value = self._live(key)
        if isinstance(value, int):
            count = value + by
            self._values[key] = (count, self._values[key][1])   # a fixed window: the expiry stays
        else:
            count = by
            self._store(key, count, ttl)
        return count

    async def hincr(self, key: str, field: str, by: int, ttl: float) -> int:
        counts = self._live(key)
        if not isinstance(counts, dict):
            counts = {}
        counts[field] = counts.get(field, 0) + by
        self._store(key, counts, ttl)
        return counts[field]

    async def hgetall(self, key: str) -> dict[str, int]:
        counts = self._live(key)
        return dict(counts) if isinstance(counts, dict) else {}

    async def add_member(self, key: str, member: str, until: float) -> None:
        members = self._live(key)
        if not isinstance(members, dict):
            members = {}
        members[member] = until
        self._store(key, members, max(1.0, max(members.values()) - time.time()))

    async def remove_member(self, key: str, member: str) -> None:
        members = self._live(key)
        if isinstance(members, dict):
            members.pop(member, None)

    async def count_members(self, key: str) -> int:
        members = self._live(key)
        if not isinstance(members, dict):
            return 0
        now = time.time()
        for gone in [m for m, until in members.items() if until <= now]:
            del members[gone]
        return len(members)

    async def publish(self, channel: str, message: str) -> None:
        deliver = self._subscribers.get(channel)
        if deliver is not None:
            result = deliver(message)
            if asyncio.iscoroutine(result):
                await result

    async def subscribe(self, channel: str, deliver: Deliver) -> None:
        self._subscribers[channel] = deliver

    async def unsubscribe(self, channel: str) -> None:
        self._subscribers.pop(channel, None)
