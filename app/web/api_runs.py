"""/api/runs: start, follow (Server-Sent Events), inspect and cancel live training runs.

Training happens on the RunManager's worker threads; these handlers only validate, enqueue and read
the run's event log, so the event loop stays free while students train.
"""
from __future__ import annotations

import asyncio
import json
import time
from contextlib import asynccontextmanager
from typing import Annotated, AsyncIterator, Literal, Optional

from fastapi import APIRouter, Depends, FastAPI, Header, HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from app.device import resolve_device
from app.settings import Settings
from app.training.experiments import build_registry
from app.training.runs import QueueFull, Run, RunLimits, RunManager
from app.web.deps import SettingsDep
from app.web.header_values import event_id_after
from app.web.schemas import Alpha, StrictBody, Temperature

KEEPALIVE_S = 15.0          # a comment line this often keeps proxies from closing an idle stream
SHUTDOWN_WAIT_S = 30.0      # per run thread; a first run may be training the teacher (a few seconds)
CANCEL_WAIT_S = 2.0         # DELETE waits this long for the run to reach its next step and stop
EXPERIMENT_FIELDS = ("alpha", "temperature", "steps", "seed", "omit_class", "student_hidden")


@asynccontextmanager
async def stop_runs_on_shutdown(app: FastAPI) -> AsyncIterator[None]:
    """On shutdown, cancel every run and wait for its thread: torch must not be mid-kernel at exit."""
    yield
    manager = getattr(app.state, "run_manager", None)
    if manager is not None:
        await asyncio.to_thread(manager.shutdown, SHUTDOWN_WAIT_S)


router = APIRouter(prefix="/api/runs", tags=["runs"], lifespan=stop_runs_on_shutdown)


class RunRequest(StrictBody):
    """Unset (or null) settings take the experiment's own defaults; `steps` is always bounded by the server."""

    experiment: Literal["digits", "tinylm"] = "digits"
    alpha: Optional[Alpha] = None
    temperature: Optional[Temperature] = None
    steps: Annotated[int, Field(strict=True, ge=1)] = 1000
    seed: Optional[Annotated[int, Field(strict=True, ge=0, le=2**31 - 1)]] = None
    omit_class: Optional[Annotated[int, Field(strict=True, ge=0, le=9)]] = Field(
        default=None, description="digits: a class left out of the student's data; null leaves none out")
    student_hidden: Optional[Annotated[int, Field(strict=True, ge=1, le=4096)]] = None
    device: Literal["auto", "cpu", "cuda"] = "auto"

    def experiment_config(self) -> dict:
        """The settings the experiment receives: those the client set, and always `steps`."""
        given = self.model_dump(include=set(EXPERIMENT_FIELDS), exclude_unset=True)
        config = {k: v for k, v in given.items() if v is not None or k == "omit_class"}
        return {**config, "steps": self.steps}


class RunCreated(BaseModel):
    id: str
    status: str
    events_url: str


class RunState(BaseModel):
    id: str
    experiment: str
    status: Literal["queued", "running", "done", "cancelled", "failed"]
    device: str
    config: dict
    final: Optional[dict] = Field(description="the `done` event's metrics, once the run has finished")
    error: Optional[str] = None


def limits_from(settings: Settings) -> RunLimits:
    return RunLimits(max_concurrent=settings.max_concurrent_runs, max_queued=settings.max_queued_runs,
                     max_steps=settings.max_run_steps, max_wall_s=settings.max_run_seconds)


def get_run_manager(request: Request) -> RunManager:
    """One manager per app, made on first use (tests may put their own in `app.state.run_manager`)."""
    state = request.app.state
    if getattr(state, "run_manager", None) is None:
        settings: Settings = state.settings
        state.run_manager = RunManager(build_registry(state.digits, state.tinylm), limits_from(settings))
    return state.run_manager


ManagerDep = Annotated[RunManager, Depends(get_run_manager)]


