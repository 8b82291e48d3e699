"""The Celery engine, as a web process sees it: admit a run in Redis, send its task to the device's queue,
and read, follow and cancel any run from Redis, whichever web process or worker touched it last.

A reaper in every web process (a task every `sweep_s`, and each follower while it waits) fails a run
whose worker stopped beating (killed mid-run) and one no worker took in time, so a stream never hangs.
Every Redis error becomes EngineUnavailable, which the API answers with 503.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Optional

import redis
import redis.asyncio as aioredis

from app.training.engine import TERMINAL_EVENTS, DeviceUnavailable, EngineUnavailable
from app.training.engine.celery_app import RUN_TASK, make_celery
from app.training.engine.store import (QUEUED, RUNNING, SCRIPTS, RunKeys, encode, event_fields, events_key, queue_name,
                                       redacted, run_key, snapshot, workers_key)
from app.training.runs import (Experiment, RunEvent, RunLimitReached, RunLimits, UnknownExperiment,
                               client_limit_reached, new_run_id)

log = logging.getLogger("brewslm")
FINISHED = ("done", "cancelled", "failed")


class CeleryEngine:
    def __init__(self, redis_url: str, registry: Mapping[str, Experiment], limits: RunLimits, *,
                 default_device: str = "auto", heartbeat_timeout_s: float = 10.0, queue_timeout_s: float = 600.0,
                 finished_ttl_s: int = 3600, sweep_s: float = 2.0, block_ms: int = 1000) -> None:
        self.registry = registry
        self.limits = limits
        self.default_device = default_device
        self.heartbeat_timeout_s = heartbeat_timeout_s
        self.queue_timeout_s = queue_timeout_s
        self.finished_ttl_s = finished_ttl_s
        self.sweep_s = sweep_s
        self.block_ms = block_ms
        self.where = redacted(redis_url)
        self.redis = aioredis.from_url(redis_url, decode_responses=True, socket_connect_timeout=2,
                                       socket_timeout=block_ms / 1000 + 5, retry_on_timeout=False)
        self.scripts = {name: self.redis.register_script(src) for name, src in SCRIPTS.items()}
        self.celery = make_celery(redis_url)
        self._sweeper: Optional[asyncio.Task] = None

    # -- helpers -------------------------------------------------------------------------------------
    @contextlib.contextmanager
    def _unavailable(self) -> Iterator[None]:
        try:
            yield
        except (redis.RedisError, OSError) as exc:
            raise EngineUnavailable(f"the run queue (Redis at {self.where}) is unreachable: {exc}; "
                                    "the lessons and explorers still work, live runs do not") from None

    async def _run_script(self, name: str, keys: RunKeys, *args) -> object:
        return await self.scripts[name](keys=keys.keys(),
                                        args=[keys.run_id, self.limits.max_events, self.finished_ttl_s, *args])

    async def _keys(self, run_id: str) -> Optional[RunKeys]:
        client = await self.redis.hget(run_key(run_id), "client")
        return None if client is None else RunKeys(run_id, client)

    async def _live_workers(self, device: str) -> int:
        return int(await self.scripts["worker_beat"](keys=[workers_key(device)],
                                                     args=["", self.heartbeat_timeout_s, 1]))

    def _start_sweeper(self) -> None:
        if self._sweeper is None or self._sweeper.done():
            self._sweeper = asyncio.get_running_loop().create_task(self._sweep_forever())

    async def _sweep_forever(self) -> None:
        while True:
            await asyncio.sleep(self.sweep_s)
            try:
                for run_id in [*await self.redis.zrange(QUEUED, 0, -1), *await self.redis.zrange(RUNNING, 0, -1)]:
                    await self._reap(run_id)
            except (redis.RedisError, OSError) as exc:
                log.warning("run reaper: Redis unreachable (%s)", exc)

    async def _reap(self, run_id: str) -> str:
        """Fail the run if its worker died or no worker took it in time; its status after that."""
        keys = await self._keys(run_id)
        if keys is None:
            await self.redis.zrem(QUEUED, run_id)
            await self.redis.zrem(RUNNING, run_id)
            return "gone"
        return str(await self._run_script("reap", keys, self.heartbeat_timeout_s, self.queue_timeout_s))

    async def _resolve_device(self, requested: str) -> str:
        want = self.default_device if requested == "auto" else requested
        if want == "auto":
            want = "cuda" if await self._live_workers("cuda") else "cpu"
        if await self._live_workers(want) == 0:
            if want == "cuda":
                raise DeviceUnavailable("CUDA was requested but no CUDA worker is running (start one on a GPU "
                                        "machine: brewslm worker --device cuda)")
            raise EngineUnavailable("no worker is running to take runs; start one with `brewslm worker`")
        return want

    # -- the RunEngine interface ---------------------------------------------------------------------
    async def submit(self, experiment: str, config: dict, device: str, client: str) -> dict:
        if experiment not in self.registry:
            raise UnknownExperiment(experiment)
        with self._unavailable():
            self._start_sweeper()
            resolved = await self._resolve_device(device)
            keys = RunKeys(new_run_id(), client)
            # Every run waits in the queue a moment, so a queue limit of 0 (the embedded "none beyond the
            # running ones") means 1 here.
            verdict = await self._run_script("admit", keys, max(1, self.limits.max_queued), self.limits.max_per_client,
                                             experiment, resolved, encode(config), client, self.limits.max_wall_s)
            if verdict[0] == "server":
                raise RunLimitReached(f"server limit: {verdict[1]} run(s) waiting for a worker, the most this "
                                      f"server queues ({self.limits.max_queued}); try again when one starts",
                                      limit="server")
            if verdict[0] == "client":
                raise client_limit_reached(int(verdict[1]), self.limits.max_per_client)
        try:
            await asyncio.to_thread(self.celery.send_task, RUN_TASK, args=[keys.run_id], queue=queue_name(resolved))
        except Exception as exc:  # noqa: BLE001 - the broker refused: the run must not stay queued forever
            with self._unavailable():
                await self._run_script("append", keys, "error", encode({"reason": f"could not queue the run: {exc}"}),
                                       "failed", f"could not queue the run: {exc}")
            raise EngineUnavailable(f"could not queue the run on the broker: {exc}") from None
        return await self.get(keys.run_id)

    async def get(self, run_id: str) -> Optional[dict]:
        with self._unavailable():
            self._start_sweeper()
            fields = await self.redis.hgetall(run_key(run_id))
        return snapshot(fields) if fields else None

    async def cancel(self, run_id: str, wait_s: float) -> Optional[dict]:
        with self._unavailable():
            keys = await self._keys(run_id)
            if keys is None:
                return None
            await self._run_script("cancel", keys)
            deadline = time.monotonic() + wait_s
            while await self.redis.hget(run_key(run_id), "status") not in FINISHED and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
        return await self.get(run_id)

    async def has_events_after(self, run_id: str, after: int) -> bool:
        with self._unavailable():
            return bool(await self.redis.xrange(events_key(run_id), f"(0-{after}", "+", count=1))

    async def events(self, run_id: str, after: int, keepalive_s: float) -> AsyncIterator[Optional[RunEvent]]:
        last, quiet_since = after, time.monotonic()
        while True:
            with self._unavailable():
                reply = await self.redis.xread({events_key(run_id): f"0-{last}"}, count=200, block=self.block_ms)
            for entry_id, fields in (reply[0][1] if reply else []):
                event_id, kind, data = event_fields(entry_id, fields)
                yield RunEvent(event_id, kind, data)
                last, quiet_since = event_id, time.monotonic()
                if kind in TERMINAL_EVENTS:
                    return
            if reply:
                continue
            with self._unavailable():
                status = await self._reap(run_id)   # a dead worker's run gets its error event here, too
                if status == "gone" or (status in FINISHED and not await self.has_events_after(run_id, last)):
                    return
            if time.monotonic() - quiet_since >= keepalive_s:
                yield None
                quiet_since = time.monotonic()

    async def close(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._sweeper
        with contextlib.suppress(Exception):
            await self.redis.aclose()
