"""Where runs execute. Two engines behind one interface, `RunEngine`, which the web layer uses:

- `embedded.EmbeddedEngine` (the default: nothing to install): the RunManager's threads inside the web
  process that received the run (app/training/runs.py).
- `remote.CeleryEngine` (with BREWSLM_REDIS_URL): each run is a Celery task on a Redis broker, executed
  by `brewslm worker` processes (worker.py) on this machine or others, one queue per device. Run state
  and events live in Redis (store.py), so any web process can report, follow and cancel any run.

Both give the same events, limits and errors; the HTTP layer cannot tell them apart. This package
imports no web code; only `remote`, `store`, `worker` and `celery_app` need `redis` and `celery`.
"""
from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Optional, Protocol

from app.training.runs import Experiment, RunEvent, RunLimitReached, RunLimits, UnknownExperiment

TERMINAL_EVENTS = ("done", "error", "cancelled")


class DeviceUnavailable(ValueError):
    """The requested device cannot run anything here (no CUDA, no CUDA worker): the API's 422 on `device`."""


class EngineUnavailable(RuntimeError):
    """The engine cannot take or report runs now (Redis unreachable, no worker running): the API's 503."""

    def __init__(self, message: str, retry_after: int = 5) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class RunEngine(Protocol):
    """What the web layer needs of an engine. A run's snapshot is a dict:
    `{id, experiment, status, device, config, final, error}`."""

    limits: RunLimits
    registry: Mapping[str, Experiment]

    async def submit(self, experiment: str, config: dict, device: str, client: str) -> dict:
        """Queue a run; `device` is auto, cpu or cuda. Raises UnknownExperiment, DeviceUnavailable,
        RunLimitReached, EngineUnavailable."""

    async def get(self, run_id: str) -> Optional[dict]:
        """The run's snapshot, or None when there is no such run (or it was forgotten)."""

    async def cancel(self, run_id: str, wait_s: float) -> Optional[dict]:
        """Ask the run to stop and wait up to `wait_s` for it to end; its snapshot, or None."""

    async def has_events_after(self, run_id: str, after: int) -> bool:
        """Whether the run's log holds an event with an id above `after`."""

    def events(self, run_id: str, after: int, keepalive_s: float) -> AsyncIterator[Optional[RunEvent]]:
        """Every event after id `after`, then the live ones, until the terminal one. Yields None when
        `keepalive_s` passed without one (the stream sends a keep-alive)."""

    async def close(self) -> None:
        """Stop what the engine runs in this process (cancel embedded runs; close connections)."""


__all__ = ["DeviceUnavailable", "EngineUnavailable", "RunEngine", "RunEvent", "RunLimitReached", "RunLimits",
           "TERMINAL_EVENTS", "UnknownExperiment"]
