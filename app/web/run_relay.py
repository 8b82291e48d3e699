"""This process's relay of runs to class pages: each run is read once from the engine, however many follow it.

A class of 200 phones watching the instructor's two runs would otherwise hold 400 engine subscriptions
(on the Celery engine, 400 blocking Redis reads). Here the first page to follow a run starts one reader;
it keeps the run's events as Server-Sent Events text (at most the engine's own log length), and every
page's stream sends what it has not sent yet, then waits for more. A page that arrives late, or comes
back with Last-Event-ID, starts where it asks. The reader stops when the last page leaves.
"""
from __future__ import annotations

import asyncio
import bisect
import contextlib
import logging
from collections.abc import AsyncIterator

from app.training.engine import EngineUnavailable, RunEngine
from app.web.api_runs import sse

log = logging.getLogger("brewslm")


class RunRelay:
    """One run's events as read so far, and the readers' wake-up call."""

    def __init__(self, engine: RunEngine, run_id: str, keep: int, keepalive_s: float) -> None:
        self.run_id = run_id
        self.keep = keep
        self.ids: list[int] = []
        self.lines: list[str] = []
        self.over = False              # the run's last event is in, or the engine went away
        self.failed = False            # the engine went away: the next page starts a new reader
        self.pages = 0
        self._news = asyncio.Event()
        self._reader = asyncio.create_task(self._read(engine, keepalive_s), name=f"relay-{run_id}")

    async def _read(self, engine: RunEngine, keepalive_s: float) -> None:
        try:
            async for event in engine.events(self.run_id, 0, keepalive_s):
                if event is None:
                    continue
                self.ids.append(event.id)
                self.lines.append(sse(event))
                if len(self.ids) > self.keep:        # as the engine's log does: the oldest step goes first
                    del self.ids[0], self.lines[0]
                self._wake()
        except EngineUnavailable as exc:
            # The pages' streams end; EventSource comes back with Last-Event-ID and a new reader starts.
            log.warning("class relay of run %s ended: %s", self.run_id, exc)
            self.failed = True
        finally:
            self.over = True
            self._wake()

    def _wake(self) -> None:
        news, self._news = self._news, asyncio.Event()
        news.set()

    async def lines_after(self, after: int, keepalive_s: float) -> AsyncIterator[str]:
        while True:
            start = bisect.bisect_right(self.ids, after)
            batch = list(zip(self.ids[start:], self.lines[start:]))
            for event_id, line in batch:
                yield line
                after = event_id
            if batch:
                continue
            if self.over:
                return
            news = self._news
            try:
                await asyncio.wait_for(news.wait(), keepalive_s)
            except TimeoutError:
                yield ": keep-alive\n\n"

    async def stop(self) -> None:
        self._reader.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await self._reader


class RunRelays:
    """The relays of this process, one per run that a class page follows here."""

    def __init__(self, keepalive_s: float) -> None:
        self.keepalive_s = keepalive_s
        self._relays: dict[str, RunRelay] = {}

    async def stream(self, engine: RunEngine, run_id: str, after: int) -> AsyncIterator[str]:
        """The run's events after id `after`, then the live ones, as Server-Sent Events text."""
        relay = self._relays.get(run_id)
        if relay is None or relay.failed:
            relay = self._relays[run_id] = RunRelay(engine, run_id, engine.limits.max_events, self.keepalive_s)
        relay.pages += 1
        try:
            yield "retry: 2000\n\n"
            async for line in relay.lines_after(after, self.keepalive_s):
                yield line
        finally:
            relay.pages -= 1
            if relay.pages == 0 and self._relays.get(run_id) is relay:
                del self._relays[run_id]
                await relay.stop()

    def following(self) -> int:
        """Runs this process relays now (tests read it)."""
        return len(self._relays)

    async def close(self) -> None:
        relays, self._relays = list(self._relays.values()), {}
        for relay in relays:
            await relay.stop()
