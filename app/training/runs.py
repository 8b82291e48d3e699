"""Live training runs: the contract every experiment keeps, the driver both engines share, and the
RunManager that runs them on threads inside the web process (the embedded engine, the default).

The contract an experiment keeps (digits here, tinylm in its own module):

    run(config: dict, device: torch.device, cancel_event: threading.Event) -> Iterator[dict]

It yields `{"type": "step", ...}` records (JSON-able; a `loss` key, if present, is checked for NaN) and
ends with exactly one `{"type": "done", ...}` record holding the final metrics. It checks
`cancel_event` every training step and returns early (without "done") once it is set. It may raise;
the message becomes the run's `error` event. Register it as `Experiment(run=..., problems=..., config=...)`,
where `problems(config)` returns {field: reason} for configs it cannot run (the API turns those into
422s) and `config` is its config dataclass (app/training/config_fields.py).

`drive` turns those records into a run's events, the same way wherever the run executes (a thread
here, a Celery worker in app/training/engine/worker.py): NaN or inf in `loss` fails the run, the
wall-time limit fails it with a reason, a cancel ends it with `cancelled`, and exactly one terminal
event (done, error or cancelled) is always the last.

The manager owns everything else in the embedded engine: a concurrency cap (`max_concurrent` runs train
at once, one thread each), a bounded queue (`max_queued` more wait) and a cap per client
(`max_per_client` queued or running); beyond them `submit` raises RunLimitReached and the API answers
429 naming the limit. Cancel, and a bounded per-run event log with increasing ids that lets a late
subscriber replay what it missed and a reconnecting one resume after its Last-Event-ID. Nothing here
knows HTTP. (Device choice, "auto" included, is `app.device.resolve_device`.)
"""
from __future__ import annotations

import asyncio
import itertools
import math
import os
import threading
import time
import uuid
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from typing import Callable, Iterator, Mapping, Optional

import torch

ExperimentFn = Callable[[dict, torch.device, threading.Event], Iterator[dict]]
TERMINAL = ("done", "cancelled", "failed")


def _no_problems(config: dict) -> dict[str, str]:
    return {}


@dataclass(frozen=True)
class Experiment:
    run: ExperimentFn
    problems: Callable[[dict], dict[str, str]] = _no_problems
    config: Optional[type] = None   # the dataclass of its settings: names, defaults (and, in its metadata, bounds)


@dataclass(frozen=True)
class RunLimits:
    max_concurrent: int = 1
    max_queued: int = 4
    max_per_client: int = 4      # queued or running runs of one client
    max_steps: int = 5000
    max_wall_s: float = 120.0
    max_events: int = 1000       # per run; the oldest step records go first
    keep_finished: int = 32      # finished runs kept for GET and late subscribers


class RunLimitReached(RuntimeError):
    """A limit on runs is reached: `limit` says which ("server" or "client"); the message is the reason
    a client sees, and `retry_after` how many seconds to wait before trying again."""

    def __init__(self, message: str, *, limit: str, retry_after: int = 10) -> None:
        super().__init__(message)
        self.limit = limit
        self.retry_after = retry_after


def client_limit_reached(count: int, most: int) -> RunLimitReached:
    """The per-client limit's error, worded the same by both engines."""
    return RunLimitReached(f"per-client limit: you have {count} run(s) queued or training, the most one client "
                           f"may have ({most}); cancel one or wait for it to finish", limit="client")


class UnknownExperiment(KeyError):
    pass


