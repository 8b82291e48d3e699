"""The worker side of the Celery engine: execute one run from Redis, beat while it trains, stop on cancel.

`RunExecutor.execute(run_id)` is the body of the Celery task. It claims the run (only a queued run can be
claimed), drives the experiment with the same `drive` as the embedded engine, and appends each record
to the run's stream. A watcher thread beats every `beat_s` (the reaper in the web processes fails a run
whose beats stop: a worker killed mid-run) and reads the cancel flag a DELETE sets on any web process.
`stop_all(reason)` (the worker shutting down) ends the runs in progress with an error naming the reason.
"""
from __future__ import annotations

import json
import logging
import threading
from collections.abc import Mapping
from typing import Optional

import redis
import torch

from app.training.engine.store import SCRIPTS, RunKeys, encode, run_key, workers_key
from app.training.runs import Experiment, RunControl, drive

log = logging.getLogger("brewslm.worker")


class RunExecutor:
    def __init__(self, client: redis.Redis, registry: Mapping[str, Experiment], worker_name: str, *,
                 max_wall_s: float, max_events: int, finished_ttl_s: int, beat_s: float = 0.25) -> None:
        self.client = client
        self.registry = registry
        self.name = worker_name
        self.max_wall_s = max_wall_s
        self.max_events = max_events
        self.finished_ttl_s = finished_ttl_s
        self.beat_s = beat_s
        self.scripts = {name: client.register_script(src) for name, src in SCRIPTS.items()}
        self._lock = threading.Lock()
        self._active: dict[str, RunControl] = {}

    def _call(self, script: str, keys: RunKeys, *args) -> object:
        return self.scripts[script](keys=keys.keys(), args=[keys.run_id, self.max_events, self.finished_ttl_s, *args])

    def execute(self, run_id: str) -> None:
        fields = self.client.hgetall(run_key(run_id))
        if not fields:
            log.warning("run %s is not in Redis (expired?); nothing to do", run_id)
            return
        keys = RunKeys(run_id, fields["client"])
        status = self._call("claim", keys, self.name)
        if status != "running":
            log.info("run %s is %s, not queued: not started", run_id, status)
            return
        control = RunControl()
        with self._lock:
            self._active[run_id] = control
        finished = threading.Event()
        watcher = threading.Thread(target=self._watch, args=(keys, control, finished), daemon=True,
                                   name=f"watch-{run_id}")
        watcher.start()

        def emit(kind: str, data: dict, status: Optional[str] = None) -> None:
            reason = data.get("reason", "") if status == "failed" else ""
            self._call("append", keys, kind, encode(data), status or "", reason)

        try:
            experiment = self.registry.get(fields["experiment"])
            if experiment is None:
                emit("error", {"reason": f"this worker has no experiment {fields['experiment']!r}"}, "failed")
                return
            wall_s = min(float(fields.get("max_wall_s") or self.max_wall_s), self.max_wall_s)
            drive(experiment.run, json.loads(fields["config"]), torch.device(fields["device"]), control, emit,
                  max_wall_s=wall_s)
        finally:
            finished.set()
            watcher.join()
            with self._lock:
                self._active.pop(run_id, None)

    def _watch(self, keys: RunKeys, control: RunControl, finished: threading.Event) -> None:
        """Beat, and stop the run when a client cancelled it (or the reaper already ended it)."""
        while not finished.wait(self.beat_s):
            try:
                if int(self.scripts["heartbeat"](keys=keys.keys()[:1])) == 1:
                    control.cancel()
            except redis.RedisError as exc:   # keep training; the run fails if Redis stays away too long
                log.warning("heartbeat of run %s failed: %s", keys.run_id, exc)

    def stop_all(self, reason: str) -> None:
        with self._lock:
            controls = list(self._active.values())
        for control in controls:
            control.fail(reason)


class WorkerBeat:
    """Registers a worker as live for its device from `start()` (Celery's worker_ready) to `stop()`, so
    web processes know a queue has a consumer (a cuda run is refused when no cuda worker is alive)."""

    def __init__(self, client: redis.Redis, device: str, name: str, stale_s: float) -> None:
        self.client, self.device, self.name = client, device, name
        self.stale_s, self.every_s = stale_s, min(2.0, stale_s / 3)   # three beats per stale window
        self.beat = client.register_script(SCRIPTS["worker_beat"])
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="worker-beat")

    def _send(self, alive: bool) -> None:
        self.beat(keys=[workers_key(self.device)], args=[self.name, self.stale_s, 1 if alive else 0])

    def _run(self) -> None:
        while not self._stop.wait(self.every_s):
            try:
                self._send(True)
            except redis.RedisError as exc:
                log.warning("worker heartbeat failed: %s", exc)

    def start(self) -> None:
        self._send(True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        try:
            self._send(False)
        except redis.RedisError:
            pass  # the entry goes stale by itself
