"""Per-client limits with a per-server total: one reusable piece for every limited thing.

    limit = ClientLimit("live sockets", per_client=100, total=500)
    with limit.acquire(client):          # LimitExceeded when the client or the server is at its cap
        ...                              # or: hold = limit.acquire(client); ...; hold.release()

Over HTTP a LimitExceeded becomes 429 with `Retry-After` and a body naming the limit
(`{"detail": "...", "limit": "live sockets per client"}`, app/web/errors.py); the live socket replies the
same. A Hold is released exactly once, from any thread (a run's slot is released by its worker thread).
Nothing here knows HTTP, so the run engine can hold a slot for as long as a run lives.
"""
from __future__ import annotations

import math
import threading
from collections import Counter
from collections.abc import Callable


class LimitExceeded(Exception):
    """A limit is full. `limit` names it ("compare per client"); `retry_after` is whole seconds ≥ 1."""

    def __init__(self, limit: str, detail: str, retry_after_s: float) -> None:
        super().__init__(detail)
        self.limit = limit
        self.detail = detail
        self.retry_after = max(1, math.ceil(retry_after_s))

    def body(self) -> dict[str, object]:
        return {"detail": self.detail, "limit": self.limit, "retry_after": self.retry_after}


class Hold:
    """One slot of a ClientLimit, held until `release()` (or the end of a `with` block)."""

    def __init__(self, release: Callable[[], None]) -> None:
        self._release = release
        self._released = False
        self._lock = threading.Lock()

    def release(self) -> None:
        with self._lock:
            if self._released:
                return
            self._released = True
        self._release()

    def __enter__(self) -> Hold:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


class ClientLimit:
    """At most `per_client` slots held by one client and `total` by all clients together. Thread-safe."""

    def __init__(self, name: str, *, per_client: int, total: int,
                 retry_after_s: float | Callable[[], float] = 5.0, what: str = "at once") -> None:
        if per_client < 1 or total < 1:
            raise ValueError("limits must be at least 1")
        self.name = name
        self.per_client = per_client
        self.total = total
        self.retry_after_s = retry_after_s
        self.what = what
        self._held: Counter[str] = Counter()
        self._lock = threading.Lock()

    def acquire(self, client: str) -> Hold:
        with self._lock:
            if self._held[client] >= self.per_client:
                raise LimitExceeded(f"{self.name} per client",
                                    f"at most {self.per_client} {self.name} per client address {self.what}; "
                                    f"yours are all in use", self._retry_after())
            if sum(self._held.values()) >= self.total:
                raise LimitExceeded(f"{self.name} on this server",
                                    f"this server has its {self.total} {self.name} in use; try again shortly",
                                    self._retry_after())
            self._held[client] += 1
        return Hold(lambda: self._release(client))

    def held(self, client: str | None = None) -> int:
        with self._lock:
            return sum(self._held.values()) if client is None else self._held[client]

    def _retry_after(self) -> float:
        return self.retry_after_s() if callable(self.retry_after_s) else self.retry_after_s

    def _release(self, client: str) -> None:
        with self._lock:
            self._held[client] -= 1
            if self._held[client] <= 0:
                del self._held[client]
