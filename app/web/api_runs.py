"""/api/runs: start, follow (Server-Sent Events), inspect and cancel live training runs.

The handlers validate, hand the run to the engine (app/web/run_engine.py: threads in this process, or
Celery workers through Redis) and stream its events; they never train anything, so the event loop stays
free. Both engines answer the same way: 202, 404, 422 naming the field, 429 naming the limit with
Retry-After, 503 when Redis is away.
"""
from __future__ import annotations

import json
import logging
from typing import Annotated, AsyncIterator, Literal, Optional

from fastapi import APIRouter, Header, HTTPException, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from app.training.engine import DeviceUnavailable, EngineUnavailable, RunEngine
from app.training.runs import RunEvent, RunLimitReached, UnknownExperiment
from app.web.clients import ClientDep
from app.web.header_values import event_id_after
from app.web.limiter import LimitExceeded
from app.web.run_bodies import RunRequest, run_settings
from app.web.run_engine import EngineDep, close_engine_on_shutdown

log = logging.getLogger("brewslm")
KEEPALIVE_S = 15.0          # a comment line this often keeps proxies from closing an idle stream
CANCEL_WAIT_S = 2.0         # DELETE waits this long for the run to reach its next step and stop
RUN_LIMITS = {"client": "runs per client", "server": "runs queued on the server"}   # a 429's `limit`

router = APIRouter(prefix="/api/runs", tags=["runs"], lifespan=close_engine_on_shutdown)


class RunCreated(BaseModel):
    id: str
    status: str
    events_url: str


class RunState(BaseModel):
    id: str
    experiment: str
    status: Literal["queued", "running", "done", "cancelled", "failed"]
    device: str
    config: dict = Field(description="the settings the client chose (the experiment's defaults fill the rest)")
    final: Optional[dict] = Field(description="the `done` event's metrics, once the run has finished")
    error: Optional[str] = None


def invalid(loc: tuple, message: str, value) -> RequestValidationError:
    """A 422 in FastAPI's own shape, naming the field at `loc` (e.g. ("body", "config", "steps"))."""
    return RequestValidationError([{"type": "value_error", "loc": loc, "msg": message, "input": value}])


def unavailable(exc: EngineUnavailable) -> HTTPException:
    return HTTPException(503, str(exc), headers={"Retry-After": str(exc.retry_after)})


async def find_run(engine: RunEngine, run_id: str) -> dict:
    try:
        run = await engine.get(run_id)
    except EngineUnavailable as exc:
        raise unavailable(exc) from None
    if run is None:
        raise HTTPException(404, f"no run with id {run_id!r} (finished runs are kept for a while, then forgotten)")
    return run


@router.post("", status_code=202, summary="Start a live training run", responses={429: {"description": "a limit on runs is reached; `limit` names it"},
                                              503: {"description": "the run queue (Redis) or its workers are away"}})
async def post_run(body: RunRequest, client: ClientDep, engine: EngineDep) -> RunCreated:
    """Queue a training run; follow it at `events_url`. 429 naming the limit when one is reached."""
    experiment, config, where = run_settings(body)
    if experiment not in engine.registry:
        raise invalid(("body", "experiment"), f"experiment {experiment!r} is not available on this server "
                      f"(available: {', '.join(sorted(engine.registry))})", experiment)
    entry = engine.registry[experiment]
    steps = config.get("steps", getattr(entry.config, "steps", 0))
    if steps > engine.limits.max_steps:
        raise invalid((*where, "steps"), f"at most {engine.limits.max_steps} steps on this server", steps)
    problems = entry.problems(config)
    if problems:
        raise RequestValidationError([{"type": "value_error", "loc": (*where, field), "msg": msg,
                                       "input": config.get(field)} for field, msg in problems.items()])
    try:
        run = await engine.submit(experiment, config, body.device, client)
    except DeviceUnavailable as exc:
        raise invalid(("body", "device"), str(exc), body.device) from None
    except UnknownExperiment:
        raise invalid(("body", "experiment"), f"experiment {experiment!r} is not available", experiment) from None
    except RunLimitReached as exc:   # 429 with Retry-After and the limit's name, like every limit of the app
        raise LimitExceeded(RUN_LIMITS[exc.limit], str(exc), exc.retry_after) from None
    except EngineUnavailable as exc:
        raise unavailable(exc) from None
    return RunCreated(id=run["id"], status=run["status"], events_url=f"/api/runs/{run['id']}/events")


@router.get("/{run_id}", summary="A run's status, settings and final metrics")
async def get_run(run_id: str, engine: EngineDep) -> RunState:
    """A run's status and config, and its final metrics once done."""
    return RunState(**await find_run(engine, run_id))


@router.delete("/{run_id}", summary="Cancel a run")
async def delete_run(run_id: str, engine: EngineDep) -> dict:
    """Cancel a run (it stops at its next step); answers with the status it reached."""
    try:
        run = await engine.cancel(run_id, CANCEL_WAIT_S)
    except EngineUnavailable as exc:
        raise unavailable(exc) from None
    if run is None:
        raise HTTPException(404, f"no run with id {run_id!r} (finished runs are kept for a while, then forgotten)")
    return {"id": run["id"], "status": run["status"]}


def sse(event: RunEvent) -> str:
    return f"id: {event.id}\nevent: {event.type}\ndata: {json.dumps(event.data, allow_nan=False)}\n\n"


async def follow(engine: RunEngine, run_id: str, after: int) -> AsyncIterator[str]:
    """Every event after id `after` (a late subscriber gets the run so far), then the live ones."""
    yield "retry: 2000\n\n"
    try:
        async for event in engine.events(run_id, after, KEEPALIVE_S):
            yield ": keep-alive\n\n" if event is None else sse(event)
    except EngineUnavailable as exc:
        # End the stream: EventSource reconnects with Last-Event-ID and resumes once Redis is back.
        log.warning("event stream of run %s ended: %s", run_id, exc)


@router.get("/{run_id}/events", response_class=StreamingResponse, summary="Follow a run's events (Server-Sent Events)",
            responses={200: {"content": {"text/event-stream": {}}, "description": "step, done, error, cancelled events"}})
async def get_run_events(run_id: str, engine: EngineDep,
                         last_event_id: Annotated[Optional[str], Header()] = None) -> Response:
    """The run's events as Server-Sent Events; send Last-Event-ID to resume after a dropped connection."""
    run = await find_run(engine, run_id)
    after = event_id_after(last_event_id)
    try:
        more = await engine.has_events_after(run_id, after)
    except EngineUnavailable as exc:
        raise unavailable(exc) from None
    if run["status"] in ("done", "cancelled", "failed") and not more:
        return Response(status_code=204)  # nothing more will come: 204 tells EventSource not to reconnect
    return StreamingResponse(follow(engine, run_id, after), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