def invalid(field: str, message: str, value) -> RequestValidationError:
    """A 422 in FastAPI's own shape, naming the body field."""
    return RequestValidationError([{"type": "value_error", "loc": ("body", field), "msg": message, "input": value}])


def find_run(manager: RunManager, run_id: str) -> Run:
    run = manager.get(run_id)
    if run is None:
        raise HTTPException(404, f"no run with id {run_id!r} (finished runs are kept for a while, then forgotten)")
    return run


@router.post("", status_code=202, summary="Start a live training run")
async def post_run(body: RunRequest, manager: ManagerDep, settings: SettingsDep) -> RunCreated:
    """Queue a training run; follow it at `events_url`. 429 with a reason when the queue is full."""
    if body.experiment not in manager.registry:
        raise invalid("experiment", f"experiment {body.experiment!r} is not available on this server "
                      f"(available: {', '.join(sorted(manager.registry))})", body.experiment)
    if body.steps > manager.limits.max_steps:
        raise invalid("steps", f"at most {manager.limits.max_steps} steps on this server", body.steps)
    try:
        # "auto" means the server's choice (BREWSLM_DEVICE), itself "auto" (CUDA when present) by default.
        device = resolve_device(settings.device if body.device == "auto" else body.device)
    except ValueError as exc:
        raise invalid("device", str(exc), body.device) from None
    config = body.experiment_config()
    problems = manager.registry[body.experiment].problems(config)
    if problems:
        raise RequestValidationError([{"type": "value_error", "loc": ("body", field), "msg": msg,
                                       "input": config.get(field)} for field, msg in problems.items()])
    try:
        run = manager.submit(body.experiment, config, device)
    except QueueFull as exc:
        raise HTTPException(429, str(exc), headers={"Retry-After": "10"}) from None
    return RunCreated(id=run.id, status=run.status, events_url=f"/api/runs/{run.id}/events")


@router.get("/{run_id}", summary="A run's status, settings and final metrics")
async def get_run(run_id: str, manager: ManagerDep) -> RunState:
    """A run's status and config, and its final metrics once done."""
    return RunState(**find_run(manager, run_id).snapshot())


@router.delete("/{run_id}", summary="Cancel a run")
async def delete_run(run_id: str, manager: ManagerDep) -> dict:
    """Cancel a run (it stops at its next step); answers with the status it reached."""
    run = find_run(manager, run_id)
    manager.cancel(run_id)
    deadline = time.monotonic() + CANCEL_WAIT_S
    while not run.finished and time.monotonic() < deadline:
        await run.wait_for_events(run.last_event_id, 0.05)
    return {"id": run.id, "status": run.status}


def sse(event) -> str:
    return f"id: {event.id}\nevent: {event.type}\ndata: {json.dumps(event.data, allow_nan=False)}\n\n"


async def follow(run: Run, after: int) -> AsyncIterator[str]:
    """Every event after id `after` (a late subscriber gets the run so far), then the live ones."""
    yield "retry: 2000\n\n"
    last = after
    while True:
        for event in run.events_after(last):
            yield sse(event)
            last = event.id
        if run.finished and not run.events_after(last):
            return
        await run.wait_for_events(last, KEEPALIVE_S)
        if not run.events_after(last) and not run.finished:
            yield ": keep-alive\n\n"


@router.get("/{run_id}/events", response_class=StreamingResponse, summary="Follow a run's events (Server-Sent Events)",
            responses={200: {"content": {"text/event-stream": {}}, "description": "step, done, error, cancelled events"}})
async def get_run_events(run_id: str, manager: ManagerDep,
                         last_event_id: Annotated[Optional[str], Header()] = None) -> Response:
    """The run's events as Server-Sent Events; send Last-Event-ID to resume after a dropped connection."""
    run = find_run(manager, run_id)
    after = event_id_after(last_event_id)
    if run.finished and not run.events_after(after):
        return Response(status_code=204)  # nothing more will come: 204 tells EventSource not to reconnect
    return StreamingResponse(follow(run, after), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
