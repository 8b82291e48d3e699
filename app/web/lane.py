"""A lane: blocking work on a few threads, off the event loop, shared fairly between clients.

    lane = FairLane("heavy", workers=1, per_client=8, max_waiting=64)
    answer = await lane.run(client, lambda: compute(body))    # LimitExceeded when the client or lane is full

Waiting jobs are started round-robin across clients, not first come first served, so a client with
forty jobs queued delays another client by at most one job per worker: the heavy client waits, not
everyone. A client may have `per_client` jobs waiting or running, the lane `max_waiting` waiting in all;
past either the caller gets LimitExceeded with a Retry-After estimated from recent job times.
A job whose caller went away still runs to its end (its thread cannot be interrupted) and its slot is
then passed on; a waiting job whose caller went away is dropped.
"""
from __future__ import annotations

import asyncio
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

from app.web.limiter import ClientLimit, Hold

T = TypeVar("T")


@dataclass(eq=False)
class _Waiter:
    loop: asyncio.AbstractEventLoop
    turn: asyncio.Future[None]


class FairLane:
    def __init__(self, name: str, *, workers: int, per_client: int, max_waiting: int) -> None:
        self.name = name
        self.workers = workers
        self.limit = ClientLimit(f"{name} requests", per_client=per_client, total=workers + max_waiting,
                                 retry_after_s=self._expected_wait_s, what="waiting or running")
        self._executor = ThreadPoolExecutor(workers, thread_name_prefix=f"lane-{name}")
        self._lock = threading.Lock()
        self._running = 0
        self._queues: dict[str, deque[_Waiter]] = {}    # insertion order is the round-robin order
        self._mean_job_s = 0.05

    async def run(self, client: str, job: Callable[[], T]) -> T:
        hold = self.limit.acquire(client)
        try:
            await self._wait_for_turn(client)
        except BaseException:
            hold.release()
            raise
        done = self._executor.submit(self._run_job, job, hold)
        # shield: a caller that goes away must not cancel a job before it starts, or its slot would leak
        return await asyncio.shield(asyncio.wrap_future(done))

    def waiting(self) -> int:
        with self._lock:
            return sum(len(q) for q in self._queues.values())

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)

    async def _wait_for_turn(self, client: str) -> None:
        with self._lock:
            if self._running < self.workers and not self._queues:
                self._running += 1
                return
            waiter = _Waiter(asyncio.get_running_loop(), asyncio.get_running_loop().create_future())
            self._queues.setdefault(client, deque()).append(waiter)
        try:
            await waiter.turn
        except asyncio.CancelledError:
            with self._lock:
                granted = waiter.turn.done() and not waiter.turn.cancelled()
                queue = self._queues.get(client)
                if queue is not None and waiter in queue:
                    queue.remove(waiter)
                    if not queue:
                        del self._queues[client]
            if granted:
                self._pass_turn()
            raise

    def _run_job(self, job: Callable[[], T], hold: Hold) -> T:
        started = time.perf_counter()
        try:
            return job()
        finally:
            self._mean_job_s = 0.8 * self._mean_job_s + 0.2 * (time.perf_counter() - started)
            hold.release()
            self._pass_turn()

    def _pass_turn(self) -> None:
        """A slot came free: give it to the first waiting client in round-robin order, or keep it free."""
        while True:
            with self._lock:
                if not self._queues:
                    self._running -= 1
                    return
                client = next(iter(self._queues))
                queue = self._queues.pop(client)
                waiter = queue.popleft()
                if queue:
                    self._queues[client] = queue          # to the back of the round
            try:
                waiter.loop.call_soon_threadsafe(self._grant, waiter)
                return
            except RuntimeError:                          # that caller's event loop is gone: next one
                continue

    def _grant(self, waiter: _Waiter) -> None:
        if waiter.turn.cancelled():
            self._pass_turn()
        else:
            waiter.turn.set_result(None)

    def _expected_wait_s(self) -> float:
        return self._mean_job_s * (self.waiting() + self.workers) / self.workers