def _json_safe(value):
    """NaN and ±inf are not JSON: send them as null (a run that hits them fails anyway)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    return value


@dataclass(frozen=True)
class RunEvent:
    id: int
    type: str   # step | done | error | cancelled
    data: dict


class RunControl:
    """What can stop a run, as the experiment sees it: one `event` (its cancel_event). `cancel()` is the
    client's cancel (the run ends `cancelled`); `fail(reason)` is the engine's (the wall-time limit, a
    worker shutting down: the run ends with an `error` naming the reason)."""

    def __init__(self) -> None:
        self.event = threading.Event()
        self.failure: Optional[str] = None

    def cancel(self) -> None:
        self.event.set()

    def fail(self, reason: str) -> None:
        if self.failure is None:
            self.failure = reason
        self.event.set()


# emit(type, data, status): log one event; `status` is set with the last one (done, cancelled or failed).
Emit = Callable[..., None]


def drive(run_fn: ExperimentFn, config: dict, device: torch.device, control: RunControl, emit: Emit,
          *, max_wall_s: float) -> None:
    """Run one experiment to its end, passing its records to `emit` as events; never raises."""
    timer = threading.Timer(max_wall_s, control.fail,
                            args=(f"the run exceeded the wall-time limit of {max_wall_s:g} s and was stopped",))
    timer.daemon = True
    timer.start()
    try:
        _drive(run_fn, config, device, control, emit)
    finally:
        timer.cancel()


def _drive(run_fn: ExperimentFn, config: dict, device: torch.device, control: RunControl, emit: Emit) -> None:
    try:
        for record in run_fn(config, device, control.event):
            kind = record.get("type")
            if kind == "done":
                emit("done", _json_safe({k: v for k, v in record.items() if k != "type"}), status="done")
                return
            loss = record.get("loss")
            if isinstance(loss, float) and not math.isfinite(loss):
                raise FloatingPointError(f"the loss became {loss} at step {record.get('step')}")
            emit(kind or "step", _json_safe({k: v for k, v in record.items() if k != "type"}))
    except Exception as exc:  # noqa: BLE001 - any failure of a run is reported, never raised into a thread
        emit("error", {"reason": f"{type(exc).__name__}: {exc}"}, status="failed")
        return
    if control.failure is not None:
        emit("error", {"reason": control.failure}, status="failed")
    elif control.event.is_set():
        emit("cancelled", {"reason": "cancelled"}, status="cancelled")
    else:
        emit("error", {"reason": "the experiment ended without a final record"}, status="failed")


def lower_this_threads_priority(offset: int = 10) -> None:
    """Runs are batch work: on Linux a thread has its own nice value, so a run's thread can leave the
    cores to the thread serving requests (the pages and explorers) first. A no-op elsewhere."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), offset)
    except (AttributeError, OSError):
        pass


def new_run_id() -> str:
    return uuid.uuid4().hex[:12]


