"""A connection's work budget: seconds of estimated compute per second, with a burst it may save up.

A token bucket. `spend(cost)` waits until the bucket can pay (a cost larger than the burst pays the
burst, then leaves a debt that the next messages wait off), so a client that asks for more than its share
waits for it, and it alone: while its socket waits, its messages are not even read. Spenders queue in
turn: a hundred sockets sharing one budget do not all wake at once and land on the event loop together.
"""
from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


class WorkBudget:
    def __init__(self, rate_per_s: float, burst_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate_per_s
        self.burst = burst_s
        self._clock = clock
        self._balance = burst_s
        self._at = clock()
        self._turn = asyncio.Lock()

    def delay_for(self, cost_s: float) -> float:
        """How long `spend(cost_s)` would wait now."""
        self._refill()
        needed = min(cost_s, self.burst)
        return max(0.0, (needed - self._balance) / self.rate)

    async def spend(self, cost_s: float) -> float:
        """Wait until `cost_s` can be paid, pay it; returns the seconds waited."""
        async with self._turn:
            delay = self.delay_for(cost_s)
            if delay > 0:
                await asyncio.sleep(delay)
                self._refill()
            self._balance -= cost_s
            return delay

    def _refill(self) -> None:
        now = self._clock()
        self._balance = min(self.burst, self._balance + (now - self._at) * self.rate)
        self._at = now


class SharedBudgets:
    """One WorkBudget per client address, shared by all of that address's sockets while any is open.

    A socket's own budget bounds one browser; this bounds a whole address (a room behind one router, or
    one client with a hundred sockets), so its sockets cannot add up to the whole server.
    """

    def __init__(self, rate_per_s: float, burst_s: float) -> None:
        # A small burst: what an address saved up is spent by many sockets at once, on the event loop.
        self.rate = rate_per_s
        self.burst = burst_s
        self._budgets: dict[str, tuple[WorkBudget, int]] = {}

    def join(self, client: str) -> WorkBudget:
        budget, users = self._budgets.get(client, (None, 0))
        budget = budget or WorkBudget(self.rate, self.burst)
        self._budgets[client] = (budget, users + 1)
        return budget

    def leave(self, client: str) -> None:
        budget, users = self._budgets[client]
        if users <= 1:
            del self._budgets[client]
        else:
            self._budgets[client] = (budget, users - 1)
