"""Which engine runs this app's runs: embedded threads by default, Celery workers with BREWSLM_REDIS_URL.

One engine per app, made on first use; the app's shutdown closes it (the embedded engine cancels its
runs and waits for their threads, the Celery engine closes its Redis connections; runs on workers go on).
"""
from __future__ import annotations

from contextlib import asynccontextmanager
from typing import Annotated, AsyncIterator

from fastapi import Depends, FastAPI, Request

from app.settings import Settings
from app.training.engine import RunEngine
from app.training.engine.embedded import EmbeddedEngine
from app.training.experiments import build_registry
from app.training.runs import RunLimits, RunManager

SHUTDOWN_WAIT_S = 30.0      # per run thread; a first run may be training the teacher (a few seconds)


def limits_from(settings: Settings) -> RunLimits:
    return RunLimits(max_concurrent=settings.max_concurrent_runs, max_queued=settings.max_queued_runs,
                     max_per_client=settings.max_runs_per_client, max_steps=settings.max_run_steps,
                     max_wall_s=settings.max_run_seconds)


def make_engine(app: FastAPI) -> RunEngine:
    state = app.state
    settings: Settings = state.settings
    registry = build_registry(state.digits, state.tinylm)
    if settings.redis_url:
        from app.training.engine.remote import CeleryEngine  # needs redis and celery; the embedded mode does not

        return CeleryEngine(settings.redis_url, registry, limits_from(settings), default_device=settings.device,
                            heartbeat_timeout_s=settings.run_heartbeat_timeout_s,
                            queue_timeout_s=settings.run_queue_timeout_s,
                            finished_ttl_s=settings.finished_run_ttl_s)
    # Tests may put their own manager (stand-in experiments, small limits) in app.state.run_manager.
    if getattr(state, "run_manager", None) is None:
        state.run_manager = RunManager(registry, limits_from(settings))
    return EmbeddedEngine(state.run_manager, settings.device, SHUTDOWN_WAIT_S)


def get_run_engine(request: Request) -> RunEngine:
    state = request.app.state
    if getattr(state, "run_engine", None) is None:
        state.run_engine = make_engine(request.app)
    return state.run_engine


@asynccontextmanager
async def close_engine_on_shutdown(app: FastAPI) -> AsyncIterator[None]:
    yield
    engine = getattr(app.state, "run_engine", None)
    if engine is not None:
        await engine.close()
    elif getattr(app.state, "run_manager", None) is not None:   # a manager put there but never used
        await EmbeddedEngine(app.state.run_manager, shutdown_wait_s=SHUTDOWN_WAIT_S).close()


EngineDep = Annotated[RunEngine, Depends(get_run_engine)]