@dataclass(eq=False)
class Run:
    experiment: str
    config: dict
    device: torch.device
    max_events: int
    client: str = ""
    id: str = field(default_factory=new_run_id)
    status: str = "queued"
    final: Optional[dict] = None
    error: Optional[str] = None
    created_at: float = field(default_factory=time.time)
    control: RunControl = field(default_factory=RunControl)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._events: deque[RunEvent] = deque(maxlen=self.max_events)
        self._ids = itertools.count(1)
        self._waiters: set[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = set()

    @property
    def finished(self) -> bool:
        return self.status in TERMINAL

    def snapshot(self) -> dict:
        return {"id": self.id, "experiment": self.experiment, "status": self.status,
                "device": str(self.device), "config": self.config, "final": self.final, "error": self.error}

    def append(self, type_: str, data: dict, *, status: Optional[str] = None) -> None:
        """Log an event (and, for the last one, the new status) and wake every subscriber."""
        with self._lock:
            # A full deque drops its oldest record, always a step: the terminal event is the last one.
            self._events.append(RunEvent(next(self._ids), type_, _json_safe(data)))
            if status is not None:
                self.status = status
                self.final = data if status == "done" else None
                self.error = data.get("reason") if status == "failed" else None
            waiters = list(self._waiters)
        for loop, ev in waiters:
            try:
                loop.call_soon_threadsafe(ev.set)
            except RuntimeError:
                pass  # that subscriber's loop is closed: it is gone

    @property
    def last_event_id(self) -> int:
        with self._lock:
            return self._events[-1].id if self._events else 0

    def events_after(self, last_id: int) -> list[RunEvent]:
        with self._lock:
            return [e for e in self._events if e.id > last_id]

    async def wait_for_events(self, last_id: int, timeout: float) -> None:
        """Return once there is an event after `last_id`, the run has finished, or `timeout` passed."""
        loop, ev = asyncio.get_running_loop(), asyncio.Event()
        with self._lock:
            if (self._events and self._events[-1].id > last_id) or self.finished:
                return
            self._waiters.add((loop, ev))
        try:
            await asyncio.wait_for(ev.wait(), timeout)
        except asyncio.TimeoutError:
            pass
        finally:
            with self._lock:
                self._waiters.discard((loop, ev))


class RunManager:
    def __init__(self, registry: Mapping[str, Experiment | ExperimentFn], limits: RunLimits = RunLimits()):
        self.registry = {k: v if isinstance(v, Experiment) else Experiment(run=v) for k, v in registry.items()}
        self.limits = limits
        self._lock = threading.Lock()
        self._runs: OrderedDict[str, Run] = OrderedDict()
        self._pending: deque[Run] = deque()
        self._running: set[str] = set()
        self._threads: dict[str, threading.Thread] = {}

    # -- public ------------------------------------------------------------------------------------
    def submit(self, experiment: str, config: dict, device: torch.device, client: str = "") -> Run:
        """Queue a run (it starts at once when a slot is free). Raises UnknownExperiment, RunLimitReached."""
        if experiment not in self.registry:
            raise UnknownExperiment(experiment)
        run = Run(experiment=experiment, config=dict(config), device=device, max_events=self.limits.max_events,
                  client=client)
        with self._lock:
            if len(self._running) >= self.limits.max_concurrent and len(self._pending) >= self.limits.max_queued:
                raise RunLimitReached(
                    f"server limit: {len(self._running)} run(s) training and {len(self._pending)} waiting, the most "
                    f"this server allows ({self.limits.max_concurrent} + {self.limits.max_queued}); "
                    "try again when one finishes", limit="server")
            mine = sum(1 for r in self._runs.values() if r.client == client and not r.finished)
            if mine >= self.limits.max_per_client:
                raise client_limit_reached(mine, self.limits.max_per_client)
            self._runs[run.id] = run
            self._forget_old_runs()
            self._pending.append(run)
            self._start_next()
        return run

    def get(self, run_id: str) -> Optional[Run]:
        with self._lock:
            return self._runs.get(run_id)

    def cancel(self, run_id: str) -> Optional[Run]:
        """Ask a run to stop; a queued one is cancelled at once, a running one at its next step."""
        with self._lock:
            run = self._runs.get(run_id)
            if run is None or run.finished:
                return run
            run.control.cancel()
            if run in self._pending:
                self._pending.remove(run)
                run.append("cancelled", {"reason": "cancelled before it started"}, status="cancelled")
        return run

    def shutdown(self, timeout: float = 5.0) -> None:
        """Cancel everything and wait for the worker threads (used on app shutdown and in tests)."""
        with self._lock:
            runs = list(self._runs.values())
            threads = list(self._threads.values())
        for run in runs:
            self.cancel(run.id)
        for t in threads:
            t.join(timeout)

    def active_count(self) -> int:
        with self._lock:
            return len(self._running) + len(self._pending)

    # -- internals ---------------------------------------------------------------------------------
    def _forget_old_runs(self) -> None:
        finished = [r for r in self._runs.values() if r.finished]
        for run in finished[: max(0, len(finished) - self.limits.keep_finished)]:
            del self._runs[run.id]

    def _start_next(self) -> None:
        """With the lock held: start pending runs while there are free slots."""
        while self._pending and len(self._running) < self.limits.max_concurrent:
            run = self._pending.popleft()
            self._running.add(run.id)
            run.status = "running"  # it holds a slot from now on, even before its thread is scheduled
            thread = threading.Thread(target=self._work, args=(run,), name=f"run-{run.id}", daemon=True)
            self._threads[run.id] = thread
            thread.start()

    def _work(self, run: Run) -> None:
        lower_this_threads_priority()
        try:
            drive(self.registry[run.experiment].run, run.config, run.device, run.control, run.append,
                  max_wall_s=self.limits.max_wall_s)
        finally:
            with self._lock:
                self._running.discard(run.id)
                self._threads.pop(run.id, None)
                self._start_next()
