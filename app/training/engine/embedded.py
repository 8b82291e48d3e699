"""The embedded engine: runs on the RunManager's threads inside this process (the default)."""
from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Optional

from app.device import resolve_device
from app.training.engine import DeviceUnavailable
from app.training.runs import RunEvent, RunManager


class EmbeddedEngine:
    def __init__(self, manager: RunManager, default_device: str = "auto", shutdown_wait_s: float = 30.0) -> None:
        self.manager = manager
        self.limits = manager.limits
        self.registry = manager.registry
        self.default_device = default_device
        self.shutdown_wait_s = shutdown_wait_s

    async def submit(self, experiment: str, config: dict, device: str, client: str) -> dict:
        try:
            # "auto" means the server's choice (BREWSLM_DEVICE), itself "auto" (CUDA when present) by default.
            resolved = resolve_device(self.default_device if device == "auto" else device)
        except ValueError as exc:
            raise DeviceUnavailable(str(exc)) from None
        return self.manager.submit(experiment, config, resolved, client).snapshot()

    async def get(self, run_id: str) -> Optional[dict]:
        run = self.manager.get(run_id)
        return None if run is None else run.snapshot()

    async def cancel(self, run_id: str, wait_s: float) -> Optional[dict]:
        run = self.manager.cancel(run_id)
        if run is None:
            return None
        deadline = time.monotonic() + wait_s
        while not run.finished and time.monotonic() < deadline:
            await run.wait_for_events(run.last_event_id, 0.05)
        return run.snapshot()

    async def has_events_after(self, run_id: str, after: int) -> bool:
        run = self.manager.get(run_id)
        return run is not None and bool(run.events_after(after))

    async def events(self, run_id: str, after: int, keepalive_s: float) -> AsyncIterator[Optional[RunEvent]]:
        run = self.manager.get(run_id)
        if run is None:
            return
        last = after
        while True:
            for event in run.events_after(last):
                yield event
                last = event.id
            if run.finished and not run.events_after(last):
                return
            await run.wait_for_events(last, keepalive_s)
            if not run.events_after(last) and not run.finished:
                yield None

    async def close(self) -> None:
        # Cancel every run and wait for its thread: torch must not be mid-kernel at interpreter exit.
        await asyncio.to_thread(self.manager.shutdown, self.shutdown_wait_s)
